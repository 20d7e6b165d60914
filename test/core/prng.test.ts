/**
 * Threefry-2x32 known-answer vectors, key derivation (split, foldIn), and the distributions drawn
 * from keys, on the host and as tensors. Statistical checks use fixed keys and bounds of at least six
 * standard errors, so they are deterministic and far from their limits.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bernoulli, bernoulli64, compile, foldIn, key, keyFromWords, keyTensor, keyWords, normal, normal64, permutation,
  permutation64, randint, randint64, randomBits, split, uniform, uniform64, uniformFloat32, type Tensor,
} from '../../src/index.js';
import { threefry2x32 } from '../../src/core/threefry.js';
import { refThreefry2x32, refThreefryBits } from './helpers.js';

const KNOWN_ANSWERS: [key: [number, number], counter: [number, number], output: [number, number]][] = [
  [[0, 0], [0, 0], [0x6b200159, 0x99ba4efe]],
  [[0xffffffff, 0xffffffff], [0xffffffff, 0xffffffff], [0x1cb996fc, 0xbb002be7]],
  [[0x13198a2e, 0x03707344], [0x243f6a88, 0x85a308d3], [0xc4923a9c, 0x483df7a0]],
];

const word = fc.integer({ min: 0, max: 0xffffffff });

/** Computes the mean and population variance in float64. */
function moments(values: ArrayLike<number>): { mean: number; variance: number } {
  let total = 0;
  for (let i = 0; i < values.length; i++) total += values[i];
  const mean = total / values.length;
  let squares = 0;
  for (let i = 0; i < values.length; i++) squares += (values[i] - mean) ** 2;
  return { mean, variance: squares / values.length };
}

/** Returns the smallest and largest value, without spreading a large array into arguments. */
function extent(values: ArrayLike<number>): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    lo = Math.min(lo, values[i]);
    hi = Math.max(hi, values[i]);
  }
  return [lo, hi];
}

describe('threefry2x32', () => {
  KNOWN_ANSWERS.forEach(([[k0, k1], [c0, c1], expected], i) => {
    it(`known answer ${i + 1}`, () => {
      expect(threefry2x32(k0, k1, c0, c1)).toEqual(expected);
    });

    it(`test reference gives known answer ${i + 1}`, () => {
      expect(refThreefry2x32(k0, k1, c0, c1)).toEqual(expected);
    });
  });

  it('matches the reference on random words', () => {
    fc.assert(
      fc.property(word, word, word, word, (k0, k1, c0, c1) => {
        expect(threefry2x32(k0, k1, c0, c1)).toEqual(refThreefry2x32(k0, k1, c0, c1));
      }),
      { numRuns: 100 },
    );
  });
});

describe('keys', () => {
  it('key(seed) puts the seed in the low word', () => {
    expect(keyWords(key(0))).toEqual([0, 0]);
    expect(keyWords(key(42))).toEqual([0, 42]);
    expect(keyWords(key(2 ** 32 + 5))).toEqual([1, 5]);
  });

  it('key rejects a non-integer seed', () => {
    expect(() => key(1.5)).toThrow(/safe integer/);
  });

  it('split matches the JAX layout', () => {
    fc.assert(
      fc.property(word, word, fc.integer({ min: 1, max: 9 }), (k0, k1, n) => {
        const bits = refThreefryBits(k0, k1, 2 * n);
        const keys = split(keyFromWords(k0, k1), n);
        expect(keys.map(keyWords)).toEqual(Array.from({ length: n }, (_, i) => [bits[2 * i], bits[2 * i + 1]]));
      }),
      { numRuns: 50 },
    );
  });

  it('split is deterministic', () => {
    expect(split(key(3), 4)).toEqual(split(key(3), 4));
  });

  it('split keys are distinct from each other and the parent', () => {
    const parent = key(3);
    const words = new Set([parent, ...split(parent, 64)].map((k) => keyWords(k).join(',')));
    expect(words.size).toBe(65);
  });

  it('split rejects a count below 1', () => {
    expect(() => split(key(0), 0)).toThrow(/positive integer/);
  });

  it('foldIn hashes the counter (0, data)', () => {
    fc.assert(
      fc.property(word, word, word, (k0, k1, data) => {
        expect(keyWords(foldIn(keyFromWords(k0, k1), data))).toEqual(refThreefry2x32(k0, k1, 0, data));
      }),
      { numRuns: 50 },
    );
  });

  it('foldIn is deterministic and distinct per data', () => {
    const k = key(11);
    expect(foldIn(k, 5)).toEqual(foldIn(k, 5));
    const words = new Set(Array.from({ length: 200 }, (_, i) => keyWords(foldIn(k, i)).join(',')));
    expect(words.size).toBe(200);
  });

  it('foldIn differs from split', () => {
    const k = key(11);
    const folded = keyWords(foldIn(k, 0)).join(',');
    expect(split(k, 8).map((s) => keyWords(s).join(','))).not.toContain(folded);
  });
});

