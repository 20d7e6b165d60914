/**
 * An experiment as a pipeline of named steps: train (with periodic quick evaluations), evaluate
 * (the ICL curve of every target against the baselines) and report (plots and tables). Each
 * step reads and writes the run folder, so it can also run alone: `evaluateRun` on a finished
 * or interrupted run, `reportRun` on an evaluated one.
 *
 * Run folder layout: config.json, metrics.jsonl and checkpoints/ (see src/train). The first
 * target's icl-curve.json with icl-curve.svg/.png and table.md, loss.svg/.png and summary.md
 * are at the root, and every other target is under eval/<target id>/. These root results are
 * those of the final checkpoint on the config's prompt count. An evaluation of an earlier
 * checkpoint or with another prompt count goes to eval/step-<8 digits>[-prompts-<N>]/ instead,
 * laid out the same way, so it never replaces the final result.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { compile } from '../core/compile.js';
import { key } from '../core/prng.js';
import type { Tensor } from '../core/tensor.js';
import { criteriaMarkdown, iclCurve, linearCriteria, loadIclCurve, promptSet, quickEval, quickEvalSet, saveIclCurve, type IclCurveResult, type Predictor, type PromptSet } from '../eval/index.js';
import { applyTransformer, type TransformerParams } from '../models/index.js';
import { errorTable, writeReport } from '../report/index.js';
import {
  checkRunFolder,
  CorruptCheckpointError,
  corruptCheckpointHint,
  formatDuration,
  latestCheckpoint,
  loadCheckpoint,
  progressReporter,
  runPaths,
  trainLoop,
  type JsonValue,
  type ProgressReporter,
  type TrainResult,
  writeFileAtomic,
} from '../train/index.js';
import { describeBackend, loadBackend, selectBackend } from './backends.js';
import { buildData, buildOptimizer, evalTargets, learningRateAt, transformerConfigOf, transformerModel, type EvalTarget } from './build.js';
import { decodeExperiment, type Experiment } from './config.js';
import { configHash, hashedFields } from './hash.js';

/** Options shared by the pipeline steps. */
export interface PipelineOptions {
  /** Print no progress or stage lines (default false). */
  readonly quiet?: boolean;
  /** Receives stage lines such as `evaluating ...` (default: stderr unless quiet). */
  readonly log?: (line: string) => void;
  /** Training progress (default: a bar or plain lines on stderr unless quiet). */
  readonly progress?: ProgressReporter;
}

/** Options of `trainExperiment` and `runExperiment`. */
export interface RunOptions extends PipelineOptions {
  /** The run folder. */
  readonly runDir: string;
  /** Continue the run in `runDir` from its newest checkpoint (default false). */
  readonly resume?: boolean;
  /** Stops training between updates (see `TrainLoopOptions.signal`). */
  readonly signal?: AbortSignal;
}

/** Options of `evaluateParams`. */
export interface EvaluateOptions extends PipelineOptions {
  /** Folder of the first target's curve (default: the run folder); other targets go under its eval/<target id>/. */
  readonly folder?: string;
  /** The checkpoint the parameters come from, recorded in each curve's JSON as `checkpoint` and `step`. */
  readonly checkpoint?: { readonly path: string; readonly step: number };
}

/** The ICL curve of one target and where it was saved. */
export interface TargetCurve {
  readonly target: EvalTarget;
  readonly curve: IclCurveResult;
  /** The JSON file of the curve. */
  readonly path: string;
  /** The folder its plots and table go to. */
  readonly folder: string;
}

/** The outcome of `runExperiment`. */
export interface RunSummary {
  readonly runDir: string;
  readonly training: TrainResult<TransformerParams>;
  readonly curves: readonly TargetCurve[];
  /** Every report file written. */
  readonly reportFiles: readonly string[];
}

