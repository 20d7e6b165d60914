/**
 * The hand-written 2-layer network, its Adam and the nn_gd baseline: gradients against finite
 * differences, Adam's shared step count, training progress and determinism from a key.
 */
import { describe, expect, test } from 'vitest';
import { key, normal64, split } from '../../src/core/prng.js';
import {
  adamStep,
  initAdam,
  initTwoLayerNet,
  lossAndGradTwoLayerNet,
  nnGd,
  trainTwoLayerNet,
} from '../../src/models/baselines/index.js';

function linearData(seed: number, k: number, d: number) {
  const [xKey, wKey] = split(key(seed), 2);
  const xs = normal64(xKey, k * d);
  const w = normal64(wKey, d);
  const ys = new Float64Array(k);
  for (let r = 0; r < k; r++) {
    for (let j = 0; j < d; j++) ys[r] += xs[r * d + j] * w[j];
  }
  return { xs, ys };
}

describe('two-layer network', () => {
  test('gradient matches central differences', () => {
    const d = 3;
    const k = 6;
    const net = initTwoLayerNet(key(1), d, 7);
    const { xs, ys } = linearData(2, k, d);
    const rows = [0, 2, 3, 5];
    const { grad } = lossAndGradTwoLayerNet(net, xs, ys, rows);
    const step = 1e-6;
    for (const name of ['w1', 'b1', 'w2', 'b2'] as const) {
      const param = net[name];
      for (let i = 0; i < param.length; i++) {
        const saved = param[i];
        param[i] = saved + step;
        const plus = lossAndGradTwoLayerNet(net, xs, ys, rows).loss;
        param[i] = saved - step;
        const minus = lossAndGradTwoLayerNet(net, xs, ys, rows).loss;
        param[i] = saved;
        const numeric = (plus - minus) / (2 * step);
        expect(Math.abs(grad[name][i] - numeric), `${name}[${i}]`).toBeLessThan(1e-6 * (1 + Math.abs(numeric)));
      }
    }
  });

  test('adam advances one step count for all parameters', () => {
    // Two scalar parameters at 0 with gradient 1 and lr 0.1 move by -0.1 / (1 + 1e-8) per step.
    const params = [Float64Array.of(0), Float64Array.of(0)];
    const grads = [Float64Array.of(1), Float64Array.of(1)];
    const state = initAdam([1, 1]);
    const options = { learningRate: 0.1, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };
    adamStep(params, grads, state, options);
    expect(params[0][0]).toBeCloseTo(-0.1 / (1 + 1e-8), 15);
    expect(params[1][0]).toBeCloseTo(-0.1 / (1 + 1e-8), 15);
    adamStep(params, grads, state, options);
    expect(state.step).toBe(2);
    expect(params[0][0]).toBeCloseTo(-0.199999998, 12);
    expect(params[1][0]).toBeCloseTo(-0.199999998, 12);
  });

  test('training lowers the loss on linear data', () => {
    const { xs, ys } = linearData(3, 30, 3);
    const { losses } = trainTwoLayerNet(key(4), xs, ys, 30, 3, {
      hidden: 100,
      steps: 100,
      batchSize: 100,
      learningRate: 5e-3,
    });
    expect(losses[99]).toBeLessThan(0.2 * losses[0]);
  });

  test('minibatches lower the loss too', () => {
    const { xs, ys } = linearData(5, 40, 3);
    const options = { hidden: 50, steps: 200, batchSize: 8, learningRate: 5e-3 };
    const first = trainTwoLayerNet(key(6), xs, ys, 40, 3, options);
    // Compare with the error of the zero predictor, mean(y^2).
    const zeroLoss = ys.reduce((sum, y) => sum + y * y, 0) / ys.length;
    const trained = lossAndGradTwoLayerNet(first.net, xs, ys, [...Array(40).keys()]);
    expect(trained.loss).toBeLessThan(0.2 * zeroLoss);
    const second = trainTwoLayerNet(key(6), xs, ys, 40, 3, options);
    expect([...second.losses]).toEqual([...first.losses]);
  });
});

describe('nn_gd baseline', () => {
  const { xs, ys } = linearData(8, 6, 3);
  const prompt = { data: xs, shape: [6, 3] };

  test('same key gives the same predictions', () => {
    const first = nnGd({ key: key(1) }).predict(prompt, ys).predictions;
    const second = nnGd({ key: key(1) }).predict(prompt, ys).predictions;
    expect([...second]).toEqual([...first]);
    expect(first[0]).toBe(0);
  });

  test('another key gives other predictions', () => {
    const first = nnGd({ key: key(1) }).predict(prompt, ys).predictions;
    const other = nnGd({ key: key(2) }).predict(prompt, ys).predictions;
    expect(other[3]).not.toBe(first[3]);
  });

  test('label lists the training setup', () => {
    expect(nnGd().label).toBe('nn_gd(hidden=100, steps=100, batch_size=100, lr=0.005)');
  });
});
