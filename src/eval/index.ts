/**
 * Evaluation: fixed prompt sets, ICL curves (normalised squared error at every k with a bootstrap
 * band) for model predictors and the classical baselines, closed forms for linear regression,
 * quick evaluations for training, and JSON files of results.
 */
export {
  DEFAULT_EVAL_BATCH_SIZE,
  DEFAULT_EVAL_PROMPTS,
  DEFAULT_EVAL_SEED,
  evalKeys,
  promptSet,
  type EvalKeys,
  type PromptSet,
  type PromptSetConfig,
  type PromptSetInfo,
} from './prompt-set.js';
export {
  DEFAULT_BAND_QUANTILES,
  DEFAULT_BOOTSTRAP_RESAMPLES,
  bootstrapBand,
  bootstrapIndices,
  meanAndStd,
  type Band,
  type MeanAndStd,
} from './bootstrap.js';
export {
  baselineErrors,
  defaultBaselines,
  predictorErrors,
  resolveBaselines,
  type BaselineChoice,
  type Predictor,
} from './errors.js';
export { iclCurve, type IclCurveOptions } from './icl-curve.js';
export {
  IclCurveResultCodec,
  decodeIclCurveResult,
  errorAt,
  findCurve,
  statsAt,
  type BootstrapSettings,
  type CurveStats,
  type IclCurveResult,
  type PointStats,
} from './result.js';
export { LINEAR_ORACLE_BASELINES, linearRegressionOracle, type LinearOracleBaseline } from './oracle.js';
export { checkPositions, defaultPositions } from './positions.js';
export {
  DEFAULT_QUICK_EVAL_PROMPTS,
  quickEval,
  quickEvalSet,
  type QuickEvalOptions,
  type QuickEvalResult,
} from './quick-eval.js';
export { loadIclCurve, saveIclCurve, writeFileAtomic } from './files.js';
export { criteriaMarkdown, linearCriteria, type CriterionResult, type LinearCriteriaOptions } from './criteria.js';
