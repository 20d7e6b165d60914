/**
 * The Transformer's configuration, its parameter tree type, and the parameter layout (names and
 * shapes) shared with the PyTorch reference. Weights use PyTorch's `Linear` layout [out, in].
 * A tensor's name is its path in the tree joined with '.', e.g. `blocks.0.attn.qkv.weight`.
 */
import type { Shape, Tensor } from '../core/index.js';
import type { AttentionParams, LayerNormParams, LinearInit, LinearParams, MlpParams } from './layers/index.js';

/** Sizes of the in-context Transformer. */
export interface TransformerConfig {
  /** Input dimension d of the x tokens (read-in width). */
  readonly nDims: number;
  /** Largest prompt length n; the position table `wpe` has 2 * nPoints rows. */
  readonly nPoints: number;
  /** Model width E. */
  readonly nEmbd: number;
  /** Number of Transformer blocks L. */
  readonly nLayer: number;
  /** Number of attention heads H per block; it must divide nEmbd. */
  readonly nHead: number;
  /**
   * Initialisation of the read-in and read-out layers: 'gpt2' (default) draws them like every
   * other weight, N(0, 0.02^2) with zero biases; 'pytorch' uses `nn.Linear`'s uniform default, as
   * Garg et al.'s code does, because it builds these two layers outside HuggingFace's GPT2Model.
   */
  readonly readInOutInit?: LinearInit;
}

/** Parameters of one pre-LayerNorm block. */
export interface BlockParams {
  readonly ln_1: LayerNormParams;
  readonly attn: AttentionParams;
  readonly ln_2: LayerNormParams;
  readonly mlp: MlpParams;
}

/** The trainable tensors of the Transformer, in the tree that `transformerLayer` builds. */
export interface TransformerTensors {
  /** Read-in: weight [E, d], bias [E]. */
  readonly read_in: LinearParams;
  /** Learned position embeddings [2 * nPoints, E]. */
  readonly wpe: Tensor;
  readonly blocks: readonly BlockParams[];
  /** Final LayerNorm: weight [E], bias [E]. */
  readonly ln_f: LayerNormParams;
  /** Read-out: weight [1, E], bias [1]. */
  readonly read_out: LinearParams;
}

/**
 * The Transformer's parameters: the trainable tensors plus the configuration as static pytree
 * leaves (numbers), which `grad`, optimizers and `compile` carry through unchanged. The head
 * count is not recoverable from tensor shapes, so `applyTransformer` reads it from here.
 */
export interface TransformerParams extends TransformerTensors {
  readonly config: TransformerConfig;
}

const CONFIG_FIELDS = ['nDims', 'nPoints', 'nEmbd', 'nLayer', 'nHead'] as const;

/**
 * Throws unless every field is a positive integer and nHead divides nEmbd; the message names
 * the field and the fix.
 *
 * @example checkTransformerConfig({ nDims: 5, nPoints: 11, nEmbd: 64, nLayer: 3, nHead: 3 }) // throws: nEmbd 64 ... nHead 3
 */
export function checkTransformerConfig(config: TransformerConfig): void {
  for (const field of CONFIG_FIELDS) {
    const value = config[field];
    if (!Number.isInteger(value) || value < 1) {
      throw new RangeError(`TransformerConfig.${field} must be a positive integer, got ${String(value)}`);
    }
  }
  const init = config.readInOutInit;
  if (init !== undefined && init !== 'gpt2' && init !== 'pytorch') {
    throw new RangeError(`TransformerConfig.readInOutInit must be 'gpt2' or 'pytorch', got ${String(init)}`);
  }
  if (config.nEmbd % config.nHead !== 0) {
    throw new RangeError(
      `TransformerConfig.nEmbd (${config.nEmbd}) is not divisible by nHead (${config.nHead}); choose nHead dividing nEmbd ` +
        'or an nEmbd that is a multiple of nHead',
    );
  }
}

/**
 * Lists every parameter's name and shape in the order of the parameter tree, as the PyTorch
 * reference names them (E = nEmbd, d = nDims, n = nPoints):
 * read_in.weight [E, d], read_in.bias [E], wpe [2n, E], per block i the tensors
 * blocks.i.{ln_1, attn.qkv, attn.proj, ln_2, mlp.fc, mlp.proj}.{weight, bias}, then
 * ln_f.weight, ln_f.bias, read_out.weight [1, E] and read_out.bias [1].
 */
export function transformerParameterShapes(config: TransformerConfig): [name: string, shape: Shape][] {
  checkTransformerConfig(config);
  const { nDims: d, nPoints: n, nEmbd: e, nLayer } = config;
  const entries: [string, Shape][] = [['read_in.weight', [e, d]], ['read_in.bias', [e]], ['wpe', [2 * n, e]]];
  for (let i = 0; i < nLayer; i++) {
    const block: [string, Shape][] = [
      ['ln_1.weight', [e]], ['ln_1.bias', [e]],
      ['attn.qkv.weight', [3 * e, e]], ['attn.qkv.bias', [3 * e]],
      ['attn.proj.weight', [e, e]], ['attn.proj.bias', [e]],
      ['ln_2.weight', [e]], ['ln_2.bias', [e]],
      ['mlp.fc.weight', [4 * e, e]], ['mlp.fc.bias', [4 * e]],
      ['mlp.proj.weight', [e, 4 * e]], ['mlp.proj.bias', [e]],
    ];
    entries.push(...block.map(([name, shape]): [string, Shape] => [`blocks.${i}.${name}`, shape]));
  }
  entries.push(['ln_f.weight', [e]], ['ln_f.bias', [e]], ['read_out.weight', [1, e]], ['read_out.bias', [1]]);
  return entries;
}