describe('random bits', () => {
  it('host words match the reference for odd and even counts', () => {
    fc.assert(
      fc.property(word, word, fc.integer({ min: 0, max: 11 }), (k0, k1, count) => {
        expect(Array.from(randomBits(keyFromWords(k0, k1), count))).toEqual(refThreefryBits(k0, k1, count));
      }),
      { numRuns: 50 },
    );
  });

  it('odd counts pad the last counter with 0', () => {
    const [k0, k1] = [7, 9];
    expect(randomBits(keyFromWords(k0, k1), 3)[1]).toBe(refThreefry2x32(k0, k1, 1, 0)[0]);
  });
});

describe('uniform', () => {
  const n = 200_000;

  it('tensor uniform equals host uniformFloat32', () => {
    for (const count of [1, 2, 7, 64]) {
      const k = key(count);
      expect(Array.from(uniform(k, [count]).data())).toEqual(Array.from(uniformFloat32(k, count)));
    }
  });

  it('tensor uniform lies in [0, 1)', () => {
    const [lo, hi] = extent(uniform(key(1), [n]).data());
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(hi).toBeLessThan(1);
  });

  it('tensor uniform has mean 1/2 and variance 1/12', () => {
    const { mean, variance } = moments(uniform(key(2), [n]).data());
    expect(Math.abs(mean - 0.5)).toBeLessThan(6 * Math.sqrt(1 / 12 / n));
    expect(Math.abs(variance - 1 / 12)).toBeLessThan(0.002);
  });

  it('tensor uniform scales to [minval, maxval)', () => {
    const u = uniform(key(3), [10_000], -2, 3).data();
    const [lo, hi] = extent(u);
    expect(lo).toBeGreaterThanOrEqual(-2);
    expect(hi).toBeLessThan(3);
    expect(Math.abs(moments(u).mean - 0.5)).toBeLessThan(6 * 5 * Math.sqrt(1 / 12 / 10_000));
  });

  it('scaled uniform never reaches maxval', () => {
    // Of 200000 draws from key(15), draw 125887 is 1 - 2^-23, the largest uniform float32.
    const index = 125887;
    expect(uniform(key(15), [n]).data()[index]).toBe(1 - 2 ** -23);
    const u = uniform(key(15), [n], 1, 1.5).data();
    expect(u[index]).toBeLessThan(1.5);
    expect(u[index]).toBe(1.5 - 2 ** -23);
  });

  it('scaled uniform keeps small draws at minval', () => {
    const u = uniform(key(16), [n], -3, -1).data();
    const [lo, hi] = extent(u);
    expect(lo).toBeGreaterThanOrEqual(-3);
    expect(hi).toBeLessThan(-1);
  });

  it('host uniform64 lies in [0, 1) with mean 1/2 and variance 1/12', () => {
    const u = uniform64(key(4), n);
    const [lo, hi] = extent(u);
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(hi).toBeLessThan(1);
    const { mean, variance } = moments(u);
    expect(Math.abs(mean - 0.5)).toBeLessThan(6 * Math.sqrt(1 / 12 / n));
    expect(Math.abs(variance - 1 / 12)).toBeLessThan(0.002);
  });

  it('host uniform64 uses more than 32 bits', () => {
    const u = uniform64(key(5), 1000);
    const fractional = Array.from(u).filter((v) => (v * 2 ** 32) % 1 !== 0);
    expect(fractional.length).toBeGreaterThan(990);
  });

  it('uniform from a key tensor inside compile equals eager', () => {
    const draw = compile((k: Tensor) => uniform(k, [5]));
    expect(Array.from(draw(keyTensor(key(6))).data())).toEqual(Array.from(uniform(key(6), [5]).data()));
  });
});

