/**
 * The JSON form of an ICL curve: per-curve mean, standard deviation and bootstrap band of the
 * normalised squared error at every k, with the task and evaluation settings that produced it.
 * Includes lookups by curve name and an io-ts decoder for results read back from disk.
 */
import { isLeft } from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { BASELINE_NAMES, type BaselineName } from '../models/baselines/index.js';
import type { PromptSetInfo } from './prompt-set.js';

/** Statistics of one curve over the prompt set, one entry per k. */
export interface CurveStats {
  /** `model` for a predictor passed to `iclCurve`, `baseline` for a classical baseline. */
  readonly kind: 'model' | 'baseline';
  /** The baseline's registry name, present for baselines only. */
  readonly baseline?: BaselineName;
  /** Mean normalised squared error over prompts. */
  readonly mean: readonly number[];
  /** Sample standard deviation over prompts (not the standard error of the mean). */
  readonly std: readonly number[];
  /** Lower bootstrap quantile of the mean (5% by default). */
  readonly lo: readonly number[];
  /** Upper bootstrap quantile of the mean (95% by default). */
  readonly hi: readonly number[];
}

/** Bootstrap settings of a result. */
export interface BootstrapSettings {
  /** Number of resamples of the prompts, e.g. 1000. */
  readonly resamples: number;
  /** Lower and upper quantile of the band, e.g. [0.05, 0.95]. */
  readonly quantiles: readonly [number, number];
}

/**
 * An ICL curve: normalised squared error at every k = 0..n-1 for a model and the baselines, all
 * on the same prompts. Plain JSON: `JSON.parse(JSON.stringify(result))` equals `result`.
 */
export interface IclCurveResult extends PromptSetInfo {
  /** The divisor of every squared error (d, s, 1 or a caller's value). */
  readonly normalizer: number;
  /** The seed of the prompt set and of the bootstrap. */
  readonly evalSeed: number;
  readonly bootstrap: BootstrapSettings;
  /** The positions 0..n-1: index i of every curve array is k = k[i]. */
  readonly k: readonly number[];
  /** Curves by name: the model's name and each baseline's label, in evaluation order. */
  readonly curves: Readonly<Record<string, CurveStats>>;
}

/** The statistics of one curve at one k. */
export interface PointStats {
  readonly mean: number;
  readonly std: number;
  readonly lo: number;
  readonly hi: number;
}

/**
 * Finds a curve by its key in `result.curves`, or by a baseline registry name such as `knn` when
 * exactly one curve has that name. Throws, listing the curve names, when none or several match.
 *
 * @example findCurve(result, 'knn') // the curve 'knn(n_neighbors=3, weights=uniform)'
 */
export function findCurve(result: IclCurveResult, name: string): CurveStats {
  const exact = result.curves[name];
  if (exact !== undefined) return exact;
  const matches = Object.values(result.curves).filter((curve) => curve.baseline === name);
  if (matches.length === 1) return matches[0];
  const names = Object.keys(result.curves).join(', ');
  const problem = matches.length === 0 ? 'no curve is named' : `${matches.length} curves match`;
  throw new RangeError(`findCurve: ${problem} '${name}'; use one of ${names}`);
}

/**
 * Returns the mean, std and band of a curve at k. Throws when k is not a position of the result.
 *
 * @example statsAt(result, 'least_squares', 5) // { mean, std, lo, hi }
 */
export function statsAt(result: IclCurveResult, name: string, k: number): PointStats {
  const curve = findCurve(result, name);
  const index = result.k.indexOf(k);
  if (index < 0) {
    throw new RangeError(`statsAt: k = ${k} is not a position of this result; use an integer in [0, ${result.points - 1}]`);
  }
  return { mean: curve.mean[index], std: curve.std[index], lo: curve.lo[index], hi: curve.hi[index] };
}

/**
 * Returns the mean normalised squared error of a curve at k.
 *
 * @example errorAt(result, 'model', 10) // 0.02
 */
export function errorAt(result: IclCurveResult, name: string, k: number): number {
  return statsAt(result, name, k).mean;
}

const baselineNameCodec = t.keyof(
  Object.fromEntries(BASELINE_NAMES.map((name) => [name, null])) as Record<BaselineName, null>,
  'BaselineName',
);

const numbers = t.array(t.number);

const curveStatsCodec = t.intersection([
  t.type({ kind: t.union([t.literal('model'), t.literal('baseline')]), mean: numbers, std: numbers, lo: numbers, hi: numbers }),
  t.partial({ baseline: baselineNameCodec }),
]);

/** io-ts codec of `IclCurveResult`; `decodeIclCurveResult` adds the cross-field checks. */
export const IclCurveResultCodec = t.type(
  {
    task: t.string,
    taskLabel: t.string,
    data: t.string,
    dataLabel: t.string,
    dims: t.number,
    activeDims: t.number,
    points: t.number,
    nPrompts: t.number,
    normalizer: t.number,
    evalSeed: t.number,
    bootstrap: t.type({ resamples: t.number, quantiles: t.tuple([t.number, t.number]) }),
    k: numbers,
    curves: t.record(t.string, curveStatsCodec),
  },
  'IclCurveResult',
);

/**
 * Validates a parsed JSON value as an ICL curve result. Throws one error that lists every
 * problem with its path (`curves.model.mean`) and the expected type, or a curve array whose
 * length differs from `k`.
 *
 * @example decodeIclCurveResult(JSON.parse(readFileSync('icl-curve.json', 'utf8')))
 */
export function decodeIclCurveResult(value: unknown): IclCurveResult {
  const decoded = IclCurveResultCodec.decode(value);
  if (isLeft(decoded)) {
    const problems = decoded.left.map((error) => {
      const path = error.context.map((entry) => entry.key).filter((key) => key !== '').join('.');
      const expected = error.context[error.context.length - 1]?.type.name ?? 'unknown';
      const actual = error.value === undefined ? 'nothing (the field is missing)' : JSON.stringify(error.value);
      return `${path || '(root)'}: expected ${expected}, got ${actual}`;
    });
    throw new TypeError(`decodeIclCurveResult: not a valid ICL curve result:\n  ${problems.join('\n  ')}`);
  }

  const result = decoded.right as IclCurveResult;
  const length = result.k.length;
  const problems: string[] = [];
  for (const [name, curve] of Object.entries(result.curves)) {
    for (const field of ['mean', 'std', 'lo', 'hi'] as const) {
      if (curve[field].length !== length) problems.push(`curves.${name}.${field} has ${curve[field].length} values, expected ${length} (one per k)`);
    }
  }
  if (problems.length > 0) {
    throw new RangeError(`decodeIclCurveResult: inconsistent ICL curve result:\n  ${problems.join('\n  ')}`);
  }
  return result;
}
