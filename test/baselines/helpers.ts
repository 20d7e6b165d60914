/** Shared helpers of the baseline tests: Gaussian linear prompts and Monte Carlo summaries. */
import { key, normal64, split } from '../../src/core/prng.js';

/** A batch of noiseless linear regression prompts with x, w ~ N(0, I_d). */
export interface LinearPrompts {
  readonly xs: { data: Float64Array; shape: number[] };
  readonly ys: Float64Array;
  readonly batch: number;
  readonly n: number;
  readonly d: number;
}

/** Draws `batch` prompts of n pairs y = x . w from the host PRNG. */
export function sampleLinearPrompts(seed: number, batch: number, n: number, d: number): LinearPrompts {
  const [xKey, wKey] = split(key(seed), 2);
  const xs = normal64(xKey, batch * n * d);
  const ws = normal64(wKey, batch * d);
  const ys = new Float64Array(batch * n);
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < n; i++) {
      let y = 0;
      for (let j = 0; j < d; j++) y += xs[(b * n + i) * d + j] * ws[b * d + j];
      ys[b * n + i] = y;
    }
  }
  return { xs: { data: xs, shape: [batch, n, d] }, ys, batch, n, d };
}

/** Mean and standard error of the mean of a sample. */
export interface MeanWithError {
  readonly mean: number;
  readonly standardError: number;
}

/** Returns the mean over prompts of the squared error at position k, divided by `scale`. */
export function errorAtPosition(
  predictions: Float64Array,
  ys: Float64Array,
  batch: number,
  n: number,
  k: number,
  scale: number,
): MeanWithError {
  const values = new Float64Array(batch);
  for (let b = 0; b < batch; b++) values[b] = (predictions[b * n + k] - ys[b * n + k]) ** 2 / scale;
  return meanWithError(values);
}

/** Mean and standard error (sample standard deviation / sqrt(count)), with a two-pass variance. */
export function meanWithError(values: Float64Array): MeanWithError {
  const count = values.length;
  let sum = 0;
  for (const v of values) sum += v;
  const mean = sum / count;
  let squares = 0;
  for (const v of values) squares += (v - mean) ** 2;
  return { mean, standardError: Math.sqrt(squares / (count - 1) / count) };
}
