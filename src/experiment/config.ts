/**
 * Experiment configs: the shape of a config file (`ExperimentInput`, decoded with io-ts), and the
 * resolved `Experiment` with every default filled in. `decodeExperiment` checks a value field by
 * field, then across fields: nHead divides nEmbd, schedules match the lists, ramps stay within d
 * and n, and every task can be sampled. It throws one `ConfigError` listing every problem by path.
 *
 * A resolved experiment is plain JSON and decodes to itself, so a run's config.json can be
 * passed back as a config file.
 */
import { isLeft } from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { key } from '../core/prng.js';
import { buildCurriculum, maxSize, type CurriculumSpec, type SizeSpec } from '../curricula/index.js';
import { DEFAULT_EVAL_PROMPTS, DEFAULT_EVAL_SEED, DEFAULT_QUICK_EVAL_PROMPTS } from '../eval/index.js';
import { BASELINE_NAMES, type BaselineName } from '../models/baselines/index.js';
import {
  makeFunctionClass,
  makeInputDistribution,
  promptBatch,
  type FunctionClass,
  type FunctionClassSpec,
  type InputDistribution,
  type InputDistributionSpec,
} from '../tasks/index.js';
import { BACKEND_NAMES } from './backends.js';
import { anyInteger, arrayOf, closedObject, finiteNumber, integer, nonEmptyString, oneOf, taggedUnion } from './codec-kit.js';
import { reportErrors, formatProblems, type ConfigProblem } from './reporter.js';
import { CurriculumInputCodec, FunctionClassSpecCodec, InputDistributionSpecCodec, type CurriculumInput } from './spec-codecs.js';

/** Transformer sizes. d and n come from the task. */
export interface ModelConfig {
  /** Blocks L. */
  readonly nLayer: number;
  /** Attention heads H; must divide nEmbd. */
  readonly nHead: number;
  /** Width E. */
  readonly nEmbd: number;
  /** Initialisation of the read-in and read-out layers (default 'gpt2'); see `TransformerConfig.readInOutInit`. */
  readonly readInOutInit?: 'gpt2' | 'pytorch';
}

/** The optimizer: Adam or AdamW with PyTorch's defaults unless set. */
export interface OptimizerInput {
  readonly name?: 'adam' | 'adamw';
  readonly beta1?: number;
  readonly beta2?: number;
  readonly eps?: number;
  /** L2 penalty (Adam, default 0) or decoupled decay (AdamW, default 0.01). */
  readonly weightDecay?: number;
}

/** The learning-rate schedule over the 1-based update count. */
export type ScheduleConfig =
  | { readonly name: 'constant' }
  | { readonly name: 'warmup'; readonly warmup: number }
  | { readonly name: 'cosine'; readonly warmup?: number; readonly final?: number; readonly total?: number };

/** The task section of a config file. */
export interface TaskInput {
  /** d, the input dimension. */
  readonly dims: number;
  /** n, the largest number of points per prompt (the model's context is 2n tokens). */
  readonly points: number;
  /** The function classes the task schedule indexes, in curriculum order. */
  readonly functions: readonly FunctionClassSpec[];
  /** The input distributions the data schedule indexes, in curriculum order (default: gaussian). */
  readonly inputs?: readonly InputDistributionSpec[];
  readonly curriculum?: CurriculumInput;
}

/** The training section of a config file. */
export interface TrainingInput {
  /** Number of updates. */
  readonly steps: number;
  /** Prompts per batch B. */
  readonly batchSize: number;
  /** Base learning rate. */
  readonly lr: number;
  readonly optimizer?: OptimizerInput;
  readonly schedule?: ScheduleConfig;
  /** Clip gradients to this global L2 norm (default: no clipping). */
  readonly clipNorm?: number;
  /** Metrics record every this many updates (default 10). */
  readonly logEvery?: number;
  /** Quick evaluation every this many updates (default 500; 0 turns it off). */
  readonly evalEvery?: number;
  /** Checkpoint every this many updates (default 500; the last update always gets one). */
  readonly checkpointEvery?: number;
  /** Keep the newest this many checkpoints (default 3). */
  readonly keepLast?: number;
  /** Also keep checkpoints at multiples of this step (default 0: none). */
  readonly keepEvery?: number;
}

