/**
 * Decides the experiment and the run folder of `run` and `train`: a preset or a config file
 * with the command-line overrides on a new run, or the run's saved config.json when resuming.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  experimentPresetNames,
  experimentPreset,
  readExperimentInput,
  readRunExperiment,
  resolveExperiment,
  type Experiment,
  type ExperimentInput,
} from '../experiment/index.js';
import { checkRunFolder, RunFolderError, runPaths } from '../train/index.js';
import { UsageError, type TrainArgs } from './args.js';

/** The experiment to run, where, and a note for the user (or undefined). */
export interface ExperimentChoice {
  readonly experiment: Experiment;
  readonly runDir: string;
  readonly note: string | undefined;
}

/**
 * Resolves the experiment of a `run`/`train` command. Throws `UsageError` for a source that is
 * neither a preset nor a file and for overrides that a resumed run cannot take, and
 * `ConfigError` for an invalid config.
 */
export function chooseExperiment(command: string, args: TrainArgs): ExperimentChoice {
  const fromSource = args.source === undefined ? undefined : withOverrides(readSource(command, args.source), args);
  const runDir = args.out ?? join('runs', fromSource?.name ?? 'experiment');
  try {
    checkRunFolder(runDir, args.resume);
  } catch (error) {
    // A path that cannot be a folder is a bad argument (exit 2). The other folder problems are
    // raised again by trainExperiment before it prints or writes anything.
    if (!(error instanceof RunFolderError)) throw error;
    if (error.reason === 'not-a-folder') throw new UsageError(error.message, command);
  }

  if (args.resume && existsSync(runPaths(runDir).config)) {
    const saved = readRunExperiment(runDir);
    if (args.seed !== undefined && args.seed !== saved.seed) {
      throw new UsageError(`--seed ${args.seed} differs from the run's seed ${saved.seed}; a resumed run keeps its seed, so drop --seed or start a new run with --out`, command);
    }
    if (args.backend !== undefined && args.backend !== saved.backend) {
      throw new UsageError(`--backend ${args.backend} differs from the run's backend ${saved.backend}; drop --backend or start a new run with --out`, command);
    }
    const steps = args.steps ?? saved.training.steps;
    const experiment = resolveExperiment({ ...saved, training: { ...saved.training, steps } }, runPaths(runDir).config);
    const note = args.source === undefined ? undefined : `resuming with the saved ${runPaths(runDir).config}; changes in '${args.source}' are not applied`;
    return { experiment, runDir, note };
  }

  if (fromSource === undefined) {
    throw new UsageError(`${runDir} has no config.json to resume; pass the preset or config file of the run`, command);
  }
  return { experiment: resolveExperiment(fromSource, args.source), runDir, note: undefined };
}

/** Reads a preset by name or a config file by path. */
function readSource(command: string, source: string): ExperimentInput {
  if (experimentPresetNames().includes(source)) return experimentPreset(source).experiment;
  if (existsSync(source) && statSync(source).isDirectory()) {
    throw new UsageError(
      `'${source}' is a folder, not a preset or a config file; pass a preset name or a .yaml/.json file, or resume a run folder with --resume --out ${source}`,
      command,
    );
  }
  if (existsSync(source)) return readExperimentInput(source);
  throw new UsageError(`'${source}' is neither a preset nor a config file; presets: ${experimentPresetNames().join(', ')}`, command);
}

/** Applies --seed, --backend and --steps to a config before its defaults are filled in. */
function withOverrides(input: ExperimentInput, args: TrainArgs): ExperimentInput {
  return {
    ...input,
    ...(args.seed === undefined ? {} : { seed: args.seed }),
    ...(args.backend === undefined ? {} : { backend: args.backend }),
    training: { ...input.training, ...(args.steps === undefined ? {} : { steps: args.steps }) },
  };
}
