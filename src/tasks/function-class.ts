/**
 * The `FunctionClass` interface: a sampler of task functions f: R^d -> R, one per prompt, plus
 * the closed-form moments and the metric normaliser that evaluation needs.
 */
import { checkNumber } from './checks.js';
import { checkDims, type Points } from './points.js';
import type { Sampler } from './sampler.js';

/** The dimensions a function is drawn for: inputs live in R^d, and only the first `activeDims` coordinates vary. */
export interface FunctionShape {
  readonly d: number;
  readonly activeDims: number;
}

/**
 * One drawn function. `apply(x)` evaluates it on the n rows of an [n, d] input matrix and returns
 * the n outputs. It is pure: the same x always gives the same outputs, including the noise of
 * noisy regression, which comes from the function's own key. `params` contains the drawn weights.
 */
export interface TaskFunction<P = unknown> {
  readonly params: P;
  readonly apply: (x: Points) => Float64Array;
}

/** A function class: draws one `TaskFunction` per prompt. */
export interface FunctionClass<P = unknown> {
  /** Registry name, e.g. `hermite_regression`. */
  readonly name: string;
  /** Name with parameters, e.g. `hermite_regression(degree=2)`. */
  readonly label: string;
  readonly sample: (shape: FunctionShape) => Sampler<TaskFunction<P>>;
  /**
   * E[y^2] for x ~ N(0, I) on the active coordinates, from the closed forms. Absent when no
   * closed form is known.
   */
  readonly expectedSquare?: (shape: FunctionShape) => number;
  /** The default divisor of the squared error in ICL curves (d, s or 1). */
  readonly normalizer: (shape: FunctionShape) => number;
  /**
   * Optional batch-level rescaling: given all outputs of a batch, returns the factor they are
   * multiplied by (noisy regression's `renormalize`).
   */
  readonly batchScale?: (ys: Float64Array, shape: FunctionShape) => number;
}

/** Validates a function shape: integers d >= 1 and 1 <= activeDims <= d. */
export function checkFunctionShape(op: string, shape: FunctionShape): void {
  checkDims(op, shape);
}

/** Throws unless the inputs have the dimension the function was drawn for. */
export function checkInputDims(op: string, x: Points, d: number): void {
  if (x.d !== d) {
    throw new RangeError(`${op}: the function was drawn for d = ${d} but the inputs have d = ${x.d}; draw it with the inputs' d`);
  }
}

/** Validates an output scale c > 0 and returns it, 1 when undefined. */
export function checkScale(op: string, scale: number | undefined): number {
  const value = scale ?? 1;
  checkNumber(op, 'scale', value, { min: 0, exclusiveMin: true }, 'pass a positive finite scale such as 1');
  return value;
}

/**
 * Returns the label `name(key=value, ...)` listing only the options that differ from their
 * defaults, or the bare name when all are defaults.
 */
export function labelOf(name: string, values: Record<string, unknown>, defaults: Record<string, unknown>): string {
  const changed = Object.entries(values).filter(([option, value]) => value !== defaults[option]);
  if (changed.length === 0) return name;
  return `${name}(${changed.map(([option, value]) => `${option}=${String(value)}`).join(', ')})`;
}

/** Multiplies `values` by `factor` in place and returns it. */
export function scaleInPlace(values: Float64Array, factor: number): Float64Array {
  if (factor !== 1) for (let i = 0; i < values.length; i++) values[i] *= factor;
  return values;
}
