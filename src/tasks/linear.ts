/**
 * Function classes built on a Gaussian weight vector w ~ N(0, I_d): linear, sparse linear, noisy
 * linear, linear classification and Garg et al.'s quadratic regression. The weight vector always
 * has d entries. Under a dimension curriculum the inputs' inactive coordinates are 0, so only the
 * active ones matter.
 */
import { normal64, permutation64, split, type Key } from '../core/prng.js';
import { checkBoolean, checkNumber } from './checks.js';
import { checkFunctionShape, checkInputDims, checkScale, labelOf, scaleInPlace, type FunctionClass } from './function-class.js';
import { matVec, type Points } from './points.js';

/** The drawn parameters of the linear family: the weight vector w (length d). */
export interface LinearParams {
  readonly w: Float64Array;
}

/** Weight normalisation: `standard` keeps w ~ N(0, I_d), and `normalized` rescales w to unit norm. */
export type WeightType = 'standard' | 'normalized';

/** Options of `linearRegression`. */
export interface LinearOptions {
  /** Output scale c > 0 (default 1): y = c x.w. */
  readonly scale?: number;
  /** Default `standard`. */
  readonly weights?: WeightType;
}

/** Options of `sparseLinearRegression`. */
export interface SparseLinearOptions {
  readonly scale?: number;
  /** Number s of nonzero weights (default 3), at most the active dimensions. */
  readonly sparsity?: number;
}

/** Options of `noisyLinearRegression`. */
export interface NoisyLinearOptions {
  readonly scale?: number;
  /** Standard deviation of the Gaussian label noise (default 0). */
  readonly noiseStd?: number;
  /** Rescale all outputs of a batch to a sample std of sqrt(d) (default false). */
  readonly renormalize?: boolean;
}

/** Options of `quadraticRegression`. */
export interface QuadraticOptions {
  readonly scale?: number;
}

/**
 * Linear regression: y = c x.w with w ~ N(0, I_d) (or unit-norm w). E[y^2] = c^2 a for
 * x ~ N(0, I) with a active dims (c^2 a / d for unit-norm w). Normaliser d.
 *
 * @example linearRegression().sample({ d: 20, activeDims: 20 })(key(0)).apply(x)
 */
export function linearRegression(options: LinearOptions = {}): FunctionClass<LinearParams> {
  const scale = checkScale('linear_regression', options.scale);
  const weights = checkWeightType('linear_regression', options.weights);
  return {
    name: 'linear_regression',
    label: labelOf('linear_regression', { scale, weights }, { scale: 1, weights: 'standard' }),
    sample: (shape) => {
      checkFunctionShape('linear_regression', shape);
      return (k) => {
        const w = drawWeights(k, shape.d, weights);
        return { params: { w }, apply: (x) => scaleInPlace(linearOutputs('linear_regression', x, w), scale) };
      };
    },
    expectedSquare: (shape) => scale * scale * (weights === 'normalized' ? shape.activeDims / shape.d : shape.activeDims),
    normalizer: (shape) => shape.d,
  };
}

/**
 * Sparse linear regression: w ~ N(0, I_d), then every coordinate is zeroed except s chosen
 * uniformly without replacement among the first activeDims, and y = c x.w. E[y^2] = c^2 s.
 * Normaliser s.
 */
export function sparseLinearRegression(options: SparseLinearOptions = {}): FunctionClass<LinearParams> {
  const scale = checkScale('sparse_linear_regression', options.scale);
  const sparsity = options.sparsity ?? 3;
  checkNumber('sparse_linear_regression', 'sparsity', sparsity, { integer: true, min: 1 }, 'pass a positive integer such as 3');
  return {
    name: 'sparse_linear_regression',
    label: labelOf('sparse_linear_regression', { scale, sparsity }, { scale: 1, sparsity: 3 }),
    sample: (shape) => {
      checkFunctionShape('sparse_linear_regression', shape);
      if (sparsity > shape.activeDims) {
        throw new RangeError(
          `sparse_linear_regression: sparsity ${sparsity} exceeds activeDims = ${shape.activeDims}; ` +
            `pass sparsity <= ${shape.activeDims} or start the dimension curriculum at >= ${sparsity} dims`,
        );
      }
      return (k) => {
        const [weightKey, supportKey] = split(k, 2);
        const dense = normal64(weightKey, shape.d);
        const support = permutation64(supportKey, shape.activeDims).subarray(0, sparsity);
        const w = new Float64Array(shape.d);
        for (const index of support) w[index] = dense[index];
        return { params: { w }, apply: (x) => scaleInPlace(linearOutputs('sparse_linear_regression', x, w), scale) };
      };
    },
    expectedSquare: () => scale * scale * sparsity,
    normalizer: () => sparsity,
  };
}

/**
 * Noisy linear regression: y = c x.w + N(0, noiseStd^2), the noise drawn from the function's own
 * key. With `renormalize`, the prompt batch multiplies all outputs of the batch by
 * sqrt(d) / std(ys), so the batch std is exactly sqrt(d). Here std is the unbiased sample standard
 * deviation over every output of the batch, as `torch.Tensor.std` computes it.
 * E[y^2] = c^2 a + noiseStd^2 without renormalisation, and d with it. Normaliser d.
 */
