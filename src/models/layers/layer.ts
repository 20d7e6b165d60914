/**
 * The layer abstraction: a layer is a value with `init(key) -> params` and
 * `apply(params, input, context) -> output`, where params are pytrees of tensors. Models are
 * built by composing layers with the combinators in combinators.ts, so every layer stays a pure
 * function of its parameters and input.
 */
import type { Key, Tensor } from '../../core/index.js';

/**
 * Per-call options that reach every layer of a composition unchanged, except where a
 * combinator documents a change (`repeat` hands each block its row of the head mask).
 */
export interface LayerContext {
  /**
   * Attention head mask, f32: [heads] at an attention layer, or [n, ..., heads] above
   * `repeat(n, ...)`, which hands row i to block i. A value of 1 keeps a head's output and 0
   * removes it; other values scale it.
   */
  readonly headMask?: Tensor;
  /** Receives each attention layer's weights [batch, heads, T, T] in the order the layers run. */
  readonly onAttention?: (weights: Tensor) => void;
}

/**
 * A layer: `init` draws parameters from a key (the same key always gives the same parameters)
 * and `apply` maps parameters and an input to an output without side effects other than
 * `context.onAttention`.
 *
 * @example
 *   const layer = linear(3, 8);
 *   const params = layer.init(key(0));
 *   layer.apply(params, zeros([4, 3])).shape // [4, 8]
 */
export interface Layer<P, I = Tensor, O = Tensor> {
  readonly init: (key: Key) => P;
  readonly apply: (params: P, input: I, context?: LayerContext) => O;
}

/** Parameters of a layer that has none: the empty record, neutral when `serial` merges records. */
export type NoParams = {};

/** The parameter type of a layer. */
export type ParamsOf<L> = L extends { readonly init: (key: Key) => infer P } ? P : never;

/** The empty context used when `apply` is called without one. */
export const EMPTY_CONTEXT: LayerContext = Object.freeze({});
