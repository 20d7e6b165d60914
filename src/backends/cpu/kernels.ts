/**
 * Reference CPU implementations of every primitive, on row-major typed arrays. Arithmetic runs
 * in float64 (JavaScript numbers) and rounds once on store; sums are pairwise.
 */
import { allocate, dtypeOfArray, type DataArray } from '../../core/dtype.js';
import type { Aval } from '../../core/ir.js';
import type { Primitive, PrimitiveParams } from '../../core/primitives.js';
import { sizeOf, stridesOf, type Shape } from '../../core/shape.js';
import { bitsToUnitFloat32, threefryBits } from '../../core/threefry.js';
import { matmulInto } from './matmul.js';
import { erf, logistic } from './scalar-math.js';

/** An operand as the kernels see it. */
export interface Operand {
  readonly data: DataArray;
  readonly shape: Shape;
}

export type Kernel<P extends Primitive> = (inputs: readonly Operand[], params: PrimitiveParams[P], out: Aval) => DataArray;

function mapUnary(f: (x: number) => number): Kernel<Primitive> {
  return ([x], _params, out) => {
    const result = allocate(out.dtype, x.data.length);
    const src = x.data;
    for (let i = 0; i < src.length; i++) result[i] = f(src[i]);
    return result;
  };
}

function mapBinary(f: (a: number, b: number) => number): Kernel<Primitive> {
  return ([a, b], _params, out) => {
    const result = allocate(out.dtype, a.data.length);
    const x = a.data;
    const y = b.data;
    for (let i = 0; i < x.length; i++) result[i] = f(x[i], y[i]);
    return result;
  };
}

/** Integer division truncating toward zero, as C and NumPy's `trunc_divide`. */
function divide(out: Aval): (a: number, b: number) => number {
  return out.dtype === 'i32' ? (a, b) => (b === 0 ? 0 : Math.trunc(a / b)) : (a, b) => a / b;
}

/** Pairwise sum of data[start], data[start + stride], ... (count terms) in float64. */
export function pairwiseSum(data: ArrayLike<number>, start: number, count: number, stride: number): number {
  if (count <= 16) {
    let total = 0;
    for (let i = 0; i < count; i++) total += data[start + i * stride];
    return total;
  }
  const half = count >> 1;
  return pairwiseSum(data, start, half, stride) + pairwiseSum(data, start + half * stride, count - half, stride);
}

/** Moves the reduced axes last, so each output element reduces one contiguous run. */
function reducedLast(x: Operand, axes: readonly number[]): { data: DataArray; runs: number; runLength: number } {
  const kept = x.shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const perm = [...kept, ...axes];
  const runLength = sizeOf(axes.map((a) => x.shape[a]));
  const runs = runLength === 0 ? sizeOf(kept.map((a) => x.shape[a])) : x.data.length / runLength;
  const isIdentity = perm.every((p, i) => p === i);
  return { data: isIdentity ? x.data : transposeData(x, perm), runs, runLength };
}

function transposeData(x: Operand, perm: readonly number[]): DataArray {
  const rank = x.shape.length;
  const outShape = perm.map((p) => x.shape[p]);
  const inStrides = stridesOf(x.shape);
  const strides = perm.map((p) => inStrides[p]);
  const out = allocate(dtypeOfArray(x.data), x.data.length);
  const index = new Array<number>(rank).fill(0);
  let offset = 0;
  for (let i = 0; i < out.length; i++) {
    out[i] = x.data[offset];
    for (let axis = rank - 1; axis >= 0; axis--) {
      index[axis]++;
      offset += strides[axis];
      if (index[axis] < outShape[axis]) break;
      offset -= strides[axis] * outShape[axis];
      index[axis] = 0;
    }
  }
  return out;
}

/** Splits a shape at `axis` into (outer, size, inner) element counts. */
function aroundAxis(shape: Shape, axis: number): [number, number, number] {
  return [sizeOf(shape.slice(0, axis)), shape[axis], sizeOf(shape.slice(axis + 1))];
}

function matmulKernel([a, b]: readonly Operand[], { transposeA, transposeB }: PrimitiveParams['matmul'], out: Aval): DataArray {
  const r = out.shape.length;
  const m = out.shape[r - 2];
  const n = out.shape[r - 1];
  const k = transposeA ? a.shape[r - 2] : a.shape[r - 1];
  const batches = sizeOf(out.shape.slice(0, r - 2));
  const result = new Float32Array(batches * m * n);
  matmulInto(a.data, b.data, result, batches, m, k, n, transposeA, transposeB);
  return result;
}

