/**
 * The icl-lab command line: `run`, `train`, `eval`, `report` and `presets`. `main` returns the
 * exit code instead of exiting, so tests call it directly. The code is 0 on success and 1 when
 * the work failed (a NaN loss, a corrupt checkpoint). It is 2 for invalid arguments (a missing
 * path included), an invalid config or a backend that cannot run here, and 130 after Ctrl-C.
 */
import { startCpuHelperThread } from '../backends/cpu/index.js';
import { errorTable } from '../report/index.js';
import {
  BackendUnavailableError,
  ConfigError,
  evaluateParams,
  evaluationFolder,
  experimentPresets,
  openRun,
  reportRun,
  resolveExperiment,
  runExperiment,
  trainExperiment,
  type PipelineOptions,
} from '../experiment/index.js';
import { existsSync, statSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { NonFiniteLossError, progressReporter, runPaths, TrainingInterruptedError, type ProgressStream } from '../train/index.js';
import { UsageError, parseEvalArgs, parsePresetsArgs, parseReportArgs, parseTrainArgs, wantsHelp } from './args.js';
import { chooseExperiment } from './experiment-source.js';
import { HELP_TEXTS } from './help.js';
import { presetTable } from './presets-table.js';

/** Output streams of the CLI: results go to `stdout`, progress and errors to `stderr`. */
export interface CliIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: ProgressStream;
}

/** Exit code after Ctrl-C: 128 + SIGINT (2), as shells report it. */
const EXIT_INTERRUPTED = 130;

const PROCESS_IO: CliIo = { stdout: process.stdout, stderr: process.stderr };

/**
 * Runs the command in `argv` (the arguments after the program name) and returns the exit code.
 *
 * @example process.exitCode = await main(['run', 'quickstart', '--steps', '100']);
 */
export async function main(argv: readonly string[], io: CliIo = PROCESS_IO): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
      io.stdout.write(`${HELP_TEXTS.main}\n`);
      return command === undefined ? 2 : 0;
    }
    if (!Object.hasOwn(HELP_TEXTS, command) || command === 'main') {
      throw new UsageError(`unknown command '${command}'; commands: run, train, eval, report, presets`);
    }
    if (wantsHelp(rest)) {
      io.stdout.write(`${HELP_TEXTS[command]}\n`);
      return 0;
    }
    switch (command) {
      case 'run':
      case 'train':
        return await runOrTrain(command, [...rest], io);
      case 'eval':
        return await evaluate([...rest], io);
      case 'report':
        return await report([...rest], io);
      default:
        parsePresetsArgs([...rest]);
        io.stdout.write(`${presetTable(experimentPresets().map((p) => ({ name: p.name, description: p.description, experiment: resolveExperiment(p.experiment, p.name) })))}\n`);
        return 0;
    }
  } catch (error) {
    return reportError(error, io);
  }
}

async function runOrTrain(command: 'run' | 'train', args: string[], io: CliIo): Promise<number> {
  const parsed = parseTrainArgs(command, args);
  const { experiment, runDir, note } = chooseExperiment(command, parsed);
  if (parsed.threads === 2) await startCpuHelperThread();
  const options = pipelineOptions(parsed.quiet, io);
  if (note !== undefined) options.log(note);
  // Ctrl-C stops training after the current update; the loop saves a checkpoint to resume from.
  const interrupt = new AbortController();
  const onSignal = (): void => interrupt.abort();
  process.once('SIGINT', onSignal);
  const runOptions = { ...options, runDir, resume: parsed.resume, signal: interrupt.signal };

  try {
    if (command === 'train') {
      const result = await trainExperiment(experiment, runOptions);
      io.stdout.write(`trained ${experiment.name} to step ${result.state.step} in ${result.seconds.toFixed(1)} s; checkpoint ${result.checkpoint}\n`);
      return 0;
    }
    const summary = await runExperiment(experiment, runOptions);
    io.stdout.write(`ran ${experiment.name} to step ${summary.training.state.step} in ${summary.training.seconds.toFixed(1)} s of training\n`);
    io.stdout.write(`${errorTable(summary.curves[0].curve)}\n`);
    io.stdout.write(`files: ${[...summary.curves.map((c) => c.path), ...summary.reportFiles].join(', ')}\n`);
    return 0;
  } catch (error) {
    if (!(error instanceof TrainingInterruptedError)) throw error;
    const next =
      error.checkpoint === undefined
        ? `no update finished, so nothing was saved; start again with 'icl-lab ${command} ${parsed.source ?? '<preset|config>'} --out ${runDir}'`
        : `resume with 'icl-lab ${command} --resume --out ${runDir}'`;
    io.stderr.write(`icl-lab: interrupted at step ${error.step}; ${next}\n`);
    return EXIT_INTERRUPTED;
  } finally {
    process.removeListener('SIGINT', onSignal);
  }
}

