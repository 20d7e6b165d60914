import { fc, test as fcTest } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { key, normal64 } from '../../src/core/prng.js';
import { bootstrapBand, bootstrapIndices, meanAndStd } from '../../src/eval/index.js';
import { keys } from '../../src/testing/arbitraries.js';

/** Errors [prompts, positions] whose column k is (k + 1) * z^2 with z ~ N(0, 1): skewed, like squared errors. */
function chiSquareErrors(seed: number, prompts: number, positions: number): Float64Array {
  const z = normal64(key(seed), prompts * positions);
  return z.map((value, i) => ((i % positions) + 1) * value * value);
}

const errorMatrices = fc
  .record({ prompts: fc.integer({ min: 2, max: 40 }), positions: fc.integer({ min: 1, max: 5 }) })
  .chain(({ prompts, positions }) =>
    fc.record({
      prompts: fc.constant(prompts),
      positions: fc.constant(positions),
      errors: fc.float64Array({ minLength: prompts * positions, maxLength: prompts * positions, min: 0, max: 1e6, noNaN: true, noDefaultInfinity: true }),
    }),
  );

describe('meanAndStd', () => {
  it('matches hand-computed values', () => {
    const { mean, std } = meanAndStd(Float64Array.of(1, 2, 3, 6), 2, 2);
    expect(mean).toEqual([2, 4]);
    expect(std[0]).toBeCloseTo(Math.SQRT2, 12);
    expect(std[1]).toBeCloseTo(2 * Math.SQRT2, 12);
  });

  it('keeps precision under a large mean', () => {
    const { std } = meanAndStd(Float64Array.of(1e9 + 1, 1e9 + 3), 2, 1);
    expect(std[0]).toBeCloseTo(Math.SQRT2, 6);
  });

  it('gives std 0 for one prompt', () => {
    expect(meanAndStd(Float64Array.of(3, 4), 1, 2).std).toEqual([0, 0]);
  });

  it('rejects a shape mismatch', () => {
    expect(() => meanAndStd(new Float64Array(5), 2, 3)).toThrow(/errors has 5 values but prompts x positions = 2 x 3 = 6/);
  });
});

describe('bootstrapIndices', () => {
  it('is deterministic and in range', () => {
    const a = bootstrapIndices(key(3), 50, 20);
    expect(a).toHaveLength(1000);
    expect(bootstrapIndices(key(3), 50, 20)).toEqual(a);
    expect(bootstrapIndices(key(4), 50, 20)).not.toEqual(a);
    expect(a.every((i) => i >= 0 && i < 50)).toBe(true);
  });
});

describe('bootstrapBand', () => {
  it('interpolates quantiles like NumPy', () => {
    // Resample r draws prompt r for every slot, so the resample means are the prompt values 0..10.
    const prompts = 11;
    const errors = Float64Array.from({ length: prompts }, (_, i) => i);
    const indices = Int32Array.from({ length: prompts * prompts }, (_, i) => Math.floor(i / prompts));
    const { lo, hi } = bootstrapBand(errors, prompts, 1, indices);
    expect(lo[0]).toBeCloseTo(0.5, 12);
    expect(hi[0]).toBeCloseTo(9.5, 12);
  });

  fcTest.prop([errorMatrices, keys()], { numRuns: 60 })('band contains the mean', ({ errors, prompts, positions }, k) => {
    const { mean } = meanAndStd(errors, prompts, positions);
    const { lo, hi } = bootstrapBand(errors, prompts, positions, bootstrapIndices(k, prompts, 200));
    for (let i = 0; i < positions; i++) {
      const slack = 1e-9 * Math.max(1, mean[i]);
      expect(lo[i]).toBeLessThanOrEqual(mean[i] + slack);
      expect(hi[i]).toBeGreaterThanOrEqual(mean[i] - slack);
    }
  });

  fcTest.prop([errorMatrices, keys(), fc.double({ min: 1e-3, max: 1e3, noNaN: true })], { numRuns: 40 })(
    'band scales with the errors',
    ({ errors, prompts, positions }, k, factor) => {
      const indices = bootstrapIndices(k, prompts, 100);
      const base = bootstrapBand(errors, prompts, positions, indices);
      const scaled = bootstrapBand(errors.map((e) => e * factor), prompts, positions, indices);
      for (let i = 0; i < positions; i++) {
        expect(Math.abs(scaled.lo[i] - base.lo[i] * factor)).toBeLessThanOrEqual(1e-9 * base.lo[i] * factor + 1e-300);
        expect(Math.abs(scaled.hi[i] - base.hi[i] * factor)).toBeLessThanOrEqual(1e-9 * base.hi[i] * factor + 1e-300);
      }
    },
  );

  fcTest.prop([fc.double({ min: 0, max: 100, noNaN: true }), fc.integer({ min: 2, max: 30 }), keys()], { numRuns: 30 })(
    'constant errors give a zero-width band',
    (value, prompts, k) => {
      const { lo, hi } = bootstrapBand(new Float64Array(prompts).fill(value), prompts, 1, bootstrapIndices(k, prompts, 50));
      expect(lo[0]).toBeCloseTo(value, 9);
      expect(hi[0]).toBeCloseTo(value, 9);
    },
  );

  fcTest.prop([fc.integer({ min: 0, max: 10_000 }), keys()], { numRuns: 15 })('band narrows with more prompts', (seed, k) => {
    const positions = 3;
    const widths = [64, 1024].map((prompts) => {
      const { lo, hi } = bootstrapBand(chiSquareErrors(seed, prompts, positions), prompts, positions, bootstrapIndices(k, prompts, 300));
      return lo.map((low, i) => hi[i] - low);
    });
    for (let i = 0; i < positions; i++) {
      expect(widths[1][i]).toBeGreaterThan(0);
      expect(widths[1][i]).toBeLessThan(widths[0][i]);
    }
  });

  it('rejects indices of the wrong length', () => {
    expect(() => bootstrapBand(new Float64Array(6), 3, 2, new Int32Array(4))).toThrow(/indices has length 4, not a positive multiple of prompts = 3/);
  });

  it('rejects reversed quantiles', () => {
    expect(() => bootstrapBand(new Float64Array(6), 3, 2, new Int32Array(3), [0.9, 0.1])).toThrow(/0 <= lower <= upper <= 1/);
  });
});
