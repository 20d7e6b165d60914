/**
 * The icl-lab command line: `run`, `train`, `eval`, `report` and `presets`. `main` returns the
 * exit code instead of exiting, so tests call it directly. The code is 0 on success and 1 when
 * the work failed (a NaN loss, a missing run). It is 2 for invalid arguments, an invalid config
 * or a backend that cannot run here.
 */
import { errorTable } from '../report/index.js';
import {
  BackendUnavailableError,
  ConfigError,
  evaluateParams,
  experimentPresets,
  openRun,
  reportRun,
  resolveExperiment,
  runExperiment,
  trainExperiment,
  type PipelineOptions,
} from '../experiment/index.js';
import { NonFiniteLossError, progressReporter, type ProgressStream } from '../train/index.js';
import { UsageError, parseEvalArgs, parsePresetsArgs, parseReportArgs, parseTrainArgs, wantsHelp } from './args.js';
import { chooseExperiment } from './experiment-source.js';
import { HELP_TEXTS } from './help.js';
import { presetTable } from './presets-table.js';

/** Output streams of the CLI: results go to `stdout`, progress and errors to `stderr`. */
export interface CliIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: ProgressStream;
}

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
  const options = pipelineOptions(parsed.quiet, io);
  if (note !== undefined) options.log!(note);
  const runOptions = { ...options, runDir, resume: parsed.resume };

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
}

async function evaluate(args: string[], io: CliIo): Promise<number> {
  const parsed = parseEvalArgs(args);
  const run = openRun(parsed.path);
  const experiment = parsed.prompts === undefined ? run.experiment : { ...run.experiment, eval: { ...run.experiment.eval, prompts: parsed.prompts } };
  const options = pipelineOptions(parsed.quiet, io);
  options.log!(`evaluating ${run.checkpoint} (step ${run.step})`);
  const curves = await evaluateParams(experiment, run.params, run.runDir, options);
  io.stdout.write(`${errorTable(curves[0].curve)}\n`);
  io.stdout.write(`files: ${curves.map((c) => c.path).join(', ')}\n`);
  return 0;
}

async function report(args: string[], io: CliIo): Promise<number> {
  const parsed = parseReportArgs(args);
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
