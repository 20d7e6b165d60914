/**
 * An experiment as a pipeline of named steps: train (with periodic quick evaluations), evaluate
 * (the ICL curve of every target against the baselines) and report (plots and tables). Each
 * step reads and writes the run folder, so it can also run alone: `evaluateRun` on a finished
 * or interrupted run, `reportRun` on an evaluated one.
 *
 * Run folder layout: config.json, metrics.jsonl and checkpoints/ (see src/train). The first
 * target's icl-curve.json with icl-curve.svg/.png and table.md, loss.svg/.png and summary.md
 * are at the root, and every other target is under eval/<target id>/.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { compile } from '../core/compile.js';
import { key } from '../core/prng.js';
import type { Tensor } from '../core/tensor.js';
import { criteriaMarkdown, iclCurve, linearCriteria, loadIclCurve, promptSet, quickEval, quickEvalSet, saveIclCurve, type IclCurveResult, type Predictor, type PromptSet } from '../eval/index.js';
import { applyTransformer, type TransformerParams } from '../models/index.js';
import { errorTable, writeReport } from '../report/index.js';
import {
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
import { configHash } from './hash.js';

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
 * and saves each as JSON in `runDir` (the first target at the root, the others under
 * eval/<id>/). Loads the experiment's backend first.
 */
export async function evaluateParams(experiment: Experiment, params: TransformerParams, runDir: string, options: PipelineOptions = {}): Promise<TargetCurve[]> {
  await loadBackend(experiment.backend);
  const log = logger(options);
  const forward = compiledForward();
  const predictor: Predictor = (xs, ys) => forward(params, xs, ys);
  const out: TargetCurve[] = [];
  for (const [i, target] of evalTargets(experiment).entries()) {
    const folder = i === 0 ? runDir : join(runDir, 'eval', target.id);
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
    await saveIclCurve(path, curve);
    out.push({ target, curve, path, folder });
  }
  return out;
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
  const runDir = isFile ? dirname(dirname(path)) : path;
  const experiment = readRunExperiment(runDir);
  const checkpoint = isFile ? path : latestCheckpoint(runPaths(runDir).checkpoints)?.path;
  if (checkpoint === undefined) throw new Error(`${runDir} has no checkpoint yet; train it first (icl-lab train) or resume it (--resume)`);
  // Decoding runs the model's initialiser only for the parameter structure and takes every value
  // from the file, so the cpu backend gives the same tensors as any other and needs no async start.
  selectBackend('cpu');
  const model = transformerModel(transformerConfigOf(experiment));
  const { state } = loadCheckpoint(checkpoint, model, buildOptimizer(experiment.training));
  return { runDir, experiment, checkpoint, step: state.step, params: state.params };
}

/** Reads and decodes the config.json of a run folder. */
export function readRunExperiment(runDir: string): Experiment {
  const path = runPaths(runDir).config;
  if (!existsSync(path)) throw new Error(`${runDir} is not a run folder: ${basename(path)} is missing`);
  return decodeExperiment(JSON.parse(readFileSync(path, 'utf8')) as unknown, path);
}

/** Evaluates the newest checkpoint (or the given checkpoint file) of a run; see `evaluateParams`. */
export async function evaluateRun(path: string, options: PipelineOptions = {}): Promise<TargetCurve[]> {
  const run = openRun(path);
  logger(options)(`evaluating ${run.checkpoint} (step ${run.step})`);
  return evaluateParams(run.experiment, run.params, run.runDir, options);
}

/**
 * Writes the plots and tables of an evaluated run: loss.svg/.png from metrics.jsonl and the
 * curve plot and table of every saved ICL curve. Returns the files written.
 */
export async function reportRun(runDir: string, options: PipelineOptions = {}): Promise<string[]> {
  const experiment = readRunExperiment(runDir);
  const paths = runPaths(runDir);
  const written: string[] = [];
  for (const [i, target] of evalTargets(experiment).entries()) {
    const folder = i === 0 ? runDir : join(runDir, 'eval', target.id);
    const curvePath = join(folder, 'icl-curve.json');
    const curve = existsSync(curvePath) ? await loadIclCurve(curvePath) : undefined;
    const metricsPath = i === 0 && existsSync(paths.metrics) ? paths.metrics : undefined;
    if (curve === undefined && metricsPath === undefined) continue;
    const files = await writeReport(folder, { curve, metricsPath });
    written.push(...Object.values(files).filter((f): f is string => f !== undefined));
  }
  if (written.length === 0) throw new Error(`${runDir} has neither metrics nor ICL curves to report; train and evaluate it first`);
  logger(options)(`report: ${written.join(', ')}`);
  return written;
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
  const curves = await evaluateParams(experiment, training.state.params, options.runDir, options);
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
 * The spec's section 9 (a) criteria, for a Gaussian linear-regression curve that has the
 * least-squares, averaging and 3-NN baselines; nothing for other tasks.
 */
function linearCriteriaLines(curve: IclCurveResult): string[] {
  const names = Object.values(curve.curves).map((c) => c.baseline);
  const applies =
    curve.task === 'linear_regression' &&
    curve.data === 'gaussian' &&
    (['least_squares', 'averaging', 'knn'] as const).every((b) => names.filter((n) => n === b).length === 1);
  if (!applies) return [];
  return ['Criteria of spec section 9 (a):', '', criteriaMarkdown(linearCriteria(curve)), ''];
}

function compiledForward(): (params: TransformerParams, xs: Tensor, ys: Tensor) => Tensor {
  return compile((params: TransformerParams, xs: Tensor, ys: Tensor) => applyTransformer(params, xs, ys));
}

function logger(options: PipelineOptions): (line: string) => void {
  if (options.log !== undefined) return options.log;
  if (options.quiet === true) return () => {};
  return (line) => process.stderr.write(`${line}\n`);
}
