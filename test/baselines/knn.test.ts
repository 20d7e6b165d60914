/**
 * k-NN: inverse-distance weights when the query equals a context point (no NaN, and exact
 * matches share the weight equally), the min(k, 3) neighbour rule and tie order.
 */
import { describe, expect, test } from 'vitest';
import { knn, predictKnn } from '../../src/models/baselines/index.js';

const contextXs = Float64Array.of(1, 2, 3);
const contextYs = Float64Array.of(1, 2, 3);

describe('knn with distance weights', () => {
  test('query equal to a context point returns its label', () => {
    expect(predictKnn(contextXs, contextYs, 3, 1, Float64Array.of(1), 3, 'distance')).toBe(1);
  });

  test('two exact matches share the weight equally', () => {
    const prediction = predictKnn(Float64Array.of(1, 1, 3), Float64Array.of(1, 5, 3), 3, 1, Float64Array.of(1), 3, 'distance');
    expect(prediction).toBe(3);
  });

  test('query between points weights by 1 / distance', () => {
    // Distances 0.5, 0.5 and 1.5 give weights 2, 2 and 2/3: (2 + 4 + 2) / (14/3) = 12/7.
    const prediction = predictKnn(contextXs, contextYs, 3, 1, Float64Array.of(1.5), 3, 'distance');
    expect(prediction).toBeCloseTo(12 / 7, 14);
  });

  test('no context predicts 0', () => {
    expect(predictKnn(new Float64Array(0), new Float64Array(0), 0, 1, Float64Array.of(1), 3, 'distance')).toBe(0);
  });

  test('baseline has no NaN when queries repeat context points', () => {
    const xs = [[1], [2], [1], [2], [1.5], [3]];
    const ys = [1, 2, 3, 4, 5, 6];
    const { predictions } = knn({ weights: 'distance' }).predict(xs, ys);
    expect(predictions.some(Number.isNaN)).toBe(false);
    expect(predictions[0]).toBe(0);
    // k = 1: the only neighbour is x = 1 (label 1).
    expect(predictions[1]).toBe(1);
    // k = 2: the query x = 1 matches the first point exactly.
    expect(predictions[2]).toBe(1);
    // k = 3: the query x = 2 matches the second point exactly.
    expect(predictions[3]).toBe(2);
  });
});

describe('knn with uniform weights', () => {
  test('uses min(k, 3) neighbours', () => {
    const xs = [[0], [10], [1], [2], [0.5]];
    const ys = [1, 2, 3, 4, 5];
    const { predictions, label } = knn().predict(xs, ys);
    expect(label).toBe('knn(n_neighbors=3, weights=uniform)');
    expect(predictions[1]).toBe(1);
    expect(predictions[2]).toBe(1.5);
    // k = 3, query 2: all three points (0, 10, 1).
    expect(predictions[3]).toBe(2);
    // k = 4, query 0.5: nearest are 0, 1 and 2 (labels 1, 3, 4).
    expect(predictions[4]).toBeCloseTo(8 / 3, 14);
  });

  test('ties in distance go to the earlier pair', () => {
    // Points 1 and 3 are both at distance 1 from the query 2, so with one neighbour the first wins.
    expect(predictKnn(Float64Array.of(1, 3), Float64Array.of(10, 30), 2, 1, Float64Array.of(2), 1, 'uniform')).toBe(10);
  });

  test('rejects a non-integer neighbour count', () => {
    expect(() => knn({ nNeighbors: 2.5 })).toThrow(/knn: option nNeighbors must be an integer >= 1, got 2.5/);
  });
});
