/**
 * Gradient-boosted trees baseline on squared loss, with XGBoost's tree-booster defaults: 100
 * rounds, learning rate (eta) 0.3, max depth 6, L2 leaf penalty lambda 1, min_split_loss
 * (gamma) 0 and min_child_weight 1.
 *
 * Each round fits a tree to the residuals y_i - F(x_i). Its leaves predict
 * sum(residual) / (count + lambda), the Newton step of XGBoost for squared loss (hessian 1 per
 * sample), and F grows by eta times the tree. A node splits only when the gain, with lambda in the denominators, is
 * positive. Because the hessian is 1 per sample, min_child_weight 1 means at least one sample
 * per child. The trees split on exact thresholds (midpoints between sorted values), not on
 * histogram bins. There is no row or column subsampling. The initial prediction is the mean of
 * the context labels, which is not XGBoost's `base_score`.
 */
import { checkInteger, checkPositive } from './check-options.js';
import { DEFAULT_BASELINE_OPTIONS } from './defaults.js';
import { defineBaseline } from './define.js';
import { fitRegressionTree, predictTree, presortFeatures, type RegressionTree } from './regression-tree.js';
import type { Baseline } from './types.js';

/** Options of the gradient boosting baseline. */
export interface GradientBoostingOptions {
  /** Boosting rounds (trees). Default 100. */
  readonly rounds?: number;
  /** Learning rate (eta) that scales each tree. Default 0.3. */
  readonly learningRate?: number;
  /** Maximum depth of each tree. Default 6. */
  readonly maxDepth?: number;
  /** L2 penalty on leaf values (lambda). Default 1, and 0 gives plain least-squares boosting. */
  readonly l2?: number;
}

/** A fitted boosted ensemble. */
export interface BoostedTrees {
  /** Initial prediction: the mean of the training labels. */
  readonly baseScore: number;
  readonly learningRate: number;
  readonly trees: readonly RegressionTree[];
  /** Mean squared training error before the first round and after each round [rounds + 1]. */
  readonly trainingLoss: Float64Array;
}

function resolveOptions(options: GradientBoostingOptions): Required<GradientBoostingOptions> {
  const defaults = DEFAULT_BASELINE_OPTIONS.gradient_boosting;
  const rounds = options.rounds ?? defaults.rounds;
  const learningRate = options.learningRate ?? defaults.learningRate;
  const maxDepth = options.maxDepth ?? defaults.maxDepth;
  const l2 = options.l2 ?? defaults.l2;
  checkInteger('gradient_boosting', 'rounds', rounds, 1);
  checkPositive('gradient_boosting', 'learningRate', learningRate);
  checkInteger('gradient_boosting', 'maxDepth', maxDepth, 1);
  checkPositive('gradient_boosting', 'l2', l2, true);
  return { rounds, learningRate, maxDepth, l2 };
}

function meanSquare(values: Float64Array): number {
  let sum = 0;
  for (const v of values) sum += v * v;
  return sum / values.length;
}

/**
 * Fits boosted trees to the first k pairs.
 *
 * @param xs context inputs [k, d], row-major
 * @param ys context labels [k]
 */
export function fitGradientBoosting(
  xs: Float64Array,
  ys: Float64Array,
  k: number,
  d: number,
  options: GradientBoostingOptions = {},
): BoostedTrees {
  const { rounds, learningRate, maxDepth, l2 } = resolveOptions(options);
  if (k === 0) throw new RangeError('fitGradientBoosting: no samples; fit on at least one row');
  let baseScore = 0;
  for (let r = 0; r < k; r++) baseScore += ys[r];
  baseScore /= k;

  const presorted = presortFeatures(xs, k, d);
  const treeOptions = { maxDepth, minSamplesSplit: 2, minSamplesLeaf: 1, l2, minGain: 0 };
  const residual = new Float64Array(k);
  for (let r = 0; r < k; r++) residual[r] = ys[r] - baseScore;
  const trainingLoss = new Float64Array(rounds + 1);
  trainingLoss[0] = meanSquare(residual);
  const trees: RegressionTree[] = [];

  for (let round = 1; round <= rounds; round++) {
    const tree = fitRegressionTree(xs, residual, k, d, treeOptions, presorted);
    trees.push(tree);
    for (let r = 0; r < k; r++) residual[r] -= learningRate * predictTree(tree, xs.subarray(r * d, (r + 1) * d));
    trainingLoss[round] = meanSquare(residual);
  }
  return { baseScore, learningRate, trees, trainingLoss };
}

/** Returns the ensemble's prediction at one input x [d]. */
export function predictBoosted(model: BoostedTrees, x: Float64Array): number {
  let sum = model.baseScore;
  for (const tree of model.trees) sum += model.learningRate * predictTree(tree, x);
  return sum;
}

/** Creates the gradient boosting baseline (XGBoost's defaults, see the module comment). */
export function gradientBoosting(options: GradientBoostingOptions = {}): Baseline {
  const resolved = resolveOptions(options);
  const label =
    `gradient_boosting(rounds=${resolved.rounds}, learning_rate=${resolved.learningRate}, ` +
    `max_depth=${resolved.maxDepth}, l2=${resolved.l2})`;
  return defineBaseline('gradient_boosting', label, ({ xs, ys, k, d, query }) =>
    predictBoosted(fitGradientBoosting(xs, ys, k, d, resolved), query),
  );
}
