/**
 * The training loop: feeds the batch of each step to the compiled training step, logs metrics,
 * runs the periodic evaluation, writes and prunes checkpoints, and stops on a non-finite loss.
 *
 * Order of work after update s (1-based): training record, evaluation record, checkpoint. So a
 * checkpoint at step s follows every record of steps <= s, and resuming from it keeps exactly
 * those records. Options are checked before any file is touched, and a folder that already
 * contains a run is only ever continued (`resume`), never overwritten.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Optimizer } from '../core/optim.js';
import type { Key } from '../core/prng.js';
import type { BatchSourceFactory } from './batches.js';
import { CorruptCheckpointError, corruptCheckpointHint, latestCheckpoint, loadCheckpoint, pruneCheckpoints, saveCheckpoint, type CheckpointEntry } from './checkpoint.js';
import { configDifferences, formatConfigDifferences } from './config-diff.js';
import { NonFiniteLossError, TrainingInterruptedError } from './errors.js';
import { appendMetrics, truncateMetrics, type JsonValue } from './metrics.js';
import type { TrainableModel } from './model.js';
import { progressReporter, type ProgressReporter } from './progress.js';
import { containsRun, runPaths } from './run-folder.js';
import { initTrainState, runKeys, type TrainState } from './state.js';
import { makeTrainStep } from './step.js';
import { writeFileAtomic } from './atomic-file.js';
import type { StepPlan } from '../curricula/index.js';

/** Maximum time in milliseconds that the loop runs steps without letting other callbacks run. */
const YIELD_MS = 50;

/** Everything a training run needs. Only `model`, `optimizer`, `batches`, `key` and `steps` are required. */
export interface TrainLoopOptions<P> {
  readonly model: TrainableModel<P>;
  readonly optimizer: Optimizer;
  /** Builds the batch source from the keys derived from `key`. */
  readonly batches: BatchSourceFactory;
  /** The run key: initial parameters, curriculum and batches all derive from it. */
  readonly key: Key;
  /** Train until this many updates are completed. */
  readonly steps: number;
  /** Learning rate of the 1-based update t, for the metrics log. */
  readonly learningRate?: (update: number) => number;
  /** Run folder. Without it nothing is written and `resume` is not allowed. */
  readonly runDir?: string;
  /** Continue the run in `runDir` from its newest checkpoint (default false). */
  readonly resume?: boolean;
  /** Start from this state when not resuming (default: `initTrainState`). Its key must equal `key`. */
  readonly initialState?: TrainState<P>;
  /** Identifies the numbers-deciding configuration; resuming requires the checkpoint's hash to match. */
  readonly configHash?: string;
  /** The fields `configHash` covers, stored in each checkpoint so that a mismatch on resume lists the changed fields. */
  readonly hashedConfig?: JsonValue;
  /** The resolved configuration, written to `config.json` when a new run starts. */
  readonly config?: JsonValue;
  /** Checkpoint every this many updates (default 1000); 0 writes only the final checkpoint. */
  readonly checkpointEvery?: number;
  /** Keep the newest this many checkpoints (default 3, at least 1). */
  readonly keepLast?: number;
  /** Also keep every checkpoint whose step is a multiple of this (default 0: none). */
  readonly keepEvery?: number;
  /** Write a training record every this many updates (default 10). The first and last update of a run or resumed segment are always logged. */
  readonly logEvery?: number;
  /** Call `evaluate` every this many updates (default 0: never). */
  readonly evalEvery?: number;
  /** Periodic evaluation; its JSON result goes into an `eval` record. */
  readonly evaluate?: (params: P, step: number) => JsonValue | Promise<JsonValue>;
  /** Print no progress (default false). */
  readonly quiet?: boolean;
  /** Progress output (default: a bar or plain lines on stderr, see progress.ts). */
  readonly progress?: ProgressReporter;
  /**
   * Stops the run between updates when aborted (e.g. on Ctrl-C): the loop writes a checkpoint of
   * the last completed update (with a run folder) and throws `TrainingInterruptedError`.
   */
  readonly signal?: AbortSignal;
}

