/**
 * Per-prompt normalised squared errors of a model predictor and of the classical baselines on a
 * prompt set, as row-major [prompts, n] float64 arrays. Entry (b, k) is
 * (prediction_k - y_k)^2 / normalizer for prompt b, and the prediction at k uses k examples.
 */
import type { Tensor } from '../core/tensor.js';
import {
  BASELINE_NAMES,
  TASK_CLASSES,
  baselinesForTask,
  createBaseline,
  isBaselineName,
  type Baseline,
  type BaselineName,
  type TaskClass,
} from '../models/baselines/index.js';
import type { PromptSet } from './prompt-set.js';

/**
 * A model as a function of one batch: inputs xs f32 [B, n, d] and labels ys f32 [B, n] to
 * predictions f32 [B, n], where the prediction at position k may read x_0..x_k and y_0..y_{k-1}.
 * For a Transformer: `(xs, ys) => applyTransformer(params, xs, ys)`.
 */
export type Predictor = (xs: Tensor, ys: Tensor) => Tensor;

/** A baseline given by registry name (default options) or as a built baseline. */
export type BaselineChoice = BaselineName | Baseline;

/**
 * Returns the baselines evaluated by default on a task. A class that `baselinesForTask` accepts
 * gets its set: least squares, averaging, 3-NN and zero, plus lasso for sparse regression, greedy
 * trees and gradient boosting for decision trees, and `nn_gd` for ReLU networks. Any other
 * function class gets the common four.
 *
 * @example defaultBaselines('linear_regression').map((b) => b.name) // ['least_squares', 'averaging', 'knn', 'zero']
 */
export function defaultBaselines(task: string): Baseline[] {
  const known = (TASK_CLASSES as readonly string[]).includes(task);
  return baselinesForTask(known ? (task as TaskClass) : 'linear_regression');
}

/**
 * Builds the baselines for a list of choices, or the task's defaults when `choices` is undefined.
 * Throws for an unknown name, listing the valid ones.
 *
 * @example resolveBaselines('linear_regression', ['least_squares', 'knn']).map((b) => b.label)
 */
export function resolveBaselines(task: string, choices?: readonly BaselineChoice[]): Baseline[] {
  if (choices === undefined) return defaultBaselines(task);
  return choices.map((choice) => {
    if (typeof choice !== 'string') return choice;
    if (!isBaselineName(choice)) {
      throw new RangeError(`resolveBaselines: unknown baseline '${choice}'; use one of ${BASELINE_NAMES.join(', ')}`);
    }
    return createBaseline(choice);
  });
}

/**
 * Runs `predictor` on every batch of the set and returns its normalised squared errors
 * [prompts, n]. The target is the float32 label that the predictor received, so a predictor that
 * returns ys scores exactly 0. Throws when a prediction has the wrong shape or is not finite.
 *
 * @param name the curve name, used in error messages
 * @example const errors = await predictorErrors(set, (xs, ys) => ys, set.normalizer); // all 0
 */
export async function predictorErrors(set: PromptSet, predictor: Predictor, normalizer: number, name = 'model'): Promise<Float64Array> {
  const n = set.points;
  const errors = new Float64Array(set.nPrompts * n);
  let offset = 0;
  for (const [index, batch] of set.batches.entries()) {
    const output = predictor(batch.xs, batch.ys);
    const expected = [batch.batchSize, n];
    if (output.shape.length !== 2 || output.shape[0] !== expected[0] || output.shape[1] !== expected[1]) {
      throw new RangeError(
        `predictorErrors: ${name} returned shape [${output.shape.join(', ')}] for batch ${index}, expected ` +
          `[${expected.join(', ')}] (one prediction per position); return predictions of shape [B, n]`,
      );
    }
    const predictions = await output.dataAsync();
    for (let b = 0; b < batch.batchSize; b++) {
      for (let k = 0; k < n; k++) {
        const i = (offset + b) * n + k;
        const prediction = predictions[b * n + k];
        if (!Number.isFinite(prediction)) {
          throw new RangeError(
            `predictorErrors: ${name} predicted ${prediction} for prompt ${offset + b}, k = ${k}; ` +
              'the model diverged or read invalid inputs, so check its parameters before evaluating',
          );
        }
        const diff = prediction - Math.fround(set.ys64[i]);
        errors[i] = (diff * diff) / normalizer;
      }
    }
    offset += batch.batchSize;
  }
  return errors;
}

/**
 * Runs a baseline on all prompts of the set at once, in float64, and returns its normalised
 * squared errors [prompts, n] against the float64 labels. Throws when a prediction is not finite.
 *
 * @example const errors = baselineErrors(set, createBaseline('least_squares'), set.normalizer);
 */
export function baselineErrors(set: PromptSet, baseline: Baseline, normalizer: number): Float64Array {
  const { nPrompts, points: n, dims: d } = set;
  const { predictions } = baseline.predict({ data: set.xs64, shape: [nPrompts, n, d] }, { data: set.ys64, shape: [nPrompts, n] });
  const errors = new Float64Array(nPrompts * n);
  for (let i = 0; i < errors.length; i++) {
    if (!Number.isFinite(predictions[i])) {
      throw new RangeError(
        `baselineErrors: ${baseline.label} predicted ${predictions[i]} for prompt ${Math.floor(i / n)}, k = ${i % n}; ` +
          'evaluate without this baseline or change its options',
      );
    }
    const diff = predictions[i] - set.ys64[i];
    errors[i] = (diff * diff) / normalizer;
  }
  return errors;
}
