/**
 * Least squares baseline: the minimum-norm solution w = pinv(X) y of the k context pairs,
 * whatever the rank of X (k < d and repeated or zero columns included), computed from an SVD.
 */
import { SingularValueDecomposition } from 'ml-matrix';
import { checkPositive } from './check-options.js';
import { DEFAULT_BASELINE_OPTIONS } from './defaults.js';
import { defineBaseline } from './define.js';
import { dot, toMatrix } from './linear-algebra.js';
import type { Baseline } from './types.js';

/** Options of the least squares baseline. */
export interface LeastSquaresOptions {
  /**
   * Relative singular value cutoff: singular values <= rcond * sigma_max count as zero. The
   * default (null) is eps * max(k, d) with eps = 2^-52, the tolerance of NumPy's `matrix_rank`.
   */
  readonly rcond?: number | null;
}

/**
 * Fits the minimum-norm least squares weights w = V diag(1/s_i) U^T y over the singular values
 * s_i above the cutoff (see `LeastSquaresOptions.rcond`). A zero matrix gives w = 0.
 *
 * @param xs context inputs [k, d], row-major
 * @param ys context labels [k]
 * @returns the weights [d]
 * @example fitLeastSquares(Float64Array.of(1, 2, 0, 3, 4, 0, 5, 7, 0), Float64Array.of(-1, -1, -2), 3, 3) // ≈ [1, -1, 0]
 */
export function fitLeastSquares(
  xs: Float64Array,
  ys: Float64Array,
  k: number,
  d: number,
  rcond: number | null = null,
): Float64Array {
  const weights = new Float64Array(d);
  if (k === 0) return weights;
  const svd = new SingularValueDecomposition(toMatrix(xs, k, d), { autoTranspose: true });
  const u = svd.leftSingularVectors;
  const v = svd.rightSingularVectors;
  const s = svd.diagonal;
  const cutoff = (rcond ?? Number.EPSILON * Math.max(k, d)) * Math.max(0, ...s);

  for (let i = 0; i < s.length; i++) {
    if (!(s[i] > cutoff)) continue;
    let projection = 0;
    for (let r = 0; r < k; r++) projection += u.get(r, i) * ys[r];
    const scale = projection / s[i];
    for (let j = 0; j < d; j++) weights[j] += v.get(j, i) * scale;
  }
  return weights;
}

/**
 * Creates the least squares baseline: at each k it predicts x_k . w with w the minimum-norm
 * solution on the first k pairs. Its expected error for x, w ~ N(0, I_d) is (d - k) / d of
 * E[y^2] for k < d and 0 for k >= d.
 */
export function leastSquares(options: LeastSquaresOptions = {}): Baseline {
  const rcond = options.rcond ?? DEFAULT_BASELINE_OPTIONS.least_squares.rcond;
  if (rcond !== null) checkPositive('least_squares', 'rcond', rcond, true);
  const label = rcond === null ? 'least_squares' : `least_squares(rcond=${rcond})`;
  return defineBaseline('least_squares', label, ({ xs, ys, k, d, query }) =>
    dot(query, fitLeastSquares(xs, ys, k, d, rcond)),
  );
}
