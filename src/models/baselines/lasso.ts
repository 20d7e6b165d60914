/**
 * Lasso baseline without intercept, fitted by cyclic coordinate descent: w minimises
 * (1/(2k)) ||y - Xw||^2 + alpha ||w||_1 over the k context pairs, the objective of
 * scikit-learn's `Lasso` with fit_intercept=False.
 *
 * Stopping rule: after a sweep whose largest weight change is below tol times the largest
 * weight (or where all weights are 0, or at the last allowed sweep), compute the duality gap.
 * The fit has converged when the gap of k times the objective is at most tol * ||y||^2.
 * scikit-learn's coordinate descent uses the same criterion.
 */
import { checkInteger, checkPositive } from './check-options.js';
import { DEFAULT_BASELINE_OPTIONS } from './defaults.js';
import { defineBaseline } from './define.js';
import { dot } from './linear-algebra.js';
import type { Baseline } from './types.js';

/** The alphas of the sparse linear regression evaluation. The plots use 0.01. */
export const LASSO_ALPHAS: readonly number[] = Object.freeze([1, 0.1, 0.01, 0.001, 0.0001]);

/** Options of the lasso baseline. */
export interface LassoOptions {
  /** L1 penalty on the (1/(2k))-scaled squared error. Default 0.01. */
  readonly alpha?: number;
  /** Maximum number of coordinate descent sweeps per fit. Default 100000. */
  readonly maxIter?: number;
  /** Tolerance of the stopping rule (see the module comment). Default 1e-4. */
  readonly tol?: number;
}

/** One lasso fit. */
export interface LassoFit {
  /** Weights [d]. */
  readonly weights: Float64Array;
  /** Coordinate descent sweeps used. */
  readonly iterations: number;
  /** True when the duality gap met the tolerance before the sweep limit. */
  readonly converged: boolean;
  /** Duality gap of the (1/(2k))-scaled objective at the returned weights. */
  readonly dualityGap: number;
}

/** Returns the dot product of column j of a row-major [k, d] matrix with a vector of length k. */
function columnDot(xs: Float64Array, k: number, d: number, j: number, v: Float64Array): number {
  let sum = 0;
  for (let r = 0; r < k; r++) sum += xs[r * d + j] * v[r];
  return sum;
}

/**
 * Returns the duality gap of 0.5 ||R||^2 + penalty ||w||_1 with R = y - Xw, using the dual
 * point theta = c R scaled to be feasible (||X^T theta||_inf <= penalty).
 */
function dualityGap(
  xs: Float64Array,
  ys: Float64Array,
  k: number,
  d: number,
  weights: Float64Array,
  residual: Float64Array,
  penalty: number,
): number {
  let dualNorm = 0;
  for (let j = 0; j < d; j++) dualNorm = Math.max(dualNorm, Math.abs(columnDot(xs, k, d, j, residual)));
  const scale = dualNorm > penalty ? penalty / dualNorm : 1;
  const residualNorm2 = dot(residual, residual);
  let l1 = 0;
  for (let j = 0; j < d; j++) l1 += Math.abs(weights[j]);
  return 0.5 * residualNorm2 * (1 + scale * scale) + penalty * l1 - scale * dot(residual, ys);
}

/**
 * Fits lasso weights by cyclic coordinate descent from w = 0. Columns that are all zero keep
 * weight 0. For an orthogonal design with X^T X = k I the result is the soft thresholding
 * w_j = sign(c_j) max(|c_j| - alpha, 0) with c_j = X_j . y / k.
 *
 * @param xs context inputs [k, d], row-major
 * @param ys context labels [k]
 */
export function fitLasso(
  xs: Float64Array,
  ys: Float64Array,
  k: number,
  d: number,
  options: LassoOptions = {},
): LassoFit {
  const { alpha, maxIter, tol } = resolveLassoOptions(options);
  const weights = new Float64Array(d);
  const residual = Float64Array.from(ys.subarray(0, k));
  const penalty = alpha * k;
  const gapTolerance = tol * dot(residual, residual);
  const columnNorm2 = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    for (let r = 0; r < k; r++) columnNorm2[j] += xs[r * d + j] ** 2;
  }

  let gap = Infinity;
  for (let sweep = 1; sweep <= maxIter; sweep++) {
    let maxWeight = 0;
    let maxChange = 0;
    for (let j = 0; j < d; j++) {
      if (columnNorm2[j] === 0) continue;
      const old = weights[j];
      // Correlation of column j with the residual that excludes column j's own contribution.
      const rho = columnDot(xs, k, d, j, residual) + old * columnNorm2[j];
      const updated = (Math.sign(rho) * Math.max(Math.abs(rho) - penalty, 0)) / columnNorm2[j];
      if (updated !== old) {
        const delta = updated - old;
        for (let r = 0; r < k; r++) residual[r] -= delta * xs[r * d + j];
        weights[j] = updated;
      }
      maxChange = Math.max(maxChange, Math.abs(updated - old));
      maxWeight = Math.max(maxWeight, Math.abs(updated));
    }

    if (maxWeight === 0 || maxChange / maxWeight < tol || sweep === maxIter) {
      gap = dualityGap(xs, ys, k, d, weights, residual, penalty);
      if (gap <= gapTolerance) return { weights, iterations: sweep, converged: true, dualityGap: gap / k };
    }
  }
  return { weights, iterations: maxIter, converged: false, dualityGap: gap / k };
}

function resolveLassoOptions(options: LassoOptions): Required<LassoOptions> {
  const defaults = DEFAULT_BASELINE_OPTIONS.lasso;
  const alpha = options.alpha ?? defaults.alpha;
  const maxIter = options.maxIter ?? defaults.maxIter;
  const tol = options.tol ?? defaults.tol;
  checkPositive('lasso', 'alpha', alpha);
  checkInteger('lasso', 'maxIter', maxIter, 1);
  checkPositive('lasso', 'tol', tol, true);
  return { alpha, maxIter, tol };
}

/**
 * Creates the lasso baseline: at each k it predicts x_k . w with w the lasso fit on the first k
 * pairs. The result's `solver` field contains the sweeps and the convergence flag of every fit.
 */
export function lasso(options: LassoOptions = {}): Baseline {
  const resolved = resolveLassoOptions(options);
  return defineBaseline('lasso', `lasso(alpha=${resolved.alpha})`, ({ xs, ys, k, d, query }) => {
    const fit = fitLasso(xs, ys, k, d, resolved);
    return { prediction: dot(query, fit.weights), iterations: fit.iterations, converged: fit.converged };
  });
}