/**
 * Trains the experiment's Transformer in `runDir`, with a quick evaluation of the first target
 * every `training.evalEvery` updates. Loads the experiment's backend first, so an unavailable
 * backend is rejected (`BackendUnavailableError`) before anything is written.
 *
 * @example const { state } = await trainExperiment(decodeExperiment(config, 'cfg'), { runDir: 'runs/a' });
 */
export async function trainExperiment(experiment: Experiment, options: RunOptions): Promise<TrainResult<TransformerParams>> {
  checkRunFolder(options.runDir, options.resume === true);
  const backend = await loadBackend(experiment.backend);
  const log = logger(options);
  log(`backend: ${describeBackend(backend)}`);
  const progress = options.progress ?? progressReporter({ quiet: options.quiet });
  const model = transformerModel(transformerConfigOf(experiment));
  const [first] = evalTargets(experiment);
  const forward = compiledForward();
  // The quick evaluation set is drawn at the first evaluation, so runs without one skip it.
  let quickSet: PromptSet | undefined;
  const evaluate = async (params: TransformerParams, step: number): Promise<JsonValue> => {
    quickSet ??= quickEvalSet({
      functions: first.functions,
      inputs: first.inputs,
      dims: experiment.task.dims,
      points: experiment.eval.points,
      prompts: experiment.eval.quickPrompts,
      seed: experiment.eval.seed,
    });
    const result = await quickEval(quickSet, (xs, ys) => forward(params, xs, ys), { ks: experiment.eval.quickKs });
    progress.note(`step ${step}: quick eval on ${first.id}: ${result.k.map((k, i) => `k=${k} ${result.error[i].toFixed(3)}`).join(', ')}`);
    return { target: first.id, ...JSON.parse(JSON.stringify(result)) } as JsonValue;
  };

  log(`training ${experiment.name} (${model.name}) for ${experiment.training.steps} steps in ${options.runDir}${options.resume === true ? ', resuming' : ''}`);
  return trainLoop({
    model,
    optimizer: buildOptimizer(experiment.training),
    batches: buildData(experiment),
    key: key(experiment.seed),
    steps: experiment.training.steps,
    learningRate: learningRateAt(experiment.training),
    runDir: options.runDir,
    resume: options.resume,
    config: JSON.parse(JSON.stringify(experiment)) as JsonValue,
    configHash: configHash(experiment),
    hashedConfig: hashedFields(experiment) as unknown as JsonValue,
    signal: options.signal,
    checkpointEvery: experiment.training.checkpointEvery,
    keepLast: experiment.training.keepLast,
    keepEvery: experiment.training.keepEvery,
    logEvery: experiment.training.logEvery,
    evalEvery: experiment.training.evalEvery,
    evaluate,
    quiet: options.quiet,
    progress,
  });
}

/**
 * Computes the ICL curve of every target of the experiment for `params`, against the baselines,
 * and saves each as JSON: the first target in `options.folder` (default `runDir`), the others
 * under its eval/<id>/. With `options.checkpoint`, each JSON records the checkpoint path
 * (relative to `runDir`) and step. Replacing a curve of another checkpoint or step is logged.
 * Loads the experiment's backend first.
 */
export async function evaluateParams(experiment: Experiment, params: TransformerParams, runDir: string, options: EvaluateOptions = {}): Promise<TargetCurve[]> {
  await loadBackend(experiment.backend);
  const log = logger(options);
  const forward = compiledForward();
  const predictor: Predictor = (xs, ys) => forward(params, xs, ys);
  const root = options.folder ?? runDir;
  const source = options.checkpoint === undefined ? {} : { checkpoint: relative(runDir, options.checkpoint.path), step: options.checkpoint.step };
  const out: TargetCurve[] = [];
  for (const [i, target] of evalTargets(experiment).entries()) {
    const folder = i === 0 ? root : join(root, 'eval', target.id);
    log(`evaluating ${target.id} on ${experiment.eval.prompts} prompts`);
    const set = promptSet({
      functions: target.functions,
      inputs: target.inputs,
      dims: experiment.task.dims,
      points: experiment.eval.points,
      prompts: experiment.eval.prompts,
      seed: experiment.eval.seed,
    });
    const curve = await iclCurve(set, { models: { transformer: predictor }, baselines: experiment.eval.baselines });
    const path = join(folder, 'icl-curve.json');
    const replaced = replacedSource(path, source);
    if (replaced !== undefined) log(`replacing ${path}, which held the curve of ${replaced}`);
    const recorded: IclCurveResult = { ...curve, ...source };
    await saveIclCurve(path, recorded);
    out.push({ target, curve: recorded, path, folder });
  }
  return out;
}