/** The evaluation section of a config file: the final ICL curves and the periodic quick evaluation. */
export interface EvalInput {
  /** Prompts of the final ICL curve (default 1280). */
  readonly prompts?: number;
  /** Seed of the evaluation prompts and bootstrap (default -152, never a training key). */
  readonly seed?: number;
  /** Baselines by registry name (default: the task's standard set). */
  readonly baselines?: readonly BaselineName[];
  /** Prompts of the periodic quick evaluation (default 128). */
  readonly quickPrompts?: number;
  /** Positions k of the quick evaluation (default 0, 1, d/2, d-1, d, 2d, n-1). */
  readonly quickKs?: readonly number[];
  /** Points per evaluation prompt (default n). */
  readonly points?: number;
  /** Input distributions to evaluate every function class on (default: the training inputs). */
  readonly inputs?: readonly InputDistributionSpec[];
}

/** A config file as decoded, before defaults. */
export interface ExperimentInput {
  readonly name?: string;
  readonly description?: string;
  /** Seed of the run key (default 0). */
  readonly seed?: number;
  /** Backend name (default `cpu`). */
  readonly backend?: string;
  readonly model: ModelConfig;
  readonly task: TaskInput;
  readonly training: TrainingInput;
  readonly eval?: EvalInput;
}

/** A fully resolved experiment: every default filled in. */
export interface Experiment {
  readonly name: string;
  readonly description: string;
  readonly seed: number;
  readonly backend: string;
  readonly model: ModelConfig;
  readonly task: {
    readonly dims: number;
    readonly points: number;
    readonly functions: readonly FunctionClassSpec[];
    readonly inputs: readonly InputDistributionSpec[];
    readonly curriculum: CurriculumSpec;
  };
  readonly training: {
    readonly steps: number;
    readonly batchSize: number;
    readonly lr: number;
    readonly optimizer: Required<OptimizerInput>;
    readonly schedule: ScheduleConfig;
    readonly clipNorm?: number;
    readonly logEvery: number;
    readonly evalEvery: number;
    readonly checkpointEvery: number;
    readonly keepLast: number;
    readonly keepEvery: number;
  };
  readonly eval: {
    readonly prompts: number;
    readonly seed: number;
    readonly baselines?: readonly BaselineName[];
    readonly quickPrompts: number;
    readonly quickKs?: readonly number[];
    readonly points: number;
    readonly inputs: readonly InputDistributionSpec[];
  };
}

const unit = finiteNumber({ min: 0, max: 1, exclusiveMax: true });
const positive = finiteNumber({ min: 0, exclusiveMin: true });

const ScheduleCodec = taggedUnion('a learning-rate schedule', 'name', {
  constant: closedObject("schedule 'constant'", { name: oneOf(['constant'] as const) }, {}),
  warmup: closedObject("schedule 'warmup'", { name: oneOf(['warmup'] as const), warmup: integer(1) }, {}),
  cosine: closedObject("schedule 'cosine'", { name: oneOf(['cosine'] as const) }, { warmup: integer(0), final: finiteNumber({ min: 0 }), total: integer(1) }),
}) as t.Type<ScheduleConfig, ScheduleConfig, unknown>;

