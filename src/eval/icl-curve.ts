/**
 * ICL curves: the normalised squared error at every number of in-context examples k for model
 * predictors and the classical baselines on one prompt set. Each curve has the mean, the standard
 * deviation and a bootstrap band of the mean over prompts.
 */
import { DEFAULT_BAND_QUANTILES, DEFAULT_BOOTSTRAP_RESAMPLES, bootstrapBand, bootstrapIndices, meanAndStd } from './bootstrap.js';
import { checkPositive } from './checks.js';
import { baselineErrors, predictorErrors, resolveBaselines, type BaselineChoice, type Predictor } from './errors.js';
import { evalKeys, type PromptSet } from './prompt-set.js';
import type { CurveStats, IclCurveResult } from './result.js';

/** Options of `iclCurve`. */
export interface IclCurveOptions {
  /** Model predictors by curve name, e.g. `{ transformer: (xs, ys) => apply(params, xs, ys) }`. Default: none. */
  readonly models?: Readonly<Record<string, Predictor>>;
  /**
   * Baselines by registry name or as built baselines. Default: the task's set from
   * `defaultBaselines` (least squares, averaging, 3-NN and zero for linear regression). Pass []
   * for none. The ReLU class's default includes `nn_gd`, which trains a network per prefix and
   * takes minutes on 1280 prompts.
   */
  readonly baselines?: readonly BaselineChoice[];
  /** Divisor of the squared error. Default: the set's normaliser (d, s or 1 by class). */
  readonly normalizer?: number;
  /** Bootstrap resamples of the prompts. Default 1000. */
  readonly resamples?: number;
  /** Lower and upper quantile of the band. Default [0.05, 0.95]. */
  readonly quantiles?: readonly [number, number];
  /** Called after each curve with its name and the seconds it took, for progress logs. */
  readonly onCurve?: (name: string, seconds: number) => void;
}

/**
 * Evaluates the models and the baselines on a prompt set. For each curve and each k = 0..n-1 the
 * result contains the mean normalised squared error over prompts, its sample standard deviation,
 * and the 5% and 95% quantiles of the mean over bootstrap resamples of the prompts. The resamples
 * come from the set's seed (see `evalKeys`) and are shared by every curve, so the same set and
 * options give the same result. The set needs at least 2 prompts.
 *
 * Curve names are the keys of `models` and each baseline's label, such as
 * `knn(n_neighbors=3, weights=uniform)`. Throws when two curves would share a name.
 *
 * @example
 * const set = promptSet({ functions: { name: 'linear_regression' }, dims: 5, points: 11 });
 * const result = await iclCurve(set, { models: { transformer: (xs, ys) => apply(params, xs, ys) } });
 * errorAt(result, 'transformer', 5)
 */
export async function iclCurve(set: PromptSet, options: IclCurveOptions = {}): Promise<IclCurveResult> {
  const normalizer = options.normalizer ?? set.normalizer;
  checkPositive('iclCurve', 'normalizer', normalizer, 'pass the divisor of the squared error, such as the input dimension d');
  if (set.nPrompts < 2) {
    throw new RangeError(`iclCurve: the prompt set has ${set.nPrompts} prompt; a bootstrap band needs at least 2, so draw a larger set`);
  }
  const resamples = options.resamples ?? DEFAULT_BOOTSTRAP_RESAMPLES;
  const quantiles = options.quantiles ?? DEFAULT_BAND_QUANTILES;
  const indices = bootstrapIndices(evalKeys(set.seed).bootstrapKey, set.nPrompts, resamples);
  const n = set.points;

  const summarize = (kind: CurveStats['kind'], errors: Float64Array): CurveStats => {
    const { mean, std } = meanAndStd(errors, set.nPrompts, n);
    const { lo, hi } = bootstrapBand(errors, set.nPrompts, n, indices, quantiles);
    return { kind, mean, std, lo, hi };
  };

  const curves: Record<string, CurveStats> = {};
  const add = (name: string, curve: CurveStats, started: number): void => {
    if (Object.hasOwn(curves, name)) {
      throw new RangeError(`iclCurve: two curves are named '${name}'; give each model and baseline a distinct name or label`);
    }
    curves[name] = curve;
    options.onCurve?.(name, (performance.now() - started) / 1000);
  };

  for (const [name, predictor] of Object.entries(options.models ?? {})) {
    const started = performance.now();
    add(name, summarize('model', await predictorErrors(set, predictor, normalizer, name)), started);
  }
  for (const baseline of resolveBaselines(set.task, options.baselines)) {
    const started = performance.now();
    const curve = summarize('baseline', baselineErrors(set, baseline, normalizer));
    add(baseline.label, { ...curve, baseline: baseline.name }, started);
  }

  return {
    task: set.task,
    taskLabel: set.taskLabel,
    data: set.data,
    dataLabel: set.dataLabel,
    dims: set.dims,
    activeDims: set.activeDims,
    points: n,
    nPrompts: set.nPrompts,
    normalizer,
    evalSeed: set.seed,
    bootstrap: { resamples, quantiles: [quantiles[0], quantiles[1]] },
    k: Array.from({ length: n }, (_, k) => k),
    curves,
  };
}
