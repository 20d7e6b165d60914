/**
 * GPT-2's feed-forward layer: linear `fc` from width to a hidden width (4 x width by default),
 * GELU in its tanh form, and linear `proj` back to width.
 */
import { gelu, split } from '../../core/index.js';
import { checkPositiveInteger } from './check.js';
import type { Layer } from './layer.js';
import { applyLinear, linear, type LinearParams } from './linear.js';

/** Parameters of `mlp`: fc (weight [hidden, width]) and proj (weight [width, hidden]). */
export interface MlpParams {
  readonly fc: LinearParams;
  readonly proj: LinearParams;
}

/**
 * Creates a two-layer perceptron on inputs [..., width] with a hidden width of `hidden` (default 4 x width).
 *
 * @example mlp(64).init(key(0)).fc.weight.shape // [256, 64]
 */
export function mlp(width: number, hidden: number = 4 * width): Layer<MlpParams> {
  checkPositiveInteger('mlp', 'width', width);
  checkPositiveInteger('mlp', 'hidden', hidden);
  const fc = linear(width, hidden);
  const proj = linear(hidden, width);
  return {
    init: (key) => {
      const [fcKey, projKey] = split(key, 2);
      return { fc: fc.init(fcKey), proj: proj.init(projKey) };
    },
    apply: (params, x) => applyLinear(params.proj, gelu(applyLinear(params.fc, x))),
  };
}
