/**
 * Garg et al.'s two-layer ReLU network class: y = c sqrt(2/r) relu(x W1) W2 with
 * W1 ~ N(0, 1)^(d x r) and W2 ~ N(0, 1)^r. The sqrt(2/r) factor makes E[y^2] = c^2 a for
 * x ~ N(0, I) on a active coordinates, the same scale as linear regression.
 */
import { normal64, split } from '../core/prng.js';
import { checkNumber } from './checks.js';
import { checkFunctionShape, checkInputDims, checkScale, labelOf, type FunctionClass } from './function-class.js';
import type { Points } from './points.js';

/** The drawn network: W1 row-major [d, r] and W2 of length r. */
export interface ReluParams {
  readonly hiddenSize: number;
  readonly w1: Float64Array;
  readonly w2: Float64Array;
}

/** Options of `relu2nnRegression`. */
export interface ReluOptions {
  /** Hidden width r (default 100). */
  readonly hiddenSize?: number;
  /** Output scale c > 0 (default 1). */
  readonly scale?: number;
}

/** Creates the ReLU network class. E[y^2] = c^2 a and the normaliser is d. */
export function relu2nnRegression(options: ReluOptions = {}): FunctionClass<ReluParams> {
  const op = 'relu_2nn_regression';
  const hiddenSize = options.hiddenSize ?? 100;
  checkNumber(op, 'hiddenSize', hiddenSize, { integer: true, min: 1 }, 'pass a positive width such as 100');
  const scale = checkScale(op, options.scale);
  const outputFactor = scale * Math.sqrt(2 / hiddenSize);
  return {
    name: op,
    label: labelOf(op, { hiddenSize, scale }, { hiddenSize: 100, scale: 1 }),
    sample: (shape) => {
      checkFunctionShape(op, shape);
      return (k) => {
        const [firstKey, secondKey] = split(k, 2);
        const w1 = normal64(firstKey, shape.d * hiddenSize);
        const w2 = normal64(secondKey, hiddenSize);
        const apply = (x: Points): Float64Array => {
          checkInputDims(op, x, shape.d);
          return reluNetwork(x, w1, w2, hiddenSize, outputFactor);
        };
        return { params: { hiddenSize, w1, w2 }, apply };
      };
    },
    expectedSquare: (shape) => scale * scale * shape.activeDims,
    normalizer: (shape) => shape.d,
  };
}

function reluNetwork(x: Points, w1: Float64Array, w2: Float64Array, hiddenSize: number, outputFactor: number): Float64Array {
  const out = new Float64Array(x.n);
  const hidden = new Float64Array(hiddenSize);
  for (let i = 0; i < x.n; i++) {
    hidden.fill(0);
    for (let j = 0; j < x.d; j++) {
      const value = x.data[i * x.d + j];
      if (value === 0) continue;
      const row = j * hiddenSize;
      for (let h = 0; h < hiddenSize; h++) hidden[h] += value * w1[row + h];
    }
    let sum = 0;
    for (let h = 0; h < hiddenSize; h++) if (hidden[h] > 0) sum += hidden[h] * w2[h];
    out[i] = outputFactor * sum;
  }
  return out;
}
