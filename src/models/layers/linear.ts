/**
 * The affine layer y = x W^T + b with PyTorch's layout: weight [out, in], bias [out]. Inputs of
 * any rank [..., in] are flattened to one 2-D matrix product with `transposeB`, so no transpose
 * of the weight is materialised.
 */
import { add, matmul, reshape, type Tensor } from '../../core/index.js';
import { checkPositiveInteger, showShape } from './check.js';
import { constantInit, normalInit, uniformInit } from './init.js';
import { split } from '../../core/index.js';
import { EMPTY_CONTEXT, type Layer, type LayerContext } from './layer.js';

/** Parameters of `linear`: weight [out, in] and bias [out]. */
export interface LinearParams {
  readonly weight: Tensor;
  readonly bias: Tensor;
}

/** Options of `linear`. */
export interface LinearOptions {
  /** Standard deviation of the normal weight initialisation (default 0.02, as GPT-2). */
  readonly initStd?: number;
  /**
   * 'gpt2' (default): normal weights with `initStd` and a zero bias. 'pytorch': weight and bias
   * uniform on [-1/sqrt(in), 1/sqrt(in)], the default of PyTorch's `nn.Linear`.
   */
  readonly init?: LinearInit;
}

/** Initialisation scheme of `linear`; see `LinearOptions.init`. */
export type LinearInit = 'gpt2' | 'pytorch';

/** Applies y = x W^T + b to x [..., in] and returns [..., out]. */
export function applyLinear(params: LinearParams, x: Tensor): Tensor {
  const [outFeatures, inFeatures] = params.weight.shape;
  if (x.ndim < 1 || x.shape[x.ndim - 1] !== inFeatures) {
    throw new Error(
      `linear: input ${showShape(x.shape)} does not end in ${inFeatures} features for weight ${showShape(params.weight.shape)}`,
    );
  }
  const rows = x.ndim === 2 ? x : reshape(x, [-1, inFeatures]);
  const y = add(matmul(rows, params.weight, { transposeB: true }), params.bias);
  return x.ndim === 2 ? y : reshape(y, [...x.shape.slice(0, -1), outFeatures]);
}

/**
 * Creates a linear layer from `inFeatures` to `outFeatures`, with normal weights (std 0.02) and a
 * zero bias, or PyTorch's uniform default with `init: 'pytorch'`.
 *
 * @example linear(5, 64).apply(linear(5, 64).init(key(0)), zeros([8, 22, 5])).shape // [8, 22, 64]
 */
export function linear(inFeatures: number, outFeatures: number, options: LinearOptions = {}): Layer<LinearParams> {
  checkPositiveInteger('linear', 'inFeatures', inFeatures);
  checkPositiveInteger('linear', 'outFeatures', outFeatures);
  return {
    init: (key) => {
      if (options.init === 'pytorch') {
        const bound = 1 / Math.sqrt(inFeatures);
        const [weightKey, biasKey] = split(key);
        return { weight: uniformInit(weightKey, [outFeatures, inFeatures], bound), bias: uniformInit(biasKey, [outFeatures], bound) };
      }
      return { weight: normalInit(key, [outFeatures, inFeatures], options.initStd), bias: constantInit([outFeatures], 0) };
    },
    apply: (params: LinearParams, x: Tensor, _context: LayerContext = EMPTY_CONTEXT) => applyLinear(params, x),
  };
}
