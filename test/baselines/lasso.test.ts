/**
 * Lasso: soft thresholding on an orthogonal design, the limit alpha -> 0 on a full-rank problem,
 * and the convergence report.
 */
import { describe, expect, test } from 'vitest';
import { key, normal64 } from '../../src/core/prng.js';
import { LASSO_ALPHAS, fitLasso, fitLeastSquares, lasso } from '../../src/models/baselines/index.js';

// Columns of a 4 x 4 Hadamard matrix: X^T X = 4 I.
const hadamard = [
  [1, 1, 1],
  [1, -1, 1],
  [1, 1, -1],
  [1, -1, -1],
];
const hadamardXs = Float64Array.from(hadamard.flat());
const hadamardYs = Float64Array.of(3, 1, -2, 0.5);

function softThreshold(value: number, threshold: number): number {
  return Math.sign(value) * Math.max(Math.abs(value) - threshold, 0);
}

function hadamardSolution(alpha: number): number[] {
  return [0, 1, 2].map((j) => {
    let correlation = 0;
    for (let r = 0; r < 4; r++) correlation += hadamard[r][j] * hadamardYs[r];
    return softThreshold(correlation / 4, alpha);
  });
}

describe('lasso on an orthogonal design', () => {
  test('fit equals soft thresholding of X^T y / k', () => {
    for (const alpha of [0.05, 0.3, 0.7]) {
      const fit = fitLasso(hadamardXs, hadamardYs, 4, 3, { alpha });
      const expected = hadamardSolution(alpha);
      for (let j = 0; j < 3; j++) expect(fit.weights[j], `alpha ${alpha}, w[${j}]`).toBeCloseTo(expected[j], 12);
      expect(fit.converged).toBe(true);
      expect(fit.iterations).toBeLessThanOrEqual(2);
      expect(fit.dualityGap).toBeLessThan(1e-12);
    }
  });

  test('alpha 0.7 zeroes the two small weights', () => {
    // X^T y / 4 = [0.625, -0.125, 1.375], so alpha 0.7 keeps only the last weight.
    const { weights } = fitLasso(hadamardXs, hadamardYs, 4, 3, { alpha: 0.7 });
    expect(weights[0]).toBe(0);
    expect(weights[1]).toBe(0);
    expect(weights[2]).toBeCloseTo(1.375 - 0.7, 14);
  });

  test('baseline predicts the query with the fitted weights', () => {
    const query = [0.5, -1, 2];
    const { predictions, label } = lasso({ alpha: 0.3 }).predict([...hadamard, query], [...hadamardYs, 0]);
    const w = hadamardSolution(0.3);
    expect(label).toBe('lasso(alpha=0.3)');
    expect(predictions[4]).toBeCloseTo(query[0] * w[0] + query[1] * w[1] + query[2] * w[2], 12);
  });

  test('large alpha zeroes all weights', () => {
    // alpha = 2 exceeds max_j |X_j . y| / k = 1.375, so w = 0 after one sweep.
    const fit = fitLasso(hadamardXs, hadamardYs, 4, 3, { alpha: 2 });
    expect([...fit.weights]).toEqual([0, 0, 0]);
    expect(fit.iterations).toBe(1);
    expect(fit.converged).toBe(true);
  });
});

describe('lasso limits and convergence', () => {
  test('alpha -> 0 approaches least squares on a full-rank problem', () => {
    const k = 20;
    const d = 5;
    const xs = normal64(key(7), k * d);
    const ys = normal64(key(8), k);
    const leastSquaresWeights = fitLeastSquares(xs, ys, k, d);
    const fit = fitLasso(xs, ys, k, d, { alpha: 1e-8, tol: 1e-12 });
    expect(fit.converged).toBe(true);
    for (let j = 0; j < d; j++) expect(fit.weights[j], `w[${j}]`).toBeCloseTo(leastSquaresWeights[j], 5);
  });

  test('sweep limit reports no convergence', () => {
    // Two strongly correlated columns make coordinate descent slow.
    const xs = Float64Array.of(1, 1.1, 1, 0.9, 1, 1.2, 1, 0.8);
    const ys = Float64Array.of(1, 2, 3, 4);
    const capped = fitLasso(xs, ys, 4, 2, { alpha: 1e-4, maxIter: 3 });
    expect(capped.converged).toBe(false);
    expect(capped.iterations).toBe(3);
    const full = fitLasso(xs, ys, 4, 2, { alpha: 1e-4 });
    expect(full.converged).toBe(true);
    expect(full.iterations).toBeGreaterThan(3);
  });

  test('zero labels converge at once', () => {
    const fit = fitLasso(hadamardXs, new Float64Array(4), 4, 3);
    expect(fit.converged).toBe(true);
    expect(fit.iterations).toBe(1);
  });

  test('baseline result carries the solver report', () => {
    const xs = { data: normal64(key(3), 2 * 6 * 4), shape: [2, 6, 4] };
    const ys = normal64(key(4), 2 * 6);
    const result = lasso().predict(xs, ys);
    expect(result.shape).toEqual([2, 6]);
    expect(result.solver).toBeDefined();
    const { iterations, converged } = result.solver!;
    expect(iterations.length).toBe(12);
    for (let b = 0; b < 2; b++) {
      expect(iterations[b * 6]).toBe(0);
      for (let k = 1; k < 6; k++) expect(iterations[b * 6 + k], `prompt ${b}, k = ${k}`).toBeGreaterThan(0);
    }
    expect(converged.every((flag) => flag === 1)).toBe(true);
  });

  test('capped baseline marks unconverged fits', () => {
    const xs = [
      [1, 1.1],
      [1, 0.9],
      [1, 1.2],
      [1, 0.8],
      [0, 1],
    ];
    const result = lasso({ alpha: 1e-4, maxIter: 2 }).predict(xs, [1, 2, 3, 4, 0]);
    expect(result.solver!.converged[4]).toBe(0);
    expect(result.solver!.iterations[4]).toBe(2);
  });

  test('alpha list matches the evaluation', () => {
    expect(LASSO_ALPHAS).toEqual([1, 0.1, 0.01, 0.001, 0.0001]);
    expect(lasso().label).toBe('lasso(alpha=0.01)');
  });

  test('rejects a non-positive alpha', () => {
    expect(() => lasso({ alpha: 0 })).toThrow(/lasso: option alpha must be a finite number > 0, got 0/);
  });
});
