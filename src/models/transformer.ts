/**
 * The GPT-2-style in-context Transformer as pure functions. A linear read-in maps the
 * interleaved tokens x_1, (y_1, 0, ...), x_2, ... to the model width, learned position
 * embeddings are added, and pre-LayerNorm blocks of causal multi-head attention and a 4x GELU
 * (tanh form) MLP follow. A final LayerNorm and a linear read-out give predictions at the x
 * tokens. The model is a composition of layers (`transformerLayer`), so a variant is another
 * composition of the same pieces.
 */
import { mse, reshape, treeLeaves, type Key, type Tensor } from '../core/index.js';
import {
  causalSelfAttention, layerNorm, linear, mlp, named, positionEmbedding, repeat, residual, serial, stateless,
  type Layer, type LayerContext,
} from './layers/index.js';
import { checkTransformerConfig, type BlockParams, type TransformerConfig, type TransformerParams, type TransformerTensors } from './transformer-config.js';
import { interleaveTokens, xTokenOutputs } from './tokens.js';

export {
  checkTransformerConfig, transformerParameterShapes, type BlockParams, type TransformerConfig, type TransformerParams,
  type TransformerTensors,
} from './transformer-config.js';
export { fromNamedTensors, toNamedTensors } from './named-tensors.js';
export { interleaveTokens, xTokenOutputs } from './tokens.js';

/** Options of `applyTransformer`. */
export interface ApplyOptions {
  /** f32 [nLayer, nHead]: 1 keeps a head's output, 0 removes it (other values scale it). */
  readonly headMask?: Tensor;
}

/**
 * Creates a pre-LayerNorm GPT-2 block on [B, T, width]: x + attn(ln_1(x)), then x + mlp(ln_2(x)).
 *
 * @example gpt2Block(64, 2).init(key(0)).attn.qkv.weight.shape // [192, 64]
 */
export function gpt2Block(width: number, heads: number): Layer<BlockParams> {
  return serial(
    residual(serial(named('ln_1', layerNorm(width)), named('attn', causalSelfAttention({ width, heads })))),
    residual(serial(named('ln_2', layerNorm(width)), named('mlp', mlp(width)))),
  );
}

/**
 * Composes the whole model as one layer from tokens [B, 2n, nDims] to predictions [B, n]. Its
 * parameters are `TransformerTensors`.
 *
 * @example transformerLayer(config).apply(params, interleaveTokens(xs, ys)) // the same as applyTransformer(params, xs, ys)
 */
export function transformerLayer(config: TransformerConfig): Layer<TransformerTensors> {
  checkTransformerConfig(config);
  const { nDims, nPoints, nEmbd, nLayer, nHead } = config;
  const ioInit = config.readInOutInit ?? 'gpt2';
  return serial(
    named('read_in', linear(nDims, nEmbd, { init: ioInit })),
    named('wpe', positionEmbedding(2 * nPoints, nEmbd)),
    named('blocks', repeat(nLayer, gpt2Block(nEmbd, nHead))),
    stateless(xTokenOutputs),
    named('ln_f', layerNorm(nEmbd)),
    named('read_out', linear(nEmbd, 1, { init: ioInit })),
    stateless((out: Tensor) => reshape(out, out.shape.slice(0, -1))),
  );
}

/**
 * Initialises the parameters as GPT-2 does: weights normal with std 0.02, biases 0, LayerNorm
 * weights 1. The same key and config always give the same parameters.
 *
 * @example initTransformer(key(0), { nDims: 5, nPoints: 11, nEmbd: 64, nLayer: 3, nHead: 2 }).wpe.shape // [22, 64]
 */
export function initTransformer(key: Key, config: TransformerConfig): TransformerParams {
  const tensors = transformerLayer(config).init(key);
  // Only the sizes travel with the parameters: the initialisation choice has no effect after init.
  const { nDims, nPoints, nEmbd, nLayer, nHead } = config;
  return { ...tensors, config: { nDims, nPoints, nEmbd, nLayer, nHead } };
}

