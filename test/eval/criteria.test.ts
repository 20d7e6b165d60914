import { describe, expect, it } from 'vitest';
import { fc, test as propTest } from '@fast-check/vitest';
import { criteriaMarkdown, linearCriteria, linearRegressionOracle, type IclCurveResult } from '../../src/eval/index.js';

/** Builds a result whose baseline curves are the closed forms at d, with the model's error given per k. */
function closedFormResult(d: number, n: number, model: (k: number) => number): IclCurveResult {
  const k = Array.from({ length: n }, (_, i) => i);
  const curve = (values: number[], baseline?: 'least_squares' | 'averaging' | 'knn') => ({
    kind: baseline === undefined ? ('model' as const) : ('baseline' as const),
    ...(baseline === undefined ? {} : { baseline }),
    mean: values,
    std: values.map(() => 0),
    lo: values,
    hi: values,
  });
  const oracle = (name: 'least_squares' | 'averaging' | 'knn') =>
    k.map((i) => linearRegressionOracle(name, d, i) ?? (name === 'knn' ? 1 + 1 / 3 : 0));
  return {
    task: 'linear_regression', taskLabel: 'linear_regression', data: 'gaussian', dataLabel: 'gaussian',
    dims: d, activeDims: d, points: n, nPrompts: 1280, normalizer: d, evalSeed: 0,
    bootstrap: { resamples: 0, quantiles: [0.05, 0.95] },
    k,
    curves: {
      transformer: curve(k.map(model)),
      least_squares: curve(oracle('least_squares'), 'least_squares'),
      averaging: curve(oracle('averaging'), 'averaging'),
      'knn(n_neighbors=3, weights=uniform)': curve(oracle('knn'), 'knn'),
    },
  };
}

describe('linearCriteria', () => {
  it('passes a least-squares model', () => {
    const results = linearCriteria(closedFormResult(5, 16, (k) => linearRegressionOracle('least_squares', 5, k)!));
    expect(results.map((r) => r.passed)).toEqual([true, true, true]);
    expect(results[0]!.worst).toBe(0);
  });

  propTest.prop([fc.integer({ min: 2, max: 8 }), fc.double({ min: 0.16, max: 0.5, noNaN: true })])(
    'fails a lagging model at its k',
    (d, lag) => {
      const lagAt = d - 1;
      const model = (k: number) => linearRegressionOracle('least_squares', d, k)! + (k === lagAt ? lag : 0);
      const [gap, far] = linearCriteria(closedFormResult(d, 3 * d, model));
      expect(gap).toMatchObject({ passed: false, atK: lagAt });
      expect(gap!.worst).toBeCloseTo(lag, 12);
      expect(far!.passed).toBe(true);
    },
  );

  it('fails a high far error', () => {
    const results = linearCriteria(closedFormResult(4, 12, (k) => (k < 4 ? (4 - k) / 4 : 0.3)));
    expect(results[1]).toMatchObject({ passed: false, worst: 0.3, atK: 8 });
    expect(results[2]!.passed).toBe(false);
    expect(criteriaMarkdown(results)).toMatch(/FAIL: model < 0.1 for k >= 2d \(worst 0.300 at k = 8\)/);
  });
});
