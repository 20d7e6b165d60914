/**
 * Adam on float64 parameter arrays, written out by hand for the `nn_gd` baseline.
 *
 * NOTE: this is a stopgap like the hand-written network gradient. Replace it with the DSL's Adam
 * once that lands.
 */

/** Adam hyper-parameters. PyTorch's defaults are beta1 0.9, beta2 0.999 and epsilon 1e-8. */
export interface AdamOptions {
  readonly learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
}

/** Adam moment estimates for a list of parameter arrays and the shared step count. */
export interface AdamState {
  readonly m: Float64Array[];
  readonly v: Float64Array[];
  /** Optimiser steps taken so far, one count shared by all parameters. */
  step: number;
}

/** Creates zero Adam moments for parameter arrays of the given lengths. */
export function initAdam(sizes: readonly number[]): AdamState {
  return { m: sizes.map((s) => new Float64Array(s)), v: sizes.map((s) => new Float64Array(s)), step: 0 };
}

/**
 * Applies one Adam step in place to `params` (and the moments in `state`):
 * m = b1 m + (1 - b1) g, v = b2 v + (1 - b2) g^2, p -= lr m_hat / (sqrt(v_hat) + eps), with the
 * bias corrections m_hat = m / (1 - b1^t), v_hat = v / (1 - b2^t). The step t is advanced once
 * per call, before any parameter is updated, so all parameters use the same t.
 */
export function adamStep(
  params: readonly Float64Array[],
  grads: readonly Float64Array[],
  state: AdamState,
  options: AdamOptions,
): void {
  const { learningRate, beta1, beta2, epsilon } = options;
  state.step += 1;
  const correction1 = 1 - beta1 ** state.step;
  const correction2 = 1 - beta2 ** state.step;
  for (let p = 0; p < params.length; p++) {
    const param = params[p];
    const grad = grads[p];
    const m = state.m[p];
    const v = state.v[p];
    for (let i = 0; i < param.length; i++) {
      m[i] = beta1 * m[i] + (1 - beta1) * grad[i];
      v[i] = beta2 * v[i] + (1 - beta2) * grad[i] * grad[i];
      param[i] -= (learningRate * (m[i] / correction1)) / (Math.sqrt(v[i] / correction2) + epsilon);
    }
  }
}