/** The outcome of a training run. */
export interface TrainResult<P> {
  readonly state: TrainState<P>;
  /** Step the run started from: 0, or the step of the checkpoint it resumed. */
  readonly startStep: number;
  /** Loss of the last update of this call; undefined when no update ran. */
  readonly lastLoss: number | undefined;
  /** Newest checkpoint written or resumed; undefined without a run folder. */
  readonly checkpoint: string | undefined;
  /** Training seconds, summed over resumed segments. */
  readonly seconds: number;
  /** Executor of the compiled step in this call (e.g. `cpu/interpreted`); undefined when no update ran. */
  readonly executor: string | undefined;
}

const DEFAULTS = { checkpointEvery: 1000, keepLast: 3, keepEvery: 0, logEvery: 10, evalEvery: 0 };

/**
 * Trains `model` for `steps` updates (or the rest of them when resuming) and returns the state.
 * Throws `NonFiniteLossError` at the first NaN or infinite loss, after logging it, and
 * `TrainingInterruptedError` when `signal` aborts.
 *
 * @example
 * const { state } = await trainLoop({ model, optimizer: adam({ lr: 1e-3 }), batches, key: key(0), steps: 5000, runDir: 'runs/a' });
 */
export async function trainLoop<P>(options: TrainLoopOptions<P>): Promise<TrainResult<P>> {
  checkLoopOptions(options);
  const settings = { ...DEFAULTS, ...definedOnly(options) };
  const { model, optimizer, steps } = options;
  const progress = options.progress ?? progressReporter({ quiet: options.quiet });

  const start = prepareStart(options);
  let state = start.state;
  let checkpoint = start.checkpoint;
  const priorSeconds = start.seconds;
  const paths = options.runDir === undefined ? undefined : runPaths(options.runDir);

  const trainStep = makeTrainStep(model, optimizer);
  const source = options.batches(runKeys(state.key));
  const began = performance.now();
  const elapsed = (): number => priorSeconds + (performance.now() - began) / 1000;
  let lastLoss: number | undefined;

  progress.start(state.step, steps);
  let lastPlan: StepPlan | undefined;
  let lastYield = performance.now();
  for (let s = state.step; s < steps; s++) {
    // Give the event loop a turn every YIELD_MS: a Ctrl-C (SIGINT) handler runs only then, and so
    // do the finalizers that free device buffers of dropped tensors on the gpujs backend.
    if (performance.now() - lastYield >= YIELD_MS) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      lastYield = performance.now();
    }
    if (options.signal?.aborted === true) {
      progress.finish();
      if (paths !== undefined && state.step > start.state.step && lastPlan !== undefined) {
        checkpoint = writeCheckpoint(paths.checkpoints, options, state, lastPlan, elapsed(), settings);
      }
      throw new TrainingInterruptedError(state.step, checkpoint);
    }
    const batch = source(s);
    const out = trainStep(state.params, state.optimizerState, batch.xs, batch.ys);
    const loss = out.loss.item();
    const done = s + 1;

    if (!Number.isFinite(loss)) {
      progress.finish();
      const error = new NonFiniteLossError({ step: done, task: batch.task, data: batch.data, plan: batch.plan, loss, lastCheckpoint: checkpoint });
      if (paths !== undefined) appendMetrics(paths.metrics, { kind: 'error', step: done, seconds: elapsed(), message: error.message });
      throw error;
    }

    state = { params: out.params, optimizerState: out.optimizerState, key: state.key, step: done };
    lastLoss = loss;
    lastPlan = batch.plan;
    const firstOfSegment = s === start.state.step;
    if (paths !== undefined && (done % settings.logEvery === 0 || done === 1 || done === steps || firstOfSegment)) {
      appendMetrics(paths.metrics, {
        kind: 'train',
        step: done,
        loss,
        task: batch.task,
        data: batch.data,
        activeDims: batch.plan.activeDims,
        points: batch.plan.points,
        ...(options.learningRate === undefined ? {} : { lr: options.learningRate(done) }),
        seconds: elapsed(),
        ...(firstOfSegment ? { executor: trainStep.executorKind ?? 'unknown' } : {}),
      });
    }
    if (firstOfSegment) progress.note(`step ${done}: the compiled step runs on ${trainStep.executorKind ?? 'an unknown executor'}`);
    progress.update(done, loss);

    if (options.evaluate !== undefined && settings.evalEvery > 0 && done % settings.evalEvery === 0) {
      const result = await options.evaluate(state.params, done);
      if (paths !== undefined) appendMetrics(paths.metrics, { kind: 'eval', step: done, seconds: elapsed(), result });
    }

    const due = done === steps || (settings.checkpointEvery > 0 && done % settings.checkpointEvery === 0);
    if (paths !== undefined && due) {
      checkpoint = writeCheckpoint(paths.checkpoints, options, state, batch.plan, elapsed(), settings);
    }
  }
  progress.finish();
  return { state, startStep: start.state.step, lastLoss, checkpoint, seconds: elapsed(), executor: trainStep.executorKind };
}

