/**
 * Fixed evaluation prompt sets: a deterministic list of prompt batches for one task (function
 * class, input distribution, dims, points). The set comes from an evaluation seed that training
 * does not use, and the model and every baseline are scored on the same prompts.
 */
import { foldIn, key, split, type Key } from '../core/prng.js';
import {
  gaussian,
  makeFunctionClass,
  makeInputDistribution,
  promptBatch,
  type FunctionClass,
  type FunctionClassSpec,
  type InputDistribution,
  type InputDistributionSpec,
  type PromptBatch,
} from '../tasks/index.js';
import { checkInteger } from './checks.js';

/**
 * Default evaluation seed. Bhasin et al.'s figure notebooks seed PyTorch with -152 before each
 * evaluation (src/supp_viz_mse.ipynb in github.com/harmonbhasin/curriculum_learning_icl). icl-lab
 * keeps the integer but draws from its own Threefry generator, so the prompts differ from theirs.
 * Training seeds are usually small non-negative integers, so the two streams do not collide.
 */
export const DEFAULT_EVAL_SEED = -152;

/** Default number of prompts in an evaluation set: 20 batches of 64, as in Garg et al.'s evaluation. */
export const DEFAULT_EVAL_PROMPTS = 1280;

/** Default number of prompts per batch of an evaluation set. */
export const DEFAULT_EVAL_BATCH_SIZE = 64;

/** Settings of a prompt set: the task, the sizes and the seed. */
export interface PromptSetConfig {
  /** Function class, as a built class or a registry spec such as `{ name: 'linear_regression' }`. */
  readonly functions: FunctionClass | FunctionClassSpec;
  /** Input distribution, as a built distribution or a registry spec. Default: gaussian. */
  readonly inputs?: InputDistribution | InputDistributionSpec;
  /** d, the input dimension. */
  readonly dims: number;
  /** n, the number of (x, y) pairs per prompt. */
  readonly points: number;
  /** Active coordinates; the others are 0. Default: all d. */
  readonly activeDims?: number;
  /** Number of prompts. Default `DEFAULT_EVAL_PROMPTS` (1280). */
  readonly prompts?: number;
  /** Prompts per batch. The last batch is smaller when `prompts` is not a multiple. Default 64. */
  readonly batchSize?: number;
  /** Integer seed of the set. Default `DEFAULT_EVAL_SEED` (-152). */
  readonly seed?: number;
}

/** Description of a prompt set's task, data and sizes, shared by the set and the results drawn on it. */
export interface PromptSetInfo {
  /** Function class name, e.g. `linear_regression`. */
  readonly task: string;
  /** Function class label with the options that differ from the defaults, e.g. `sparse_linear_regression(sparsity=3)`. */
  readonly taskLabel: string;
  /** Input distribution name, e.g. `gaussian`. */
  readonly data: string;
  /** Input distribution label with its options. */
  readonly dataLabel: string;
  /** d, the input dimension. */
  readonly dims: number;
  /** Active coordinates of the inputs. */
  readonly activeDims: number;
  /** n, the points per prompt. */
  readonly points: number;
  /** Number of prompts over all batches. */
  readonly nPrompts: number;
}

/** A fixed list of prompts, batched for the model and flattened in float64 for the baselines. */
export interface PromptSet extends PromptSetInfo {
  readonly batchSize: number;
  /** The integer seed the set was drawn from. */
  readonly seed: number;
  /** The class's default divisor of the squared error (d, s or 1), from the first batch. */
  readonly normalizer: number;
  /** The batches in order; batch i is drawn from `foldIn(promptsKey, i)`. */
  readonly batches: readonly PromptBatch[];
  /** All inputs in float64, row-major [nPrompts, n, d], in batch order. */
  readonly xs64: Float64Array;
  /** All outputs in float64, row-major [nPrompts, n], in batch order. */
  readonly ys64: Float64Array;
}

/**
 * Draws a fixed evaluation prompt set. `key(seed)` is split into a prompts key and a bootstrap key
 * (see `evalKeys`), and batch i of the set is `promptBatch(...)(foldIn(promptsKey, i))`. The same
 * config therefore gives the same prompts, and a set of 128 prompts is the first two batches of
 * the set of 1280 with the same seed and batch size.
 *
 * @example
 * const set = promptSet({ functions: { name: 'linear_regression' }, dims: 20, points: 41 });
 * set.nPrompts // 1280
 * set.batches[0].xs.shape // [64, 41, 20]
 */
export function promptSet(config: PromptSetConfig): PromptSet {
  const prompts = config.prompts ?? DEFAULT_EVAL_PROMPTS;
  const batchSize = config.batchSize ?? DEFAULT_EVAL_BATCH_SIZE;
  const seed = config.seed ?? DEFAULT_EVAL_SEED;
  checkInteger('promptSet', 'prompts', prompts, 1, 'pass a positive number of prompts such as 1280');
  checkInteger('promptSet', 'batchSize', batchSize, 1, 'pass a positive batch size such as 64');
  if (!Number.isSafeInteger(seed)) {
    throw new RangeError(`promptSet: seed must be a safe integer, got ${String(seed)}; pass an integer such as ${DEFAULT_EVAL_SEED}`);
  }

  const functions = isFunctionClass(config.functions) ? config.functions : makeFunctionClass(config.functions);
  const inputs = resolveInputs(config.inputs);
  const { promptsKey } = evalKeys(seed);

  const batches: PromptBatch[] = [];
  for (let start = 0, i = 0; start < prompts; start += batchSize, i++) {
    const size = Math.min(batchSize, prompts - start);
    const draw = promptBatch({
      inputs,
      functions,
      points: config.points,
      dims: config.dims,
      activeDims: config.activeDims,
      batchSize: size,
    });
    batches.push(draw(foldIn(promptsKey, i)));
  }

  const first = batches[0];
  const { points: n, dims: d } = first;
  const xs64 = new Float64Array(prompts * n * d);
  const ys64 = new Float64Array(prompts * n);
  let offset = 0;
  for (const batch of batches) {
    xs64.set(batch.xs64, offset * n * d);
    ys64.set(batch.ys64, offset * n);
    offset += batch.batchSize;
  }

  return {
    task: first.task,
    taskLabel: first.taskLabel,
    data: first.data,
    dataLabel: first.dataLabel,
    dims: d,
    activeDims: first.activeDims,
    points: n,
    nPrompts: prompts,
    batchSize,
    seed,
    normalizer: first.normalizer,
    batches,
    xs64,
    ys64,
  };
}

/** The two independent keys derived from an evaluation seed. */
export interface EvalKeys {
  /** Root of the prompt batches. */
  readonly promptsKey: Key;
  /** Root of the bootstrap resamples. */
  readonly bootstrapKey: Key;
}

/**
 * Splits `key(seed)` into the prompts key and the bootstrap key, so resampling never reuses the
 * random bits that drew the prompts.
 *
 * @example const { bootstrapKey } = evalKeys(DEFAULT_EVAL_SEED);
 */
export function evalKeys(seed: number): EvalKeys {
  const [promptsKey, bootstrapKey] = split(key(seed), 2);
  return { promptsKey, bootstrapKey };
}

function isFunctionClass(value: FunctionClass | FunctionClassSpec): value is FunctionClass {
  return typeof (value as FunctionClass).sample === 'function';
}

function resolveInputs(inputs: InputDistribution | InputDistributionSpec | undefined): InputDistribution {
  if (inputs === undefined) return gaussian();
  if (typeof (inputs as InputDistribution).sample === 'function') return inputs as InputDistribution;
  return makeInputDistribution(inputs as InputDistributionSpec);
}
