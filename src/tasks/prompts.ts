/**
 * Prompt batches: B prompts of n points each, one function per prompt. The inputs come from an
 * input distribution, the outputs from a function drawn from a function class, and the result
 * contains float32 tensors for the model and the float64 data for baselines.
 */
import { split } from '../core/prng.js';
import { fromData, type Tensor } from '../core/tensor.js';
import { checkNumber } from './checks.js';
import type { FunctionClass, TaskFunction } from './function-class.js';
import type { InputDistribution } from './inputs.js';
import { checkPointsShape, makePoints, zeroInactiveDims } from './points.js';
import type { Sampler } from './sampler.js';

/** Sources and sizes of a batch: B prompts of n points in R^d whose first `activeDims` coordinates are active. */
export interface PromptBatchConfig {
  readonly inputs: InputDistribution;
  readonly functions: FunctionClass;
  /** n, the number of (x, y) pairs per prompt. */
  readonly points: number;
  /** d, the input dimension. */
  readonly dims: number;
  /** Coordinates at index >= activeDims are 0 (default: all d active). w stays d-dimensional. */
  readonly activeDims?: number;
  /** B, the number of prompts. */
  readonly batchSize: number;
}

/** A sampled batch of prompts. */
export interface PromptBatch {
  /** Inputs, f32 [B, n, d]. */
  readonly xs: Tensor;
  /** Outputs, f32 [B, n]. */
  readonly ys: Tensor;
  /** The same inputs in float64, row-major [B, n, d]. */
  readonly xs64: Float64Array;
  /** The same outputs in float64, row-major [B, n]. */
  readonly ys64: Float64Array;
  /** Function class name, e.g. `linear_regression`. */
  readonly task: string;
  /** Function class label with parameters. */
  readonly taskLabel: string;
  /** Input distribution name, e.g. `gaussian`. */
  readonly data: string;
  /** Input distribution label with parameters. */
  readonly dataLabel: string;
  readonly batchSize: number;
  readonly points: number;
  readonly dims: number;
  readonly activeDims: number;
  /** The default ICL-metric divisor of the class at these dims (d, s or 1). */
  readonly normalizer: number;
  /** Factor applied to every output of the batch by the class's batch rescaling, 1 if none. */
  readonly yScale: number;
  /** The function drawn for each prompt, in batch order. */
  readonly functions: readonly TaskFunction[];
}

/**
 * Returns a sampler of prompt batches. The key is split into one key per prompt, and each prompt
 * key into an input key and a function key. Coordinates at index >= activeDims are zeroed after
 * the inputs are drawn and before the function is applied.
 *
 * @example
 * const batch = promptBatch({ inputs: gaussian(), functions: linearRegression(), points: 41, dims: 20, batchSize: 64 })(key(0));
 * batch.xs.shape // [64, 41, 20]
 */
export function promptBatch(config: PromptBatchConfig): Sampler<PromptBatch> {
  const { points: n, dims: d, batchSize } = config;
  const activeDims = config.activeDims ?? d;
  checkPointsShape('promptBatch', { n, d, activeDims });
  checkNumber('promptBatch', 'batchSize', batchSize, { integer: true, min: 1 }, 'pass a positive integer such as 64');
  const shape = { n, d, activeDims };
  const drawInputs = config.inputs.sample(shape);
  const drawFunction = config.functions.sample({ d, activeDims });
  const normalizer = config.functions.normalizer({ d, activeDims });

  return (k) => {
    const xs64 = new Float64Array(batchSize * n * d);
    const ys64 = new Float64Array(batchSize * n);
    const functions: TaskFunction[] = [];
    split(k, batchSize).forEach((promptKey, b) => {
      const [inputKey, functionKey] = split(promptKey, 2);
      const offset = b * n * d;
      xs64.set(drawInputs(inputKey).data, offset);
      const x = makePoints(n, d, xs64.subarray(offset, offset + n * d));
      zeroInactiveDims(x.data, d, activeDims);
      const f = drawFunction(functionKey);
      ys64.set(f.apply(x), b * n);
      functions.push(f);
    });

    const yScale = config.functions.batchScale?.(ys64, { d, activeDims }) ?? 1;
    if (yScale !== 1) for (let i = 0; i < ys64.length; i++) ys64[i] *= yScale;

    return {
      xs: fromData(new Float32Array(xs64), [batchSize, n, d]),
      ys: fromData(new Float32Array(ys64), [batchSize, n]),
      xs64,
      ys64,
      task: config.functions.name,
      taskLabel: config.functions.label,
      data: config.inputs.name,
      dataLabel: config.inputs.label,
      batchSize,
      points: n,
      dims: d,
      activeDims,
      normalizer,
      yScale,
      functions,
    };
  };
}
