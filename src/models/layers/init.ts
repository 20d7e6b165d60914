/**
 * Parameter initialisers shared by the layers, following GPT-2: weights are normal with
 * standard deviation 0.02, biases are zero, LayerNorm weights are one. Draws use the host
 * float64 generator (`normal64`) and round once to float32, so they do not depend on a backend.
 */
import { fromData, normal64, sizeOf, uniform64, type Key, type Shape, type Tensor } from '../../core/index.js';

/** Standard deviation of GPT-2's normal weight initialisation. */
export const GPT2_INIT_STD = 0.02;

/** Draws an f32 tensor of `shape` from N(0, std^2). */
export function normalInit(key: Key, shape: Shape, std: number = GPT2_INIT_STD): Tensor {
  const draws = normal64(key, sizeOf(shape));
  return fromData(Float32Array.from(draws, (z) => z * std), shape);
}

/** Creates an f32 tensor of `shape` filled with `value`, as concrete data. */
export function constantInit(shape: Shape, value: number): Tensor {
  return fromData(new Float32Array(sizeOf(shape)).fill(value), shape);
}

/** Draws an f32 tensor of `shape` from U(-bound, bound). */
export function uniformInit(key: Key, shape: Shape, bound: number): Tensor {
  const draws = uniform64(key, sizeOf(shape));
  return fromData(Float32Array.from(draws, (u) => (2 * u - 1) * bound), shape);
}
