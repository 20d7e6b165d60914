/**
 * Elementwise operations with NumPy broadcasting. Numbers are accepted where a tensor is and take
 * the dtype of the tensor operand; broadcasting is made explicit in the IR as `broadcast`
 * equations, whose gradient sums back to the operand's shape.
 */
import { bind } from './bind.js';
import { scalar } from './creation.js';
import type { DType } from './dtype.js';
import type { BinaryPrimitive, UnaryPrimitive } from './primitives.js';
import { broadcastShapes, shapesEqual, type Shape } from './shape.js';
import { isTensor, type Tensor } from './tensor.js';

/** A tensor or a plain number (converted to a scalar of the other operand's dtype). */
export type TensorLike = Tensor | number | boolean;

/** Broadcasts `x` to `shape` (NumPy rules); returns `x` itself when the shape already matches. */
export function broadcastTo(x: Tensor, shape: Shape): Tensor {
  if (shapesEqual(x.shape, shape)) return x;
  return bind('broadcast', [x], { shape: [...shape] });
}

function toTensor(value: TensorLike, dtype: DType): Tensor {
  return isTensor(value) ? value : scalar(value, dtype);
}

function dtypeOf(values: readonly TensorLike[], fallback: DType = 'f32'): DType {
  for (const v of values) if (isTensor(v)) return v.dtype;
  return typeof values[0] === 'boolean' ? 'bool' : fallback;
}

/** Converts operands to tensors of one dtype and broadcasts them to a common shape. */
export function broadcastOperands(op: string, values: readonly TensorLike[]): Tensor[] {
  const dtype = dtypeOf(values);
  const tensors = values.map((v) => toTensor(v, dtype));
  const shape = broadcastShapes(op, ...tensors.map((t) => t.shape));
  return tensors.map((t) => broadcastTo(t, shape));
}

function unary(op: UnaryPrimitive) {
  return (x: Tensor): Tensor => bind(op, [x], {});
}

function binary(op: BinaryPrimitive) {
  return (a: TensorLike, b: TensorLike): Tensor => {
    const [x, y] = broadcastOperands(op, [a, b]);
    return bind(op, [x, y], {});
  };
}

export const neg = unary('neg');
export const exp = unary('exp');
export const log = unary('log');
export const sqrt = unary('sqrt');
export const rsqrt = unary('rsqrt');
export const tanh = unary('tanh');
export const sin = unary('sin');
export const cos = unary('cos');
export const abs = unary('abs');
export const sign = unary('sign');
export const erf = unary('erf');
/** The logistic sigmoid 1 / (1 + exp(-x)). */
export const sigmoid = unary('logistic');
export const logicalNot = unary('logical_not');

export const add = binary('add');
export const sub = binary('sub');
export const mul = binary('mul');
export const div = binary('div');
export const pow = binary('pow');
export const maximum = binary('max');
export const minimum = binary('min');
export const less = binary('lt');
export const lessEqual = binary('le');
export const greater = binary('gt');
export const greaterEqual = binary('ge');
export const equal = binary('eq');
export const notEqual = binary('ne');
export const logicalAnd = binary('logical_and');
export const logicalOr = binary('logical_or');

/** x * x. */
export function square(x: Tensor): Tensor {
  return bind('mul', [x, x], {});
}

/**
 * Selects `onTrue` where `condition` is true and `onFalse` elsewhere, with broadcasting. The
 * gradient of the untaken branch is exactly zero, even where that branch is NaN or infinite.
 */
export function where(condition: TensorLike, onTrue: TensorLike, onFalse: TensorLike): Tensor {
  const dtype = dtypeOf([onTrue, onFalse]);
  const c = toTensor(condition, 'bool');
  const [cb, t, f] = (() => {
    const a = toTensor(onTrue, dtype);
    const b = toTensor(onFalse, dtype);
    const shape = broadcastShapes('where', c.shape, a.shape, b.shape);
    return [broadcastTo(c, shape), broadcastTo(a, shape), broadcastTo(b, shape)];
  })();
  return bind('where', [cb, t, f], {});
}

/** Converts to another dtype (f32 to i32 truncates toward zero; nonzero to bool is true). */
export function cast(x: Tensor, dtype: DType): Tensor {
  if (x.dtype === dtype) return x;
  return bind('cast', [x], { dtype });
}

/** Blocks gradients: the value passes through, its derivative is zero. */
export function stopGradient(x: Tensor): Tensor {
  return bind('stop_gradient', [x], {});
}
