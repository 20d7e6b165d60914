/**
 * Ridge regression baseline without intercept: w minimises ||y - Xw||^2 + alpha ||w||^2 over the
 * k context pairs (the objective of scikit-learn's `Ridge` with fit_intercept=False).
 */
import { Matrix, solve } from 'ml-matrix';
import { checkPositive } from './check-options.js';
import { DEFAULT_BASELINE_OPTIONS } from './defaults.js';
import { defineBaseline } from './define.js';
import { dot, toColumn, toMatrix } from './linear-algebra.js';
import type { Baseline } from './types.js';

/** Options of the ridge baseline. */
export interface RidgeOptions {
  /** L2 penalty alpha > 0 on the unscaled squared error. Default 1, as in scikit-learn. */
  readonly alpha?: number;
}

/**
 * Fits ridge weights. For k >= d it solves (X^T X + alpha I) w = X^T y. For k < d it uses the
 * equivalent dual form w = X^T (X X^T + alpha I)^{-1} y, so the solved system is never larger
 * than min(k, d).
 *
 * @param xs context inputs [k, d], row-major
 * @param ys context labels [k]
 * @returns the weights [d]
 */
export function fitRidge(xs: Float64Array, ys: Float64Array, k: number, d: number, alpha: number): Float64Array {
  if (k === 0) return new Float64Array(d);
  const x = toMatrix(xs, k, d);
  const y = toColumn(ys);
  if (k >= d) {
    const gram = x.transpose().mmul(x).add(Matrix.eye(d).mul(alpha));
    return Float64Array.from(solve(gram, x.transpose().mmul(y)).getColumn(0));
  }
  const kernel = x.mmul(x.transpose()).add(Matrix.eye(k).mul(alpha));
  const dual = solve(kernel, y);
  return Float64Array.from(x.transpose().mmul(dual).getColumn(0));
}

/** Creates the ridge baseline: at each k it predicts x_k . w with w the ridge fit on the first k pairs. */
export function ridge(options: RidgeOptions = {}): Baseline {
  const alpha = options.alpha ?? DEFAULT_BASELINE_OPTIONS.ridge.alpha;
  checkPositive('ridge', 'alpha', alpha);
  return defineBaseline('ridge', `ridge(alpha=${alpha})`, ({ xs, ys, k, d, query }) =>
    dot(query, fitRidge(xs, ys, k, d, alpha)),
  );
}
