/**
 * k-nearest-neighbours baseline: predicts the (weighted) mean label of the min(k, n_neighbors)
 * context inputs nearest to the query in Euclidean distance.
 */
import { checkInteger } from './check-options.js';
import { DEFAULT_BASELINE_OPTIONS } from './defaults.js';
import { defineBaseline } from './define.js';
import type { Baseline } from './types.js';

/** Weighting of the neighbours' labels. */
export type KnnWeights = 'uniform' | 'distance';

/** Options of the k-NN baseline. */
export interface KnnOptions {
  /** Number of neighbours. The prefix of length k uses min(k, nNeighbors). Default 3. */
  readonly nNeighbors?: number;
  /** `uniform` (default) averages the labels, and `distance` weights each label by 1 / distance. */
  readonly weights?: KnnWeights;
}

/**
 * Predicts the query's label from its nearest context pairs. Neighbours at equal distance are
 * taken in context order (lower index first). With `distance` weights, neighbours at distance 0
 * (exact matches) share the weight equally and all other neighbours get weight 0, so the result
 * is never NaN.
 *
 * @param xs context inputs [k, d], row-major
 * @param ys context labels [k]
 * @example predictKnn(Float64Array.of(1, 2, 3), Float64Array.of(1, 2, 3), 3, 1, Float64Array.of(1.5), 3, 'distance') // 12/7
 */
export function predictKnn(
  xs: Float64Array,
  ys: Float64Array,
  k: number,
  d: number,
  query: Float64Array,
  nNeighbors: number,
  weights: KnnWeights,
): number {
  if (k === 0) return 0;
  const distance2 = new Float64Array(k);
  for (let r = 0; r < k; r++) {
    let sum = 0;
    for (let j = 0; j < d; j++) sum += (xs[r * d + j] - query[j]) ** 2;
    distance2[r] = sum;
  }
  const order = Array.from({ length: k }, (_, r) => r).sort((a, b) => distance2[a] - distance2[b] || a - b);
  const neighbours = order.slice(0, Math.min(k, nNeighbors));

  if (weights === 'uniform') {
    return neighbours.reduce((sum, r) => sum + ys[r], 0) / neighbours.length;
  }
  const exact = neighbours.filter((r) => distance2[r] === 0);
  if (exact.length > 0) return exact.reduce((sum, r) => sum + ys[r], 0) / exact.length;
  let weighted = 0;
  let total = 0;
  for (const r of neighbours) {
    const weight = 1 / Math.sqrt(distance2[r]);
    weighted += weight * ys[r];
    total += weight;
  }
  // Squared distances above ~1e308 overflow to Infinity and give weight 0, so fall back to the mean.
  if (total === 0) return neighbours.reduce((sum, r) => sum + ys[r], 0) / neighbours.length;
  return weighted / total;
}

/** Creates the k-NN baseline (3 neighbours, uniform weights by default). */
export function knn(options: KnnOptions = {}): Baseline {
  const nNeighbors = options.nNeighbors ?? DEFAULT_BASELINE_OPTIONS.knn.nNeighbors;
  const weights = options.weights ?? DEFAULT_BASELINE_OPTIONS.knn.weights;
  checkInteger('knn', 'nNeighbors', nNeighbors, 1);
  if (weights !== 'uniform' && weights !== 'distance') {
    throw new RangeError(`knn: option weights must be 'uniform' or 'distance', got ${String(weights)}`);
  }
  return defineBaseline('knn', `knn(n_neighbors=${nNeighbors}, weights=${weights})`, ({ xs, ys, k, d, query }) =>
    predictKnn(xs, ys, k, d, query, nNeighbors, weights),
  );
}
