/**
 * Baselines by name, with default options, and the baselines to evaluate per task class.
 */
import type { Key } from '../../core/prng.js';
import { averaging } from './averaging.js';
import { decisionTree, type DecisionTreeOptions } from './decision-tree.js';
import { gradientBoosting, type GradientBoostingOptions } from './gradient-boosting.js';
import { knn, type KnnOptions } from './knn.js';
import { LASSO_ALPHAS, lasso, type LassoOptions } from './lasso.js';
import { leastSquares, type LeastSquaresOptions } from './least-squares.js';
import { nnGd, type NnGdOptions } from './nn-gd.js';
import { ridge, type RidgeOptions } from './ridge.js';
import { BASELINE_NAMES, type Baseline, type BaselineName } from './types.js';
import { zero } from './zero.js';

/** The options type of each baseline. `averaging` and `zero` take none. */
export interface BaselineOptionsByName {
  least_squares: LeastSquaresOptions;
  ridge: RidgeOptions;
  lasso: LassoOptions;
  knn: KnnOptions;
  averaging: Record<string, never>;
  decision_tree: DecisionTreeOptions;
  gradient_boosting: GradientBoostingOptions;
  nn_gd: NnGdOptions;
  zero: Record<string, never>;
}

const FACTORIES: { [N in BaselineName]: (options: BaselineOptionsByName[N]) => Baseline } = {
  least_squares: leastSquares,
  ridge,
  lasso,
  knn,
  averaging: () => averaging(),
  decision_tree: decisionTree,
  gradient_boosting: gradientBoosting,
  nn_gd: nnGd,
  zero: () => zero(),
};

/** Returns true when `name` is a registered baseline name. */
export function isBaselineName(name: string): name is BaselineName {
  return (BASELINE_NAMES as readonly string[]).includes(name);
}

/**
 * Creates a baseline by name. Options left out take the defaults in `DEFAULT_BASELINE_OPTIONS`.
 * Throws for an unknown name (listing the known ones) or an invalid option.
 *
 * @example createBaseline('lasso', { alpha: 0.1 }).label // 'lasso(alpha=0.1)'
 */
export function createBaseline<N extends BaselineName>(name: N, options?: BaselineOptionsByName[N]): Baseline {
  if (!isBaselineName(name)) {
    throw new RangeError(`createBaseline: unknown baseline '${String(name)}'; use one of ${BASELINE_NAMES.join(', ')}`);
  }
  const factory = FACTORIES[name] as (options: BaselineOptionsByName[N]) => Baseline;
  return factory(options ?? ({} as BaselineOptionsByName[N]));
}

/** Task classes with a baseline set, named like the task samplers. */
export type TaskClass =
  | 'linear_regression'
  | 'noisy_linear_regression'
  | 'linear_classification'
  | 'quadratic_regression'
  | 'hermite_regression'
  | 'sparse_linear_regression'
  | 'decision_tree'
  | 'relu_2nn_regression';

/** Every task class that `baselinesForTask` accepts. */
export const TASK_CLASSES: readonly TaskClass[] = Object.freeze([
  'linear_regression',
  'noisy_linear_regression',
  'linear_classification',
  'quadratic_regression',
  'hermite_regression',
  'sparse_linear_regression',
  'decision_tree',
  'relu_2nn_regression',
]);

/** Options of `baselinesForTask`. */
export interface BaselinesForTaskOptions {
  /** Lasso alphas for the sparse class, one baseline each. Default `LASSO_ALPHAS` (1 down to 1e-4). */
  readonly lassoAlphas?: readonly number[];
  /** Root key of `nn_gd` for the ReLU class. Default `key(0)`. */
  readonly key?: Key;
}

/**
 * Returns the baselines to evaluate on a task class. Every class gets least squares,
 * averaging, 3-NN and the zero predictor. The sparse class adds one lasso per alpha. The
 * decision tree class adds greedy trees of max depth 4 and of unbounded depth, and gradient
 * boosting. The ReLU network class adds `nn_gd`.
 *
 * @example baselinesForTask('sparse_linear_regression').map((b) => b.label)
 */
export function baselinesForTask(task: TaskClass, options: BaselinesForTaskOptions = {}): Baseline[] {
  if (!TASK_CLASSES.includes(task)) {
    throw new RangeError(`baselinesForTask: unknown task class '${String(task)}'; use one of ${TASK_CLASSES.join(', ')}`);
  }
  const common = [leastSquares(), averaging(), knn({ nNeighbors: 3 }), zero()];
  switch (task) {
    case 'sparse_linear_regression':
      return [...common, ...(options.lassoAlphas ?? LASSO_ALPHAS).map((alpha) => lasso({ alpha }))];
    case 'decision_tree':
      return [...common, decisionTree({ maxDepth: 4 }), decisionTree({ maxDepth: null }), gradientBoosting()];
    case 'relu_2nn_regression':
      return [...common, nnGd(options.key === undefined ? {} : { key: options.key })];
    default:
      return common;
  }
}
