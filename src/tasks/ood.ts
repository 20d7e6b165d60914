/**
 * Garg et al.'s out-of-distribution prompt families for the linear task, as wrappers around a base
 * input distribution. The query is the last point of the prompt (row n - 1) and the context is
 * rows 0..n-2. Garg et al. evaluate the query at every prefix length k, and drawing prompts of
 * n = k + 1 points reproduces that. Their names follow Garg et al.'s `eval.py`.
 */
import { Matrix, QrDecomposition } from 'ml-matrix';
import { split, uniform64 } from '../core/prng.js';
import { checkNumber } from './checks.js';
import { gaussian, type InputDistribution } from './inputs.js';
import { checkPointsShape, makePoints, type Points, type PointsShape } from './points.js';
import type { Sampler } from './sampler.js';
import { uniformIndex } from './sampler.js';

/**
 * Context points confined to one random orthant, query unrestricted (`random_quadrants`). Each
 * prompt draws a sign pattern s in {-1, +1}^d. Context row i becomes |x_i| * s (elementwise), and
 * the query keeps its original draw.
 */
export function randomQuadrants(base: InputDistribution = gaussian()): InputDistribution {
  return wrap('random_quadrants', base, (shape, drawBase) => (k) => {
    const [baseKey, signKey] = split(k, 2);
    const data = drawBase(baseKey).data.slice();
    const signs = uniform64(signKey, shape.d);
    for (let i = 0; i < shape.n - 1; i++) {
      for (let j = 0; j < shape.d; j++) {
        const index = i * shape.d + j;
        const magnitude = Math.abs(data[index]);
        // A zeroed (inactive) coordinate stays +0 rather than becoming -0.
        data[index] = signs[j] < 0.5 && magnitude > 0 ? -magnitude : magnitude;
      }
    }
    return makePoints(shape.n, shape.d, data);
  });
}

/**
 * Query orthogonal to every context point, rescaled to its original norm
 * (`orthogonal_train_test`). The query loses its projection onto the span of rows 0..n-2 (by a
 * Householder QR of the context, applied twice for accuracy) and is scaled back to its drawn norm.
 * The query then lies in the active coordinates only. Needs n - 1 < activeDims, because n - 1
 * context points in general position span all active coordinates otherwise.
 */
export function orthogonalQuery(base: InputDistribution = gaussian()): InputDistribution {
  return wrap('orthogonal_train_test', base, (shape, drawBase) => {
    if (shape.n - 1 >= shape.activeDims) {
      throw new RangeError(
        `orthogonal_train_test: no query is orthogonal to n - 1 = ${shape.n - 1} context points in ` +
          `activeDims = ${shape.activeDims} dimensions; pass n <= activeDims`,
      );
    }
    return (k) => {
      const x = drawBase(k);
      const data = x.data.slice();
      const queryOffset = (shape.n - 1) * shape.d;
      const query = data.subarray(queryOffset, queryOffset + shape.d);
      orthogonalizeInPlace(query, contextBasis(x));
      return makePoints(shape.n, shape.d, data);
    };
  });
}

/**
 * Query equal to one of the context points, chosen uniformly among rows 0..n-2
 * (`overlapping_train_test`). Needs n >= 2.
 */
export function repeatedQuery(base: InputDistribution = gaussian()): InputDistribution {
  return wrap('overlapping_train_test', base, (shape, drawBase) => {
    if (shape.n < 2) {
      throw new RangeError(`overlapping_train_test: the query repeats a context point, so n must be >= 2, got ${shape.n}`);
    }
    const chooseRow = uniformIndex(shape.n - 1);
    return (k) => {
      const [baseKey, rowKey] = split(k, 2);
      const data = drawBase(baseKey).data.slice();
      const row = chooseRow(rowKey);
      data.copyWithin((shape.n - 1) * shape.d, row * shape.d, (row + 1) * shape.d);
      return makePoints(shape.n, shape.d, data);
    };
  });
}

/**
 * Multiplies every input by `factor`, which must be finite and positive. Garg et al.'s `scale-x`
 * evaluations use 1/3, 1/2, 2 and 3.
 */
export function scaled(base: InputDistribution, factor: number): InputDistribution {
  checkNumber('scaled', 'factor', factor, { min: 0, exclusiveMin: true }, 'pass a positive finite factor such as 2');
  const distribution = wrap('scaled', base, (_shape, drawBase) => (k) => {
    const x = drawBase(k);
    return makePoints(x.n, x.d, x.data.map((value) => value * factor));
  });
  return { ...distribution, label: `scaled(${base.label}, factor=${factor})` };
}

function wrap(
  name: string,
  base: InputDistribution,
  build: (shape: PointsShape, drawBase: Sampler<Points>) => Sampler<Points>,
): InputDistribution {
  return {
    name,
    label: base.name === 'gaussian' ? name : `${name}(${base.label})`,
    sample: (shape) => {
      checkPointsShape(name, shape);
      return build(shape, base.sample(shape));
    },
  };
}

/** Returns an orthonormal basis (as d-vectors) of a space containing every context row of `x`. */
function contextBasis(x: Points): Float64Array[] {
  const contextCount = x.n - 1;
  if (contextCount === 0) return [];
  const columns = new Matrix(x.d, contextCount);
  for (let i = 0; i < contextCount; i++) {
    for (let j = 0; j < x.d; j++) columns.set(j, i, x.data[i * x.d + j]);
  }
  const q = new QrDecomposition(columns).orthogonalMatrix;
  return Array.from({ length: contextCount }, (_, c) => Float64Array.from({ length: x.d }, (_, j) => q.get(j, c)));
}

/** Removes from `query` its projection onto the basis (twice), then restores its original norm. */
function orthogonalizeInPlace(query: Float64Array, basis: readonly Float64Array[]): void {
  const originalNorm = norm(query);
  for (let pass = 0; pass < 2; pass++) {
    for (const direction of basis) {
      let dot = 0;
      for (let j = 0; j < query.length; j++) dot += query[j] * direction[j];
      for (let j = 0; j < query.length; j++) query[j] -= dot * direction[j];
    }
  }
  const residualNorm = norm(query);
  // NOTE: a query inside the context span (probability 0 for continuous inputs) stays the zero vector.
  if (residualNorm === 0) return;
  const factor = originalNorm / residualNorm;
  for (let j = 0; j < query.length; j++) query[j] *= factor;
}

function norm(vector: Float64Array): number {
  let sum = 0;
  for (const value of vector) sum += value * value;
  return Math.sqrt(sum);
}
