/**
 * The training run that the browser check and its Node reference share. A tiny in-context
 * Transformer (2 blocks, width 8) is fitted with Adam to one linear-regression batch. The batch
 * comes from the host PRNG, so every environment starts from identical parameters and data.
 */
import { adam, fromData, key, normal64, treeLeaves, valueAndGrad, type OptimizerState, type Tensor } from '../../src/core/index.js';
import { initTransformer, transformerLoss, type TransformerParams } from '../../src/models/transformer.js';

/** The model size: 3 input dimensions, 4 points per prompt, width 8, 2 blocks of 2 heads. */
export const TINY_CONFIG = { nDims: 3, nPoints: 4, nEmbd: 8, nLayer: 2, nHead: 2 };
const BATCH = 4;

/** The optimizer of the run (Adam, learning rate 0.01). */
export const tinyOptimizer = adam({ lr: 0.01 });

/** The state of a run: parameters and optimizer state. */
export interface TinyState {
  readonly params: TransformerParams;
  readonly optimizer: OptimizerState<TransformerParams>;
}

/** Returns the starting parameters and optimizer state (from key 0). */
export function initialState(): TinyState {
  const params = initTransformer(key(0), TINY_CONFIG);
  return { params, optimizer: tinyOptimizer.init(params) };
}

/** Returns the regression batch: xs [4, 4, 3] standard normal, ys = xs w with w standard normal. */
export function regressionBatch(): { xs: Tensor; ys: Tensor } {
  const { nDims: dims, nPoints: points } = TINY_CONFIG;
  const x = Float32Array.from(normal64(key(1), BATCH * points * dims));
  const w = normal64(key(2), dims);
  const y = new Float32Array(BATCH * points);
  for (let i = 0; i < BATCH * points; i++) for (let j = 0; j < dims; j++) y[i] += x[i * dims + j] * w[j];
  return { xs: fromData(x, [BATCH, points, dims]), ys: fromData(y, [BATCH, points]) };
}

/** Computes the loss at the current parameters and applies one Adam update. Compile it with `compile` or `compileAsync`. */
export function trainStep(params: TransformerParams, state: OptimizerState<TransformerParams>, xs: Tensor, ys: Tensor): [Tensor, TransformerParams, OptimizerState<TransformerParams>] {
  const [loss, grads] = valueAndGrad(transformerLoss)(params, xs, ys);
  const [nextParams, nextState] = tinyOptimizer.update(grads, state, params);
  return [loss, nextParams, nextState];
}

/** Returns every parameter's values as plain arrays, in pytree order. */
export function parameterValues(params: TransformerParams): number[][] {
  return treeLeaves(params).map((t) => Array.from(t.data()));
}

/** Reads every parameter back without blocking (parameters that a browser's WebGPU holds), in pytree order. */
export async function parameterValuesAsync(params: TransformerParams): Promise<number[][]> {
  return Promise.all(treeLeaves(params).map(async (t) => Array.from(await t.dataAsync())));
}
