/**
 * Reductions. `sum` uses pairwise summation on every backend (a float32 sum of 0..9999 is exactly
 * 49995000); `max` propagates NaN. Gradients of `max` split equally among tied maxima.
 */
import { bind } from './bind.js';
import { neg } from './elementwise.js';
import { normalizeAxes } from './shape.js';
import type { Tensor } from './tensor.js';

export interface ReduceOptions {
  /** Keep reduced axes as size-1 dimensions (default false). */
  keepdims?: boolean;
}

/** Axes to reduce: one axis, a list, or all when omitted. */
export type Axes = number | readonly number[] | undefined;

function reduce(op: 'reduce_sum' | 'reduce_max', name: string, x: Tensor, axes: Axes, options: ReduceOptions): Tensor {
  const list = normalizeAxes(name, axes, x.ndim);
  const reduced = list.length === 0 ? x : bind(op, [x], { axes: list });
  if (!options.keepdims) return reduced;
  const kept = x.shape.map((d, i) => (list.includes(i) ? 1 : d));
  return bind('reshape', [reduced], { shape: kept });
}

/** Sum over `axes` (all by default). */
export function sum(x: Tensor, axes?: Axes, options: ReduceOptions = {}): Tensor {
  return reduce('reduce_sum', 'sum', x, axes, options);
}

/** Maximum over `axes` (all by default). */
export function max(x: Tensor, axes?: Axes, options: ReduceOptions = {}): Tensor {
  return reduce('reduce_max', 'max', x, axes, options);
}

/** Minimum over `axes` (all by default), as -max(-x). */
export function min(x: Tensor, axes?: Axes, options: ReduceOptions = {}): Tensor {
  return neg(max(neg(x), axes, options));
}

/** Number of elements reduced over by `axes`. */
export function reducedCount(x: Tensor, axes: Axes): number {
  return normalizeAxes('reducedCount', axes, x.ndim).reduce((n, a) => n * x.shape[a], 1);
}