describe('normal', () => {
  const n = 200_000;

  it('tensor normal has mean 0 and variance 1', () => {
    const { mean, variance } = moments(normal(key(7), [n]).data());
    expect(Math.abs(mean)).toBeLessThan(6 / Math.sqrt(n));
    expect(Math.abs(variance - 1)).toBeLessThan(0.03);
  });

  it('tensor normal has the shape asked for and odd sizes', () => {
    const z = normal(key(8), [3, 5, 7]);
    expect(z.shape).toEqual([3, 5, 7]);
    expect(Array.from(z.data()).every(Number.isFinite)).toBe(true);
  });

  it('tensor normal applies mean and std', () => {
    const { mean, variance } = moments(normal(key(9), [n], 3, 2).data());
    expect(Math.abs(mean - 3)).toBeLessThan(6 * 2 / Math.sqrt(n));
    expect(Math.abs(variance - 4)).toBeLessThan(0.12);
  });

  it('host normal64 has mean 0, variance 1 and fourth moment 3', () => {
    const z = normal64(key(10), n);
    const { mean, variance } = moments(z);
    expect(Math.abs(mean)).toBeLessThan(6 / Math.sqrt(n));
    expect(Math.abs(variance - 1)).toBeLessThan(0.03);
    const fourth = z.reduce((s, v) => s + v ** 4, 0) / n;
    expect(Math.abs(fourth - 3)).toBeLessThan(0.15);
  });

  it('host normal64 of odd count is the prefix of the next even count', () => {
    expect(Array.from(normal64(key(11), 5))).toEqual(Array.from(normal64(key(11), 6)).slice(0, 5));
  });

  it('the same key gives the same normals', () => {
    expect(Array.from(normal(key(12), [10]).data())).toEqual(Array.from(normal(key(12), [10]).data()));
  });
});

describe('discrete draws', () => {
  const n = 200_000;

  it('tensor bernoulli rate is p', () => {
    const p = 0.3;
    const b = bernoulli(key(13), p, [n]);
    expect(b.dtype).toBe('bool');
    const rate = Array.from(b.data()).reduce((s, v) => s + v, 0) / n;
    expect(Math.abs(rate - p)).toBeLessThan(6 * Math.sqrt((p * (1 - p)) / n));
  });

  it('host bernoulli64 rate is p', () => {
    const p = 0.7;
    const rate = bernoulli64(key(14), n, p).reduce((s, v) => s + v, 0) / n;
    expect(Math.abs(rate - p)).toBeLessThan(6 * Math.sqrt((p * (1 - p)) / n));
  });

  it('bernoulli rejects p outside [0, 1]', () => {
    expect(() => bernoulli(key(0), 1.5, [2])).toThrow(/p must lie in \[0, 1\]/);
  });

  it('tensor randint stays in [low, high) and hits every value evenly', () => {
    const r = randint(key(15), [n], -3, 4);
    expect(r.dtype).toBe('i32');
    const counts = new Map<number, number>();
    for (const v of r.data()) counts.set(v, (counts.get(v) ?? 0) + 1);
    expect([...counts.keys()].sort((a, b) => a - b)).toEqual([-3, -2, -1, 0, 1, 2, 3]);
    const expected = n / 7;
    for (const c of counts.values()) expect(Math.abs(c - expected)).toBeLessThan(6 * Math.sqrt(expected));
  });

  it('host randint64 stays in [low, high) and hits every value evenly', () => {
    const r = randint64(key(16), n, 10, 15);
    const counts = [0, 0, 0, 0, 0];
    for (const v of r) counts[v - 10]++;
    expect(counts.reduce((a, b) => a + b, 0)).toBe(n);
    for (const c of counts) expect(Math.abs(c - n / 5)).toBeLessThan(6 * Math.sqrt(n / 5));
  });

  it('randint rejects an empty range', () => {
    expect(() => randint(key(0), [2], 3, 3)).toThrow(/low < high/);
  });

  it('permutation is a permutation', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: 60 }), (seed, size) => {
        const p = Array.from(permutation(key(seed), size).data());
        expect([...p].sort((a, b) => a - b)).toEqual(Array.from({ length: size }, (_, i) => i));
      }),
      { numRuns: 50 },
    );
  });

  it('permutation is deterministic and varies with the key', () => {
    const a = Array.from(permutation64(key(17), 20));
    expect(Array.from(permutation64(key(17), 20))).toEqual(a);
    expect(Array.from(permutation64(key(18), 20))).not.toEqual(a);
  });

  it('permutation moves each element to each place evenly', () => {
    const trials = 6000;
    const firstPlace = [0, 0, 0];
    const keys = split(key(19), trials);
    for (const k of keys) firstPlace[permutation64(k, 3)[0]]++;
    for (const c of firstPlace) expect(Math.abs(c - trials / 3)).toBeLessThan(6 * Math.sqrt((trials * 2) / 9));
  });
});
