/**
 * Shape and dtype inference for every primitive. Each rule validates its operands and throws an
 * error naming the primitive and every operand shape, e.g. `matmul: inner dimensions differ: [64,5] x [7,64]`.
 */
import type { DType } from './dtype.js';
import type { Aval } from './ir.js';
import type { Primitive, PrimitiveParams } from './primitives.js';
import { checkShape, formatShape, shapesEqual, sizeOf, type Shape } from './shape.js';

type ShapeRule<P extends Primitive> = (inputs: readonly Aval[], params: PrimitiveParams[P], op: P) => Aval[];

function describe(inputs: readonly Aval[]): string {
  return inputs.map((a) => `${a.dtype}${formatShape(a.shape)}`).join(', ');
}

function expectArity(op: string, inputs: readonly Aval[], count: number): void {
  if (inputs.length !== count) {
    throw new Error(`${op}: expected ${count} operand(s), got ${inputs.length} (${describe(inputs)})`);
  }
}

function expectDtype(op: string, inputs: readonly Aval[], allowed: readonly DType[]): void {
  for (const a of inputs) {
    if (!allowed.includes(a.dtype)) {
      throw new Error(`${op}: operands must be ${allowed.join(' or ')}, got ${describe(inputs)}; use cast`);
    }
  }
}

function unary(allowed: readonly DType[]): ShapeRule<Primitive> {
  return (inputs, _params, op) => [unaryAval(op, inputs, allowed)];
}

function unaryAval(op: string, inputs: readonly Aval[], allowed: readonly DType[]): Aval {
  expectArity(op, inputs, 1);
  expectDtype(op, inputs, allowed);
  return inputs[0];
}

function sameShapes(op: string, inputs: readonly Aval[]): void {
  for (const a of inputs) {
    if (!shapesEqual(a.shape, inputs[0].shape)) {
      throw new Error(`${op}: operand shapes differ: ${describe(inputs)}; broadcast them first`);
    }
  }
}

function binary(allowed: readonly DType[], result: 'same' | 'bool'): ShapeRule<Primitive> {
  return (inputs, _params, op) => {
    expectArity(op, inputs, 2);
    expectDtype(op, inputs, allowed);
    if (inputs[0].dtype !== inputs[1].dtype) {
      throw new Error(`${op}: operand dtypes differ: ${describe(inputs)}; cast one of them`);
    }
    sameShapes(op, inputs);
    return [{ shape: inputs[0].shape, dtype: result === 'bool' ? 'bool' : inputs[0].dtype }];
  };
}

const NUMERIC: readonly DType[] = ['f32', 'i32'];
const FLOAT: readonly DType[] = ['f32'];
const ANY: readonly DType[] = ['f32', 'i32', 'bool'];
const BOOL: readonly DType[] = ['bool'];

function reduce(op: string, inputs: readonly Aval[], axes: readonly number[]): Aval[] {
  expectArity(op, inputs, 1);
  expectDtype(op, inputs, NUMERIC);
  const shape = inputs[0].shape;
  for (const a of axes) {
    if (!Number.isInteger(a) || a < 0 || a >= shape.length) {
      throw new Error(`${op}: axis ${a} is out of range for shape ${formatShape(shape)}`);
    }
  }
  return [{ shape: shape.filter((_, i) => !axes.includes(i)), dtype: inputs[0].dtype }];
}

