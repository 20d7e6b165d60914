/**
 * Data-movement kernels of the cpu backend (transpose, broadcast, slice, pad, concat, gather,
 * scatter-add), written into a caller's target array. Each one is a strided copy: axes that stay
 * adjacent are merged first, and the innermost axis is copied as one run, so moving the heads
 * axis of an [batch, tokens, heads, width] tensor copies runs of `width` values.
 */
import type { DataArray } from '../../core/dtype.js';
import { sizeOf, stridesOf, type Shape } from '../../core/shape.js';

/** Runs at least this long are copied with `TypedArray.prototype.set`, shorter ones by a loop. */
const SET_THRESHOLD = 48;

/** Drops size-1 axes and merges neighbours that are contiguous in the source. */
function simplify(shape: Shape, strides: readonly number[]): { shape: number[]; strides: number[] } {
  const outShape: number[] = [];
  const outStrides: number[] = [];
  for (let axis = 0; axis < shape.length; axis++) {
    if (shape[axis] === 1) continue;
    const last = outShape.length - 1;
    if (last >= 0 && outStrides[last] === strides[axis] * shape[axis]) {
      outShape[last] *= shape[axis];
      outStrides[last] = strides[axis];
    } else {
      outShape.push(shape[axis]);
      outStrides.push(strides[axis]);
    }
  }
  return { shape: outShape, strides: outStrides };
}

/**
 * Fills `target` (row-major, `shape`) with source[offset + sum(index[a] * strides[a])]. Strides
 * may be 0 (broadcast axes).
 */
export function stridedGather(source: DataArray, offset: number, shape: Shape, strides: readonly number[], target: DataArray): void {
  const total = sizeOf(shape);
  if (total === 0) return;
  const s = simplify(shape, strides);
  if (s.shape.length === 0) {
    target[0] = source[offset];
    return;
  }
  const rank = s.shape.length;
  const inner = s.shape[rank - 1];
  const innerStride = s.strides[rank - 1];
  const outerRank = rank - 1;
  const index = new Array<number>(outerRank).fill(0);
  let from = offset;
  for (let out = 0; out < total; out += inner) {
    if (innerStride === 1) {
      if (inner >= SET_THRESHOLD) target.set(source.subarray(from, from + inner), out);
      else for (let j = 0; j < inner; j++) target[out + j] = source[from + j];
    } else if (innerStride === 0) {
      target.fill(source[from], out, out + inner);
    } else {
      for (let j = 0; j < inner; j++) target[out + j] = source[from + j * innerStride];
    }
    for (let axis = outerRank - 1; axis >= 0; axis--) {
      index[axis]++;
      from += s.strides[axis];
      if (index[axis] < s.shape[axis]) break;
      from -= s.strides[axis] * s.shape[axis];
      index[axis] = 0;
    }
  }
}

/** Writes `source` (row-major, `shape`) to target[offset + sum(index[a] * strides[a])]. */
function stridedScatter(source: DataArray, shape: Shape, strides: readonly number[], offset: number, target: DataArray): void {
  const total = sizeOf(shape);
  if (total === 0) return;
  const s = simplify(shape, strides);
  if (s.shape.length === 0) {
    target[offset] = source[0];
    return;
  }
  const rank = s.shape.length;
  const inner = s.shape[rank - 1];
  const innerStride = s.strides[rank - 1];
  const index = new Array<number>(rank - 1).fill(0);
  let to = offset;
  for (let from = 0; from < total; from += inner) {
    if (innerStride === 1 && inner >= SET_THRESHOLD) target.set(source.subarray(from, from + inner), to);
    else for (let j = 0; j < inner; j++) target[to + j * innerStride] = source[from + j];
    for (let axis = rank - 2; axis >= 0; axis--) {
      index[axis]++;
      to += s.strides[axis];
      if (index[axis] < s.shape[axis]) break;
      to -= s.strides[axis] * s.shape[axis];
      index[axis] = 0;
    }
  }
}