export function noisyLinearRegression(options: NoisyLinearOptions = {}): FunctionClass<LinearParams & { readonly noise: number }> {
  const op = 'noisy_linear_regression';
  const scale = checkScale(op, options.scale);
  const noiseStd = options.noiseStd ?? 0;
  const renormalize = options.renormalize ?? false;
  checkNumber(op, 'noiseStd', noiseStd, { min: 0 }, 'pass a finite standard deviation >= 0 such as 1');
  checkBoolean(op, 'renormalize', renormalize);
  return {
    name: op,
    label: labelOf(op, { scale, noiseStd, renormalize }, { scale: 1, noiseStd: 0, renormalize: false }),
    sample: (shape) => {
      checkFunctionShape(op, shape);
      return (k) => {
        const [weightKey, noiseKey] = split(k, 2);
        const w = normal64(weightKey, shape.d);
        const apply = (x: Points): Float64Array => {
          const ys = scaleInPlace(linearOutputs(op, x, w), scale);
          const noise = normal64(noiseKey, x.n);
          for (let i = 0; i < x.n; i++) ys[i] += noiseStd * noise[i];
          return ys;
        };
        return { params: { w, noise: noiseStd }, apply };
      };
    },
    expectedSquare: (shape) => (renormalize ? shape.d : scale * scale * shape.activeDims + noiseStd * noiseStd),
    normalizer: (shape) => shape.d,
    batchScale: renormalize ? (ys, shape) => renormalizeFactor(ys, shape.d) : undefined,
  };
}

/**
 * Linear classification: y = sign(x.w) in {-1, +1}, with w ~ N(0, I_d). An input with
 * x.w = 0 exactly (such as the zero vector) gets y = 0, as `torch.sign` gives. E[y^2] = 1.
 * Normaliser 1, because the metric is accuracy.
 */
export function linearClassification(): FunctionClass<LinearParams> {
  return {
    name: 'linear_classification',
    label: 'linear_classification',
    sample: (shape) => {
      checkFunctionShape('linear_classification', shape);
      return (k) => {
        const w = normal64(k, shape.d);
        return { params: { w }, apply: (x) => linearOutputs('linear_classification', x, w).map(Math.sign) };
      };
    },
    expectedSquare: () => 1,
    normalizer: () => 1,
  };
}

/**
 * Garg et al.'s quadratic regression: y = c (x∘x).w / sqrt(3) with w ~ N(0, I_d), so that
 * E[y^2] = c^2 a for x ~ N(0, I) (E x^4 = 3). Normaliser d.
 */
export function quadraticRegression(options: QuadraticOptions = {}): FunctionClass<LinearParams> {
  const scale = checkScale('quadratic_regression', options.scale);
  return {
    name: 'quadratic_regression',
    label: labelOf('quadratic_regression', { scale }, { scale: 1 }),
    sample: (shape) => {
      checkFunctionShape('quadratic_regression', shape);
      return (k) => {
        const w = normal64(k, shape.d);
        const apply = (x: Points): Float64Array => {
          checkInputDims('quadratic_regression', x, w.length);
          const squares = x.data.map((value) => value * value);
          return scaleInPlace(matVec({ n: x.n, d: x.d, data: squares }, w), scale / Math.sqrt(3));
        };
        return { params: { w }, apply };
      };
    },
    expectedSquare: (shape) => scale * scale * shape.activeDims,
    normalizer: (shape) => shape.d,
  };
}

/** Validates a weight type (default `standard`). */
export function checkWeightType(op: string, weights: WeightType | undefined): WeightType {
  const value = weights ?? 'standard';
  if (value !== 'standard' && value !== 'normalized') {
    throw new RangeError(`${op}: weights must be 'standard' or 'normalized', got ${String(value)}`);
  }
  return value;
}

/** Draws w ~ N(0, I_d), rescaled to unit norm for `normalized`. */
export function drawWeights(k: Key, d: number, weights: WeightType): Float64Array {
  const w = normal64(k, d);
  if (weights === 'normalized') {
    let sum = 0;
    for (const value of w) sum += value * value;
    const factor = 1 / Math.sqrt(sum);
    for (let j = 0; j < d; j++) w[j] *= factor;
  }
  return w;
}

function linearOutputs(op: string, x: Points, w: Float64Array): Float64Array {
  checkInputDims(op, x, w.length);
  return matVec(x, w);
}

function renormalizeFactor(ys: Float64Array, d: number): number {
  if (ys.length < 2) {
    throw new RangeError(`noisy_linear_regression: renormalize needs at least 2 outputs in a batch, got ${ys.length}`);
  }
  let mean = 0;
  for (const y of ys) mean += y;
  mean /= ys.length;
  let sumOfSquares = 0;
  for (const y of ys) sumOfSquares += (y - mean) * (y - mean);
  const std = Math.sqrt(sumOfSquares / (ys.length - 1));
  if (!(std > 0)) {
    throw new RangeError('noisy_linear_regression: cannot renormalize a batch whose outputs are all equal; use renormalize: false');
  }
  return Math.sqrt(d) / std;
}
