/**
 * Reverse-mode rules: for each primitive, the cotangents of its inputs given the cotangent `g` of
 * its output, written with DSL operations so they can be traced, compiled and differentiated
 * again. `null` marks an input without a gradient (integer or boolean operands, indices).
 *
 * Numerical contract:
 * - The untaken branch of `where` gets exactly zero gradient, even through operations whose
 *   local derivative is infinite or NaN there, because a zero cotangent gives a zero gradient.
 * - `pow` has a zero exponent-gradient where the base is 0 and a zero base-gradient where the
 *   exponent is 0.
 * - `max`/`min` split the gradient equally between tied operands.
 * - sqrt at 0 gives +Infinity times a nonzero cotangent, as IEEE arithmetic does.
 */
import { bind } from './bind.js';
import { isFloat } from './dtype.js';
import {
  add, cast, cos, div, equal, exp, greater, less, logicalAnd, mul, neg, notEqual, sin, sub, where,
} from './elementwise.js';
import type { Primitive, PrimitiveParams } from './primitives.js';
import { reshape } from './movement.js';
import { sum } from './reductions.js';
import type { Tensor } from './tensor.js';

export type VjpRule<P extends Primitive> = (
  g: Tensor,
  inputs: readonly Tensor[],
  output: Tensor,
  params: PrimitiveParams[P],
) => (Tensor | null)[];

const none: VjpRule<Primitive> = (_g, inputs) => inputs.map(() => null);

const TWO_OVER_SQRT_PI = 1.1283791670955126;

/** Broadcasts a reduced cotangent back over the reduced axes of `input`. */
function unreduce(g: Tensor, input: Tensor, axes: readonly number[]): Tensor {
  const kept = input.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  return bind('broadcast', [reshape(g, kept)], { shape: [...input.shape] });
}

/**
 * Returns the input cotangent `ct` of an elementwise primitive with 0 where the output cotangent
 * `g` is 0 and `ct` is NaN. Such a NaN is 0 times an infinite or NaN local derivative, as in the
 * untaken branch of `where` at log(0) or sqrt(0). Elsewhere `ct` and its derivatives are unchanged.
 */
function guarded(g: Tensor, ct: Tensor): Tensor {
  return where(logicalAnd(equal(g, 0), notEqual(ct, ct)), 0, ct);
}

function maxMinRule(pick: typeof greater): VjpRule<'max' | 'min'> {
  return (g, [a, b]) => {
    const half = mul(g, 0.5);
    const tie = equal(a, b);
    const aWins = pick(a, b);
    const bWins = pick(b, a);
    return [
      where(aWins, g, where(tie, half, 0)),
      where(bWins, g, where(tie, half, 0)),
    ];
  };
}