/** Permutes the axes of `data` (of `shape`) into `target`: output axis i is input axis perm[i]. */
export function transposeInto(data: DataArray, shape: Shape, perm: readonly number[], target: DataArray): void {
  const inStrides = stridesOf(shape);
  stridedGather(data, 0, perm.map((p) => shape[p]), perm.map((p) => inStrides[p]), target);
}

/** Broadcasts `data` (of `shape`) to `to` (NumPy rules) into `target`. */
export function broadcastInto(data: DataArray, shape: Shape, to: Shape, target: DataArray): void {
  const offset = to.length - shape.length;
  const inStrides = stridesOf(shape);
  const strides = to.map((_, i) => (i < offset || shape[i - offset] === 1 ? 0 : inStrides[i - offset]));
  stridedGather(data, 0, to, strides, target);
}

/** Copies the box [starts, ends) of `data` (of `shape`) into `target`. */
export function sliceInto(data: DataArray, shape: Shape, starts: readonly number[], ends: readonly number[], target: DataArray): void {
  const strides = stridesOf(shape);
  const offset = starts.reduce((sum, s, axis) => sum + s * strides[axis], 0);
  stridedGather(data, offset, ends.map((e, axis) => e - starts[axis]), strides, target);
}

/** Writes `data` (of `shape`) into `target` (of `outShape`) at offsets `low`, and `value` elsewhere. */
export function padInto(data: DataArray, shape: Shape, outShape: Shape, low: readonly number[], value: number, target: DataArray): void {
  target.fill(value);
  const strides = stridesOf(outShape);
  const offset = low.reduce((sum, l, axis) => sum + l * strides[axis], 0);
  stridedScatter(data, shape, strides, offset, target);
}

/** Splits a shape at `axis` into (outer, size, inner) element counts. */
export function aroundAxis(shape: Shape, axis: number): [number, number, number] {
  return [sizeOf(shape.slice(0, axis)), shape[axis], sizeOf(shape.slice(axis + 1))];
}

/** Concatenates operands along `axis` into `target` (of `outShape`). */
export function concatInto(inputs: readonly { data: DataArray; shape: Shape }[], axis: number, outShape: Shape, target: DataArray): void {
  const [outer, total, inner] = aroundAxis(outShape, axis);
  let start = 0;
  for (const x of inputs) {
    const size = x.shape[axis];
    for (let o = 0; o < outer; o++) {
      target.set(x.data.subarray(o * size * inner, (o + 1) * size * inner), (o * total + start) * inner);
    }
    start += size;
  }
}

/** Takes entries `indices` along `axis` of `data` (of `shape`) into `target`; throws on an out-of-range index. */
export function gatherInto(data: DataArray, shape: Shape, indices: DataArray, axis: number, target: DataArray): void {
  const [outer, size, inner] = aroundAxis(shape, axis);
  const count = indices.length;
  for (let j = 0; j < count; j++) {
    const index = indices[j];
    if (index < 0 || index >= size) {
      throw new RangeError(`gather: index ${index} is out of range for axis ${axis} of size ${size}`);
    }
  }
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < count; j++) {
      const from = (o * size + indices[j]) * inner;
      target.set(data.subarray(from, from + inner), (o * count + j) * inner);
    }
  }
}

/**
 * Adds `updates` (of `shape`) into a zeroed `target` at entries `indices` along `axis` (of
 * `size`); throws on an out-of-range index. Repeated indices add up in index order.
 */
export function scatterAddInto(updates: DataArray, shape: Shape, indices: DataArray, axis: number, size: number, target: DataArray): void {
  const count = indices.length;
  const outer = sizeOf(shape.slice(0, axis));
  const inner = updates.length / Math.max(outer * count, 1);
  target.fill(0);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < count; j++) {
      const index = indices[j];
      if (index < 0 || index >= size) {
        throw new RangeError(`scatter_add: index ${index} is out of range for axis ${axis} of size ${size}`);
      }
      const to = (o * size + index) * inner;
      const from = (o * count + j) * inner;
      for (let i = 0; i < inner; i++) target[to + i] += updates[from + i];
    }
  }
}