/** Shape/dtype inference, one rule per primitive. */
export const shapeRules: { [P in Primitive]: ShapeRule<P> } = {
  neg: unary(NUMERIC),
  exp: unary(FLOAT),
  log: unary(FLOAT),
  sqrt: unary(FLOAT),
  rsqrt: unary(FLOAT),
  tanh: unary(FLOAT),
  sin: unary(FLOAT),
  cos: unary(FLOAT),
  abs: unary(NUMERIC),
  sign: unary(NUMERIC),
  erf: unary(FLOAT),
  logistic: unary(FLOAT),
  logical_not: unary(BOOL),
  add: binary(NUMERIC, 'same'),
  sub: binary(NUMERIC, 'same'),
  mul: binary(NUMERIC, 'same'),
  div: binary(NUMERIC, 'same'),
  pow: binary(FLOAT, 'same'),
  max: binary(NUMERIC, 'same'),
  min: binary(NUMERIC, 'same'),
  lt: binary(NUMERIC, 'bool'),
  le: binary(NUMERIC, 'bool'),
  gt: binary(NUMERIC, 'bool'),
  ge: binary(NUMERIC, 'bool'),
  eq: binary(ANY, 'bool'),
  ne: binary(ANY, 'bool'),
  logical_and: binary(BOOL, 'same'),
  logical_or: binary(BOOL, 'same'),
  where: (inputs) => {
    expectArity('where', inputs, 3);
    if (inputs[0].dtype !== 'bool') throw new Error(`where: condition must be bool, got ${describe(inputs)}`);
    if (inputs[1].dtype !== inputs[2].dtype) {
      throw new Error(`where: branch dtypes differ: ${describe(inputs)}; cast one of them`);
    }
    sameShapes('where', inputs);
    return [inputs[1]];
  },
  cast: (inputs, { dtype }, op) => [{ shape: unaryAval(op, inputs, ANY).shape, dtype }],
  reduce_sum: (inputs, { axes }, op) => reduce(op, inputs, axes),
  reduce_max: (inputs, { axes }, op) => reduce(op, inputs, axes),
  matmul: (inputs, { transposeA, transposeB }) => {
    expectArity('matmul', inputs, 2);
    expectDtype('matmul', inputs, FLOAT);
    const [a, b] = inputs;
    if (a.shape.length < 2 || b.shape.length !== a.shape.length) {
      throw new Error(`matmul: operands need equal rank >= 2, got ${describe(inputs)}`);
    }
    const r = a.shape.length;
    const batchA = a.shape.slice(0, r - 2);
    const batchB = b.shape.slice(0, r - 2);
    if (!shapesEqual(batchA, batchB)) {
      throw new Error(`matmul: batch dimensions differ: ${formatShape(a.shape)} x ${formatShape(b.shape)}`);
    }
    const [m, ka] = transposeA ? [a.shape[r - 1], a.shape[r - 2]] : [a.shape[r - 2], a.shape[r - 1]];
    const [kb, n] = transposeB ? [b.shape[r - 1], b.shape[r - 2]] : [b.shape[r - 2], b.shape[r - 1]];
    if (ka !== kb) {
      const ta = transposeA ? 'ᵀ' : '';
      const tb = transposeB ? 'ᵀ' : '';
      throw new Error(`matmul: inner dimensions differ: ${formatShape(a.shape)}${ta} x ${formatShape(b.shape)}${tb}`);
    }
    return [{ shape: [...batchA, m, n], dtype: 'f32' }];
  },
  reshape: (inputs, { shape }, op) => {
    const a = unaryAval(op, inputs, ANY);
    checkShape('reshape', shape);
    if (sizeOf(shape) !== sizeOf(a.shape)) {
      throw new Error(`reshape: cannot reshape ${formatShape(a.shape)} (${sizeOf(a.shape)} elements) to ${formatShape(shape)}`);
    }
    return [{ shape, dtype: a.dtype }];
  },
  transpose: (inputs, { perm }, op) => {
    const a = unaryAval(op, inputs, ANY);
    const sorted = [...perm].sort((x, y) => x - y);
    if (perm.length !== a.shape.length || sorted.some((p, i) => p !== i)) {
      throw new Error(`transpose: [${perm.join(',')}] is not a permutation of the axes of ${formatShape(a.shape)}`);
    }
    return [{ shape: perm.map((p) => a.shape[p]), dtype: a.dtype }];
  },
  broadcast: (inputs, { shape }, op) => {
    const a = unaryAval(op, inputs, ANY);
    checkBroadcastable(a.shape, shape);
    return [{ shape, dtype: a.dtype }];
  },
  slice: (inputs, { starts, ends }, op) => {
    const a = unaryAval(op, inputs, ANY);
    const r = a.shape.length;
    if (starts.length !== r || ends.length !== r) {
      throw new Error(`slice: starts [${starts}] and ends [${ends}] need one entry per axis of ${formatShape(a.shape)}`);
    }
    for (let i = 0; i < r; i++) {
      if (!(0 <= starts[i] && starts[i] <= ends[i] && ends[i] <= a.shape[i])) {
        throw new Error(`slice: range [${starts[i]}, ${ends[i]}) is invalid for axis ${i} of ${formatShape(a.shape)}`);
      }
    }
    return [{ shape: starts.map((s, i) => ends[i] - s), dtype: a.dtype }];
  },
  pad: (inputs, { low, high }, op) => {
    const a = unaryAval(op, inputs, ANY);
    const r = a.shape.length;
    if (low.length !== r || high.length !== r || [...low, ...high].some((p) => !Number.isInteger(p) || p < 0)) {
      throw new Error(`pad: low [${low}] and high [${high}] need one non-negative integer per axis of ${formatShape(a.shape)}`);
    }
    return [{ shape: a.shape.map((d, i) => d + low[i] + high[i]), dtype: a.dtype }];
  },
  concat: (inputs, { axis }) => {
    if (inputs.length === 0) throw new Error('concat: needs at least one operand');
    const first = inputs[0];
    if (axis < 0 || axis >= first.shape.length) {
      throw new Error(`concat: axis ${axis} is out of range for operands ${describe(inputs)}`);
    }
    let total = 0;
    for (const a of inputs) {
      const fits = a.dtype === first.dtype && a.shape.length === first.shape.length &&
        a.shape.every((d, i) => i === axis || d === first.shape[i]);
      if (!fits) throw new Error(`concat: operands must agree in dtype and in every axis but ${axis}: ${describe(inputs)}`);
      total += a.shape[axis];
    }
    const shape = [...first.shape];
    shape[axis] = total;
    return [{ shape, dtype: first.dtype }];
  },
  gather: (inputs, { axis }) => {
    expectArity('gather', inputs, 2);
    const [x, indices] = inputs;
    if (indices.dtype !== 'i32') throw new Error(`gather: indices must be i32, got ${describe(inputs)}`);
    if (axis < 0 || axis >= x.shape.length) throw new Error(`gather: axis ${axis} is out of range for ${formatShape(x.shape)}`);
    return [{ shape: [...x.shape.slice(0, axis), ...indices.shape, ...x.shape.slice(axis + 1)], dtype: x.dtype }];
  },
  scatter_add: (inputs, { axis, size }) => {
    expectArity('scatter_add', inputs, 2);
    const [updates, indices] = inputs;
    if (indices.dtype !== 'i32') throw new Error(`scatter_add: indices must be i32, got ${describe(inputs)}`);
    expectDtype('scatter_add', [updates], NUMERIC);
    const k = indices.shape.length;
    const lead = updates.shape.slice(0, axis);
    const middle = updates.shape.slice(axis, axis + k);
    if (!shapesEqual(middle, indices.shape)) {
      throw new Error(`scatter_add: updates ${formatShape(updates.shape)} do not hold indices ${formatShape(indices.shape)} at axis ${axis}`);
    }
    return [{ shape: [...lead, size, ...updates.shape.slice(axis + k)], dtype: updates.dtype }];
  },
  stop_gradient: unary(ANY),
  iota: (inputs, { shape, axis, dtype }) => {
    expectArity('iota', inputs, 0);
    checkShape('iota', shape);
    if (axis < 0 || axis >= shape.length) throw new Error(`iota: axis ${axis} is out of range for ${formatShape(shape)}`);
    return [{ shape, dtype }];
  },
  random_bits: (inputs, { shape, dtype }) => {
    expectArity('random_bits', inputs, 1);
    const k = inputs[0];
    if (k.dtype !== 'i32' || !shapesEqual(k.shape, [2])) {
      throw new Error(`random_bits: the key must be i32[2], got ${describe(inputs)}`);
    }
    checkShape('random_bits', shape);
    return [{ shape, dtype }];
  },
};

/** Checks NumPy broadcastability of `from` to `to` (right-aligned, size-1 dims expand). */
export function checkBroadcastable(from: Shape, to: Shape): void {
  const offset = to.length - from.length;
  const ok = offset >= 0 && from.every((d, i) => d === 1 || d === to[offset + i]);
  if (!ok) throw new Error(`broadcast: cannot broadcast ${formatShape(from)} to ${formatShape(to)}`);
}

/** Infers the output avals of a primitive application, validating the operands. */
export function inferAvals<P extends Primitive>(primitive: P, inputs: readonly Aval[], params: PrimitiveParams[P]): Aval[] {
  return (shapeRules[primitive] as ShapeRule<P>)(inputs, params, primitive);
}
