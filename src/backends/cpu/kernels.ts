/**
 * Reference CPU implementations of every primitive, on row-major typed arrays, each writing its
 * result into a target array that the caller provides (zeroed or not). Elementwise arithmetic runs
 * in float64 (JavaScript numbers) and rounds once on store, and sums are pairwise in float64.
 * Matmul accumulates in float32 on the WebAssembly SIMD kernel, or in float64 on the JavaScript
 * fallback.
 */
import { allocate, dtypeOfArray, type DataArray } from '../../core/dtype.js';
import type { Aval } from '../../core/ir.js';
import type { Primitive, PrimitiveParams } from '../../core/primitives.js';
import { sizeOf, type Shape } from '../../core/shape.js';
import { bitsToUnitFloat32, threefryBits } from '../../core/threefry.js';
import { isCodePrimitive } from './elementwise-code.js';
import { elementwiseLoop } from './fused-loop.js';
import { activeMatmul } from './matmul-dispatch.js';
import {
  aroundAxis, broadcastInto, concatInto, gatherInto, padInto, scatterAddInto, sliceInto, transposeInto,
} from './movement-kernels.js';
import { reduceMaxInto, reduceSumInto } from './reduce.js';

/** An operand as the kernels see it. */
export interface Operand {
  readonly data: DataArray;
  readonly shape: Shape;
}

/**
 * Computes a primitive into `target`, an array of `out`'s dtype and size. Kernels must not
 * assume that `target` is zeroed, and `target` never shares memory with an operand.
 */
export type Kernel<P extends Primitive> = (inputs: readonly Operand[], params: PrimitiveParams[P], out: Aval, target: DataArray) => void;

function elementwise(primitive: Primitive): Kernel<Primitive> {
  if (!isCodePrimitive(primitive)) throw new Error(`elementwise kernel: ${primitive} is not elementwise`);
  return (inputs, _params, out, target) => {
    const loop = elementwiseLoop(primitive, inputs.map((x) => dtypeOfArray(x.data)), out.dtype);
    loop(inputs.map((x) => x.data), target);
  };
}

function matmulKernel([a, b]: readonly Operand[], { transposeA, transposeB }: PrimitiveParams['matmul'], out: Aval, target: DataArray): void {
  const r = out.shape.length;
  const m = out.shape[r - 2];
  const n = out.shape[r - 1];
  const k = transposeA ? a.shape[r - 2] : a.shape[r - 1];
  const batches = sizeOf(out.shape.slice(0, r - 2));
  activeMatmul().routine(a.data as Float32Array, b.data as Float32Array, target as Float32Array, batches, m, k, n, transposeA, transposeB);
}

export const cpuKernels: { [P in Primitive]: Kernel<P> } = {
  neg: elementwise('neg'),
  exp: elementwise('exp'),
  log: elementwise('log'),
  sqrt: elementwise('sqrt'),
  rsqrt: elementwise('rsqrt'),
  tanh: elementwise('tanh'),
  sin: elementwise('sin'),
  cos: elementwise('cos'),
  abs: elementwise('abs'),
  sign: elementwise('sign'),
  erf: elementwise('erf'),
  logistic: elementwise('logistic'),
  logical_not: elementwise('logical_not'),
  add: elementwise('add'),
  sub: elementwise('sub'),
  mul: elementwise('mul'),
  div: elementwise('div'),
  pow: elementwise('pow'),
  max: elementwise('max'),
  min: elementwise('min'),
  lt: elementwise('lt'),
  le: elementwise('le'),
  gt: elementwise('gt'),
  ge: elementwise('ge'),
  eq: elementwise('eq'),
  ne: elementwise('ne'),
  logical_and: elementwise('logical_and'),
  logical_or: elementwise('logical_or'),
  where: elementwise('where'),
  cast: elementwise('cast'),
  stop_gradient: elementwise('stop_gradient'),
  reduce_sum: ([x], { axes }, _out, target) => reduceSumInto(x.data, x.shape, axes, target),
  reduce_max: ([x], { axes }, _out, target) => reduceMaxInto(x.data, x.shape, axes, target),
  matmul: matmulKernel,
  // Programs and eager mode share a reshape's storage with its operand; this copy is the fallback.
  reshape: ([x], _params, _out, target) => target.set(x.data),
  transpose: ([x], { perm }, _out, target) => transposeInto(x.data, x.shape, perm, target),
  broadcast: ([x], { shape }, _out, target) => broadcastInto(x.data, x.shape, shape, target),
  slice: ([x], { starts, ends }, _out, target) => sliceInto(x.data, x.shape, starts, ends, target),
  pad: ([x], { low, value }, out, target) => padInto(x.data, x.shape, out.shape, low, value, target),
  concat: (inputs, { axis }, out, target) => concatInto(inputs, axis, out.shape, target),
  gather: ([x, indices], { axis }, _out, target) => gatherInto(x.data, x.shape, indices.data, axis, target),
  scatter_add: ([updates, indices], { axis, size }, _out, target) => scatterAddInto(updates.data, updates.shape, indices.data, axis, size, target),
  iota: (_inputs, { shape, axis }, _out, target) => {
    const [, size, inner] = aroundAxis(shape, axis);
    for (let i = 0; i < target.length; i++) target[i] = Math.floor(i / inner) % size;
  },
  random_bits: ([k], { shape, dtype }, _out, target) => {
    const count = sizeOf(shape);
    const bits = threefryBits(k.data[0] >>> 0, k.data[1] >>> 0, count);
    if (dtype === 'f32') for (let i = 0; i < count; i++) target[i] = bitsToUnitFloat32(bits[i]);
    else target.set(new Int32Array(bits.buffer, bits.byteOffset, count));
  },
};

/** Runs one primitive eagerly into a new array (a reshape shares its operand's storage). */
export function runKernel<P extends Primitive>(primitive: P, inputs: readonly Operand[], params: PrimitiveParams[P], out: Aval): DataArray {
  if (primitive === 'reshape') return inputs[0].data;
  const target = allocate(out.dtype, sizeOf(out.shape));
  (cpuKernels[primitive] as Kernel<P>)(inputs, params, out, target);
  return target;
}

export { pairwiseSum } from './reduce.js';