function writeCheckpoint<P>(
  folder: string,
  options: TrainLoopOptions<P>,
  state: TrainState<P>,
  plan: StepPlan,
  seconds: number,
  policy: { keepLast: number; keepEvery: number },
): string {
  const info = { configHash: options.configHash ?? '', plan, seconds, ...(options.hashedConfig === undefined ? {} : { hashedConfig: options.hashedConfig }) };
  const path = saveCheckpoint(folder, options.model, state, info);
  pruneCheckpoints(folder, policy);
  return path;
}

interface Start<P> {
  readonly state: TrainState<P>;
  readonly checkpoint: string | undefined;
  readonly seconds: number;
}

/** Creates or resumes the run folder and returns the state to start from. */
function prepareStart<P>(options: TrainLoopOptions<P>): Start<P> {
  const fresh = (): TrainState<P> => options.initialState ?? initTrainState(options.model, options.optimizer, options.key);
  if (options.runDir === undefined) return { state: fresh(), checkpoint: undefined, seconds: 0 };

  const paths = runPaths(options.runDir);
  checkRunFolder(paths.root, options.resume === true);
  if (options.resume !== true) {
    mkdirSync(paths.checkpoints, { recursive: true });
    if (options.config !== undefined) writeFileAtomic(paths.config, `${JSON.stringify(options.config, null, 2)}\n`);
    return { state: fresh(), checkpoint: undefined, seconds: 0 };
  }

  // checkRunFolder rejected a folder without a checkpoint.
  const latest = latestCheckpoint(paths.checkpoints)!;

  const { state, info } = loadForResume(latest, paths.checkpoints, options);
  if (options.configHash !== undefined && info.configHash !== options.configHash) {
    throw new Error(`${latest.path} was written by a run with config hash ${info.configHash}, but this configuration hashes to ${options.configHash}: ${describeHashMismatch(info.hashedConfig, options.hashedConfig)}`);
  }
  if (state.key.k0 !== options.key.k0 || state.key.k1 !== options.key.k1) {
    throw new Error(`${latest.path} was written with another run key (seed); resume with the seed of the original run`);
  }
  if (state.step > options.steps) {
    throw new Error(`${latest.path} is at step ${state.step}, past the requested ${options.steps} steps; pass steps >= ${state.step}`);
  }
  removeTemporaryFiles(paths.checkpoints);
  truncateMetrics(paths.metrics, state.step);
  // The hash matched, so the new config differs at most in step count and cadence: keep it current.
  if (options.config !== undefined && options.configHash !== undefined) writeFileAtomic(paths.config, `${JSON.stringify(options.config, null, 2)}\n`);
  return { state, checkpoint: latest.path, seconds: info.seconds };
}

/** A run folder that cannot take the requested new or resumed run; `reason` names the check that failed. */
export class RunFolderError extends Error {
  readonly reason: 'not-a-folder' | 'contains-run' | 'no-run' | 'no-checkpoint';

  constructor(reason: RunFolderError['reason'], message: string) {
    super(message);
    this.name = 'RunFolderError';
    this.reason = reason;
  }
}

/**
 * Checks, before anything is printed or written, that `root` can take a new run (`resume`
 * false: a folder path that does not contain a run) or a resumed one (`resume` true: a folder
 * that contains a run). Throws an error naming the folder and the fix.
 *
 * @example checkRunFolder('runs/a', false) // throws when runs/a already contains a run
 */
