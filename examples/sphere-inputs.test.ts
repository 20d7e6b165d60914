import { fc, test as fcTest } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { key } from '../src/index.js';
import { makeFunctionClass, promptBatch } from '../src/tasks/index.js';
import { functionClassSpecs, keys } from '../src/testing/arbitraries.js';
import { sphereInputs } from './sphere-inputs.js';

const shapes = fc
  .integer({ min: 1, max: 8 })
  .chain((d) => fc.record({ n: fc.integer({ min: 1, max: 12 }), d: fc.constant(d), activeDims: fc.integer({ min: 1, max: d }) }));

describe('sphere inputs example', () => {
  fcTest.prop([keys(), shapes])('same key gives the same points', (k, shape) => {
    const draw = sphereInputs().sample(shape);
    expect(Array.from(draw(k).data)).toEqual(Array.from(draw(k).data));
  });

  fcTest.prop([keys(), shapes])('points lie on the sphere of the active coordinates', (k, shape) => {
    const { data } = sphereInputs().sample(shape)(k);
    for (let i = 0; i < shape.n; i++) {
      let norm = 0;
      for (let j = 0; j < shape.d; j++) {
        const value = data[i * shape.d + j];
        if (j >= shape.activeDims) expect(value).toBe(0);
        norm += value * value;
      }
      expect(norm).toBeCloseTo(shape.activeDims, 9);
    }
  });

  fcTest.prop([keys(), fc.integer({ min: 1, max: 6 }).chain((d) => fc.tuple(fc.constant(d), functionClassSpecs(d)))], { numRuns: 40 })(
    'feeds every built-in function class',
    (k, [d, spec]) => {
      const batch = promptBatch({ inputs: sphereInputs(), functions: makeFunctionClass(spec), points: 5, dims: d, batchSize: 2 })(k);
      expect(batch.xs.shape).toEqual([2, 5, d]);
      expect(batch.data).toBe('sphere');
      expect(Array.from(batch.ys64).every(Number.isFinite)).toBe(true);
    },
  );

  it('has identity second moments', () => {
    const d = 4;
    const { data } = sphereInputs().sample({ n: 4000, d, activeDims: d })(key(5));
    for (let j = 0; j < d; j++) {
      let second = 0;
      for (let i = 0; i < 4000; i++) second += data[i * d + j] ** 2;
      // Var(x_j^2) <= E[x_j^4] <= 3 for the sphere, so 4000 draws give a standard error below 0.03.
      expect(Math.abs(second / 4000 - 1)).toBeLessThan(0.12);
    }
  });

  it('rejects more active dims than dims', () => {
    expect(() => sphereInputs().sample({ n: 2, d: 3, activeDims: 4 })).toThrow(/1 <= activeDims <= d, got n = 2, d = 3, activeDims = 4/);
  });
});