/**
 * Describes the evaluation stored at `path` when it came from another checkpoint or prompt
 * count than the one about to be written, or returns undefined (no file, or the same source).
 */
function replacedSource(path: string, source: { checkpoint?: string; step?: number }): string | undefined {
  if (!existsSync(path)) return undefined;
  let old: { checkpoint?: unknown; step?: unknown; nPrompts?: unknown };
  try {
    old = JSON.parse(readFileSync(path, 'utf8')) as typeof old;
  } catch {
    return 'an unreadable file';
  }
  if (old.step === undefined) return 'an unrecorded checkpoint';
  if (old.step === source.step && old.checkpoint === source.checkpoint) return undefined;
  return `${String(old.checkpoint)} (step ${String(old.step)})`;
}

/**
 * Returns the folder that an evaluation of `run` with `prompts` prompts per target goes to: the
 * run folder for the final checkpoint (step = training.steps) on the config's prompt count, else
 * eval/step-<8 digits>/, with a -prompts-<N> suffix for another prompt count.
 *
 * @example evaluationFolder(openRun('runs/a/checkpoints/step-00000260.safetensors'), 1280) // 'runs/a/eval/step-00000260'
 */
export function evaluationFolder(run: OpenedRun, prompts: number): string {
  const final = run.step === run.experiment.training.steps;
  const defaultPrompts = prompts === run.experiment.eval.prompts;
  if (final && defaultPrompts) return run.runDir;
  const name = `step-${String(run.step).padStart(8, '0')}${defaultPrompts ? '' : `-prompts-${prompts}`}`;
  return join(run.runDir, 'eval', name);
}

/** A run folder opened for evaluation: its experiment and the parameters of one checkpoint. */
export interface OpenedRun {
  readonly runDir: string;
  readonly experiment: Experiment;
  readonly checkpoint: string;
  readonly step: number;
  readonly params: TransformerParams;
}

/**
 * Opens a run folder (its newest checkpoint) or one checkpoint file inside a run's checkpoints/
 * folder, and loads the parameters with the run's config.json. The checkpoint is decoded on the
 * cpu backend, which is left selected; `evaluateParams` loads the run's own backend.
 *
 * @example const { experiment, params } = openRun('runs/quickstart');
 */
export function openRun(path: string): OpenedRun {
  if (!existsSync(path)) throw new Error(`${path} not found; pass a run folder or a checkpoint file inside one`);
  const isFile = statSync(path).isFile();
  if (isFile && !isRunCheckpoint(path)) {
    throw new Error(
      `${path} is not inside a run folder: a checkpoint must be at <run>/checkpoints/step-*.safetensors next to <run>/config.json; ` +
        'evaluate a checkpoint where its run wrote it, or copy config.json to the parent of its checkpoints/ folder',
    );
  }
  const runDir = isFile ? dirname(dirname(path)) : path;
  const experiment = readRunExperiment(runDir);
  const folder = runPaths(runDir).checkpoints;
  const entry = isFile ? { path, step: -1 } : latestCheckpoint(folder);
  if (entry === undefined) throw new Error(`${runDir} has no checkpoint yet; train it first (icl-lab train) or resume it (--resume)`);
  // Decoding runs the model's initialiser only for the parameter structure and takes every value
  // from the file, so the cpu backend gives the same tensors as any other and needs no async start.
  selectBackend('cpu');
  const model = transformerModel(transformerConfigOf(experiment));
  try {
    const { state } = loadCheckpoint(entry.path, model, buildOptimizer(experiment.training));
    return { runDir, experiment, checkpoint: entry.path, step: state.step, params: state.params };
  } catch (error) {
    if (!(error instanceof CorruptCheckpointError)) throw error;
    const step = entry.step >= 0 ? entry.step : Number(/step-(\d+)\.safetensors$/.exec(basename(entry.path))?.[1] ?? Infinity);
    throw new CorruptCheckpointError(entry.path, error.detail, corruptCheckpointHint(folder, { path: entry.path, step }));
  }
}

