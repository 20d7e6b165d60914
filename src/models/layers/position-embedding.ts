/**
 * Learned absolute position embeddings (GPT-2's `wpe`): a table [maxLength, width], initialised
 * normal with std 0.02, whose first T rows are added to an input [batch, T, width].
 */
import { add, slice, type Tensor } from '../../core/index.js';
import { checkPositiveInteger, showShape } from './check.js';
import { normalInit } from './init.js';
import type { Layer } from './layer.js';

/**
 * Creates a learned position embedding for sequences of up to `maxLength` tokens. Its parameters
 * are the table itself, a tensor [maxLength, width].
 *
 * @example positionEmbedding(22, 64).apply(table, h) // h [B, T, 64] + table[:T], for T <= 22
 */
export function positionEmbedding(maxLength: number, width: number): Layer<Tensor> {
  checkPositiveInteger('positionEmbedding', 'maxLength', maxLength);
  checkPositiveInteger('positionEmbedding', 'width', width);
  return {
    init: (key) => normalInit(key, [maxLength, width]),
    apply: (table, x) => {
      const length = x.ndim >= 2 ? x.shape[x.ndim - 2] : 0;
      if (x.ndim < 2 || x.shape[x.ndim - 1] !== width || length > maxLength) {
        throw new Error(
          `positionEmbedding: input ${showShape(x.shape)} must be [..., T, ${width}] with T <= ${maxLength} positions`,
        );
      }
      return add(x, slice(table, [0, 0], [length, width]));
    },
  };
}
