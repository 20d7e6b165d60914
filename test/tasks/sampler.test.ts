import { fc, test as fcTest } from '@fast-check/vitest';
import { pipe } from 'fp-ts/lib/function.js';
import { describe, expect, it } from 'vitest';
import { key, split, uniform64 } from '../../src/core/prng.js';
import {
  Monad,
  ap,
  categorical,
  chain,
  map,
  mixture,
  normalVector,
  of,
  replicate,
  sequence,
  uniformIndex,
  zip,
  type Sampler,
} from '../../src/tasks/index.js';
import { keys } from '../../src/testing/arbitraries.js';

const uniform: Sampler<number> = (k) => uniform64(k, 1)[0];

/** Histogram of `sampler` over `count` keys split from `seedKey`, as frequencies of 0..bins-1. */
function frequencies(sampler: Sampler<number>, seedKey: ReturnType<typeof key>, count: number, bins: number): number[] {
  const counts = new Array<number>(bins).fill(0);
  for (const k of split(seedKey, count)) counts[sampler(k)] += 1;
  return counts.map((c) => c / count);
}

/** Asserts two histograms of `count` draws each agree within 6 standard errors per bin. */
function expectSameDistribution(left: number[], right: number[], count: number): void {
  left.forEach((p, i) => {
    const pooled = (p + right[i]) / 2;
    const bound = 6 * Math.sqrt((2 * pooled * (1 - pooled)) / count) + 1e-12;
    expect(Math.abs(p - right[i])).toBeLessThanOrEqual(bound);
  });
}

describe('Sampler determinism', () => {
  fcTest.prop([keys()])('same key gives same value', (k) => {
    const sampler = pipe(
      normalVector(3),
      chain((v) => map((i: number) => v[i])(uniformIndex(3))),
      zip(uniform),
    );
    expect(sampler(k)).toEqual(sampler(k));
  });

  it('split keys give uncorrelated draws', () => {
    const [a, b] = split(key(11), 2);
    const x = normalVector(20000)(a);
    const y = normalVector(20000)(b);
    let dot = 0;
    for (let i = 0; i < x.length; i++) dot += x[i] * y[i];
    expect(Math.abs(dot / x.length)).toBeLessThan(6 / Math.sqrt(x.length));
  });

  it('chain stages draw independently', () => {
    const pairs = replicate(20000)(pipe(uniform, chain((first) => map((second: number) => [first, second] as const)(uniform))))(key(3));
    let covariance = 0;
    for (const [first, second] of pairs) covariance += (first - 0.5) * (second - 0.5);
    covariance /= pairs.length;
    // Each product has variance 1/144, so the standard error of the mean is 1 / (12 sqrt(N)).
    expect(Math.abs(covariance)).toBeLessThan(6 / (12 * Math.sqrt(pairs.length)));
    expect(pairs.some(([first, second]) => first === second)).toBe(false);
  });

  it('replicate draws distinct values', () => {
    const values = replicate(5)(uniform)(key(0));
    expect(new Set(values).size).toBe(5);
    expect(replicate(0)(uniform)(key(0))).toEqual([]);
  });

  it('sequence keeps order and splits keys', () => {
    const samplers = [of(1), of(2), uniform];
    const [k] = split(key(4), 1);
    const values = sequence(samplers)(k);
    expect(values.slice(0, 2)).toEqual([1, 2]);
    expect(values[2]).toBe(uniform(split(k, 3)[2]));
    expect(sequence<number>([])(k)).toEqual([]);
  });
});

describe('Sampler functor and monad laws', () => {
  const m = categorical([1, 2, 3, 4]);
  const f = (a: number): Sampler<number> => map((b: number) => (a + b) % 4)(categorical([4 - a, 1, a + 1, 2]));
  const g = (a: number): Sampler<number> => map((b: number) => (a * b + 1) % 4)(categorical([1, a + 1, 3, 1]));
  const draws = 20000;

  fcTest.prop([keys()])('map identity holds exactly', (k) => {
    expect(map((x: number) => x)(m)(k)).toBe(m(k));
  });

  fcTest.prop([keys()])('map composition holds exactly', (k) => {
    const double = (x: number): number => 2 * x;
    const increment = (x: number): number => x + 1;
    expect(map((x: number) => increment(double(x)))(m)(k)).toBe(map(increment)(map(double)(m))(k));
  });

  fcTest.prop([keys(), fc.integer({ min: 0, max: 3 })])('left identity holds with the split key', (k, a) => {
    expect(chain(f)(of(a))(k)).toBe(f(a)(split(k, 2)[1]));
  });

  it('left identity holds in distribution', () => {
    for (let a = 0; a < 4; a++) {
      expectSameDistribution(frequencies(chain(f)(of(a)), key(1), draws, 4), frequencies(f(a), key(2), draws, 4), draws);
    }
  });

  it('right identity holds in distribution', () => {
    expectSameDistribution(frequencies(chain(of)(m), key(3), draws, 4), frequencies(m, key(4), draws, 4), draws);
  });

  it('associativity holds in distribution', () => {
    const left = chain(g)(chain(f)(m));
    const right = chain((x: number) => chain(g)(f(x)))(m);
    expectSameDistribution(frequencies(left, key(5), draws, 4), frequencies(right, key(6), draws, 4), draws);
  });

  fcTest.prop([keys()])('fp-ts instance matches the combinators', (k) => {
    expect(Monad.map(m, (x) => x + 1)(k)).toBe(map((x: number) => x + 1)(m)(k));
    expect(Monad.chain(m, f)(k)).toBe(chain(f)(m)(k));
    expect(Monad.of(7)(k)).toBe(7);
    const functions = of((x: number) => x * 10);
    expect(Monad.ap(functions, m)(k)).toBe(ap(m)(functions)(k));
  });
});

describe('mixture and categorical', () => {
  it('component frequencies follow weights', () => {
    const sampler = mixture([
      [1, of(0)],
      [0, of(1)],
      [3, of(2)],
    ]);
    const counts = [0, 0, 0];
    const count = 40000;
    for (const k of split(key(9), count)) counts[sampler(k)] += 1;
    expect(counts[1]).toBe(0);
    const p = 0.25;
    expect(Math.abs(counts[0] / count - p)).toBeLessThan(6 * Math.sqrt((p * (1 - p)) / count));
  });

  it('rejects invalid weights', () => {
    expect(() => mixture([])).toThrow(/must not be empty/);
    expect(() => mixture([[Number.NaN, of(0)]])).toThrow(/weight 0 must be a finite number >= 0, got NaN/);
    expect(() => mixture([[-1, of(0)]])).toThrow(/weight 0 must be a finite number >= 0, got -1/);
    expect(() => mixture([[Infinity, of(0)]])).toThrow(/got Infinity/);
    expect(() => mixture([[0, of(0)], [0, of(1)]])).toThrow(/positive sum/);
    expect(() => categorical([])).toThrow(/must not be empty/);
  });

  it('uniformIndex rejects bad counts', () => {
    expect(() => uniformIndex(0)).toThrow(/positive integer, got 0/);
    expect(() => uniformIndex(1.5)).toThrow(/got 1.5/);
  });
});
