/**
 * Training: the model contract, the compiled training step, batches from a curriculum, the
 * training loop with its run folder (config, metrics log, checkpoints), atomic safetensors
 * checkpoints and bit-exact resume.
 */
export type { TrainableModel } from './model.js';
export { initTrainState, runKeys, type RunKeys, type TrainState } from './state.js';
export { makeTrainStep, type StepResult, type TrainStep } from './step.js';
export { curriculumBatches, type BatchSource, type BatchSourceFactory, type CurriculumData, type StepBatch } from './batches.js';
export { temporaryPathFor, writeFileAtomic } from './atomic-file.js';
export {
  CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION,
  CorruptCheckpointError,
  checkpointFileName,
  corruptCheckpointHint,
  decodeCheckpoint,
  encodeCheckpoint,
  latestCheckpoint,
  listCheckpoints,
  loadCheckpoint,
  previousValidCheckpoint,
  pruneCheckpoints,
  readCheckpointInfo,
  saveCheckpoint,
  stepsToPrune,
  type CheckpointEntry,
  type CheckpointInfo,
  type KeepPolicy,
} from './checkpoint.js';
export { namedParams, paramsFromNamed, treeFromNamed, treeToNamed } from './naming.js';
export {
  appendMetrics,
  readMetrics,
  truncateMetrics,
  type ErrorRecord,
  type EvalRecord,
  type JsonValue,
  type MetricsRecord,
  type TrainRecord,
} from './metrics.js';
export { formatDuration, progressReporter, type ProgressOptions, type ProgressReporter, type ProgressStream } from './progress.js';
export { containsRun, runPaths, type RunPaths } from './run-folder.js';
export { NonFiniteLossError, TrainingInterruptedError } from './errors.js';
export { configDifferences, formatConfigDifferences, type ConfigDifference } from './config-diff.js';
export { checkLoopOptions, checkRunFolder, RunFolderError, trainLoop, type TrainLoopOptions, type TrainResult } from './loop.js';
