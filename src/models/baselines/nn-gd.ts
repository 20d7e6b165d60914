/**
 * Gradient descent baseline: for each prefix, a fresh 2-layer ReLU network (d -> 100 -> 1) is
 * trained by Adam (learning rate 5e-3, 100 steps, minibatch 100) on the k context pairs and then
 * evaluated at the query. Training runs on the tensor DSL in float32, so a backend must be
 * selected (importing the library's entry point selects the cpu backend).
 */
import { foldIn, type Key } from '../../core/prng.js';
import { checkInteger, checkPositive } from './check-options.js';
import { DEFAULT_BASELINE_OPTIONS } from './defaults.js';
import { defineBaseline } from './define.js';
import { createTwoLayerNetTrainer, predictTwoLayerNet } from './two-layer-net.js';
import type { Baseline } from './types.js';

/** Options of the `nn_gd` baseline. */
export interface NnGdOptions {
  /** Hidden width. Default 100. */
  readonly hidden?: number;
  /** Adam steps per prefix. Default 100. */
  readonly steps?: number;
  /** Minibatch size. A prefix with k <= batchSize trains on all k pairs at every step. Default 100. */
  readonly batchSize?: number;
  /** Adam learning rate. Default 5e-3. */
  readonly learningRate?: number;
  /**
   * Root key. Default `key(0)`. The network for prompt b and prefix k uses
   * `foldIn(foldIn(key, b), k)`, so a prediction depends only on the key, b and the first k pairs.
   */
  readonly key?: Key;
}

function resolveOptions(options: NnGdOptions): Required<NnGdOptions> {
  const defaults = DEFAULT_BASELINE_OPTIONS.nn_gd;
  const hidden = options.hidden ?? defaults.hidden;
  const steps = options.steps ?? defaults.steps;
  const batchSize = options.batchSize ?? defaults.batchSize;
  const learningRate = options.learningRate ?? defaults.learningRate;
  const key = options.key ?? defaults.key;
  checkInteger('nn_gd', 'hidden', hidden, 1);
  checkInteger('nn_gd', 'steps', steps, 0);
  checkInteger('nn_gd', 'batchSize', batchSize, 1);
  checkPositive('nn_gd', 'learningRate', learningRate);
  return { hidden, steps, batchSize, learningRate, key };
}

/**
 * Creates the `nn_gd` baseline, which is deterministic given `options.key`. The baseline keeps
 * one compiled training step, traced once per context shape [k, d].
 */
export function nnGd(options: NnGdOptions = {}): Baseline {
  const resolved = resolveOptions(options);
  const trainer = createTwoLayerNetTrainer(resolved);
  const label =
    `nn_gd(hidden=${resolved.hidden}, steps=${resolved.steps}, batch_size=${resolved.batchSize}, ` +
    `lr=${resolved.learningRate})`;
  return defineBaseline('nn_gd', label, ({ xs, ys, k, d, query, promptIndex }) => {
    const prefixKey = foldIn(foldIn(resolved.key, promptIndex), k);
    const { params } = trainer.train(prefixKey, xs, ys, k, d);
    return predictTwoLayerNet(params, query);
  });
}