/** Codec of a config file. */
export const ExperimentInputCodec: t.Type<ExperimentInput, ExperimentInput, unknown> = closedObject(
  'an experiment',
  {
    model: closedObject('model', { nLayer: integer(1), nHead: integer(1), nEmbd: integer(1) }, { readInOutInit: oneOf(['gpt2', 'pytorch'] as const) }),
    task: closedObject(
      'task',
      { dims: integer(1), points: integer(1), functions: arrayOf(FunctionClassSpecCodec) },
      { inputs: arrayOf(InputDistributionSpecCodec), curriculum: CurriculumInputCodec },
    ),
    training: closedObject(
      'training',
      { steps: integer(1), batchSize: integer(1), lr: positive },
      {
        optimizer: closedObject('optimizer', {}, { name: oneOf(['adam', 'adamw'] as const), beta1: unit, beta2: unit, eps: positive, weightDecay: finiteNumber({ min: 0 }) }),
        schedule: ScheduleCodec,
        clipNorm: positive,
        logEvery: integer(1),
        evalEvery: integer(0),
        checkpointEvery: integer(1),
        keepLast: integer(1),
        keepEvery: integer(0),
      },
    ),
  },
  {
    name: nonEmptyString,
    description: t.string,
    seed: anyInteger,
    backend: oneOf(BACKEND_NAMES),
    eval: closedObject(
      'eval',
      {},
      {
        prompts: integer(2),
        seed: anyInteger,
        baselines: arrayOf(oneOf(BASELINE_NAMES), 0),
        quickPrompts: integer(1),
        quickKs: arrayOf(integer(0)),
        points: integer(1),
        inputs: arrayOf(InputDistributionSpecCodec),
      },
    ),
  },
);

/** A config that failed to decode or resolve; `problems` lists every problem by path. */
export class ConfigError extends Error {
  readonly problems: readonly ConfigProblem[];
  readonly source: string;

  constructor(source: string, problems: readonly ConfigProblem[]) {
    super(formatProblems(source, problems));
    this.name = 'ConfigError';
    this.source = source;
    this.problems = problems;
  }
}

/**
 * Decodes and resolves a config value (parsed YAML or JSON). Throws `ConfigError` listing every
 * problem; `source` (a file path or preset name) starts the message. The checks across fields
 * run only when every field decodes, so a config with both kinds of problems lists the field
 * problems first and the others after they are fixed.
 *
 * @example const experiment = decodeExperiment(YAML.parse(text), 'runs.yaml');
 */
export function decodeExperiment(value: unknown, source: string): Experiment {
  return resolveExperiment(decodeExperimentInput(value, source), source);
}

/**
 * Decodes a config value field by field without resolving it, so a caller can override fields
 * (seed, steps) before `resolveExperiment`. Throws `ConfigError` listing every problem.
 */
export function decodeExperimentInput(value: unknown, source: string): ExperimentInput {
  const decoded = ExperimentInputCodec.decode(value);
  if (isLeft(decoded)) throw new ConfigError(source, reportErrors(decoded.left));
  return decoded.right;
}

/**
 * Fills in the defaults of a decoded config and checks the rules that span fields. Throws
 * `ConfigError` listing every problem.
 */
