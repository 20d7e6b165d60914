/**
 * The 2-layer network on the tensor DSL and the nn_gd baseline: the DSL gradient against finite
 * differences, PyTorch-style initialisation, training progress, trace caching and determinism
 * from a key.
 */
import { describe, expect, test } from 'vitest';
import { checkGrads, fromData, key, normal64, split, take, type Tensor } from '../../src/index.js';
import {
  createTwoLayerNetTrainer,
  initTwoLayerNet,
  nnGd,
  twoLayerNetLoss,
  type TwoLayerNetParams,
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

function toTensors(xs: Float64Array, ys: Float64Array, k: number, d: number): { xs: Tensor; ys: Tensor } {
  return { xs: fromData(Float32Array.from(xs), [k, d]), ys: fromData(Float32Array.from(ys), [k]) };
}

function maxAbs(t: Tensor): number {
  return Math.max(...Array.from(t.data(), Math.abs));
}

describe('two-layer network', () => {
  test('gradient passes checkGrads', () => {
    const data = linearData(2, 6, 3);
    const { xs, ys } = toTensors(data.xs, data.ys, 6, 3);
    const params = initTwoLayerNet(key(1), 3, 7);
    checkGrads((p: TwoLayerNetParams) => twoLayerNetLoss(p, xs, ys), [params]);
  });

  test('minibatch gradient passes checkGrads', () => {
    const data = linearData(3, 6, 3);
    const { xs, ys } = toTensors(data.xs, data.ys, 6, 3);
    const rows = fromData(Int32Array.of(0, 2, 3, 5), [4]);
    const params = initTwoLayerNet(key(4), 3, 7);
    checkGrads((p: TwoLayerNetParams) => twoLayerNetLoss(p, take(xs, rows), take(ys, rows)), [params]);
  });

  test('init follows nn.Linear bounds', () => {
    const params = initTwoLayerNet(key(5), 4, 25);
    expect(params.w1.shape).toEqual([4, 25]);
    expect(params.b1.shape).toEqual([25]);
    expect(params.w2.shape).toEqual([25, 1]);
    expect(params.b2.shape).toEqual([1]);
    // The bounds are 1/sqrt(4) = 0.5 and 1/sqrt(25) = 0.2. The largest of the 100 draws in w1
    // comes close to its bound.
    expect(maxAbs(params.w1)).toBeLessThanOrEqual(0.5);
    expect(maxAbs(params.w1)).toBeGreaterThan(0.4);
    expect(maxAbs(params.b1)).toBeLessThanOrEqual(0.5);
    expect(maxAbs(params.w2)).toBeLessThanOrEqual(0.2);
    expect(maxAbs(params.b2)).toBeLessThanOrEqual(0.2);
  });

  test('training lowers the loss on linear data', () => {
    const { xs, ys } = linearData(3, 30, 3);
    const trainer = createTwoLayerNetTrainer({ hidden: 100, steps: 100, batchSize: 100, learningRate: 5e-3 });
    const { losses } = trainer.train(key(4), xs, ys, 30, 3);
    expect(losses.length).toBe(100);
    expect(losses[99]).toBeLessThan(0.2 * losses[0]);
  });

  test('minibatches lower the loss too', () => {
    const { xs, ys } = linearData(5, 40, 3);
    const trainer = createTwoLayerNetTrainer({ hidden: 50, steps: 200, batchSize: 8, learningRate: 5e-3 });
    const first = trainer.train(key(6), xs, ys, 40, 3);
    // Compare with the error of the zero predictor, mean(y^2).
    const zeroLoss = ys.reduce((sum, y) => sum + y * y, 0) / ys.length;
    const all = toTensors(xs, ys, 40, 3);
    const trainedLoss = twoLayerNetLoss(first.params, all.xs, all.ys).item();
    expect(trainedLoss).toBeLessThan(0.2 * zeroLoss);

    const second = trainer.train(key(6), xs, ys, 40, 3);
    expect([...second.losses]).toEqual([...first.losses]);
  });

  test('one trace per context shape', () => {
    const { xs, ys } = linearData(7, 6, 2);
    const trainer = createTwoLayerNetTrainer({ hidden: 4, steps: 3, batchSize: 4, learningRate: 5e-3 });
    expect(trainer.traceCount).toBe(0);
    for (const seed of [1, 2]) {
      for (let k = 1; k <= 6; k++) trainer.train(key(seed), xs, ys, k, 2);
    }
    // k = 1..4 train on all rows, and k = 5 and 6 draw minibatches of 4 rows. The second seed
    // reuses all six traces.
    expect(trainer.traceCount).toBe(6);
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

  test('minibatch path is deterministic', () => {
    const baseline = nnGd({ hidden: 8, steps: 10, batchSize: 2, key: key(3) });
    const first = baseline.predict(prompt, ys).predictions;
    const second = baseline.predict(prompt, ys).predictions;
    expect([...second]).toEqual([...first]);
    expect(first.every(Number.isFinite)).toBe(true);
  });

  test('label lists the training setup', () => {
    expect(nnGd().label).toBe('nn_gd(hidden=100, steps=100, batch_size=100, lr=0.005)');
  });
});
