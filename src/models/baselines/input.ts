/**
 * Conversion and validation of baseline inputs: tensors, shaped float64 arrays or nested arrays
 * become one float64 batch [B, n, d] / [B, n]. Errors name the baseline, the shapes and the fix.
 */
import { isTensor, type Tensor } from '../../core/tensor.js';
import type { Float64Input, NestedXs, NestedYs, XsInput, YsInput } from './types.js';

/** A validated batch of prompts in float64. */
export interface PromptBatch {
  /** Inputs [B, n, d], row-major. */
  readonly xs: Float64Array;
  /** Labels [B, n], row-major. */
  readonly ys: Float64Array;
  readonly batch: number;
  readonly n: number;
  readonly d: number;
  /** True when the caller passed a batch ([B, n, d]), false for one prompt ([n, d]). */
  readonly batched: boolean;
}

interface Shaped {
  readonly data: Float64Array;
  readonly shape: readonly number[];
}

function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

function isFloat64Input(value: unknown): value is Float64Input {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    (value as Float64Input).data instanceof Float64Array &&
    Array.isArray((value as Float64Input).shape)
  );
}

function fromTensor(baseline: string, argument: string, value: Tensor): Shaped {
  if (value.dtype === 'bool') {
    throw new TypeError(
      `${baseline}: ${argument} is a bool tensor of shape ${formatShape(value.shape)}; ` +
        'pass numeric values (an f32 or i32 tensor, or a Float64Array)',
    );
  }
  return { data: Float64Array.from(value.data()), shape: [...value.shape] };
}

/** Flattens nested number arrays, checking that they are rectangular. */
function fromNested(baseline: string, argument: string, value: NestedXs | NestedYs): Shaped {
  const shape: number[] = [];
  let probe: unknown = value;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    probe = probe[0];
  }
  const flat: number[] = [];
  const walk = (node: unknown, axis: number, path: number[]): void => {
    if (axis === shape.length) {
      if (typeof node !== 'number') {
        throw new TypeError(
          `${baseline}: ${argument}[${path.join('][')}] is ${typeof node}, expected a number; ` +
            `pass rectangular nested arrays of numbers with shape ${formatShape(shape)}`,
        );
      }
      flat.push(node);
      return;
    }
    if (!Array.isArray(node) || node.length !== shape[axis]) {
      throw new TypeError(
        `${baseline}: ${argument} is a ragged nested array (${argument}[${path.join('][')}] should have ` +
          `length ${shape[axis]}); pass rectangular nested arrays`,
      );
    }
    node.forEach((child: unknown, i: number) => walk(child, axis + 1, [...path, i]));
  };
  walk(value, 0, []);
  return { data: Float64Array.from(flat), shape };
}

function toShaped(baseline: string, argument: string, value: XsInput | YsInput): Shaped {
  if (isTensor(value)) return fromTensor(baseline, argument, value);
  if (isFloat64Input(value)) {
    const size = value.shape.reduce((a, b) => a * b, 1);
    if (!value.shape.every((s) => Number.isInteger(s) && s >= 0) || size !== value.data.length) {
      throw new RangeError(
        `${baseline}: ${argument}.shape ${formatShape(value.shape)} does not match ${argument}.data with ` +
          `${value.data.length} elements; give a shape of non-negative integers whose product is the data length`,
      );
    }
    return { data: value.data, shape: [...value.shape] };
  }
  if (Array.isArray(value)) return fromNested(baseline, argument, value as NestedXs | NestedYs);
  throw new TypeError(
    `${baseline}: ${argument} must be a Tensor, a { data: Float64Array, shape } object or nested number arrays`,
  );
}

function checkFinite(baseline: string, argument: string, value: Shaped): void {
  for (let i = 0; i < value.data.length; i++) {
    if (Number.isFinite(value.data[i])) continue;
    const index: number[] = [];
    let rest = i;
    for (let axis = value.shape.length - 1; axis >= 0; axis--) {
      index.unshift(rest % value.shape[axis]);
      rest = Math.floor(rest / value.shape[axis]);
    }
    throw new RangeError(
      `${baseline}: ${argument}[${index.join(', ')}] is ${value.data[i]}; ` +
        'baselines need finite inputs, so remove or replace NaN and infinite values',
    );
  }
}

/**
 * Converts xs and ys into a float64 batch and validates them. xs must have shape [n, d] or
 * [B, n, d] with d >= 1, and ys [n] or [B, n] with the same leading sizes. Throws an error that
 * names the baseline, both shapes and the expected shape.
 */
export function toPromptBatch(baseline: string, xsInput: XsInput, ysInput: YsInput): PromptBatch {
  const xs = toShaped(baseline, 'xs', xsInput);
  if (xs.shape.length !== 2 && xs.shape.length !== 3) {
    throw new RangeError(
      `${baseline}: xs has shape ${formatShape(xs.shape)}, expected [n, d] for one prompt or [B, n, d] ` +
        'for a batch; reshape the inputs so that the last axis is the input dimension',
    );
  }
  const batched = xs.shape.length === 3;
  const [batch, n, d] = batched ? xs.shape : [1, ...xs.shape];
  if (d < 1) {
    throw new RangeError(
      `${baseline}: xs has shape ${formatShape(xs.shape)} with input dimension d = 0; pass at least one feature`,
    );
  }
  const expected = batched ? [batch, n] : [n];
  const ys =
    ysInput instanceof Float64Array
      ? { data: ysInput, shape: ysInput.length === batch * n ? expected : [ysInput.length] }
      : toShaped(baseline, 'ys', ysInput);
  const matches = ys.shape.length === expected.length && ys.shape.every((s, i) => s === expected[i]);
  if (!matches) {
    throw new RangeError(
      `${baseline}: xs has shape ${formatShape(xs.shape)} but ys has shape ${formatShape(ys.shape)}; ` +
        `ys must have shape ${formatShape(expected)} (one label per input row)`,
    );
  }
  checkFinite(baseline, 'xs', xs);
  checkFinite(baseline, 'ys', ys);
  return { xs: xs.data, ys: ys.data, batch, n, d, batched };
}
