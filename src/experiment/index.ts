/**
 * Experiments as typed values: io-ts configs (YAML or JSON) with path-named errors, presets,
 * the config hash, and the pipeline train -> evaluate -> report over a run folder.
 */
export {
  ConfigError,
  ExperimentInputCodec,
  decodeExperiment,
  decodeExperimentInput,
  resolveExperiment,
  type EvalInput,
  type Experiment,
  type ExperimentInput,
  type ModelConfig,
  type OptimizerInput,
  type ScheduleConfig,
  type TaskInput,
  type TrainingInput,
} from './config.js';
export { CurriculumInputCodec, FunctionClassSpecCodec, InputDistributionSpecCodec, type CurriculumInput } from './spec-codecs.js';
export { describeValue, formatProblems, reportErrors, type ConfigProblem } from './reporter.js';
export { parseConfigFile, readExperimentFile, readExperimentInput } from './load.js';
export { experimentPreset, experimentPresetNames, experimentPresets, type ExperimentPreset } from './presets.js';
export { canonicalJson, configHash, differingPaths, hashedFields, type HashedFields } from './hash.js';
export { BACKEND_NAMES, BackendUnavailableError, closeBackends, createBackend, describeBackend, destroyBackend, loadBackend, selectBackend } from './backends.js';
export {
  buildData,
  buildOptimizer,
  buildSchedule,
  evalTargets,
  learningRateAt,
  transformerConfigOf,
  transformerModel,
  type EvalTarget,
} from './build.js';
export {
  evaluateParams,
  evaluateRun,
  evaluationFolder,
  openRun,
  readRunExperiment,
  reportRun,
  runExperiment,
  trainExperiment,
  type EvaluateOptions,
  type OpenedRun,
  type PipelineOptions,
  type RunOptions,
  type RunSummary,
  type TargetCurve,
} from './pipeline.js';
