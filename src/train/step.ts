/**
 * The training step as one compiled program: the loss, its gradient with respect to the
 * parameters, and the optimizer update. `compile` traces it once per batch shape (a points or
 * dims ramp gives a few shapes) and the loop then calls the cached program.
 */
import { valueAndGrad } from '../core/autodiff.js';
import { compile, type CompiledFunction } from '../core/compile.js';
import type { Optimizer, OptimizerState } from '../core/optim.js';
import type { Tensor } from '../core/tensor.js';
import type { TrainableModel } from './model.js';

/** The result of one step: the updated parameters and optimizer state, and the loss before the update. */
export interface StepResult<P> {
  readonly params: P;
  readonly optimizerState: OptimizerState<P>;
  /** f32 scalar: the loss of the batch at the parameters passed in. */
  readonly loss: Tensor;
}

/** A compiled training step: (params, optimizer state, xs [B, n, d], ys [B, n]) -> `StepResult`. */
export type TrainStep<P> = CompiledFunction<[P, OptimizerState<P>, Tensor, Tensor], StepResult<P>>;

/**
 * Compiles loss, gradient and optimizer update into one program.
 *
 * @example
 * const step = makeTrainStep(model, adam({ lr: 1e-3 }));
 * const { params, optimizerState, loss } = step(state.params, state.optimizerState, batch.xs, batch.ys);
 */
export function makeTrainStep<P>(model: TrainableModel<P>, optimizer: Optimizer): TrainStep<P> {
  const lossAndGrad = valueAndGrad((params: P, xs: Tensor, ys: Tensor) => model.loss(params, xs, ys));
  return compile((params: P, optimizerState: OptimizerState<P>, xs: Tensor, ys: Tensor): StepResult<P> => {
    const [loss, grads] = lossAndGrad(params, xs, ys);
    const [next, nextState] = optimizer.update(grads, optimizerState, params);
    return { params: next, optimizerState: nextState, loss };
  });
}
