/**
 * Input distributions: samplers of the n x d input matrix of one prompt. The i.i.d. families
 * (gaussian, laplace, cauchy, studentT) draw every coordinate independently. `transformed`,
 * `skewed` and `halfSubspace` multiply gaussian (or other) draws z by a fixed d x d matrix S,
 * x = z S. Every distribution sets the coordinates at index >= activeDims to 0 after sampling.
 */
import { normal64, split, type Key } from '../core/prng.js';
import { checkBoolean, checkNumber } from './checks.js';
import { checkPointsShape, makePoints, zeroInactiveDims, type Points, type PointsShape } from './points.js';
import { halfSubspaceTransform, multiplyRows, skewedTransform } from './rotation.js';
import type { Sampler } from './sampler.js';
import { cauchy64, laplace64, studentT64 } from './univariate.js';

/**
 * A distribution of prompt inputs. `sample(shape)` draws one prompt's [n, d] matrix, whose
 * coordinates at index >= shape.activeDims are 0.
 */
export interface InputDistribution {
  /** Registry name, e.g. `studentT`. */
  readonly name: string;
  /** Name with parameters, e.g. `studentT(df=4)`, for logs and reports. */
  readonly label: string;
  readonly sample: (shape: PointsShape) => Sampler<Points>;
}

/** Options of the heavy-tailed families. */
export interface StandardizeOptions {
  /** Rescale each coordinate to unit variance (default false, as in Bhasin et al.'s runs). */
  readonly standardize?: boolean;
}

/** Options of `studentT`. */
export interface StudentTOptions extends StandardizeOptions {
  /** Degrees of freedom, a real number > 0. Default 1, which is the Cauchy law. */
  readonly df?: number;
}

/** x ~ N(0, I_d): i.i.d. standard normal coordinates. */
export function gaussian(): InputDistribution {
  return iidDistribution('gaussian', 'gaussian', (k, count) => normal64(k, count));
}

/**
 * Laplace(0, 1) coordinates (variance 2), or Laplace(0, 1/sqrt(2)) (variance 1) with
 * `standardize`.
 */
export function laplace(options: StandardizeOptions = {}): InputDistribution {
  const standardize = options.standardize ?? false;
  checkBoolean('laplace', 'standardize', standardize);
  const scale = standardize ? Math.SQRT1_2 : 1;
  return iidDistribution('laplace', standardize ? 'laplace(standardized)' : 'laplace', (k, count) => laplace64(k, count, scale));
}

/** Standard Cauchy coordinates. There is no finite variance, so `standardize: true` is rejected. */
export function cauchy(options: StandardizeOptions = {}): InputDistribution {
  if (options.standardize === true) {
    throw new RangeError(
      'cauchy: standardize is not possible because the Cauchy law has no finite variance; ' +
        'use standardize: false, or studentT with df > 2',
    );
  }
  checkBoolean('cauchy', 'standardize', options.standardize ?? false);
  return iidDistribution('cauchy', 'cauchy', (k, count) => cauchy64(k, count));
}

/**
 * Student-t coordinates with `df` degrees of freedom (default 1 = Cauchy). Raw draws have
 * variance df / (df - 2) for df > 2. `standardize` multiplies them by sqrt((df - 2) / df)
 * and is rejected for df <= 2, where the variance is infinite.
 *
 * @example studentT({ df: 4 }) // Bhasin et al.'s evaluation law, variance 2
 */
export function studentT(options: StudentTOptions = {}): InputDistribution {
  const df = options.df ?? 1;
  const standardize = options.standardize ?? false;
  checkNumber('studentT', 'df', df, { min: 0, exclusiveMin: true }, 'pass a positive number of degrees of freedom such as 4');
  checkBoolean('studentT', 'standardize', standardize);
  if (standardize && df <= 2) {
    throw new RangeError(
      `studentT: standardize needs df > 2 because the variance is infinite for df <= 2, got df = ${df}; ` +
        'pass df > 2 or standardize: false',
    );
  }
  const factor = standardize ? Math.sqrt((df - 2) / df) : 1;
  const label = `studentT(df=${df}${standardize ? ', standardized' : ''})`;
  return iidDistribution('studentT', label, (k, count) => {
    const values = studentT64(k, count, df);
    if (factor !== 1) for (let i = 0; i < count; i++) values[i] *= factor;
    return values;
  });
}

