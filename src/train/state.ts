/**
 * The training state as one value: parameters, optimizer state, the run's PRNG key and the
 * number of completed updates. Everything else a step needs (its curriculum plan and its batch)
 * is a pure function of the key and the step, so saving this value is enough to resume exactly.
 */
import { split, type Key } from '../core/prng.js';
import type { Optimizer, OptimizerState } from '../core/optim.js';
import type { TrainableModel } from './model.js';

/** Parameters, optimizer state, run key and step of a training run. */
export interface TrainState<P> {
  readonly params: P;
  readonly optimizerState: OptimizerState<P>;
  /** The run key. `runKeys` derives the initialisation, curriculum and batch keys from it. */
  readonly key: Key;
  /** Completed updates: 0 before the first update, `steps` at the end of a run. */
  readonly step: number;
}

/** The keys a run derives from its run key, each used for one purpose only. */
export interface RunKeys {
  /** Key of the initial parameters. */
  readonly init: Key;
  /** Key passed to the curriculum, which folds in the step. */
  readonly curriculum: Key;
  /** Root of the batch keys: `foldIn(batches, step)` draws the batch of a step. */
  readonly batches: Key;
}

/**
 * Splits a run key into the initialisation, curriculum and batch keys.
 *
 * @example const { init, curriculum, batches } = runKeys(key(0));
 */
export function runKeys(runKey: Key): RunKeys {
  const [init, curriculum, batches] = split(runKey, 3);
  return { init, curriculum, batches };
}

/**
 * Creates the state at step 0: parameters from the run's init key and a fresh optimizer state.
 *
 * @example const state = initTrainState(model, adam({ lr: 1e-3 }), key(0));
 */
export function initTrainState<P>(model: TrainableModel<P>, optimizer: Optimizer, runKey: Key): TrainState<P> {
  const params = model.init(runKeys(runKey).init);
  return { params, optimizerState: optimizer.init(params), key: runKey, step: 0 };
}