/** True when `path` is `<run>/checkpoints/<file>` and `<run>/config.json` exists. */
function isRunCheckpoint(path: string): boolean {
  return basename(dirname(path)) === 'checkpoints' && existsSync(runPaths(dirname(dirname(path))).config);
}

/** Reads and decodes the config.json of a run folder. */
export function readRunExperiment(runDir: string): Experiment {
  const path = runPaths(runDir).config;
  if (!existsSync(path)) throw new Error(`${runDir} is not a run folder: ${basename(path)} is missing`);
  return decodeExperiment(JSON.parse(readFileSync(path, 'utf8')) as unknown, path);
}

/**
 * Evaluates the newest checkpoint (or the given checkpoint file) of a run into the folder that
 * `evaluationFolder` names, recording the checkpoint; see `evaluateParams`.
 */
export async function evaluateRun(path: string, options: PipelineOptions = {}): Promise<TargetCurve[]> {
  const run = openRun(path);
  logger(options)(`evaluating ${run.checkpoint} (step ${run.step})`);
  return evaluateParams(run.experiment, run.params, run.runDir, {
    ...options,
    folder: evaluationFolder(run, run.experiment.eval.prompts),
    checkpoint: { path: run.checkpoint, step: run.step },
  });
}

/**
 * Writes the plots and tables of an evaluated run: loss.svg/.png from metrics.jsonl and the
 * curve plot and table of every saved ICL curve, those under eval/step-* included. Returns the
 * files written.
 */
export async function reportRun(runDir: string, options: PipelineOptions = {}): Promise<string[]> {
  const experiment = readRunExperiment(runDir);
  const paths = runPaths(runDir);
  const roots = [runDir, ...checkpointEvaluationFolders(runDir)];
  const written: string[] = [];
  for (const root of roots) {
    for (const [i, target] of evalTargets(experiment).entries()) {
      const folder = i === 0 ? root : join(root, 'eval', target.id);
      const curvePath = join(folder, 'icl-curve.json');
      const curve = existsSync(curvePath) ? await loadIclCurve(curvePath) : undefined;
      const metricsPath = root === runDir && i === 0 && existsSync(paths.metrics) ? paths.metrics : undefined;
      if (curve === undefined && metricsPath === undefined) continue;
      const files = await writeReport(folder, { curve, metricsPath });
      written.push(...Object.values(files).filter((f): f is string => f !== undefined));
    }
  }
  if (written.length === 0) throw new Error(`${runDir} has neither metrics nor ICL curves to report; train and evaluate it first`);
  logger(options)(`report: ${written.join(', ')}`);
  return written;
}

/** Lists the eval/step-* folders that `evaluationFolder` creates, sorted by name. */
function checkpointEvaluationFolders(runDir: string): string[] {
  const folder = join(runDir, 'eval');
  if (!existsSync(folder)) return [];
  return readdirSync(folder, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && /^step-\d{8}(-prompts-\d+)?$/.test(entry.name))
    .map((entry) => join(folder, entry.name))
    .sort();
}

