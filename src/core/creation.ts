/** Tensor constructors: zeros, ones, full, arange/iota, eye, and scalars. */
import { bind } from './bind.js';
import { allocate, type DType } from './dtype.js';
import { checkShape, sizeOf, type Shape } from './shape.js';
import { fromData, type Tensor } from './tensor.js';

/** Creates a rank-0 tensor containing `value`. */
export function scalar(value: number | boolean, dtype: DType = typeof value === 'boolean' ? 'bool' : 'f32'): Tensor {
  const data = allocate(dtype, 1);
  data[0] = Number(value);
  return fromData(data, []);
}

/** Creates a tensor of `shape` filled with `value`, as a broadcast of a scalar (cheap inside compiled programs). */
export function full(shape: Shape, value: number | boolean, dtype: DType = typeof value === 'boolean' ? 'bool' : 'f32'): Tensor {
  checkShape('full', shape);
  if (shape.length === 0) return scalar(value, dtype);
  return bind('broadcast', [scalar(value, dtype)], { shape: [...shape] });
}

/** Creates a tensor of zeros. */
export function zeros(shape: Shape, dtype: DType = 'f32'): Tensor {
  checkShape('zeros', shape);
  return fromData(allocate(dtype, sizeOf(shape)), shape);
}

/** Creates a tensor of ones. */
export function ones(shape: Shape, dtype: DType = 'f32'): Tensor {
  return full(shape, 1, dtype);
}

export function zerosLike(t: Tensor): Tensor {
  return zeros(t.shape, t.dtype);
}

export function onesLike(t: Tensor): Tensor {
  return ones(t.shape, t.dtype);
}

/** Index values along `axis` of a tensor of `shape`: out[..., i, ...] = i. */
export function iota(shape: Shape, axis = 0, dtype: DType = 'i32'): Tensor {
  return bind('iota', [], { shape: [...shape], axis: axis < 0 ? axis + shape.length : axis, dtype });
}

/**
 * Evenly spaced values in [start, stop) with step 1 (or [0, start) with one argument).
 *
 * @example arange(3).toArray() // [0, 1, 2]
 */
export function arange(start: number, stop?: number, dtype: DType = 'i32'): Tensor {
  const [lo, hi] = stop === undefined ? [0, start] : [start, stop];
  if (!Number.isInteger(lo) || !Number.isInteger(hi) || hi < lo) {
    throw new RangeError(`arange: need integers start <= stop, got start ${lo} and stop ${hi}`);
  }
  const n = hi - lo;
  const data = allocate(dtype, n);
  for (let i = 0; i < n; i++) data[i] = lo + i;
  return fromData(data, [n]);
}

/** Creates the n x m identity matrix (m defaults to n). */
export function eye(n: number, m = n, dtype: DType = 'f32'): Tensor {
  checkShape('eye', [n, m]);
  const data = allocate(dtype, n * m);
  for (let i = 0; i < Math.min(n, m); i++) data[i * m + i] = 1;
  return fromData(data, [n, m]);
}
