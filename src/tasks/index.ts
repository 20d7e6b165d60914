/**
 * Task samplers: the `Sampler` monad, input distributions (with Garg et al.'s out-of-distribution
 * families), function classes, finite task pools, prompt batches and the registry of names
 * with their closed-form moments.
 */
export {
  Monad,
  URI,
  ap,
  categorical,
  chain,
  map,
  mixture,
  normalVector,
  of,
  replicate,
  sequence,
  uniformIndex,
  zip,
  type Sampler,
} from './sampler.js';
export { makePoints, pointAt, type Points, type PointsShape } from './points.js';
export { cauchyCdf, cauchyQuantile, laplaceCdf, laplaceQuantile, studentT64 } from './univariate.js';
export {
  covarianceTransform,
  halfSubspaceEigenvalues,
  halfSubspaceTransform,
  randomRotation,
  skewedEigenvalues,
  skewedTransform,
} from './rotation.js';
export {
  cauchy,
  gaussian,
  halfSubspace,
  inputBatch,
  laplace,
  skewed,
  studentT,
  transformed,
  type InputDistribution,
  type RotationOptions,
  type StandardizeOptions,
  type StudentTOptions,
} from './inputs.js';
export { orthogonalQuery, randomQuadrants, repeatedQuery, scaled } from './ood.js';
export type { FunctionClass, FunctionShape, TaskFunction } from './function-class.js';
export {
  linearClassification,
  linearRegression,
  noisyLinearRegression,
  quadraticRegression,
  sparseLinearRegression,
  type LinearOptions,
  type LinearParams,
  type NoisyLinearOptions,
  type QuadraticOptions,
  type SparseLinearOptions,
  type WeightType,
} from './linear.js';
export {
  MAX_HERMITE_DEGREE,
  hermiteMoments,
  hermiteRegression,
  hermiteTarget,
  hermiteTargetCoefficients,
  type HermiteMoments,
  type HermiteOptions,
} from './hermite.js';
export { relu2nnRegression, type ReluOptions, type ReluParams } from './relu.js';
export { MAX_TREE_DEPTH, decisionTree, leafOf, type TreeOptions, type TreeParams } from './tree.js';
export { taskPool, type PoolOptions } from './pool.js';
export { promptBatch, type PromptBatch, type PromptBatchConfig } from './prompts.js';
export {
  FUNCTION_CLASS_NAMES,
  INPUT_DISTRIBUTION_NAMES,
  defaultNormalizer,
  expectedSquare,
  makeFunctionClass,
  makeInputDistribution,
  type FunctionClassName,
  type FunctionClassSpec,
  type InputDistributionName,
  type InputDistributionSpec,
  type PoolSpec,
} from './registry.js';
