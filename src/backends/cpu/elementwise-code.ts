/**
 * JavaScript source for elementwise primitives, shared by the single-primitive kernels and the
 * fused loops of compiled programs. Each primitive is an expression in float64 over its operand
 * values. A value is then rounded exactly as storing it in its dtype's typed array would round it:
 * Math.fround for f32, ToInt32 for i32, ToUint8 for bool. A fused loop applies that rounding to
 * every intermediate too, so fusing never changes a bit of any result.
 */
import type { DType } from '../../core/dtype.js';
import type { Primitive } from '../../core/primitives.js';
import { erf, exp, logistic, tanh } from './scalar-math.js';

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

/** Helpers that generated code calls, by the names it uses; every generated function receives all of them. */
export const ELEMENTWISE_HELPERS: Readonly<Record<string, (...args: number[]) => number>> = {
  erf,
  exp,
  logistic,
  signOf,
  tanh,
  maxNaN: maxPropagatingNaN,
  minNaN: minPropagatingNaN,
};

/** Primitives that generated elementwise code implements. */
export type CodePrimitive =
  | 'neg' | 'exp' | 'log' | 'sqrt' | 'rsqrt' | 'tanh' | 'sin' | 'cos' | 'abs' | 'sign' | 'erf' | 'logistic' | 'logical_not'
  | 'add' | 'sub' | 'mul' | 'div' | 'pow' | 'max' | 'min' | 'lt' | 'le' | 'gt' | 'ge' | 'eq' | 'ne' | 'logical_and' | 'logical_or'
  | 'where' | 'cast' | 'stop_gradient';

const CODE_PRIMITIVES: ReadonlySet<string> = new Set<CodePrimitive>([
  'neg', 'exp', 'log', 'sqrt', 'rsqrt', 'tanh', 'sin', 'cos', 'abs', 'sign', 'erf', 'logistic', 'logical_not',
  'add', 'sub', 'mul', 'div', 'pow', 'max', 'min', 'lt', 'le', 'gt', 'ge', 'eq', 'ne', 'logical_and', 'logical_or',
  'where', 'cast', 'stop_gradient',
]);

/** True for the primitives that `elementwiseExpression` handles. */
export function isCodePrimitive(p: Primitive): p is CodePrimitive {
  return CODE_PRIMITIVES.has(p);
}

/**
 * Returns the float64 expression of `primitive` over operand expressions `args` (plain
 * identifiers), for a result of dtype `out` and, for `cast`, the target dtype.
 */
export function elementwiseExpression(primitive: CodePrimitive, args: readonly string[], out: DType): string {
  const [a, b, c] = args;
  switch (primitive) {
    case 'neg': return `-${a}`;
    case 'exp': return `exp(${a})`;
    case 'log': return `Math.log(${a})`;
    case 'sqrt': return `Math.sqrt(${a})`;
    case 'rsqrt': return `1 / Math.sqrt(${a})`;
    case 'tanh': return `tanh(${a})`;
    case 'sin': return `Math.sin(${a})`;
    case 'cos': return `Math.cos(${a})`;
    case 'abs': return `Math.abs(${a})`;
    case 'sign': return `signOf(${a})`;
    case 'erf': return `erf(${a})`;
    case 'logistic': return `logistic(${a})`;
    case 'logical_not': return `(${a} ? 0 : 1)`;
    case 'add': return `${a} + ${b}`;
    case 'sub': return `${a} - ${b}`;
    case 'mul': return `${a} * ${b}`;
    // Integer division truncates toward zero, as C and NumPy's `trunc_divide`; x / 0 gives 0.
    case 'div': return out === 'i32' ? `(${b} === 0 ? 0 : Math.trunc(${a} / ${b}))` : `${a} / ${b}`;
    case 'pow': return `Math.pow(${a}, ${b})`;
    case 'max': return `maxNaN(${a}, ${b})`;
    case 'min': return `minNaN(${a}, ${b})`;
    case 'lt': return `(${a} < ${b} ? 1 : 0)`;
    case 'le': return `(${a} <= ${b} ? 1 : 0)`;
    case 'gt': return `(${a} > ${b} ? 1 : 0)`;
    case 'ge': return `(${a} >= ${b} ? 1 : 0)`;
    case 'eq': return `(${a} === ${b} ? 1 : 0)`;
    case 'ne': return `(${a} !== ${b} ? 1 : 0)`;
    case 'logical_and': return `(${a} && ${b} ? 1 : 0)`;
    case 'logical_or': return `(${a} || ${b} ? 1 : 0)`;
    case 'where': return `(${a} ? ${b} : ${c})`;
    case 'cast': return out === 'bool' ? `(${a} !== 0 ? 1 : 0)` : a;
    case 'stop_gradient': return a;
  }
}

/** Wraps a float64 expression so its value is what a typed array of `dtype` would store. */
export function roundToDtype(expression: string, dtype: DType): string {
  switch (dtype) {
    case 'f32': return `Math.fround(${expression})`;
    case 'i32': return `((${expression}) | 0)`;
    case 'bool': return `((${expression}) & 255)`;
  }
}

/** The typed-array constructor name of each dtype, for generated allocations. */
export const ARRAY_NAME: Readonly<Record<DType, string>> = { f32: 'Float32Array', i32: 'Int32Array', bool: 'Uint8Array' };

/**
 * Compiles `body` (the source of a function taking `parameters`) with the elementwise helpers in
 * scope. Generated sources contain only identifiers, numbers and operators, never user strings.
 */
export function compileGenerated<F extends (...args: never[]) => unknown>(parameters: readonly string[], body: string): F {
  const helperNames = Object.keys(ELEMENTWISE_HELPERS);
  const factory = new Function(...helperNames, `"use strict";\nreturn function generated(${parameters.join(', ')}) {\n${body}\n};`) as (
    ...helpers: ((...args: number[]) => number)[]
  ) => F;
  return factory(...helperNames.map((n) => ELEMENTWISE_HELPERS[n]));
}