export function resolveExperiment(input: ExperimentInput, source = 'experiment'): Experiment {
  const problems: ConfigProblem[] = [];
  const problem = (path: string, message: string): void => void problems.push({ path, message });
  const { model, task, training } = input;
  const evalInput = input.eval ?? {};

  if (model.nEmbd % model.nHead !== 0) problem('model.nHead', `must divide model.nEmbd = ${model.nEmbd}, got ${model.nHead}`);

  const inputs = task.inputs ?? [{ name: 'gaussian' }];
  const curriculum = resolveCurriculum(task, inputs.length, training.steps, problem);
  const optimizerName = training.optimizer?.name ?? 'adam';
  const optimizer: Required<OptimizerInput> = {
    name: optimizerName,
    beta1: training.optimizer?.beta1 ?? 0.9,
    beta2: training.optimizer?.beta2 ?? 0.999,
    eps: training.optimizer?.eps ?? 1e-8,
    weightDecay: training.optimizer?.weightDecay ?? (optimizerName === 'adamw' ? 1e-2 : 0),
  };
  const schedule = resolveSchedule(training.schedule ?? { name: 'constant' }, training.steps, problem);

  const evalPoints = evalInput.points ?? task.points;
  if (evalPoints > task.points) problem('eval.points', `must be at most task.points = ${task.points} (the model's context), got ${evalPoints}`);
  evalInput.quickKs?.forEach((k, i) => {
    if (k >= evalPoints) problem(`eval.quickKs[${i}]`, `must be below the ${evalPoints} evaluation points, got ${k}`);
  });
  if (evalInput.quickKs !== undefined && new Set(evalInput.quickKs).size !== evalInput.quickKs.length) problem('eval.quickKs', 'must not repeat a position');

  const evalInputs = evalInput.inputs ?? inputs;
  if (curriculum !== undefined) checkSampling(task, inputs, curriculum, problem);
  if (evalInput.inputs !== undefined) checkEvalSampling(task, evalInputs, evalPoints, problem);
  if (problems.length > 0) throw new ConfigError(source, problems);

  return {
    name: input.name ?? 'experiment',
    description: input.description ?? '',
    seed: input.seed ?? 0,
    backend: input.backend ?? 'cpu',
    model: {
      nLayer: model.nLayer,
      nHead: model.nHead,
      nEmbd: model.nEmbd,
      ...(model.readInOutInit === undefined ? {} : { readInOutInit: model.readInOutInit }),
    },
    task: { dims: task.dims, points: task.points, functions: task.functions, inputs, curriculum: curriculum! },
    training: {
      steps: training.steps,
      batchSize: training.batchSize,
      lr: training.lr,
      optimizer,
      schedule,
      ...(training.clipNorm === undefined ? {} : { clipNorm: training.clipNorm }),
      logEvery: training.logEvery ?? 10,
      evalEvery: training.evalEvery ?? 500,
      checkpointEvery: training.checkpointEvery ?? 500,
      keepLast: training.keepLast ?? 3,
      keepEvery: training.keepEvery ?? 0,
    },
    eval: {
      prompts: evalInput.prompts ?? DEFAULT_EVAL_PROMPTS,
      seed: evalInput.seed ?? DEFAULT_EVAL_SEED,
      ...(evalInput.baselines === undefined ? {} : { baselines: evalInput.baselines }),
      quickPrompts: evalInput.quickPrompts ?? DEFAULT_QUICK_EVAL_PROMPTS,
      ...(evalInput.quickKs === undefined ? {} : { quickKs: evalInput.quickKs }),
      points: evalPoints,
      inputs: evalInputs,
    },
  };
}

type Report = (path: string, message: string) => void;