export function checkRunFolder(root: string, resume: boolean): void {
  const blocker = fileInPath(root);
  if (blocker !== undefined) {
    const reason = blocker === root ? `${root} is a file, not a folder` : `${blocker} is a file, so ${root} cannot be a folder`;
    throw new RunFolderError('not-a-folder', `invalid run folder: ${reason}; choose another folder (--out)`);
  }
  if (!resume && containsRun(root)) {
    throw new RunFolderError('contains-run', `run folder ${root} already contains a run; resume it (--resume) or choose another folder (--out)`);
  }
  if (resume && !containsRun(root)) {
    throw new RunFolderError('no-run', `nothing to resume in ${root}: it has no config.json, metrics.jsonl or checkpoint; drop --resume to start a new run there`);
  }
  if (resume && latestCheckpoint(runPaths(root).checkpoints) === undefined) {
    // Starting over here would truncate metrics.jsonl and lose its records (an error record, for
    // example), so the folder is left as it is and the caller decides.
    throw new RunFolderError(
      'no-checkpoint',
      `nothing to resume in ${root}: it contains a run that stopped before its first checkpoint (no step-*.safetensors in ${runPaths(root).checkpoints}); ` +
        `start the run again in another folder (--out), or delete ${root} and start it there without --resume`,
    );
  }
}

/** Returns the first existing path of `path` and its ancestors when that path is not a directory. */
function fileInPath(path: string): string | undefined {
  for (let current = resolve(path); ; current = dirname(current)) {
    if (existsSync(current)) return statSync(current).isDirectory() ? undefined : current === resolve(path) ? path : current;
    if (dirname(current) === current) return undefined;
  }
}

/** Loads the checkpoint to resume, naming the previous valid checkpoint when this one is corrupt. */
function loadForResume<P>(latest: CheckpointEntry, folder: string, options: TrainLoopOptions<P>): ReturnType<typeof loadCheckpoint<P>> {
  try {
    return loadCheckpoint(latest.path, options.model, options.optimizer);
  } catch (error) {
    if (!(error instanceof CorruptCheckpointError)) throw error;
    throw new CorruptCheckpointError(latest.path, error.detail, corruptCheckpointHint(folder, latest));
  }
}

/** Explains a config-hash mismatch by the fields that differ, when the checkpoint recorded them. */
function describeHashMismatch(saved: JsonValue | undefined, current: JsonValue | undefined): string {
  const fix = "a resumed run must keep the configuration its checkpoints were written with, so resume with the run's own config.json, or start a new run in another folder (--out)";
  if (saved === undefined || current === undefined) return `the checkpoint does not record which fields differ; ${fix}`;
  const differences = configDifferences(saved, current);
  if (differences.length === 0) return `the hashed fields are equal, so the hash function itself changed; ${fix}`;
  return `${formatConfigDifferences(differences)}. ${fix[0]!.toUpperCase()}${fix.slice(1)}`;
}

/** Deletes `.NAME.tmp` files that a crash between write and rename left behind. */
function removeTemporaryFiles(folder: string): void {
  for (const name of readdirSync(folder)) {
    if (name.startsWith('.') && name.endsWith('.tmp')) rmSync(join(folder, name), { force: true });
  }
}

/** Throws one error listing every invalid option, before anything is written. */
export function checkLoopOptions<P>(options: TrainLoopOptions<P>): void {
  const problems: string[] = [];
  const integer = (name: string, value: number | undefined, min: number): void => {
    if (value !== undefined && !(Number.isInteger(value) && value >= min)) problems.push(`${name} must be an integer >= ${min}, got ${value}`);
  };
  integer('steps', options.steps, 1);
  integer('checkpointEvery', options.checkpointEvery, 0);
  integer('keepLast', options.keepLast, 1);
  integer('keepEvery', options.keepEvery, 0);
  integer('logEvery', options.logEvery, 1);
  integer('evalEvery', options.evalEvery, 0);
  if (options.resume === true && options.runDir === undefined) problems.push('resume needs a run folder (runDir)');
  if (options.resume === true && options.initialState !== undefined) problems.push('pass either resume or initialState, not both');
  if (options.initialState !== undefined && (options.initialState.key.k0 !== options.key.k0 || options.initialState.key.k1 !== options.key.k1)) {
    problems.push('initialState.key differs from key; pass the key the state was created with');
  }
  if (problems.length > 0) throw new RangeError(`trainLoop: invalid options: ${problems.join('; ')}`);
}

function definedOnly<P>(options: TrainLoopOptions<P>): Partial<typeof DEFAULTS> {
  const out: Partial<Record<keyof typeof DEFAULTS, number>> = {};
  for (const name of Object.keys(DEFAULTS) as (keyof typeof DEFAULTS)[]) {
    const value = options[name];
    if (value !== undefined) out[name] = value;
  }
  return out;
}