function shapeText(t: Tensor): string {
  return `${t.dtype}[${t.shape.join(',')}]`;
}

/** Checks a batch against the model and returns its prompt length n. */
function checkBatch(config: TransformerConfig, xs: Tensor, ys: Tensor, headMask: Tensor | undefined): number {
  if (xs.ndim !== 3 || xs.dtype !== 'f32') {
    throw new Error(`applyTransformer: xs ${shapeText(xs)} must be f32 [batch, n, d]`);
  }
  const [batch, points, dims] = xs.shape;
  if (dims !== config.nDims) {
    const fix = dims < config.nDims ? `zero-pad the inputs to ${config.nDims} dimensions` : `use a model with nDims >= ${dims}`;
    throw new Error(`applyTransformer: xs ${shapeText(xs)} has d = ${dims} input dimensions but the model reads nDims = ${config.nDims}; ${fix}`);
  }
  if (points > config.nPoints) {
    throw new Error(`applyTransformer: xs ${shapeText(xs)} has n = ${points} points but the model has positions for nPoints = ${config.nPoints}; shorten the prompts`);
  }
  if (ys.ndim !== 2 || ys.dtype !== 'f32' || ys.shape[0] !== batch || ys.shape[1] !== points) {
    throw new Error(`applyTransformer: ys ${shapeText(ys)} must be f32 [${batch}, ${points}] to match xs ${shapeText(xs)}`);
  }
  if (headMask !== undefined && (headMask.dtype !== 'f32' || headMask.ndim !== 2 || headMask.shape[0] !== config.nLayer || headMask.shape[1] !== config.nHead)) {
    throw new Error(`applyTransformer: headMask ${shapeText(headMask)} must be f32 [nLayer, nHead] = [${config.nLayer}, ${config.nHead}]`);
  }
  return points;
}

function run(params: TransformerParams, xs: Tensor, ys: Tensor, options: ApplyOptions, onAttention?: (weights: Tensor) => void): Tensor {
  const config = params.config;
  checkBatch(config, xs, ys, options.headMask);
  const context: LayerContext = { headMask: options.headMask, onAttention };
  return transformerLayer(config).apply(params, interleaveTokens(xs, ys), context);
}

/**
 * Predicts y_k at every x token: xs f32 [B, n, d] and ys f32 [B, n] give f32 [B, n], where entry
 * k is computed from the pairs before k and x_k. Prompts shorter than nPoints use the first 2n
 * position embeddings. Inputs with d != nDims are an error: pad them to nDims first.
 *
 * @example applyTransformer(params, xs, ys).shape // [64, 11]
 */
export function applyTransformer(params: TransformerParams, xs: Tensor, ys: Tensor, options: ApplyOptions = {}): Tensor {
  return run(params, xs, ys, options);
}

/**
 * Like `applyTransformer`, and also returns every layer's attention weights [B, H, 2n, 2n]
 * (row t is query position t's distribution over positions 0..t).
 */
export function applyTransformerWithAttention(
  params: TransformerParams,
  xs: Tensor,
  ys: Tensor,
  options: ApplyOptions = {},
): { predictions: Tensor; attention: Tensor[] } {
  const attention: Tensor[] = [];
  const predictions = run(params, xs, ys, options, (weights) => attention.push(weights));
  return { predictions, attention };
}

/** Computes the training loss: the mean squared error of the predictions over the batch and all n positions (f32 scalar). */
export function transformerLoss(params: TransformerParams, xs: Tensor, ys: Tensor): Tensor {
  return mse(applyTransformer(params, xs, ys), ys);
}

/**
 * Counts the scalar parameters (elements of every tensor) of a parameter tree. For the
 * Transformer this is L(12E^2 + 13E) + (d + 1)E + 2nE + 2E + E + 1.
 */
export function countParameters(params: object): number {
  return treeLeaves(params).reduce((total, t) => total + t.size, 0);
}
