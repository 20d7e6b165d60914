/**
 * Averaging baseline: w_hat = (1/k) sum_i y_i x_i over the k context pairs and the prediction
 * x_k . w_hat. It is unbiased for w when E[x x^T] = I.
 */
import { defineBaseline } from './define.js';
import { dot } from './linear-algebra.js';
import type { Baseline } from './types.js';

/**
 * Returns w_hat = (1/k) sum_i y_i x_i.
 *
 * @param xs context inputs [k, d], row-major
 * @param ys context labels [k]
 * @returns the weights [d]
 */
export function fitAveraging(xs: Float64Array, ys: Float64Array, k: number, d: number): Float64Array {
  const weights = new Float64Array(d);
  if (k === 0) return weights;
  for (let r = 0; r < k; r++) {
    for (let j = 0; j < d; j++) weights[j] += ys[r] * xs[r * d + j];
  }
  for (let j = 0; j < d; j++) weights[j] /= k;
  return weights;
}

/**
 * Creates the averaging baseline. For x, w ~ N(0, I_d) its expected squared error divided by d
 * is (d + 1) / k for k >= 1.
 */
export function averaging(): Baseline {
  return defineBaseline('averaging', 'averaging', ({ xs, ys, k, d, query }) => dot(query, fitAveraging(xs, ys, k, d)));
}