async function evaluate(args: string[], io: CliIo): Promise<number> {
  const parsed = parseEvalArgs(args);
  checkEvalPath(parsed.path);
  if (parsed.threads === 2) await startCpuHelperThread();
  const run = openRun(parsed.path);
  const prompts = parsed.prompts ?? run.experiment.eval.prompts;
  const experiment = { ...run.experiment, eval: { ...run.experiment.eval, prompts } };
  const options = pipelineOptions(parsed.quiet, io);
  const folder = evaluationFolder(run, prompts);
  options.log(`evaluating ${run.checkpoint} (step ${run.step}) into ${folder}`);
  const curves = await evaluateParams(experiment, run.params, run.runDir, { ...options, folder, checkpoint: { path: run.checkpoint, step: run.step } });
  io.stdout.write(`${errorTable(curves[0].curve)}\n`);
  io.stdout.write(`files: ${curves.map((c) => c.path).join(', ')}\n`);
  return 0;
}

/** Rejects an eval path that is missing, a folder that is not a run, or a checkpoint outside a run's checkpoints/ folder. */
function checkEvalPath(path: string): void {
  const fix = 'pass a run folder (with config.json) or a checkpoint file <run>/checkpoints/step-*.safetensors';
  if (!existsSync(path)) throw new UsageError(`'${path}' not found; ${fix}`, 'eval');
  if (statSync(path).isDirectory()) {
    if (!existsSync(runPaths(path).config)) throw new UsageError(`'${path}' is not a run folder: it has no config.json; ${fix}`, 'eval');
    return;
  }
  const runDir = dirname(dirname(path));
  if (basename(dirname(path)) !== 'checkpoints' || !existsSync(runPaths(runDir).config)) {
    throw new UsageError(`checkpoint '${path}' is not inside a run folder: eval needs it at <run>/checkpoints/ next to <run>/config.json; ${fix}`, 'eval');
  }
}

async function report(args: string[], io: CliIo): Promise<number> {
  const parsed = parseReportArgs(args);
  if (!existsSync(runPaths(parsed.runDir).config)) {
    const problem = existsSync(parsed.runDir) ? 'is not a run folder: it has no config.json' : 'not found';
    throw new UsageError(`'${parsed.runDir}' ${problem}; pass a run folder written by 'icl-lab train' or 'icl-lab run'`, 'report');
  }
  const files = await reportRun(parsed.runDir, pipelineOptions(true, io));
  io.stdout.write(`files: ${files.join(', ')}\n`);
  return 0;
}

function pipelineOptions(quiet: boolean, io: CliIo): PipelineOptions & { log: (line: string) => void } {
  return {
    quiet,
    log: quiet ? () => {} : (line) => void io.stderr.write(`${line}\n`),
    progress: progressReporter({ quiet, stream: io.stderr }),
  };
}

/** Prints an error and returns its exit code: 2 for usage, config and unavailable-backend errors, 1 otherwise. */
function reportError(error: unknown, io: CliIo): number {
  if (error instanceof UsageError) {
    const hint = error.command === undefined ? "run 'icl-lab --help'" : `run 'icl-lab ${error.command} --help'`;
    io.stderr.write(`icl-lab: ${error.message}\n(${hint} for usage)\n`);
    return 2;
  }
  if (error instanceof ConfigError || error instanceof BackendUnavailableError) {
    io.stderr.write(`icl-lab: ${error.message}\n`);
    return 2;
  }
  if (error instanceof NonFiniteLossError) {
    io.stderr.write(`icl-lab: ${error.message}\n`);
    return 1;
  }
  const message = error instanceof Error ? error.message : String(error);
  io.stderr.write(`icl-lab: error: ${message}\n`);
  if (process.env.ICL_LAB_DEBUG !== undefined && error instanceof Error && error.stack !== undefined) io.stderr.write(`${error.stack}\n`);
  return 1;
}
