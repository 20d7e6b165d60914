/**
 * Classical in-context baselines: least squares, ridge, lasso, k-NN, averaging, greedy trees,
 * gradient-boosted trees, gradient descent on a 2-layer network and the zero predictor. Each
 * predicts y_k from the first k pairs of a prompt, in float64, except that the 2-layer network
 * trains on the tensor DSL in float32.
 */
export { BASELINE_NAMES } from './types.js';
export type {
  Baseline,
  BaselineName,
  BaselinePredictions,
  Float64Input,
  NestedXs,
  NestedYs,
  PrefixFit,
  PromptPrefix,
  SolverReport,
  XsInput,
  YsInput,
} from './types.js';
export { defineBaseline, type PrefixPredictor } from './define.js';
export { toPromptBatch, type PromptBatch } from './input.js';
export { DEFAULT_BASELINE_OPTIONS } from './defaults.js';

export { fitLeastSquares, leastSquares, type LeastSquaresOptions } from './least-squares.js';
export { fitRidge, ridge, type RidgeOptions } from './ridge.js';
export { LASSO_ALPHAS, fitLasso, lasso, type LassoFit, type LassoOptions } from './lasso.js';
export { knn, predictKnn, type KnnOptions, type KnnWeights } from './knn.js';
export { averaging, fitAveraging } from './averaging.js';
export {
  fitRegressionTree,
  predictTree,
  presortFeatures,
  type RegressionTree,
  type RegressionTreeOptions,
} from './regression-tree.js';
export { decisionTree, fitDecisionTree, type DecisionTreeOptions } from './decision-tree.js';
export {
  fitGradientBoosting,
  gradientBoosting,
  predictBoosted,
  type BoostedTrees,
  type GradientBoostingOptions,
} from './gradient-boosting.js';
export {
  createTwoLayerNetTrainer,
  initTwoLayerNet,
  predictTwoLayerNet,
  twoLayerNet,
  twoLayerNetLoss,
  type TrainTwoLayerNetOptions,
  type TrainedTwoLayerNet,
  type TwoLayerNetParams,
  type TwoLayerNetTrainer,
} from './two-layer-net.js';
export { nnGd, type NnGdOptions } from './nn-gd.js';
export { zero } from './zero.js';
export {
  TASK_CLASSES,
  baselinesForTask,
  createBaseline,
  isBaselineName,
  type BaselineOptionsByName,
  type BaselinesForTaskOptions,
  type TaskClass,
} from './registry.js';
