/** Help texts of the icl-lab command and its subcommands. */
import { BACKEND_NAMES } from '../experiment/index.js';

const COMMON = `  -o, --out DIR      run folder (default runs/<experiment name>)
      --seed N       seed of the run key: initial parameters, curriculum and batches (default: the config's, else 0)
      --backend NAME backend that runs the tensors: ${BACKEND_NAMES.join(', ')} (default: the config's, else cpu);
                     a gpujs mode that cannot run here is rejected with the reason before the run starts
      --steps N      number of training updates (an integer >= 1); on a new run the curriculum
                     length follows it, but a dims/points ramp keeps its interval, so a ramp that
                     cannot reach its end within N steps is rejected
      --resume       continue the run in the output folder from its newest checkpoint, with its saved
                     config.json; only --steps may change, up to the curriculum's totalSteps
      --threads N    threads for the cpu backend's matrix products: 1 (default) or 2, which
                     starts a helper thread; results are bit-for-bit the same either way
  -q, --quiet        print no progress, only errors and the final paths
  -h, --help         show this help

Ctrl-C stops after the current update, saves a checkpoint and exits with code 130; continue
with --resume --out DIR.`;

/** Help of each command, by name; `main` is the overview. */
export const HELP_TEXTS: Readonly<Record<string, string>> = {
  main: `icl-lab: train and evaluate in-context learners of function classes

Usage: icl-lab <command> [options]

Commands:
  run <preset|config>      train, evaluate against the baselines and write the report
  train <preset|config>    train only (with periodic quick evaluations)
  eval <run|checkpoint>    compute the ICL curves of a run's newest checkpoint (or of one checkpoint)
  report <run>             write the plots and tables of an evaluated run
  presets                  list the presets

Run 'icl-lab <command> --help' for the options of a command.
Example: icl-lab run quickstart

Exit codes: 0 success, 1 the run failed (for example a NaN loss), 2 invalid arguments or config, or a backend that cannot run here,
130 interrupted by Ctrl-C.`,

  run: `Usage: icl-lab run <preset|config.yaml|config.json> [options]

Trains the experiment's Transformer, evaluates it on the config's fixed prompts (eval.prompts,
default 1280) against the baselines, and writes into the run folder: config.json (the resolved
config), metrics.jsonl (training and evaluation records), checkpoints/, icl-curve.json,
icl-curve.svg/.png, loss.svg/.png, table.md and summary.md (times, executor, machine, table).
Evaluation targets after the first go under eval/<target id>/.

Options:
${COMMON}`,

  train: `Usage: icl-lab train <preset|config.yaml|config.json> [options]

Trains the experiment's Transformer and writes config.json, metrics.jsonl and checkpoints/ into
the run folder. Evaluate it later with 'icl-lab eval <run folder>'.

Options:
${COMMON}`,

  eval: `Usage: icl-lab eval <run folder|checkpoint file> [options]

Computes the ICL curve of every evaluation target for the run's newest checkpoint (or the given
checkpoint file inside <run>/checkpoints/) and prints the table of the first target. The final
checkpoint on the config's prompt count is saved as icl-curve.json in the run folder; any other
checkpoint or --prompts value goes to eval/step-<8 digits>[-prompts-N]/, so the final result is
never replaced. Each icl-curve.json records its checkpoint and step.

Options:
      --prompts N    evaluation prompts per target (default: the config's eval.prompts, 1280)
      --threads N    threads for the cpu backend's matrix products: 1 (default) or 2, which
                     starts a helper thread; results are bit-for-bit the same either way
  -q, --quiet        print no progress
  -h, --help         show this help`,

  report: `Usage: icl-lab report <run folder> [options]

Writes loss.svg/.png from metrics.jsonl and, for every saved ICL curve (those under
eval/step-*/ included), icl-curve.svg/.png and table.md. Run 'icl-lab eval' first to have curves.

Options:
  -q, --quiet        print only the written paths
  -h, --help         show this help`,

  presets: `Usage: icl-lab presets

Lists the presets with their task sizes, model, batch size and steps. Run one with
'icl-lab run <name>'.`,
};
