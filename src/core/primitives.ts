/**
 * The closed set of primitives. Every rule table (shape inference, VJP, each backend's
 * implementation) is typed over this union, so adding a primitive without its rules fails to
 * compile. Composites (softmax, layer norm, GELU, ...) are written in terms of these.
 */
import type { DType } from './dtype.js';

type NoParams = Record<string, never>;

/** Parameters of every primitive, by name. */
export interface PrimitiveParams {
  // Elementwise unary (f32 unless noted).
  neg: NoParams;
  exp: NoParams;
  log: NoParams;
  sqrt: NoParams;
  rsqrt: NoParams;
  tanh: NoParams;
  sin: NoParams;
  cos: NoParams;
  abs: NoParams;
  sign: NoParams;
  erf: NoParams;
  logistic: NoParams;
  logical_not: NoParams;
  // Elementwise binary; operands have equal shapes (broadcasting is explicit in the IR).
  add: NoParams;
  sub: NoParams;
  mul: NoParams;
  div: NoParams;
  pow: NoParams;
  max: NoParams;
  min: NoParams;
  lt: NoParams;
  le: NoParams;
  gt: NoParams;
  ge: NoParams;
  eq: NoParams;
  ne: NoParams;
  logical_and: NoParams;
  logical_or: NoParams;
  // where(condition, onTrue, onFalse), equal shapes.
  where: NoParams;
  cast: { dtype: DType };
  // Reductions over sorted, distinct axes; the reduced axes are removed.
  reduce_sum: { axes: readonly number[] };
  reduce_max: { axes: readonly number[] };
  // Batched matrix product: a [...batch, m, k] x b [...batch, k, n] with equal batch dims;
  // transposeA / transposeB read the last two axes of an operand swapped.
  matmul: { transposeA: boolean; transposeB: boolean };
  reshape: { shape: readonly number[] };
  transpose: { perm: readonly number[] };
  // NumPy broadcast to `shape`: dims aligned on the right, size-1 dims expand.
  broadcast: { shape: readonly number[] };
  slice: { starts: readonly number[]; ends: readonly number[] };
  pad: { low: readonly number[]; high: readonly number[]; value: number };
  concat: { axis: number };
  // gather(x, indices): out = x.shape[:axis] + indices.shape + x.shape[axis+1:].
  gather: { axis: number };
  // scatter_add(updates, indices): the transpose of gather into a dimension of `size`.
  scatter_add: { axis: number; size: number };
  stop_gradient: NoParams;
  iota: { shape: readonly number[]; axis: number; dtype: DType };
  // random_bits(key: i32[2]): Threefry-2x32 words (i32) or uniform [0, 1) floats (f32).
  random_bits: { shape: readonly number[]; dtype: 'i32' | 'f32' };
}

export type Primitive = keyof PrimitiveParams;

export const UNARY_PRIMITIVES = [
  'neg', 'exp', 'log', 'sqrt', 'rsqrt', 'tanh', 'sin', 'cos', 'abs', 'sign', 'erf', 'logistic', 'logical_not',
] as const satisfies readonly Primitive[];

export const BINARY_PRIMITIVES = [
  'add', 'sub', 'mul', 'div', 'pow', 'max', 'min', 'lt', 'le', 'gt', 'ge', 'eq', 'ne', 'logical_and', 'logical_or',
] as const satisfies readonly Primitive[];

export type UnaryPrimitive = (typeof UNARY_PRIMITIVES)[number];
export type BinaryPrimitive = (typeof BINARY_PRIMITIVES)[number];
export type ComparisonPrimitive = 'lt' | 'le' | 'gt' | 'ge' | 'eq' | 'ne';

export function isUnary(p: Primitive): p is UnaryPrimitive {
  return (UNARY_PRIMITIVES as readonly string[]).includes(p);
}

export function isBinary(p: Primitive): p is BinaryPrimitive {
  return (BINARY_PRIMITIVES as readonly string[]).includes(p);
}

export function isComparison(p: Primitive): p is ComparisonPrimitive {
  return p === 'lt' || p === 'le' || p === 'gt' || p === 'ge' || p === 'eq' || p === 'ne';
}

/** True for primitives applied element by element to equal-shaped operands. */
export function isElementwise(p: Primitive): boolean {
  return isUnary(p) || isBinary(p) || p === 'where' || p === 'cast' || p === 'stop_gradient';
}