export const vjpRules: { [P in Primitive]: VjpRule<P> } = {
  neg: (g) => [neg(g)],
  exp: (g, _inputs, y) => [guarded(g, mul(g, y))],
  log: (g, [x]) => [guarded(g, div(g, x))],
  sqrt: (g, _inputs, y) => [guarded(g, div(mul(g, 0.5), y))],
  rsqrt: (g, [x], y) => [guarded(g, mul(mul(g, -0.5), div(y, x)))],
  tanh: (g, _inputs, y) => [guarded(g, mul(g, sub(1, mul(y, y))))],
  sin: (g, [x]) => [guarded(g, mul(g, cos(x)))],
  cos: (g, [x]) => [guarded(g, neg(mul(g, sin(x))))],
  abs: (g, [x]) => [isFloat(x.dtype) ? guarded(g, mul(g, bind('sign', [x], {}))) : null],
  // The derivative of sign is zero wherever it exists; null adds nothing upstream.
  sign: none,
  erf: (g, [x]) => [guarded(g, mul(g, mul(TWO_OVER_SQRT_PI, exp(neg(mul(x, x))))))],
  logistic: (g, _inputs, y) => [guarded(g, mul(g, mul(y, sub(1, y))))],
  logical_not: none,
  add: (g) => [g, g],
  sub: (g) => [g, neg(g)],
  mul: (g, [a, b]) => [guarded(g, mul(g, b)), guarded(g, mul(g, a))],
  div: (g, [a, b], y) => [guarded(g, div(g, b)), guarded(g, neg(div(mul(g, y), b)))],
  pow: (g, [a, b], y) => {
    const baseGrad = where(equal(b, 0), 0, mul(b, bind('pow', [a, sub(b, 1)], {})));
    const safeLog = bind('log', [where(equal(a, 0), 1, a)], {});
    const exponentGrad = where(equal(a, 0), 0, mul(y, safeLog));
    return [guarded(g, mul(g, baseGrad)), guarded(g, mul(g, exponentGrad))];
  },
  max: maxMinRule(greater),
  min: maxMinRule(less),
  lt: none,
  le: none,
  gt: none,
  ge: none,
  eq: none,
  ne: none,
  logical_and: none,
  logical_or: none,
  where: (g, [c]) => [null, where(c, g, 0), where(c, 0, g)],
  cast: (g, [x]) => [isFloat(x.dtype) && isFloat(g.dtype) ? cast(g, x.dtype) : null],
  reduce_sum: (g, [x], _y, { axes }) => [unreduce(g, x, axes)],
  reduce_max: (g, [x], y, { axes }) => {
    const hits = cast(equal(x, unreduce(y, x, axes)), 'f32');
    const count = unreduce(sum(hits, axes), x, axes);
    return [div(mul(unreduce(g, x, axes), hits), count)];
  },
  matmul: (g, [a, b], _y, { transposeA, transposeB }) => {
    const da = transposeA
      ? bind('matmul', [b, g], { transposeA: transposeB, transposeB: true })
      : bind('matmul', [g, b], { transposeA: false, transposeB: !transposeB });
    const db = transposeB
      ? bind('matmul', [g, a], { transposeA: true, transposeB: transposeA })
      : bind('matmul', [a, g], { transposeA: !transposeA, transposeB: false });
    return [da, db];
  },
  reshape: (g, [x]) => [reshape(g, x.shape)],
  transpose: (g, _inputs, _y, { perm }) => {
    const inverse = new Array<number>(perm.length);
    perm.forEach((p, i) => (inverse[p] = i));
    return [bind('transpose', [g], { perm: inverse })];
  },
  broadcast: (g, [x], _y, { shape }) => {
    const offset = shape.length - x.ndim;
    const axes = shape.flatMap((d, i) => (i < offset || (x.shape[i - offset] === 1 && d !== 1) ? [i] : []));
    const summed = axes.length > 0 ? sum(g, axes) : g;
    return [reshape(summed, x.shape)];
  },
  slice: (g, [x], _y, { starts, ends }) => [
    bind('pad', [g], { low: [...starts], high: ends.map((e, i) => x.shape[i] - e), value: 0 }),
  ],
  pad: (g, [x], _y, { low }) => [
    bind('slice', [g], { starts: [...low], ends: low.map((l, i) => l + x.shape[i]) }),
  ],
  concat: (g, inputs, _y, { axis }) => {
    let start = 0;
    return inputs.map((x) => {
      const starts = g.shape.map((_, i) => (i === axis ? start : 0));
      const ends = g.shape.map((d, i) => (i === axis ? start + x.shape[axis] : d));
      start += x.shape[axis];
      return bind('slice', [g], { starts, ends });
    });
  },
  gather: (g, [x, indices], _y, { axis }) => [
    bind('scatter_add', [g, indices], { axis, size: x.shape[axis] }),
    null,
  ],
  scatter_add: (g, [, indices], _y, { axis }) => [bind('gather', [g, indices], { axis }), null],
  // null rather than zeros: nothing upstream of a stopped value is differentiated.
  stop_gradient: none,
  iota: none,
  random_bits: none,
};

/** Adds two cotangents (used when a value has several consumers). */
export function accumulate(a: Tensor | undefined, b: Tensor): Tensor {
  return a === undefined ? b : add(a, b);
}
