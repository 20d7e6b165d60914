/**
 * Argument parsing for the CLI with node's `util.parseArgs`: the options of each command, their
 * checks (integers, known backends), and `UsageError`, which the CLI turns into exit code 2.
 */
import { parseArgs } from 'node:util';
import { BACKEND_NAMES } from '../experiment/index.js';

/** A command-line mistake: an unknown command or option, a missing argument or a bad value. */
export class UsageError extends Error {
  /** The command whose help the message points to, when there is one. */
  readonly command: string | undefined;

  constructor(message: string, command?: string) {
    super(message);
    this.name = 'UsageError';
    this.command = command;
  }
}

/** Options of `run` and `train`. */
export interface TrainArgs {
  /** Preset name or config file; optional with --resume. */
  readonly source: string | undefined;
  readonly out: string | undefined;
  readonly seed: number | undefined;
  readonly backend: string | undefined;
  readonly steps: number | undefined;
  readonly resume: boolean;
  readonly quiet: boolean;
  /** Threads for the cpu backend's matrix products: 1, or 2 with the helper thread. */
  readonly threads: 1 | 2;
}

/** Options of `eval`. */
export interface EvalArgs {
  /** Run folder or checkpoint file. */
  readonly path: string;
  readonly prompts: number | undefined;
  readonly quiet: boolean;
  readonly threads: 1 | 2;
}

/** Options of `report`. */
export interface ReportArgs {
  readonly runDir: string;
  readonly quiet: boolean;
}

const HELP = { help: { type: 'boolean', short: 'h' } } as const;
const QUIET = { quiet: { type: 'boolean', short: 'q' } } as const;
const THREADS = { threads: { type: 'string' } } as const;

/** Parses `--threads`: 1 (the default) or 2, the cpu backend's most (one helper thread for matrix products). */
function threadsOption(command: string, value: string | undefined): 1 | 2 {
  if (value === undefined) return 1;
  if (value === '1' || value === '2') return Number(value) as 1 | 2;
  throw new UsageError(`--threads takes 1 or 2 (the cpu backend splits matrix products over at most 2 threads), got '${value}'`, command);
}

/** Returns true when the arguments ask for help (`--help` or `-h`) anywhere. */
export function wantsHelp(args: readonly string[]): boolean {
  return args.includes('--help') || args.includes('-h');
}

/** Parses the arguments of `run` or `train`. */
export function parseTrainArgs(command: 'run' | 'train', args: string[]): TrainArgs {
  const { values, positionals } = parse(command, args, {
    ...HELP,
    ...QUIET,
    ...THREADS,
    out: { type: 'string', short: 'o' },
    seed: { type: 'string' },
    backend: { type: 'string' },
    steps: { type: 'string' },
    resume: { type: 'boolean' },
  });
  const resume = values.resume === true;
  if (positionals.length > 1) throw new UsageError(`${command} takes one preset name or config file, got ${positionals.length}: ${positionals.join(' ')}`, command);
  if (positionals.length === 0 && !(resume && values.out !== undefined)) {
    throw new UsageError(`${command} needs a preset name or a config file (or --resume with --out DIR); list the presets with 'icl-lab presets'`, command);
  }
  const backend = values.backend as string | undefined;
  if (backend !== undefined && !BACKEND_NAMES.includes(backend)) {
    throw new UsageError(`unknown backend '${backend}' for --backend; known backends: ${BACKEND_NAMES.join(', ')}`, command);
  }
  return {
    source: positionals[0],
    out: values.out as string | undefined,
    seed: integerOption(command, '--seed', values.seed as string | undefined, Number.MIN_SAFE_INTEGER),
    backend,
    steps: integerOption(command, '--steps', values.steps as string | undefined, 1),
    resume,
    quiet: values.quiet === true,
    threads: threadsOption(command, values.threads as string | undefined),
  };
}

/** Parses the arguments of `eval`. */
export function parseEvalArgs(args: string[]): EvalArgs {
  const { values, positionals } = parse('eval', args, { ...HELP, ...QUIET, ...THREADS, prompts: { type: 'string' } });
  if (positionals.length !== 1) throw new UsageError(`eval takes one run folder or checkpoint file, got ${positionals.length}`, 'eval');
  return {
    path: positionals[0],
    prompts: integerOption('eval', '--prompts', values.prompts as string | undefined, 2),
    quiet: values.quiet === true,
    threads: threadsOption('eval', values.threads as string | undefined),
  };
}

/** Parses the arguments of `report`. */
export function parseReportArgs(args: string[]): ReportArgs {
  const { values, positionals } = parse('report', args, { ...HELP, ...QUIET });
  if (positionals.length !== 1) throw new UsageError(`report takes one run folder, got ${positionals.length}`, 'report');
  return { runDir: positionals[0], quiet: values.quiet === true };
}

/** Parses the arguments of `presets` (none besides --help). */
export function parsePresetsArgs(args: string[]): void {
  const { positionals } = parse('presets', args, { ...HELP });
  if (positionals.length > 0) throw new UsageError(`presets takes no arguments, got ${positionals.join(' ')}`, 'presets');
}

type OptionSpec = Record<string, { type: 'string' | 'boolean'; short?: string }>;

function parse(command: string, args: string[], options: OptionSpec): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({ args: attachNegativeValues(args, options), options, strict: true, allowPositionals: true });
    return { values: values as Record<string, string | boolean | undefined>, positionals };
  } catch (error) {
    const message = (error as Error).message.split('. To specify')[0];
    throw new UsageError(`${command}: ${message}`, command);
  }
}

/**
 * Rewrites `--seed -5` as `--seed=-5` for every option that takes a value. `parseArgs` would
 * otherwise read `-5` as an option and reject it as ambiguous, but a negative seed is valid and
 * a negative step count deserves a message that names it.
 */
function attachNegativeValues(args: readonly string[], options: OptionSpec): string[] {
  const takesValue = new Set<string>();
  for (const [name, spec] of Object.entries(options)) {
    if (spec.type !== 'string') continue;
    takesValue.add(`--${name}`);
    if (spec.short !== undefined) takesValue.add(`-${spec.short}`);
  }
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const next = args[i + 1];
    if (takesValue.has(args[i]!) && next !== undefined && /^-\d/.test(next)) {
      out.push(args[i]!.startsWith('--') ? `${args[i]}=${next}` : `${args[i]}${next}`);
      i++;
    } else {
      out.push(args[i]!);
    }
  }
  return out;
}

function integerOption(command: string, name: string, text: string | undefined, min: number): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!/^-?\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < min) {
    const range = min === Number.MIN_SAFE_INTEGER ? 'an integer' : `an integer >= ${min}`;
    throw new UsageError(`${name} must be ${range}, got '${text}'`, command);
  }
  return value;
}