function resolveCurriculum(task: TaskInput, inputCount: number, steps: number, problem: Report): CurriculumSpec | undefined {
  const input = task.curriculum ?? {};
  const base = 'task.curriculum';
  const functionCount = task.functions.length;
  let ok = true;
  const fail = (path: string, message: string): void => {
    ok = false;
    problem(path, message);
  };

  let tasks: CurriculumSpec['tasks'];
  if (input.tasks === undefined) {
    if (functionCount > 1) fail('task.functions', `${functionCount} function classes need a task schedule; set ${base}.tasks, e.g. {mode: mixed}`);
    tasks = { mode: 'single', count: 1 };
  } else if ('weights' in input.tasks) {
    if (input.tasks.weights.length !== functionCount) fail(`${base}.tasks.weights`, `needs one weight per function class (${functionCount}), got ${input.tasks.weights.length}`);
    if (!input.tasks.weights.some((w) => w > 0)) fail(`${base}.tasks.weights`, 'needs at least one positive weight');
    tasks = { weights: input.tasks.weights };
  } else {
    const count = input.tasks.count ?? functionCount;
    if (count !== functionCount) fail(`${base}.tasks.count`, `must equal the number of function classes (${functionCount}), got ${count}`);
    if (input.tasks.mode === 'single' && count !== 1) fail(`${base}.tasks.mode`, `'single' needs one function class, got ${count}; use sequential, mixed or random`);
    tasks = { mode: input.tasks.mode, count };
  }

  let data: CurriculumSpec['data'];
  if (input.data === undefined) {
    if (inputCount > 1) fail('task.inputs', `${inputCount} input distributions need a data schedule; set ${base}.data, e.g. {mode: mixed}`);
  } else {
    const count = input.data.count ?? inputCount;
    if (count !== inputCount) fail(`${base}.data.count`, `must equal the number of input distributions (${inputCount}), got ${count}`);
    if (input.data.mode === 'single' && count !== 1) fail(`${base}.data.mode`, `'single' needs one input distribution, got ${count}`);
    const split = input.data.split ?? 'steps_based';
    if (split === 'blocks_based' && tasks !== undefined && 'weights' in tasks) fail(`${base}.data.split`, "'blocks_based' needs a task schedule with a mode, not weights");
    data = { mode: input.data.mode, count, split };
  }

  const activeDims = input.activeDims ?? task.dims;
  const points = input.points ?? task.points;
  if (!checkSize(`${base}.activeDims`, activeDims, task.dims, 'task.dims', fail)) ok = false;
  if (!checkSize(`${base}.points`, points, task.points, 'task.points', fail)) ok = false;
  if (ok) {
    checkRampReach(`${base}.activeDims`, activeDims, steps, fail);
    checkRampReach(`${base}.points`, points, steps, fail);
  }

  if (input.totalSteps !== undefined && steps > input.totalSteps) {
    fail('training.steps', `must be at most ${base}.totalSteps = ${input.totalSteps}, the steps the curriculum is defined for, got ${steps}; raise totalSteps in a new run`);
  }
  const spec: CurriculumSpec = {
    totalSteps: input.totalSteps ?? steps,
    ...(tasks === undefined ? {} : { tasks }),
    ...(data === undefined ? {} : { data }),
    activeDims,
    points,
  };
  if (!ok) return undefined;
  try {
    buildCurriculum(spec);
  } catch (error) {
    problem(base, (error as Error).message);
    return undefined;
  }
  return spec;
}

function checkSize(path: string, size: SizeSpec, limit: number, limitName: string, fail: Report): boolean {
  if (typeof size === 'number') {
    if (size > limit) {
      fail(path, `must be at most ${limitName} = ${limit}, got ${size}`);
      return false;
    }
    return true;
  }
  let ok = true;
  if (size.end < size.start) {
    fail(`${path}.end`, `must be at least start = ${size.start}, got ${size.end}`);
    ok = false;
  }
  if (maxSize(size) > limit) {
    fail(`${path}.end`, `must be at most ${limitName} = ${limit}, got ${size.end}`);
    ok = false;
  }
  return ok;
}

/**
 * Rejects a ramp that is still below its end at the last update (0-based step `steps - 1`):
 * training would then never see the size that evaluation uses. Intervals are not scaled with
 * `training.steps`, so a shortened run needs a shorter interval.
 */
function checkRampReach(path: string, size: SizeSpec, steps: number, fail: Report): void {
  if (typeof size === 'number' || size.end === size.start) return;
  if (size.increment === 0) {
    fail(`${path}.increment`, `must be positive for a ramp from ${size.start} to ${size.end}, got 0; set an increment or make start equal end`);
    return;
  }
  const raises = Math.ceil((size.end - size.start) / size.increment);
  const reachStep = raises * size.interval;
  if (reachStep <= steps - 1) return;
  const maxInterval = Math.floor((steps - 1) / raises);
  const fix =
    maxInterval >= 1
      ? `set ${path}.interval to at most ${maxInterval} or training.steps to at least ${reachStep + 1}`
      : `set training.steps to at least ${reachStep + 1}`;
  fail(`${path}.interval`, `the ramp reaches its end ${size.end} at step ${reachStep}, but training stops after ${steps} steps, so it never trains at the size evaluation uses; ${fix}`);
}

