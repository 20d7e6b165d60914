/**
 * The LayerNorm layer over the last axis, PyTorch's `nn.LayerNorm`: weight (initialised to 1)
 * and bias (0) of shape [features], eps 1e-5 by default, two-pass variance.
 */
import { layerNorm as layerNormOp, type Tensor } from '../../core/index.js';
import { checkPositiveInteger, showShape } from './check.js';
import { constantInit } from './init.js';
import type { Layer } from './layer.js';

/** Parameters of `layerNorm`: weight [features] and bias [features]. */
export interface LayerNormParams {
  readonly weight: Tensor;
  readonly bias: Tensor;
}

/**
 * Creates a LayerNorm layer over inputs [..., features].
 *
 * @example layerNorm(64).apply(layerNorm(64).init(key(0)), x) // normalises each row of x [..., 64]
 */
export function layerNorm(features: number, eps = 1e-5): Layer<LayerNormParams> {
  checkPositiveInteger('layerNorm', 'features', features);
  if (!(eps > 0)) throw new RangeError(`layerNorm: eps must be positive, got ${eps}`);
  return {
    init: () => ({ weight: constantInit([features], 1), bias: constantInit([features], 0) }),
    apply: (params, x) => {
      if (x.ndim < 1 || x.shape[x.ndim - 1] !== features) {
        throw new Error(`layerNorm: input ${showShape(x.shape)} does not end in ${features} features`);
      }
      return layerNormOp(x, params.weight, params.bias, eps);
    },
  };
}
