/**
 * Greedy regression trees and gradient boosting: exact recovery of a depth-2 step function, the
 * best single split, interpolation with unbounded depth, and training loss under boosting.
 */
import { describe, expect, test } from 'vitest';
import { key, normal64, split, uniform64 } from '../../src/core/prng.js';
import {
  decisionTree,
  fitDecisionTree,
  fitGradientBoosting,
  gradientBoosting,
  predictBoosted,
  predictTree,
} from '../../src/models/baselines/index.js';

/** A depth-2 step function: x0 splits at 0, then x1 at 0.5 (right) or -0.5 (left). */
function stepFunction(x0: number, x1: number): number {
  if (x0 > 0) return x1 > 0.5 ? 10 : 8;
  return x1 > -0.5 ? -8 : -10;
}

function sampleStepData(count: number) {
  const xs = uniform64(key(11), 2 * count).map((u) => 2 * u - 1);
  const ys = new Float64Array(count);
  for (let r = 0; r < count; r++) ys[r] = stepFunction(xs[2 * r], xs[2 * r + 1]);
  return { xs, ys };
}

describe('decision tree', () => {
  test('fits a depth-2 step function exactly', () => {
    const count = 200;
    const { xs, ys } = sampleStepData(count);
    const tree = fitDecisionTree(xs, ys, count, 2, { maxDepth: 2 });
    expect(tree.depth).toBe(2);
    expect(tree.leaves).toBe(4);
    expect(tree.feature[0]).toBe(0);
    expect(Math.abs(tree.threshold[0])).toBeLessThan(0.05);
    for (let r = 0; r < count; r++) {
      expect(predictTree(tree, xs.subarray(2 * r, 2 * r + 2)), `row ${r}`).toBe(ys[r]);
    }
    for (const [x0, x1] of [
      [0.5, 0.9],
      [0.5, 0.1],
      [-0.5, 0.1],
      [-0.5, -0.9],
    ]) {
      expect(predictTree(tree, Float64Array.of(x0, x1)), `query (${x0}, ${x1})`).toBe(stepFunction(x0, x1));
    }
  });

  test('depth 1 takes the best single split', () => {
    // Splits after 1, 2 or 3 sorted points leave squared errors 14, 8 and 2/3, so the last wins.
    const tree = fitDecisionTree(Float64Array.of(1, 2, 3, 4), Float64Array.of(0, 0, 1, 5), 4, 1, { maxDepth: 1 });
    expect(tree.threshold[0]).toBe(3.5);
    expect(predictTree(tree, Float64Array.of(3.2))).toBeCloseTo(1 / 3, 14);
    expect(predictTree(tree, Float64Array.of(3.8))).toBe(5);

    const { predictions, label } = decisionTree({ maxDepth: 1 }).predict([[1], [2], [3], [4], [3.2]], [0, 0, 1, 5, 0]);
    expect(label).toBe('decision_tree(max_depth=1)');
    expect(predictions[4]).toBeCloseTo(1 / 3, 14);
  });

  test('unbounded depth interpolates distinct points', () => {
    const count = 60;
    const [xKey, yKey] = split(key(5), 2);
    const xs = normal64(xKey, count * 3);
    const ys = normal64(yKey, count);
    const tree = fitDecisionTree(xs, ys, count, 3);
    for (let r = 0; r < count; r++) expect(predictTree(tree, xs.subarray(3 * r, 3 * r + 3))).toBe(ys[r]);
    expect(tree.leaves).toBe(count);
  });

  test('min samples per leaf is respected', () => {
    const xs = Float64Array.of(1, 2, 3, 4, 5, 6);
    const ys = Float64Array.of(0, 10, 0, 10, 0, 10);
    const tree = fitDecisionTree(xs, ys, 6, 1, { minSamplesLeaf: 3 });
    expect(tree.leaves).toBe(2);
    expect(tree.threshold[0]).toBe(3.5);
  });

  test('identical inputs with different labels stay one leaf', () => {
    const tree = fitDecisionTree(Float64Array.of(1, 1, 1), Float64Array.of(1, 2, 6), 3, 1);
    expect(tree.leaves).toBe(1);
    expect(predictTree(tree, Float64Array.of(1))).toBe(3);
  });
});

describe('gradient boosting', () => {
  const count = 50;
  const d = 3;
  const xs = normal64(key(21), count * d);
  const ys = new Float64Array(count);
  for (let r = 0; r < count; r++) ys[r] = Math.sin(2 * xs[r * d]) + xs[r * d + 1] * xs[r * d + 2];

  test('training loss decreases every round', () => {
    const model = fitGradientBoosting(xs, ys, count, d);
    expect(model.trees.length).toBe(100);
    expect(model.trainingLoss.length).toBe(101);
    for (let round = 1; round <= 100; round++) {
      expect(model.trainingLoss[round], `round ${round}`).toBeLessThanOrEqual(model.trainingLoss[round - 1]);
    }
    expect(model.trainingLoss[100]).toBeLessThan(1e-3 * model.trainingLoss[0]);
    let squaredError = 0;
    for (let r = 0; r < count; r++) squaredError += (predictBoosted(model, xs.subarray(r * d, (r + 1) * d)) - ys[r]) ** 2;
    expect(squaredError / count).toBeCloseTo(model.trainingLoss[100], 12);
  });

  test('one unpenalised round at rate 1 equals a CART tree', () => {
    const model = fitGradientBoosting(xs, ys, count, d, { rounds: 1, learningRate: 1, l2: 0, maxDepth: 3 });
    const tree = fitDecisionTree(xs, ys, count, d, { maxDepth: 3 });
    const queries = normal64(key(22), 10 * d);
    for (let q = 0; q < 10; q++) {
      const x = queries.subarray(q * d, (q + 1) * d);
      expect(predictBoosted(model, x), `query ${q}`).toBeCloseTo(predictTree(tree, x), 12);
    }
  });

  test('one context pair predicts its label', () => {
    const { predictions } = gradientBoosting().predict([[0.3], [2]], [1.5, 0]);
    expect(predictions[1]).toBeCloseTo(1.5, 14);
  });

  test('label lists the XGBoost defaults', () => {
    expect(gradientBoosting().label).toBe('gradient_boosting(rounds=100, learning_rate=0.3, max_depth=6, l2=1)');
  });
});
