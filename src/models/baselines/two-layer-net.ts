/**
 * A 2-layer ReLU network f(x) = w2 . relu(x W1 + b1) + b2 (d -> hidden -> 1) trained by Adam on
 * the mean squared error, in float64 with the forward and backward passes written out by hand.
 *
 * NOTE: this hand-written gradient is a stopgap. Move the model onto the DSL's `grad` and its
 * Adam once they land, and keep the finite-difference test as the check.
 */
import { foldIn, permutation64, split, uniform64, type Key } from '../../core/prng.js';
import { adamStep, initAdam } from './adam.js';

/** Parameters of the network. */
export interface TwoLayerNet {
  readonly d: number;
  readonly hidden: number;
  /** First-layer weights [d, hidden], row-major. */
  readonly w1: Float64Array;
  /** First-layer bias [hidden]. */
  readonly b1: Float64Array;
  /** Second-layer weights [hidden]. */
  readonly w2: Float64Array;
  /** Second-layer bias [1]. */
  readonly b2: Float64Array;
}

/** Gradients of the loss, one array per parameter of `TwoLayerNet`. */
export interface TwoLayerNetGrad {
  readonly w1: Float64Array;
  readonly b1: Float64Array;
  readonly w2: Float64Array;
  readonly b2: Float64Array;
}

const PARAMETER_NAMES = ['w1', 'b1', 'w2', 'b2'] as const;

function uniformIn(key: Key, count: number, bound: number): Float64Array {
  const values = uniform64(key, count);
  for (let i = 0; i < count; i++) values[i] = (2 * values[i] - 1) * bound;
  return values;
}

/**
 * Initialises the network as PyTorch's `nn.Linear` does: each layer's weights and bias are
 * uniform on [-1/sqrt(fan_in), 1/sqrt(fan_in)].
 */
export function initTwoLayerNet(key: Key, d: number, hidden: number): TwoLayerNet {
  const [k1, k2, k3, k4] = split(key, 4);
  const bound1 = 1 / Math.sqrt(d);
  const bound2 = 1 / Math.sqrt(hidden);
  return {
    d,
    hidden,
    w1: uniformIn(k1, d * hidden, bound1),
    b1: uniformIn(k2, hidden, bound1),
    w2: uniformIn(k3, hidden, bound2),
    b2: uniformIn(k4, 1, bound2),
  };
}

/** Returns the network's output at one input x [d]. */
export function forwardTwoLayerNet(net: TwoLayerNet, x: Float64Array): number {
  const { d, hidden, w1, b1, w2, b2 } = net;
  let out = b2[0];
  for (let h = 0; h < hidden; h++) {
    let z = b1[h];
    for (let j = 0; j < d; j++) z += x[j] * w1[j * hidden + h];
    if (z > 0) out += w2[h] * z;
  }
  return out;
}

/**
 * Returns the mean squared error over the rows `rows` of (xs, ys) and its gradient with respect
 * to every parameter. The ReLU's derivative at 0 is taken as 0, as in PyTorch.
 *
 * @param xs inputs [k, d], row-major
 * @param ys labels [k]
 * @param rows indices of the rows in the minibatch
 */
export function lossAndGradTwoLayerNet(
  net: TwoLayerNet,
  xs: Float64Array,
  ys: Float64Array,
  rows: ArrayLike<number>,
): { loss: number; grad: TwoLayerNetGrad } {
  const { d, hidden, w1, b1, w2, b2 } = net;
  const grad = {
    w1: new Float64Array(d * hidden),
    b1: new Float64Array(hidden),
    w2: new Float64Array(hidden),
    b2: new Float64Array(1),
  };
  const z = new Float64Array(hidden);
  const m = rows.length;
  let loss = 0;

  for (let i = 0; i < m; i++) {
    const row = rows[i];
    const x = xs.subarray(row * d, (row + 1) * d);
    // Forward: z = x W1 + b1, out = relu(z) . w2 + b2.
    let out = b2[0];
    for (let h = 0; h < hidden; h++) {
      let sum = b1[h];
      for (let j = 0; j < d; j++) sum += x[j] * w1[j * hidden + h];
      z[h] = sum;
      if (sum > 0) out += w2[h] * sum;
    }
    const error = out - ys[row];
    loss += error * error;

    // Backward: dLoss/dout = 2 error / m, then through w2 and the ReLU mask into W1 and b1.
    const dOut = (2 * error) / m;
    grad.b2[0] += dOut;
    for (let h = 0; h < hidden; h++) {
      if (z[h] <= 0) continue;
      grad.w2[h] += dOut * z[h];
      const dz = dOut * w2[h];
      grad.b1[h] += dz;
      for (let j = 0; j < d; j++) grad.w1[j * hidden + h] += dz * x[j];
    }
  }
  return { loss: loss / m, grad };
}

/** Options of `trainTwoLayerNet`. */
export interface TrainTwoLayerNetOptions {
  readonly hidden: number;
  readonly steps: number;
  readonly batchSize: number;
  readonly learningRate: number;
}

/** A trained network and the minibatch loss before each step [steps]. */
export interface TrainedTwoLayerNet {
  readonly net: TwoLayerNet;
  readonly losses: Float64Array;
}

/**
 * Trains a fresh network on k pairs by Adam (beta1 0.9, beta2 0.999, eps 1e-8). Each step uses
 * min(batchSize, k) rows: all rows when k <= batchSize, otherwise a random subset without
 * replacement. The result depends only on `key` and the data.
 *
 * @param xs inputs [k, d], row-major
 * @param ys labels [k]
 */
export function trainTwoLayerNet(
  key: Key,
  xs: Float64Array,
  ys: Float64Array,
  k: number,
  d: number,
  options: TrainTwoLayerNetOptions,
): TrainedTwoLayerNet {
  const [initKey, batchKey] = split(key, 2);
  const net = initTwoLayerNet(initKey, d, options.hidden);
  const params = PARAMETER_NAMES.map((name) => net[name]);
  const state = initAdam(params.map((p) => p.length));
  const adam = { learningRate: options.learningRate, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };
  const allRows = Int32Array.from({ length: k }, (_, r) => r);
  const losses = new Float64Array(options.steps);

  for (let step = 0; step < options.steps; step++) {
    const rows =
      k <= options.batchSize ? allRows : permutation64(foldIn(batchKey, step), k).subarray(0, options.batchSize);
    const { loss, grad } = lossAndGradTwoLayerNet(net, xs, ys, rows);
    losses[step] = loss;
    adamStep(
      params,
      PARAMETER_NAMES.map((name) => grad[name]),
      state,
      adam,
    );
  }
  return { net, losses };
}
