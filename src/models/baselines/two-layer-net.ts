/**
 * A 2-layer ReLU network f(x) = relu(x W1 + b1) W2 + b2 (d -> hidden -> 1) on the tensor DSL,
 * trained by the DSL's Adam on the mean squared error. The network is a pure function of a
 * parameter record, so `valueAndGrad` differentiates it and `compile` turns one training step
 * into a cached program. The DSL computes in float32.
 */
import {
  adam,
  add,
  compile,
  foldIn,
  fromData,
  matmul,
  mse,
  permutation64,
  relu,
  reshape,
  split,
  take,
  uniform,
  valueAndGrad,
  type Key,
  type OptimizerState,
  type Tensor,
} from '../../core/index.js';

/** Parameters of the network, as f32 tensors. */
export interface TwoLayerNetParams {
  /** First-layer weights [d, hidden]. */
  readonly w1: Tensor;
  /** First-layer bias [hidden]. */
  readonly b1: Tensor;
  /** Second-layer weights [hidden, 1]. */
  readonly w2: Tensor;
  /** Second-layer bias [1]. */
  readonly b2: Tensor;
}

/**
 * Initialises the network as PyTorch's `nn.Linear` does: each layer's weights and bias are
 * uniform on [-1/sqrt(fan_in), 1/sqrt(fan_in)].
 */
export function initTwoLayerNet(key: Key, d: number, hidden: number): TwoLayerNetParams {
  const [k1, k2, k3, k4] = split(key, 4);
  const bound1 = 1 / Math.sqrt(d);
  const bound2 = 1 / Math.sqrt(hidden);
  return {
    w1: uniform(k1, [d, hidden], -bound1, bound1),
    b1: uniform(k2, [hidden], -bound1, bound1),
    w2: uniform(k3, [hidden, 1], -bound2, bound2),
    b2: uniform(k4, [1], -bound2, bound2),
  };
}

/** Applies the network to the rows of xs [m, d] and returns the outputs [m]. */
export function twoLayerNet(params: TwoLayerNetParams, xs: Tensor): Tensor {
  const hidden = relu(add(matmul(xs, params.w1), params.b1));
  const out = add(matmul(hidden, params.w2), params.b2);
  return reshape(out, [xs.shape[0]]);
}

/** Returns the mean squared error of the network on inputs xs [m, d] and labels ys [m]. */
export function twoLayerNetLoss(params: TwoLayerNetParams, xs: Tensor, ys: Tensor): Tensor {
  return mse(twoLayerNet(params, xs), ys);
}

/** Returns the network's output at one float64 input x [d], computed in float32. */
export function predictTwoLayerNet(params: TwoLayerNetParams, x: Float64Array): number {
  const input = fromData(Float32Array.from(x), [1, x.length]);
  return twoLayerNet(params, input).item();
}

/** Options of `createTwoLayerNetTrainer`. */
export interface TrainTwoLayerNetOptions {
  readonly hidden: number;
  readonly steps: number;
  readonly batchSize: number;
  readonly learningRate: number;
}

/** A trained network and the minibatch loss before each step [steps]. */
export interface TrainedTwoLayerNet {
  readonly params: TwoLayerNetParams;
  readonly losses: Float64Array;
}

/** Trains fresh networks with fixed options, reusing one compiled training step. */
export interface TwoLayerNetTrainer {
  /**
   * Trains a fresh network on k pairs. The result depends only on `key` and the data.
   *
   * @param xs inputs [k, d], row-major
   * @param ys labels [k]
   */
  train(key: Key, xs: Float64Array, ys: Float64Array, k: number, d: number): TrainedTwoLayerNet;
  /** Number of training-step programs traced so far, one per context shape [k, d] trained on. */
  readonly traceCount: number;
}

type AdamState = OptimizerState<TwoLayerNetParams>;

/**
 * Creates a trainer that runs Adam (beta1 0.9, beta2 0.999, eps 1e-8, as torch.optim.Adam) for
 * `options.steps` steps. Each step uses min(batchSize, k) rows: all rows when k <= batchSize,
 * otherwise a random subset without replacement. The compiled step is traced once per input
 * shape and the trace is reused by every later call with that shape.
 */
export function createTwoLayerNetTrainer(options: TrainTwoLayerNetOptions): TwoLayerNetTrainer {
  const optimizer = adam({ lr: options.learningRate, beta1: 0.9, beta2: 0.999, eps: 1e-8 });
  const lossAndGrad = valueAndGrad(twoLayerNetLoss);

  // `rows` is undefined when the step uses every row. `compile` treats undefined as a static
  // leaf, so that case gets a trace of its own.
  const step = compile(
    (
      params: TwoLayerNetParams,
      state: AdamState,
      xs: Tensor,
      ys: Tensor,
      rows: Tensor | undefined,
    ): [TwoLayerNetParams, AdamState, Tensor] => {
      const batchXs = rows === undefined ? xs : take(xs, rows);
      const batchYs = rows === undefined ? ys : take(ys, rows);
      const [loss, grads] = lossAndGrad(params, batchXs, batchYs);
      const [nextParams, nextState] = optimizer.update(grads, state, params);
      return [nextParams, nextState, loss];
    },
  );

  const train = (key: Key, xs: Float64Array, ys: Float64Array, k: number, d: number): TrainedTwoLayerNet => {
    const [initKey, batchKey] = split(key, 2);
    let params = initTwoLayerNet(initKey, d, options.hidden);
    let state = optimizer.init(params);
    const xsTensor = fromData(Float32Array.from(xs.subarray(0, k * d)), [k, d]);
    const ysTensor = fromData(Float32Array.from(ys.subarray(0, k)), [k]);
    const subsample = k > options.batchSize;
    const lossTensors: Tensor[] = [];

    for (let t = 0; t < options.steps; t++) {
      const rows = subsample
        ? fromData(permutation64(foldIn(batchKey, t), k).slice(0, options.batchSize), [options.batchSize])
        : undefined;
      let loss: Tensor;
      [params, state, loss] = step(params, state, xsTensor, ysTensor, rows);
      lossTensors.push(loss);
    }

    const losses = Float64Array.from(lossTensors, (loss) => loss.item());
    return { params, losses };
  };

  return {
    train,
    get traceCount() {
      return step.cacheSize;
    },
  };
}
