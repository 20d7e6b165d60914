/**
 * A cheap evaluation for use during training: a small fixed prompt set, the mean error of the
 * model at a few positions k, and no bootstrap. Baselines are optional, so each call costs
 * little more than the model's forward passes.
 */
import { meanAndStd } from './bootstrap.js';
import { checkPositive } from './checks.js';
import { baselineErrors, predictorErrors, resolveBaselines, type BaselineChoice, type Predictor } from './errors.js';
import { checkPositions, defaultPositions } from './positions.js';
import { promptSet, type PromptSet, type PromptSetConfig } from './prompt-set.js';

/** Default number of prompts of a quick evaluation set: 2 batches of 64. */
export const DEFAULT_QUICK_EVAL_PROMPTS = 128;

/** Options of `quickEval`. */
export interface QuickEvalOptions {
  /** Positions to report. Default `defaultPositions(d, n)`: 0, 1, d/2, d - 1, d, 2d and n - 1. */
  readonly ks?: readonly number[];
  /** Baselines to score beside the model. Default: none. */
  readonly baselines?: readonly BaselineChoice[];
  /** Divisor of the squared error. Default: the set's normaliser. */
  readonly normalizer?: number;
}

/** Mean normalised squared errors at a few positions, small enough for a metrics line. */
export interface QuickEvalResult {
  readonly nPrompts: number;
  readonly normalizer: number;
  /** The reported positions. */
  readonly k: number[];
  /** The model's mean error at each reported k. */
  readonly error: number[];
  /** The model's sample standard deviation over prompts at each reported k. */
  readonly std: number[];
  /** Each requested baseline's mean error at each reported k, by label. Empty when none were requested. */
  readonly baselines: Record<string, number[]>;
}

/**
 * Draws a quick evaluation set: `promptSet` with 128 prompts unless `config.prompts` is set.
 * With the same seed and batch size its prompts are the first ones of the full evaluation set.
 * Draw it once before training and pass it to every `quickEval` call.
 *
 * @example const set = quickEvalSet({ functions: { name: 'linear_regression' }, dims: 5, points: 11 });
 */
export function quickEvalSet(config: PromptSetConfig): PromptSet {
  return promptSet({ ...config, prompts: config.prompts ?? DEFAULT_QUICK_EVAL_PROMPTS });
}

/**
 * Scores a predictor on a prompt set and returns the mean normalised squared error at the
 * positions `ks`. Throws when the predictor returns the wrong shape or a non-finite value.
 *
 * @example
 * const quick = await quickEval(set, (xs, ys) => apply(params, xs, ys));
 * log({ step, eval: quick });
 */
export async function quickEval(set: PromptSet, predictor: Predictor, options: QuickEvalOptions = {}): Promise<QuickEvalResult> {
  const normalizer = options.normalizer ?? set.normalizer;
  checkPositive('quickEval', 'normalizer', normalizer, 'pass the divisor of the squared error, such as the input dimension d');
  const ks = options.ks ?? defaultPositions(set.dims, set.points);
  checkPositions('quickEval', ks, set.points);
  const pick = (values: readonly number[]) => ks.map((k) => values[k]);

  const model = meanAndStd(await predictorErrors(set, predictor, normalizer), set.nPrompts, set.points);
  const baselines: Record<string, number[]> = {};
  for (const baseline of resolveBaselines(set.task, options.baselines ?? [])) {
    const { mean } = meanAndStd(baselineErrors(set, baseline, normalizer), set.nPrompts, set.points);
    baselines[baseline.label] = pick(mean);
  }

  return { nPrompts: set.nPrompts, normalizer, k: [...ks], error: pick(model.mean), std: pick(model.std), baselines };
}
