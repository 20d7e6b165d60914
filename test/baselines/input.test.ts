/**
 * Input forms and validation. Tensors, shaped float64 arrays, bare label arrays and nested
 * arrays give the same predictions. Wrong shapes and non-finite values raise errors that name
 * the baseline, the shapes and the fix.
 */
import { describe, expect, test } from 'vitest';
import { fromData, tensor } from '../../src/core/tensor.js';
import { averaging, leastSquares } from '../../src/models/baselines/index.js';

const nestedXs = [
  [
    [1, 0],
    [0, 1],
    [1, 1],
  ],
  [
    [2, 1],
    [1, -1],
    [0.5, 0.5],
  ],
];
const nestedYs = [
  [2, 3, 0],
  [1, 4, 2],
];

describe('input forms', () => {
  test('one prompt returns shape [n]', () => {
    const result = leastSquares().predict(nestedXs[0], nestedYs[0]);
    expect(result.shape).toEqual([3]);
    expect([...result.predictions]).toEqual([0, 0, 5]);
    expect(result.solver).toBeUndefined();
  });

  test('batch forms agree', () => {
    const baseline = averaging();
    const fromNested = baseline.predict(nestedXs, nestedYs);
    const xsData = Float64Array.from(nestedXs.flat(2));
    const ysData = Float64Array.from(nestedYs.flat());
    const fromShaped = baseline.predict({ data: xsData, shape: [2, 3, 2] }, { data: ysData, shape: [2, 3] });
    const fromBare = baseline.predict({ data: xsData, shape: [2, 3, 2] }, ysData);
    const fromTensors = baseline.predict(
      fromData(Float32Array.from(xsData), [2, 3, 2]),
      tensor(nestedYs),
    );
    expect(fromNested.shape).toEqual([2, 3]);
    for (const other of [fromShaped, fromBare, fromTensors]) {
      expect(other.shape).toEqual([2, 3]);
      expect([...other.predictions]).toEqual([...fromNested.predictions]);
    }
  });

  test('batch prompts are independent', () => {
    const batch = leastSquares().predict(nestedXs, nestedYs).predictions;
    const second = leastSquares().predict(nestedXs[1], nestedYs[1]).predictions;
    expect([...batch.subarray(3, 6)]).toEqual([...second]);
  });

  test('empty prompt gives no predictions', () => {
    const result = leastSquares().predict({ data: new Float64Array(0), shape: [0, 4] }, new Float64Array(0));
    expect(result.predictions.length).toBe(0);
  });
});

describe('input validation', () => {
  test('mismatched label count names both shapes', () => {
    expect(() => leastSquares().predict(nestedXs[0], [1, 2])).toThrow(
      'least_squares: xs has shape [3, 2] but ys has shape [2]; ys must have shape [3] (one label per input row)',
    );
  });

  test('batch labels must be [B, n]', () => {
    expect(() => averaging().predict(nestedXs, [1, 2, 3])).toThrow(
      'averaging: xs has shape [2, 3, 2] but ys has shape [3]; ys must have shape [2, 3] (one label per input row)',
    );
  });

  test('xs of the wrong rank is rejected', () => {
    expect(() => leastSquares().predict([1, 2, 3] as unknown as number[][], [1, 2, 3])).toThrow(
      /least_squares: xs has shape \[3\], expected \[n, d\] for one prompt or \[B, n, d\] for a batch/,
    );
  });

  test('shape that does not fit the data is rejected', () => {
    expect(() => leastSquares().predict({ data: new Float64Array(5), shape: [2, 2] }, new Float64Array(2))).toThrow(
      /least_squares: xs.shape \[2, 2\] does not match xs.data with 5 elements/,
    );
  });

  test('ragged nested arrays are rejected', () => {
    expect(() => leastSquares().predict([[1, 2], [3]], [1, 2])).toThrow(/least_squares: xs is a ragged nested array/);
  });

  test('NaN is rejected with its index', () => {
    expect(() => averaging().predict([[1], [Number.NaN]], [1, 2])).toThrow(
      'averaging: xs[1, 0] is NaN; baselines need finite inputs, so remove or replace NaN and infinite values',
    );
  });

  test('zero input dimension is rejected', () => {
    expect(() => averaging().predict({ data: new Float64Array(0), shape: [3, 0] }, new Float64Array(3))).toThrow(
      /averaging: xs has shape \[3, 0\] with input dimension d = 0/,
    );
  });
});