/**
 * Runs the whole pipeline: train, evaluate the final parameters, write the report, and write
 * summary.md (wall times, executor, machine, the first target's table and plot) for pasting
 * into documents.
 *
 * @example const summary = await runExperiment(resolveExperiment(experimentPreset('quickstart').experiment), { runDir: 'runs/quickstart' });
 */
export async function runExperiment(experiment: Experiment, options: RunOptions): Promise<RunSummary> {
  const started = performance.now();
  const training = await trainExperiment(experiment, options);
  const trained = performance.now();
  const checkpoint = training.checkpoint === undefined ? {} : { checkpoint: { path: training.checkpoint, step: training.state.step } };
  const curves = await evaluateParams(experiment, training.state.params, options.runDir, { ...options, ...checkpoint });
  const evaluated = performance.now();
  const reportFiles = await reportRun(options.runDir, options);
  const seconds = { training: (trained - started) / 1000, evaluation: (evaluated - trained) / 1000, report: (performance.now() - evaluated) / 1000 };
  const summaryPath = join(options.runDir, 'summary.md');
  writeFileAtomic(summaryPath, runSummaryMarkdown(options.runDir, experiment, training, curves[0], seconds));
  return { runDir: options.runDir, training, curves, reportFiles: [...reportFiles, summaryPath] };
}

/** Formats the summary.md of a run: what ran, how long each stage took, where, and the first target's table and plot. */
function runSummaryMarkdown(
  runDir: string,
  experiment: Experiment,
  training: TrainResult<TransformerParams>,
  first: TargetCurve,
  seconds: { training: number; evaluation: number; report: number },
): string {
  const total = seconds.training + seconds.evaluation + seconds.report;
  const machine = `Node ${process.version}, ${availableParallelism()} CPUs (${cpus()[0]?.model.trim() ?? 'unknown model'})`;
  const heading = experiment.description === '' ? [`# ${experiment.name}`, ''] : [`# ${experiment.name}`, '', experiment.description, ''];
  return [
    ...heading,
    `- steps: ${training.state.step} (this invocation started at step ${training.startStep})`,
    `- wall time: ${formatDuration(total)} in total: training ${seconds.training.toFixed(1)} s, evaluation ${seconds.evaluation.toFixed(1)} s, report ${seconds.report.toFixed(1)} s`,
    `- training seconds summed over resumed segments: ${training.seconds.toFixed(1)}`,
    `- executor: ${training.executor ?? 'none (no update ran in this invocation)'} on ${machine}`,
    `- final training loss: ${training.lastLoss ?? 'n/a'}`,
    '',
    errorTable(first.curve),
    '',
    ...linearCriteriaLines(first.curve),
    `![ICL curve of ${first.target.id}](${relative(runDir, join(first.folder, 'icl-curve.png'))})`,
    '',
  ].join('\n');
}

/**
 * Returns the quickstart criteria lines for a Gaussian linear-regression curve that has the
 * least-squares, averaging and 3-NN baselines; nothing for other tasks.
 */
function linearCriteriaLines(curve: IclCurveResult): string[] {
  const names = Object.values(curve.curves).map((c) => c.baseline);
  const applies =
    curve.task === 'linear_regression' &&
    curve.data === 'gaussian' &&
    (['least_squares', 'averaging', 'knn'] as const).every((b) => names.filter((n) => n === b).length === 1);
  if (!applies) return [];
  return ['Quickstart criteria:', '', criteriaMarkdown(linearCriteria(curve)), ''];
}

function compiledForward(): (params: TransformerParams, xs: Tensor, ys: Tensor) => Tensor {
  return compile((params: TransformerParams, xs: Tensor, ys: Tensor) => applyTransformer(params, xs, ys));
}

function logger(options: PipelineOptions): (line: string) => void {
  if (options.log !== undefined) return options.log;
  if (options.quiet === true) return () => {};
  return (line) => process.stderr.write(`${line}\n`);
}
