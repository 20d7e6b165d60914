/** Shape and data movement: reshape, transpose, slice, pad, concat, stack, gather. */
import { bind } from './bind.js';
import { cast } from './elementwise.js';
import { formatShape, normalizeAxis, sizeOf, type Shape } from './shape.js';
import { isTensor, tensor, type Tensor } from './tensor.js';

/** Reshapes to `shape`; one entry may be -1 and is inferred. */
export function reshape(x: Tensor, shape: Shape): Tensor {
  const unknown = shape.filter((d) => d === -1).length;
  let resolved = [...shape];
  if (unknown > 1) throw new Error(`reshape: shape ${formatShape(shape)} has more than one -1`);
  if (unknown === 1) {
    const known = sizeOf(shape.filter((d) => d !== -1));
    if (known === 0 || x.size % known !== 0) {
      throw new Error(`reshape: cannot reshape ${formatShape(x.shape)} (${x.size} elements) to ${formatShape(shape)}`);
    }
    resolved = shape.map((d) => (d === -1 ? x.size / known : d));
  }
  if (resolved.length === x.ndim && resolved.every((d, i) => d === x.shape[i])) return x;
  return bind('reshape', [x], { shape: resolved });
}

/** Permutes axes; reverses them when `perm` is omitted. */
export function transpose(x: Tensor, perm?: readonly number[]): Tensor {
  const order = perm ? perm.map((p) => normalizeAxis('transpose', p, x.ndim)) : x.shape.map((_, i) => x.ndim - 1 - i);
  if (order.every((p, i) => p === i)) return x;
  return bind('transpose', [x], { perm: order });
}

/** Swaps two axes. */
export function swapAxes(x: Tensor, a: number, b: number): Tensor {
  const perm = x.shape.map((_, i) => i);
  const i = normalizeAxis('swapAxes', a, x.ndim);
  const j = normalizeAxis('swapAxes', b, x.ndim);
  [perm[i], perm[j]] = [perm[j], perm[i]];
  return transpose(x, perm);
}

/** Inserts a size-1 axis at `axis`. */
export function expandDims(x: Tensor, axis: number): Tensor {
  const a = normalizeAxis('expandDims', axis, x.ndim + 1);
  return reshape(x, [...x.shape.slice(0, a), 1, ...x.shape.slice(a)]);
}

/** Removes size-1 axes (all of them when `axes` is omitted). */
export function squeeze(x: Tensor, axes?: readonly number[]): Tensor {
  const list = axes ? axes.map((a) => normalizeAxis('squeeze', a, x.ndim)) : x.shape.flatMap((d, i) => (d === 1 ? [i] : []));
  for (const a of list) {
    if (x.shape[a] !== 1) throw new Error(`squeeze: axis ${a} of ${formatShape(x.shape)} has size ${x.shape[a]}, not 1`);
  }
  return reshape(x, x.shape.filter((_, i) => !list.includes(i)));
}

/** Takes [starts[i], ends[i]) along every axis. */
export function slice(x: Tensor, starts: readonly number[], ends: readonly number[]): Tensor {
  if (starts.every((s) => s === 0) && ends.every((e, i) => e === x.shape[i]) && starts.length === x.ndim) return x;
  return bind('slice', [x], { starts: [...starts], ends: [...ends] });
}

/** Takes [start, end) along one axis (negative values count from the end). */
export function sliceAxis(x: Tensor, axis: number, start: number, end: number = x.shape[normalizeAxis('sliceAxis', axis, x.ndim)]): Tensor {
  const a = normalizeAxis('sliceAxis', axis, x.ndim);
  const size = x.shape[a];
  const lo = start < 0 ? start + size : start;
  const hi = end < 0 ? end + size : end;
  const starts = x.shape.map((_, i) => (i === a ? lo : 0));
  const ends = x.shape.map((d, i) => (i === a ? hi : d));
  return slice(x, starts, ends);
}

/** Pads every axis with `[low, high]` elements of `value` (default 0). */
export function pad(x: Tensor, widths: readonly (readonly [number, number])[], value = 0): Tensor {
  if (widths.length !== x.ndim) {
    throw new Error(`pad: ${widths.length} pad widths given for a tensor of shape ${formatShape(x.shape)}; give one [low, high] pair per axis`);
  }
  if (widths.every(([l, h]) => l === 0 && h === 0)) return x;
  return bind('pad', [x], { low: widths.map((w) => w[0]), high: widths.map((w) => w[1]), value });
}

/** Joins tensors along an existing axis. */
export function concat(xs: readonly Tensor[], axis = 0): Tensor {
  if (xs.length === 0) throw new Error('concat: needs at least one tensor');
  if (xs.length === 1) return xs[0];
  return bind('concat', xs, { axis: normalizeAxis('concat', axis, xs[0].ndim) });
}

/** Joins tensors of equal shape along a new axis. */
export function stack(xs: readonly Tensor[], axis = 0): Tensor {
  if (xs.length === 0) throw new Error('stack: needs at least one tensor');
  const a = normalizeAxis('stack', axis, xs[0].ndim + 1);
  return concat(xs.map((x) => reshape(x, [...x.shape.slice(0, a), 1, ...x.shape.slice(a)])), a);
}

/**
 * Gathers along `axis`: out = x.shape[:axis] + indices.shape + x.shape[axis+1:]. An out-of-range
 * index raises an error. The gradient adds up repeated indices.
 */
export function take(x: Tensor, indices: Tensor | readonly number[], axis = 0): Tensor {
  const idx = isTensor(indices) ? cast(indices, 'i32') : tensor(indices as number[], { dtype: 'i32' });
  return bind('gather', [x, idx], { axis: normalizeAxis('take', axis, x.ndim) });
}

/** Adds `updates` into a zero tensor with `size` entries along `axis`, at `indices` (repeats accumulate). */
export function scatterAdd(updates: Tensor, indices: Tensor, axis: number, size: number): Tensor {
  return bind('scatter_add', [updates, cast(indices, 'i32')], { axis, size });
}
