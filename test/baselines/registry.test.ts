/** The registry: creation by name with defaults, and the baseline sets per task class. */
import { describe, expect, test } from 'vitest';
// The entry point selects the cpu backend, which nn_gd trains on.
import '../../src/index.js';
import {
  BASELINE_NAMES,
  DEFAULT_BASELINE_OPTIONS,
  TASK_CLASSES,
  baselinesForTask,
  createBaseline,
  type BaselineName,
} from '../../src/models/baselines/index.js';

describe('createBaseline', () => {
  test('creates every registered name', () => {
    for (const name of BASELINE_NAMES) {
      const baseline = createBaseline(name);
      expect(baseline.name).toBe(name);
      const { predictions } = baseline.predict([[1], [2]], [1, 2]);
      expect(predictions[0]).toBe(0);
      expect(Number.isFinite(predictions[1])).toBe(true);
    }
  });

  test('defaults match the evaluation settings', () => {
    expect(DEFAULT_BASELINE_OPTIONS.knn).toEqual({ nNeighbors: 3, weights: 'uniform' });
    expect(DEFAULT_BASELINE_OPTIONS.lasso).toEqual({ alpha: 0.01, maxIter: 100_000, tol: 1e-4 });
    expect(DEFAULT_BASELINE_OPTIONS.gradient_boosting).toEqual({ rounds: 100, learningRate: 0.3, maxDepth: 6, l2: 1 });
    expect(createBaseline('decision_tree').label).toBe('decision_tree(max_depth=none)');
  });

  test('options reach the baseline', () => {
    expect(createBaseline('lasso', { alpha: 0.1 }).label).toBe('lasso(alpha=0.1)');
    expect(createBaseline('knn', { nNeighbors: 5, weights: 'distance' }).label).toBe('knn(n_neighbors=5, weights=distance)');
  });

  test('unknown name lists the known ones', () => {
    expect(() => createBaseline('ols' as BaselineName)).toThrow(
      `createBaseline: unknown baseline 'ols'; use one of ${BASELINE_NAMES.join(', ')}`,
    );
  });
});

describe('baselinesForTask', () => {
  const labels = (task: Parameters<typeof baselinesForTask>[0]) => baselinesForTask(task).map((b) => b.label);
  const common = ['least_squares', 'averaging', 'knn(n_neighbors=3, weights=uniform)', 'zero'];

  test('linear classes get the common set', () => {
    for (const task of ['linear_regression', 'noisy_linear_regression', 'quadratic_regression', 'hermite_regression'] as const) {
      expect(labels(task)).toEqual(common);
    }
  });

  test('sparse adds one lasso per alpha', () => {
    expect(labels('sparse_linear_regression')).toEqual([
      ...common,
      'lasso(alpha=1)',
      'lasso(alpha=0.1)',
      'lasso(alpha=0.01)',
      'lasso(alpha=0.001)',
      'lasso(alpha=0.0001)',
    ]);
    expect(baselinesForTask('sparse_linear_regression', { lassoAlphas: [0.01] }).length).toBe(5);
  });

  test('trees add greedy trees and boosting', () => {
    expect(labels('decision_tree')).toEqual([
      ...common,
      'decision_tree(max_depth=4)',
      'decision_tree(max_depth=none)',
      'gradient_boosting(rounds=100, learning_rate=0.3, max_depth=6, l2=1)',
    ]);
  });

  test('relu networks add nn_gd', () => {
    expect(baselinesForTask('relu_2nn_regression').map((b) => b.name)).toEqual([
      'least_squares',
      'averaging',
      'knn',
      'zero',
      'nn_gd',
    ]);
  });

  test('every task class has a set', () => {
    for (const task of TASK_CLASSES) expect(baselinesForTask(task).length).toBeGreaterThanOrEqual(4);
  });

  test('unknown task class is rejected', () => {
    expect(() => baselinesForTask('cubic' as never)).toThrow(/baselinesForTask: unknown task class 'cubic'; use one of/);
  });
});