/**
 * Inputs x = z S where z is drawn from `base` with every coordinate active and S = `transformFor(d)`
 * (row-major d x d). Coordinates at index >= activeDims are zeroed after the multiplication, as
 * in Garg et al.'s sampler. `transformFor` is called once per dimension and its result is cached.
 */
export function transformed(
  base: InputDistribution,
  transformFor: (d: number) => Float64Array,
  name: string,
  label: string,
): InputDistribution {
  const cache = new Map<number, Float64Array>();
  const transformOf = (d: number): Float64Array => {
    let transform = cache.get(d);
    if (transform === undefined) {
      transform = transformFor(d);
      if (transform.length !== d * d) {
        throw new RangeError(`${name}: the transform for d = ${d} has ${transform.length} entries, expected d * d = ${d * d}`);
      }
      cache.set(d, transform);
    }
    return transform;
  };
  return {
    name,
    label,
    sample: (shape) => {
      checkPointsShape(name, shape);
      const transform = transformOf(shape.d);
      const drawBase = base.sample({ n: shape.n, d: shape.d, activeDims: shape.d });
      return (k) => {
        const data = multiplyRows(drawBase(k).data, shape.d, transform);
        zeroInactiveDims(data, shape.d, shape.activeDims);
        return makePoints(shape.n, shape.d, data);
      };
    },
  };
}

/** Options of the covariance families. */
export interface RotationOptions {
  /**
   * Key of the random rotation U. The rotation is a value of this key alone, so training and test
   * share it when they pass the same key and differ when they do not.
   */
  readonly rotationKey: Key;
  /** Distribution of z in x = z S (default gaussian). */
  readonly base?: InputDistribution;
}

/**
 * Skewed covariance: x = z S with S = U diag(1/i) U^T * sqrt(d / sum 1/i^2), so the covariance
 * U diag(d (1/i^2) / sum_j 1/j^2) U^T has trace d and eigenvalues proportional to 1/i^2.
 */
export function skewed(options: RotationOptions): InputDistribution {
  const base = options.base ?? gaussian();
  const label = base.name === 'gaussian' ? 'skewed' : `skewed(${base.label})`;
  return transformed(base, (d) => skewedTransform(options.rotationKey, d), 'skewed', label);
}

/**
 * Inputs confined to a random floor(d/2)-dimensional subspace: S = sqrt(d / floor(d/2)) P with P
 * the projection onto that subspace, so E||x||^2 = d. Needs d >= 2.
 */
export function halfSubspace(options: RotationOptions): InputDistribution {
  const base = options.base ?? gaussian();
  const label = base.name === 'gaussian' ? 'half_subspace' : `half_subspace(${base.label})`;
  return transformed(base, (d) => halfSubspaceTransform(options.rotationKey, d), 'half_subspace', label);
}

/**
 * Draws `batchSize` independent prompts' inputs as one row-major [B, n, d] array.
 *
 * @example inputBatch(gaussian(), { n: 41, d: 20, activeDims: 20 }, 64)(key(0)).length // 64 * 41 * 20
 */
export function inputBatch(distribution: InputDistribution, shape: PointsShape, batchSize: number): Sampler<Float64Array> {
  checkNumber('inputBatch', 'batchSize', batchSize, { integer: true, min: 1 }, 'pass a positive integer such as 64');
  const draw = distribution.sample(shape);
  const size = shape.n * shape.d;
  return (k) => {
    const out = new Float64Array(batchSize * size);
    split(k, batchSize).forEach((promptKey, b) => out.set(draw(promptKey).data, b * size));
    return out;
  };
}

function iidDistribution(name: string, label: string, draw: (k: Key, count: number) => Float64Array): InputDistribution {
  return {
    name,
    label,
    sample: (shape) => {
      checkPointsShape(name, shape);
      return (k) => {
        const data = draw(k, shape.n * shape.d);
        zeroInactiveDims(data, shape.d, shape.activeDims);
        return makePoints(shape.n, shape.d, data);
      };
    },
  };
}
