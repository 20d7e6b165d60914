/**
 * Composites written in the DSL: statistics, softmax family, normalisation, activations and
 * losses. Numerical contract: softmax and logsumexp subtract the (gradient-stopped) row maximum.
 * A row that is entirely -Infinity gives logsumexp and logSoftmax -Infinity and softmax zeros,
 * and logsumexp and softmax have zero gradients there. Variance is two-pass, and `norm` has a
 * zero gradient at the origin.
 */
import { scalar } from './creation.js';
import { isFloat } from './dtype.js';
import {
  abs, add, cast, div, equal, exp, greater, log, maximum, mul, neg, sqrt, square, stopGradient, sub, tanh, where,
  type TensorLike,
} from './elementwise.js';
import { max, reducedCount, sum, type Axes, type ReduceOptions } from './reductions.js';
import type { Tensor } from './tensor.js';

function asFloat(x: Tensor): Tensor {
  return isFloat(x.dtype) ? x : cast(x, 'f32');
}

/** Mean over `axes` (all by default), as f32 for every input dtype (i32 is not truncated). */
export function mean(x: Tensor, axes?: Axes, options: ReduceOptions = {}): Tensor {
  return div(sum(asFloat(x), axes, options), reducedCount(x, axes));
}

/** Population variance over `axes`, computed in two passes: mean((x - mean(x))^2). */
export function variance(x: Tensor, axes?: Axes, options: ReduceOptions = {}): Tensor {
  const values = asFloat(x);
  const centered = sub(values, mean(values, axes, { keepdims: true }));
  return mean(square(centered), axes, options);
}

/** True where x is neither infinite nor NaN. */
export function isFinite(x: Tensor): Tensor {
  return equal(sub(x, x), 0);
}

/** Computes the row maximum with its gradient stopped and non-finite values replaced by 0. */
function safeShift(x: Tensor, axis: number): Tensor {
  const m = stopGradient(max(x, axis, { keepdims: true }));
  return where(isFinite(m), m, 0);
}

/**
 * Splits log-sum-exp into x - shift and log(sum(exp(x - shift))) along `axis` (kept as size 1).
 * An all -Infinity row has a zero sum; its log is taken of 1 instead, so gradients stay finite.
 */
function shiftedLogSumExp(x: Tensor, axis: number): { shift: Tensor; shifted: Tensor; logTotal: Tensor; empty: Tensor } {
  const shift = safeShift(x, axis);
  const shifted = sub(x, shift);
  const total = sum(exp(shifted), axis, { keepdims: true });
  const empty = equal(total, 0);
  return { shift, shifted, logTotal: log(where(empty, 1, total)), empty };
}

/** Computes log(sum(exp(x), axis)), stable for large values; an all -Infinity row gives -Infinity with zero gradient. */
export function logsumexp(x: Tensor, axis = -1, options: ReduceOptions = {}): Tensor {
  const { shift, logTotal, empty } = shiftedLogSumExp(x, axis);
  const result = where(empty, -Infinity, add(logTotal, shift));
  return options.keepdims ? result : sum(result, axis);
}

/** Softmax along `axis`; a row that is entirely -Infinity gives zeros. */
export function softmax(x: Tensor, axis = -1): Tensor {
  const e = exp(sub(x, safeShift(x, axis)));
  const total = sum(e, axis, { keepdims: true });
  return div(e, where(equal(total, 0), 1, total));
}

/**
 * Log-softmax along `axis`: x - logsumexp(x), computed as (x - max) - log(sum(exp(x - max))) so
 * that a row that is entirely -Infinity gives -Infinity rather than -Infinity - (-Infinity) = NaN.
 */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  const { shifted, logTotal } = shiftedLogSumExp(x, axis);
  return sub(shifted, logTotal);
}

/**
 * Layer normalisation over the last axis: (x - mean) / sqrt(var + eps) * weight + bias, with
 * two-pass variance (eps defaults to 1e-5, as PyTorch).
 */
export function layerNorm(x: Tensor, weight?: Tensor, bias?: Tensor, eps = 1e-5): Tensor {
  const centered = sub(x, mean(x, -1, { keepdims: true }));
  const v = mean(square(centered), -1, { keepdims: true });
  let y = mul(centered, div(1, sqrt(add(v, eps))));
  if (weight) y = mul(y, weight);
  if (bias) y = add(y, bias);
  return y;
}

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/** GELU in GPT-2's tanh form: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))). */
export function gelu(x: Tensor): Tensor {
  const inner = mul(SQRT_2_OVER_PI, add(x, mul(0.044715, mul(x, square(x)))));
  return mul(mul(0.5, x), add(1, tanh(inner)));
}

/** max(x, 0), with derivative 0 at x = 0 (PyTorch's convention). */
export function relu(x: Tensor): Tensor {
  return where(greater(x, 0), x, 0);
}

/** Mean squared error over all elements. */
export function mse(prediction: Tensor, target: TensorLike): Tensor {
  return mean(square(sub(prediction, target)));
}

/**
 * Cross-entropy of logits against target probabilities (one-hot or soft) along the last axis,
 * averaged over the other axes: mean(-sum(targets * logSoftmax(logits))).
 */
export function crossEntropyWithLogits(logits: Tensor, targets: Tensor): Tensor {
  return mean(neg(sum(mul(targets, logSoftmax(logits, -1)), -1)));
}

/**
 * Binary cross-entropy of logits against targets in [0, 1], averaged:
 * max(x, 0) - x t + log(1 + exp(-|x|)), which never overflows.
 */
export function binaryCrossEntropyWithLogits(logits: Tensor, targets: TensorLike): Tensor {
  const loss = add(sub(maximum(logits, 0), mul(logits, targets)), log(add(1, exp(neg(abs(logits))))));
  return mean(loss);
}

/** Replaces entries where `mask` is true with `value` (e.g. -Infinity for attention masks). */
export function maskedFill(x: Tensor, mask: Tensor, value: number): Tensor {
  return where(mask, scalar(value, x.dtype), x);
}

/**
 * Euclidean norm over `axes` (all by default). Its gradient at the origin is zero (the
 * subgradient PyTorch chooses) rather than NaN. The same norm written as
 * `sqrt(sum(square(x)))` has a NaN gradient at the origin, as in JAX: sqrt' = +Infinity there,
 * times d(sum x^2)/dx = 0.
 */
export function norm(x: Tensor, axes?: Axes, options: ReduceOptions = {}): Tensor {
  const s = sum(square(x), axes, options);
  const positive = greater(s, 0);
  return where(positive, sqrt(where(positive, s, 1)), 0);
}
