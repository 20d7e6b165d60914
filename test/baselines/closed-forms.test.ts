/**
 * Monte Carlo checks of the closed-form expected errors for x, w ~ N(0, I_d), normalised by d:
 * min-norm least squares (d - k)/d, averaging (d + 1)/k, 3-NN 2 at k = 1 and 1.5 at k = 2, and
 * the zero predictor 1. Each mean must lie within 5 standard errors of its value, and each
 * standard error must be small enough for the check to mean something. The prompts come from a
 * fixed key, so the test is deterministic.
 */
import { describe, expect, test } from 'vitest';
import { averaging, knn, leastSquares, zero } from '../../src/models/baselines/index.js';
import { errorAtPosition, sampleLinearPrompts } from './helpers.js';

const D = 5;
const N = 12;
const BATCH = 10_000;
const prompts = sampleLinearPrompts(2024, BATCH, N, D);

function normalisedErrors(predictions: Float64Array, k: number) {
  return errorAtPosition(predictions, prompts.ys, BATCH, N, k, D);
}

describe('closed-form errors, d = 5', () => {
  test('least squares follows (d - k) / d, then 0', () => {
    const { predictions } = leastSquares().predict(prompts.xs, prompts.ys);
    for (let k = 0; k < D; k++) {
      const { mean, standardError } = normalisedErrors(predictions, k);
      const expected = (D - k) / D;
      expect(standardError, `k = ${k}`).toBeLessThan(0.05);
      expect(Math.abs(mean - expected), `k = ${k}: mean ${mean} ± ${standardError}`).toBeLessThan(5 * standardError);
    }
    for (let k = D; k < N; k++) {
      expect(normalisedErrors(predictions, k).mean, `k = ${k}`).toBeLessThan(1e-12);
    }
  });

  test('averaging follows (d + 1) / k', () => {
    const { predictions } = averaging().predict(prompts.xs, prompts.ys);
    for (let k = 1; k < N; k++) {
      const { mean, standardError } = normalisedErrors(predictions, k);
      const expected = (D + 1) / k;
      // The error at k = 1 has heavy tails (eighth moments of x), so allow a wider relative error.
      expect(standardError / expected, `k = ${k}`).toBeLessThan(0.1);
      expect(Math.abs(mean - expected), `k = ${k}: mean ${mean} ± ${standardError}`).toBeLessThan(5 * standardError);
    }
  });

  test('3-NN gives 2 at k = 1 and 1.5 at k = 2', () => {
    const { predictions } = knn({ nNeighbors: 3 }).predict(prompts.xs, prompts.ys);
    for (const [k, expected] of [
      [1, 2],
      [2, 1.5],
    ]) {
      const { mean, standardError } = normalisedErrors(predictions, k);
      expect(standardError, `k = ${k}`).toBeLessThan(0.05);
      expect(Math.abs(mean - expected), `k = ${k}: mean ${mean} ± ${standardError}`).toBeLessThan(5 * standardError);
    }
  });

  test('zero predictor gives E[y^2] / d = 1', () => {
    const { predictions } = zero().predict(prompts.xs, prompts.ys);
    expect(predictions.every((p) => p === 0)).toBe(true);
    for (let k = 0; k < N; k++) {
      const { mean, standardError } = normalisedErrors(predictions, k);
      expect(standardError, `k = ${k}`).toBeLessThan(0.05);
      expect(Math.abs(mean - 1), `k = ${k}: mean ${mean} ± ${standardError}`).toBeLessThan(5 * standardError);
    }
  });

  test('every baseline predicts 0 at k = 0', () => {
    const small = sampleLinearPrompts(7, 50, 3, D);
    for (const baseline of [leastSquares(), averaging(), knn(), zero()]) {
      const { predictions } = baseline.predict(small.xs, small.ys);
      for (let b = 0; b < 50; b++) expect(predictions[b * 3], `${baseline.name}, prompt ${b}`).toBe(0);
    }
  });
});