function resolveSchedule(schedule: ScheduleConfig, steps: number, problem: Report): ScheduleConfig {
  if (schedule.name !== 'cosine') return schedule;
  const warmup = schedule.warmup ?? 0;
  const total = schedule.total ?? steps;
  if (total <= warmup) problem('training.schedule.total', `must exceed the warmup (${warmup}), got ${total}`);
  return { name: 'cosine', warmup, final: schedule.final ?? 0, total };
}

/**
 * Draws one prompt of every function class on every input distribution at the smallest and
 * largest sizes of the curriculum. Option errors that depend on d or n (sparsity above the
 * active dims, too many points for an orthogonal query) then surface before training.
 */
function checkSampling(task: TaskInput, inputs: readonly InputDistributionSpec[], curriculum: CurriculumSpec, problem: Report): void {
  const sizes = [
    { activeDims: startSize(curriculum.activeDims), points: startSize(curriculum.points) },
    { activeDims: maxSize(curriculum.activeDims), points: maxSize(curriculum.points) },
  ];
  // Each spec is first built alone and each function class sampled on gaussian inputs, so a
  // problem of one spec is reported at its own path even when another spec is invalid too. Only
  // the pairs that pass alone are then sampled together.
  const sample = (functions: FunctionClass, distribution: InputDistribution): string | undefined => {
    for (const size of sizes) {
      try {
        promptBatch({ inputs: distribution, functions, points: size.points, dims: task.dims, activeDims: size.activeDims, batchSize: 1 })(key(0));
      } catch (error) {
        return `cannot be sampled with ${size.activeDims} active dims and ${size.points} points: ${(error as Error).message}`;
      }
    }
    return undefined;
  };
  const gaussianInputs = makeInputDistribution({ name: 'gaussian' });
  const functionClasses = task.functions.map((spec, i) => {
    const functions = buildOrReport(() => makeFunctionClass(spec), `task.functions[${i}]`, problem);
    if (functions === undefined) return undefined;
    const failure = sample(functions, gaussianInputs);
    if (failure !== undefined) problem(`task.functions[${i}]`, failure);
    return failure === undefined ? functions : undefined;
  });
  const distributions = inputs.map((spec, j) => buildOrReport(() => makeInputDistribution(spec), `task.inputs[${j}]`, problem));
  functionClasses.forEach((functions, i) => {
    distributions.forEach((distribution, j) => {
      if (functions === undefined || distribution === undefined) return;
      const failure = sample(functions, distribution);
      if (failure !== undefined) problem(inputs.length === 1 ? `task.inputs[${j}]` : `task.functions[${i}] with task.inputs[${j}]`, failure);
    });
  });
}

/** Returns `build()`, or reports its error at `path` and returns undefined. */
function buildOrReport<A>(build: () => A, path: string, problem: Report): A | undefined {
  try {
    return build();
  } catch (error) {
    problem(path, (error as Error).message);
    return undefined;
  }
}

/** Draws one evaluation prompt of every function class on every evaluation input distribution. */
function checkEvalSampling(task: TaskInput, inputs: readonly InputDistributionSpec[], points: number, problem: Report): void {
  inputs.forEach((inputSpec, j) => {
    try {
      const distribution = makeInputDistribution(inputSpec);
      for (const functionSpec of task.functions) {
        promptBatch({ inputs: distribution, functions: makeFunctionClass(functionSpec), points, dims: task.dims, batchSize: 1 })(key(0));
      }
    } catch (error) {
      problem(`eval.inputs[${j}]`, `cannot be sampled with d = ${task.dims} and ${points} points: ${(error as Error).message}`);
    }
  });
}

function startSize(size: SizeSpec): number {
  return typeof size === 'number' ? size : size.start;
}
