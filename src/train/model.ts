/**
 * The model contract of the training loop. The loop trains any model given as pure functions
 * over a parameter pytree, so its tests run with a small linear model and experiments plug in
 * the Transformer. Parameter names in checkpoints come from `toNamed`/`fromNamed` when the model
 * defines them, else from the pytree paths (`blocks.0.w`).
 */
import type { Key } from '../core/prng.js';
import type { Tensor } from '../core/tensor.js';

/**
 * A trainable in-context model. `P` is a pytree of f32 tensors (nested records and arrays).
 *
 * @example
 * const model: TrainableModel<{ w: Tensor }> = {
 *   name: 'linear',
 *   init: (k) => ({ w: normal(k, [5, 1]) }),
 *   predict: (p, xs) => reshape(matmul(xs, p.w), xs.shape.slice(0, 2)),
 *   loss: (p, xs, ys) => mse(model.predict(p, xs, ys), ys),
 * };
 */
export interface TrainableModel<P> {
  /** Short description for logs and checkpoint metadata, e.g. `transformer(L=3, H=2, E=64)`. */
  readonly name: string;
  /** Draws the initial parameters from a key. The same key gives the same parameters. */
  init(key: Key): P;
  /** Computes the scalar f32 training loss of a batch: xs f32 [B, n, d], ys f32 [B, n]. */
  loss(params: P, xs: Tensor, ys: Tensor): Tensor;
  /** Predicts y at every position, f32 [B, n]. Position k may use only x_0, y_0, ..., x_{k-1}, y_{k-1} and x_k. */
  predict(params: P, xs: Tensor, ys: Tensor): Tensor;
  /** Names the parameter tensors for checkpoints (default: pytree paths). */
  toNamed?(params: P): Record<string, Tensor>;
  /** Rebuilds parameters from `toNamed`'s output; throws naming a missing or misshapen tensor. */
  fromNamed?(named: Readonly<Record<string, Tensor>>): P;
}