/** Returns 1, -1, or x itself for 0, -0 and NaN. */
function signOf(x: number): number {
  if (x > 0) return 1;
  if (x < 0) return -1;
  return x;
}

/** Returns the larger operand, or NaN when either is NaN. */
function maxPropagatingNaN(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return NaN;
  return a > b ? a : b;
}

/** Returns the smaller operand, or NaN when either is NaN. */
function minPropagatingNaN(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return NaN;
  return a < b ? a : b;
}

export const cpuKernels: { [P in Primitive]: Kernel<P> } = {
  neg: mapUnary((x) => -x),
  exp: mapUnary(Math.exp),
  log: mapUnary(Math.log),
  sqrt: mapUnary(Math.sqrt),
  rsqrt: mapUnary((x) => 1 / Math.sqrt(x)),
  tanh: mapUnary(Math.tanh),
  sin: mapUnary(Math.sin),
  cos: mapUnary(Math.cos),
  abs: mapUnary(Math.abs),
  sign: mapUnary(signOf),
  erf: mapUnary(erf),
  logistic: mapUnary(logistic),
  logical_not: mapUnary((x) => (x ? 0 : 1)),
  add: mapBinary((a, b) => a + b),
  sub: mapBinary((a, b) => a - b),
  mul: mapBinary((a, b) => a * b),
  div: (inputs, params, out) => mapBinary(divide(out))(inputs, params, out),
  pow: mapBinary(Math.pow),
  max: mapBinary(maxPropagatingNaN),
  min: mapBinary(minPropagatingNaN),
  lt: mapBinary((a, b) => (a < b ? 1 : 0)),
  le: mapBinary((a, b) => (a <= b ? 1 : 0)),
  gt: mapBinary((a, b) => (a > b ? 1 : 0)),
  ge: mapBinary((a, b) => (a >= b ? 1 : 0)),
  eq: mapBinary((a, b) => (a === b ? 1 : 0)),
  ne: mapBinary((a, b) => (a !== b ? 1 : 0)),
  logical_and: mapBinary((a, b) => (a && b ? 1 : 0)),
  logical_or: mapBinary((a, b) => (a || b ? 1 : 0)),
  where: ([c, t, f], _params, out) => {
    const result = allocate(out.dtype, c.data.length);
    for (let i = 0; i < result.length; i++) result[i] = c.data[i] ? t.data[i] : f.data[i];
    return result;
  },
  cast: ([x], { dtype }, out) => {
    const result = allocate(out.dtype, x.data.length);
    if (dtype === 'bool') for (let i = 0; i < result.length; i++) result[i] = x.data[i] !== 0 ? 1 : 0;
    else result.set(x.data);
    return result;
  },
  reduce_sum: ([x], { axes }, out) => {
    const { data, runs, runLength } = reducedLast(x, axes);
    const result = allocate(out.dtype, runs);
    for (let r = 0; r < runs; r++) result[r] = pairwiseSum(data, r * runLength, runLength, 1);
    return result;
  },
  reduce_max: ([x], { axes }, out) => {
    const { data, runs, runLength } = reducedLast(x, axes);
    const result = allocate(out.dtype, runs);
    for (let r = 0; r < runs; r++) {
      let best = -Infinity;
      for (let i = r * runLength; i < (r + 1) * runLength; i++) {
        const v = data[i];
        if (v > best || v !== v) best = v;
        if (best !== best) break;
      }
      result[r] = best;
    }
    return result;
  },
  matmul: matmulKernel,
  // Tensors are immutable, so a reshape shares its operand's storage.
  reshape: ([x]) => x.data,
  transpose: ([x], { perm }) => transposeData(x, perm),
  broadcast: ([x], { shape }, out) => {
    const result = allocate(out.dtype, sizeOf(shape));
    const offset = shape.length - x.shape.length;
    const inStrides = stridesOf(x.shape);
    const strides = shape.map((d, i) => (i < offset || x.shape[i - offset] === 1 ? 0 : inStrides[i - offset]));
    const index = new Array<number>(shape.length).fill(0);
    let source = 0;
    for (let i = 0; i < result.length; i++) {
      result[i] = x.data[source];
      for (let axis = shape.length - 1; axis >= 0; axis--) {
        index[axis]++;
        source += strides[axis];
        if (index[axis] < shape[axis]) break;
        source -= strides[axis] * shape[axis];
        index[axis] = 0;
      }
    }
    return result;
  },
  slice: ([x], { starts, ends }, out) => {
    const result = allocate(out.dtype, sizeOf(out.shape));
    const strides = stridesOf(x.shape);
    const rank = x.shape.length;
    const index = new Array<number>(rank).fill(0);
    for (let i = 0; i < result.length; i++) {
      let source = 0;
      for (let axis = 0; axis < rank; axis++) source += (starts[axis] + index[axis]) * strides[axis];
      result[i] = x.data[source];
      for (let axis = rank - 1; axis >= 0; axis--) {
        if (++index[axis] < ends[axis] - starts[axis]) break;
        index[axis] = 0;
      }
    }
    return result;
  },
  pad: ([x], { low, value }, out) => {
    const result = allocate(out.dtype, sizeOf(out.shape));
    result.fill(value);
    const outStrides = stridesOf(out.shape);
    const rank = x.shape.length;
    const index = new Array<number>(rank).fill(0);
    for (let i = 0; i < x.data.length; i++) {
      let target = 0;
      for (let axis = 0; axis < rank; axis++) target += (index[axis] + low[axis]) * outStrides[axis];
      result[target] = x.data[i];
      for (let axis = rank - 1; axis >= 0; axis--) {
        if (++index[axis] < x.shape[axis]) break;
        index[axis] = 0;
      }
    }
    return result;
  },
  concat: (inputs, { axis }, out) => {
    const result = allocate(out.dtype, sizeOf(out.shape));
    const [outer, total, inner] = aroundAxis(out.shape, axis);
    let start = 0;
    for (const x of inputs) {
      const size = x.shape[axis];
      for (let o = 0; o < outer; o++) {
        const chunk = x.data.subarray(o * size * inner, (o + 1) * size * inner);
        result.set(chunk, (o * total + start) * inner);
      }
      start += size;
    }
    return result;
  },
  gather: ([x, indices], { axis }, out) => {
    const [outer, size, inner] = aroundAxis(x.shape, axis);
    const count = indices.data.length;
    const result = allocate(out.dtype, outer * count * inner);
    for (let j = 0; j < count; j++) {
      const index = indices.data[j];
      if (index < 0 || index >= size) {
        throw new RangeError(`gather: index ${index} is out of range for axis ${axis} of size ${size}`);
      }
    }
    for (let o = 0; o < outer; o++) {
      for (let j = 0; j < count; j++) {
        const from = (o * size + indices.data[j]) * inner;
        result.set(x.data.subarray(from, from + inner), (o * count + j) * inner);
      }
    }
    return result;
  },
  scatter_add: ([updates, indices], { axis, size }, out) => {
    const count = indices.data.length;
    const outer = sizeOf(updates.shape.slice(0, axis));
    const inner = updates.data.length / Math.max(outer * count, 1);
    const result = allocate(out.dtype, sizeOf(out.shape));
    for (let o = 0; o < outer; o++) {
      for (let j = 0; j < count; j++) {
        const index = indices.data[j];
        if (index < 0 || index >= size) {
          throw new RangeError(`scatter_add: index ${index} is out of range for axis ${axis} of size ${size}`);
        }
        const to = (o * size + index) * inner;
        const from = (o * count + j) * inner;
        for (let i = 0; i < inner; i++) result[to + i] += updates.data[from + i];
      }
    }
    return result;
  },
  stop_gradient: ([x]) => x.data.slice(),
  iota: (_inputs, { shape, axis }, out) => {
    const result = allocate(out.dtype, sizeOf(shape));
    const [, size, inner] = aroundAxis(shape, axis);
    for (let i = 0; i < result.length; i++) result[i] = Math.floor(i / inner) % size;
    return result;
  },
  random_bits: ([k], { shape, dtype }, out) => {
    const count = sizeOf(shape);
    const bits = threefryBits(k.data[0] >>> 0, k.data[1] >>> 0, count);
    const result = allocate(out.dtype, count);
    if (dtype === 'f32') for (let i = 0; i < count; i++) result[i] = bitsToUnitFloat32(bits[i]);
    else result.set(new Int32Array(bits.buffer, bits.byteOffset, count));
    return result;
  },
};
