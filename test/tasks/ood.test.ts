import { fc, test as fcTest } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { key, split } from '../../src/core/prng.js';
import {
  gaussian,
  laplace,
  orthogonalQuery,
  pointAt,
  randomQuadrants,
  repeatedQuery,
  scaled,
  type Points,
} from '../../src/tasks/index.js';
import { keys } from '../../src/testing/arbitraries.js';

function dot(a: Float64Array, b: Float64Array): number {
  return a.reduce((sum, value, i) => sum + value * b[i], 0);
}

function norm(a: Float64Array): number {
  return Math.sqrt(dot(a, a));
}

const shapes = fc
  .integer({ min: 2, max: 10 })
  .chain((d) => fc.record({ d: fc.constant(d), activeDims: fc.integer({ min: 2, max: d }) }))
  .chain(({ d, activeDims }) => fc.record({ d: fc.constant(d), activeDims: fc.constant(activeDims), n: fc.integer({ min: 1, max: activeDims }) }));

describe('random_quadrants', () => {
  fcTest.prop([keys(), shapes])('context shares one orthant', (k, shape) => {
    const x = randomQuadrants().sample(shape)(k);
    for (let j = 0; j < shape.activeDims; j++) {
      const signs = new Set<number>();
      for (let i = 0; i < shape.n - 1; i++) signs.add(Math.sign(x.data[i * shape.d + j]));
      expect(signs.size).toBeLessThanOrEqual(1);
    }
  });

  it('query keeps its unrestricted draw', () => {
    const shape = { n: 6, d: 5, activeDims: 5 };
    const k = key(2);
    const base = gaussian().sample(shape);
    // The wrapper draws the base inputs with the first half of a split key.
    const [baseKey] = split(k, 2);
    const x = randomQuadrants().sample(shape)(k);
    expect(pointAt(x, 5)).toEqual(pointAt(base(baseKey), 5));
    for (let i = 0; i < 5; i++) {
      expect(pointAt(x, i).map(Math.abs)).toEqual(pointAt(base(baseKey), i).map(Math.abs));
    }
  });

  it('queries fall outside the orthant', () => {
    // Over many prompts some query coordinate must disagree in sign with the context's orthant.
    const shape = { n: 4, d: 5, activeDims: 5 };
    let disagreements = 0;
    for (let seed = 0; seed < 50; seed++) {
      const x = randomQuadrants().sample(shape)(key(seed));
      const query = pointAt(x, 3);
      const context = pointAt(x, 0);
      for (let j = 0; j < 5; j++) if (Math.sign(query[j]) !== Math.sign(context[j])) disagreements++;
    }
    expect(disagreements).toBeGreaterThan(0);
  });
});

describe('orthogonal_train_test', () => {
  fcTest.prop([keys(), shapes])('query orthogonal to every context point', (k, shape) => {
    const x: Points = orthogonalQuery().sample(shape)(k);
    const query = pointAt(x, shape.n - 1);
    for (let i = 0; i < shape.n - 1; i++) {
      const context = pointAt(x, i);
      expect(Math.abs(dot(query, context))).toBeLessThan(1e-9 * norm(query) * norm(context) + 1e-300);
    }
    for (let j = shape.activeDims; j < shape.d; j++) expect(query[j]).toBe(0);
  });

  fcTest.prop([keys(), shapes])('query keeps its drawn norm', (k, shape) => {
    const drawn = gaussian().sample(shape)(k);
    const x = orthogonalQuery().sample(shape)(k);
    expect(norm(pointAt(x, shape.n - 1))).toBeCloseTo(norm(pointAt(drawn, shape.n - 1)), 9);
    for (let i = 0; i < shape.n - 1; i++) expect(pointAt(x, i)).toEqual(pointAt(drawn, i));
  });

  it('works over a non-gaussian base', () => {
    const x = orthogonalQuery(laplace()).sample({ n: 4, d: 6, activeDims: 6 })(key(1));
    for (let i = 0; i < 3; i++) expect(Math.abs(dot(pointAt(x, 3), pointAt(x, i)))).toBeLessThan(1e-9);
  });

  it('rejects n - 1 >= activeDims', () => {
    expect(() => orthogonalQuery().sample({ n: 6, d: 5, activeDims: 5 })).toThrow(/n - 1 = 5 context points in activeDims = 5 .* pass n <= activeDims/);
  });
});

describe('overlapping_train_test', () => {
  fcTest.prop([keys(), shapes.filter((s) => s.n >= 2)])('query equals a context point', (k, shape) => {
    const x = repeatedQuery().sample(shape)(k);
    const query = pointAt(x, shape.n - 1);
    const matches = Array.from({ length: shape.n - 1 }, (_, i) => pointAt(x, i)).filter((context) =>
      context.every((value, j) => value === query[j]),
    );
    expect(matches.length).toBeGreaterThanOrEqual(1);
  });

  it('chooses every context row', () => {
    const shape = { n: 4, d: 3, activeDims: 3 };
    const chosen = new Set<number>();
    for (let seed = 0; seed < 200; seed++) {
      const x = repeatedQuery().sample(shape)(key(seed));
      const query = pointAt(x, 3);
      for (let i = 0; i < 3; i++) if (pointAt(x, i).every((value, j) => value === query[j])) chosen.add(i);
    }
    expect([...chosen].sort()).toEqual([0, 1, 2]);
  });

  it('rejects n < 2', () => {
    expect(() => repeatedQuery().sample({ n: 1, d: 3, activeDims: 3 })).toThrow(/n must be >= 2, got 1/);
  });
});

describe('scaled', () => {
  fcTest.prop([keys(), fc.constantFrom(1 / 3, 0.5, 2, 3)])('multiplies every input', (k, factor) => {
    const shape = { n: 3, d: 4, activeDims: 3 };
    const base = gaussian().sample(shape)(k);
    const x = scaled(gaussian(), factor).sample(shape)(k);
    x.data.forEach((value, i) => expect(value).toBeCloseTo(base.data[i] * factor, 12));
  });

  it('rejects bad factors', () => {
    for (const factor of [Number.NaN, Infinity, 0, -2]) {
      expect(() => scaled(gaussian(), factor)).toThrow(/scaled: factor must be a finite number > 0/);
    }
  });
});
