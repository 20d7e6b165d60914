/**
 * The prompt encoding of the in-context Transformer: the sequence x_1, (y_1, 0, ..., 0), x_2,
 * (y_2, 0, ..., 0), ... of 2n tokens in R^d, and the selection of the outputs at the x tokens,
 * where the output at x_{k+1} predicts y_{k+1} from the k earlier pairs.
 */
import { pad, reshape, sliceAxis, stack, type Tensor } from '../core/index.js';

/**
 * Interleaves xs [B, n, d] and ys [B, n] into tokens [B, 2n, d]: even positions hold x_i, odd
 * positions hold (y_i, 0, ..., 0).
 *
 * @example interleaveTokens(xs, ys).shape // [64, 22, 5] for xs [64, 11, 5]
 */
export function interleaveTokens(xs: Tensor, ys: Tensor): Tensor {
  const [batch, points, dims] = xs.shape;
  const yTokens = pad(reshape(ys, [batch, points, 1]), [[0, 0], [0, 0], [0, dims - 1]]);
  return reshape(stack([xs, yTokens], 2), [batch, 2 * points, dims]);
}

/** Keeps the outputs at the x tokens: h [B, 2n, E] to [B, n, E] (positions 0, 2, 4, ...). */
export function xTokenOutputs(h: Tensor): Tensor {
  const [batch, length, width] = h.shape;
  const pairs = reshape(h, [batch, length / 2, 2, width]);
  return reshape(sliceAxis(pairs, 2, 0, 1), [batch, length / 2, width]);
}
