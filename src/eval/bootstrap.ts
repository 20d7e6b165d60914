/**
 * Summary statistics of per-prompt errors: the mean and standard deviation over prompts at each
 * position k, and a percentile bootstrap band for the mean. Errors are a row-major
 * [prompts, positions] float64 array.
 */
import { randint64, type Key } from '../core/prng.js';
import { checkInteger } from './checks.js';

/** Default number of bootstrap resamples, as in Garg et al.'s evaluation. */
export const DEFAULT_BOOTSTRAP_RESAMPLES = 1000;

/** Default lower and upper quantiles of the bootstrap band (a 5-95% band). */
export const DEFAULT_BAND_QUANTILES: readonly [number, number] = Object.freeze([0.05, 0.95]) as readonly [number, number];

/** Mean and standard deviation over prompts, one entry per position k. */
export interface MeanAndStd {
  readonly mean: number[];
  /** Sample standard deviation over prompts (divisor prompts - 1), 0 for a single prompt. */
  readonly std: number[];
}

/** Lower and upper bootstrap quantiles of the mean, one entry per position k. */
export interface Band {
  readonly lo: number[];
  readonly hi: number[];
}

/**
 * Computes the mean and the sample standard deviation over prompts at every position, in two
 * passes so that large means do not cancel the variance.
 *
 * @param errors row-major [prompts, positions]
 * @example meanAndStd(Float64Array.of(1, 2, 3, 6), 2, 2) // { mean: [2, 4], std: [1.414..., 2.828...] }
 */
export function meanAndStd(errors: Float64Array, prompts: number, positions: number): MeanAndStd {
  checkShape('meanAndStd', errors, prompts, positions);
  const mean = new Array<number>(positions).fill(0);
  for (let b = 0; b < prompts; b++) {
    for (let k = 0; k < positions; k++) mean[k] += errors[b * positions + k];
  }
  for (let k = 0; k < positions; k++) mean[k] /= prompts;

  const squares = new Array<number>(positions).fill(0);
  for (let b = 0; b < prompts; b++) {
    for (let k = 0; k < positions; k++) {
      const deviation = errors[b * positions + k] - mean[k];
      squares[k] += deviation * deviation;
    }
  }
  const std = squares.map((sum) => (prompts > 1 ? Math.sqrt(sum / (prompts - 1)) : 0));
  return { mean, std };
}

/**
 * Draws the prompt indices of `resamples` bootstrap resamples, each `prompts` draws with
 * replacement, laid out [resamples, prompts]. Passing the same indices to `bootstrapBand` for
 * every curve resamples all curves on the same prompts.
 *
 * @example const indices = bootstrapIndices(key(0), 1280, 1000); // Int32Array of 1_280_000 indices in [0, 1280)
 */
export function bootstrapIndices(bootstrapKey: Key, prompts: number, resamples = DEFAULT_BOOTSTRAP_RESAMPLES): Int32Array {
  checkInteger('bootstrapIndices', 'prompts', prompts, 1, 'pass the number of prompts in the set');
  checkInteger('bootstrapIndices', 'resamples', resamples, 1, `pass a positive count such as ${DEFAULT_BOOTSTRAP_RESAMPLES}`);
  return randint64(bootstrapKey, resamples * prompts, 0, prompts);
}

/**
 * Computes the percentile bootstrap band of the mean error at every position: the mean of each
 * resample, then the `quantiles` of those means, interpolated linearly between order statistics
 * (NumPy's default `percentile` method). Garg et al.'s `aggregate_metrics` (src/eval.py in
 * github.com/dtsip/in-context-learning, copied in Bhasin et al.'s code) takes the order statistic
 * at index floor(q * resamples) instead, which can differ by one rank.
 *
 * @param errors row-major [prompts, positions]
 * @param indices from `bootstrapIndices`, [resamples, prompts]
 * @param quantiles lower and upper quantile in [0, 1], default [0.05, 0.95]
 * @example bootstrapBand(errors, 1280, 41, bootstrapIndices(key(0), 1280)).lo[10]
 */
export function bootstrapBand(
  errors: Float64Array,
  prompts: number,
  positions: number,
  indices: Int32Array,
  quantiles: readonly [number, number] = DEFAULT_BAND_QUANTILES,
): Band {
  checkShape('bootstrapBand', errors, prompts, positions);
  if (indices.length === 0 || indices.length % prompts !== 0) {
    throw new RangeError(
      `bootstrapBand: indices has length ${indices.length}, not a positive multiple of prompts = ${prompts}; ` +
        'draw them with bootstrapIndices(key, prompts, resamples)',
    );
  }
  const [lower, upper] = quantiles;
  if (!(lower >= 0 && lower <= upper && upper <= 1)) {
    throw new RangeError(`bootstrapBand: quantiles must satisfy 0 <= lower <= upper <= 1, got [${lower}, ${upper}]; pass [0.05, 0.95]`);
  }

  const resamples = indices.length / prompts;
  // means[k * resamples + r]: the mean error at position k over resample r.
  const means = new Float64Array(positions * resamples);
  const sums = new Float64Array(positions);
  for (let r = 0; r < resamples; r++) {
    sums.fill(0);
    for (let i = 0; i < prompts; i++) {
      const row = indices[r * prompts + i] * positions;
      for (let k = 0; k < positions; k++) sums[k] += errors[row + k];
    }
    for (let k = 0; k < positions; k++) means[k * resamples + r] = sums[k] / prompts;
  }

  const lo: number[] = [];
  const hi: number[] = [];
  for (let k = 0; k < positions; k++) {
    const sorted = means.subarray(k * resamples, (k + 1) * resamples).sort();
    lo.push(quantileOfSorted(sorted, lower));
    hi.push(quantileOfSorted(sorted, upper));
  }
  return { lo, hi };
}

/** Returns the q-quantile of ascending values, interpolated linearly between the two nearest ranks. */
function quantileOfSorted(sorted: Float64Array, q: number): number {
  const position = q * (sorted.length - 1);
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  const weight = position - below;
  return sorted[below] + weight * (sorted[above] - sorted[below]);
}

function checkShape(op: string, errors: Float64Array, prompts: number, positions: number): void {
  checkInteger(op, 'prompts', prompts, 1, 'pass the number of prompts (rows of errors)');
  checkInteger(op, 'positions', positions, 1, 'pass the number of positions k (columns of errors)');
  if (errors.length !== prompts * positions) {
    throw new RangeError(
      `${op}: errors has ${errors.length} values but prompts x positions = ${prompts} x ${positions} = ${prompts * positions}; ` +
        'pass a row-major [prompts, positions] array',
    );
  }
}
