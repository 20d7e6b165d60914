/**
 * Fits y = x w by gradient descent with the DSL: sample data from explicit keys, define a loss
 * as a pure function of a parameter record, compile one training step (loss, gradient and Adam
 * update), and run it.
 *
 * Run: npx tsx examples/fit-linear-regression.ts
 */
import {
  adam, compile, key, matmul, mse, normal, split, valueAndGrad, zeros,
  type OptimizerState, type Tensor,
} from '../src/index.js';

type Params = { w: Tensor };

/** Trains a linear model on data from a hidden weight vector; returns the loss per step. */
export function fitLinearRegression(steps = 200, dims = 5, points = 64, seed = 0): { losses: number[]; params: Params } {
  const [dataKey, weightKey] = split(key(seed));
  const xs = normal(dataKey, [points, dims]);
  const trueW = normal(weightKey, [dims, 1]);
  const ys = matmul(xs, trueW);

  const loss = (p: Params, x: Tensor, y: Tensor) => mse(matmul(x, p.w), y);
  const optimizer = adam({ lr: 0.05 });
  const step = compile((p: Params, state: OptimizerState<Params>, x: Tensor, y: Tensor) => {
    const [value, grads] = valueAndGrad(loss)(p, x, y);
    const [next, nextState] = optimizer.update(grads, state, p);
    return { params: next, state: nextState, loss: value };
  });

  let params: Params = { w: zeros([dims, 1]) };
  let state = optimizer.init(params);
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) {
    const out = step(params, state, xs, ys);
    params = out.params;
    state = out.state;
    losses.push(out.loss.item());
  }
  return { losses, params };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { losses } = fitLinearRegression();
  for (const i of [0, 49, 99, 199]) console.log(`step ${i + 1}: loss ${losses[i].toExponential(3)}`);
}
