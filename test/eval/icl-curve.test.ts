/**
 * ICL curves through the whole evaluation path (prompt set, predictors, baselines, statistics).
 * Monte Carlo checks pass when the mean lies within 5 standard errors (std / sqrt(prompts)) of
 * the closed form, and every prompt set comes from a fixed seed, so the tests are deterministic.
 */
import { describe, expect, it } from 'vitest';
import { mul, pad, sliceAxis, type Tensor } from '../../src/index.js';
import {
  decodeIclCurveResult,
  errorAt,
  findCurve,
  iclCurve,
  linearRegressionOracle,
  promptSet,
  statsAt,
  type IclCurveResult,
  type LinearOracleBaseline,
} from '../../src/eval/index.js';
import { expectedSquare } from '../../src/tasks/index.js';

const D = 5;
const N = 12;
const PROMPTS = 4096;

/** Predicts y_{k-1} at position k and 0 at k = 0, through DSL ops. */
function previousLabel(_xs: Tensor, ys: Tensor): Tensor {
  return pad(sliceAxis(ys, 1, 0, ys.shape[1] - 1), [[0, 0], [1, 0]]);
}

function expectNear(result: IclCurveResult, name: string, k: number, expected: number): void {
  const { mean, std } = statsAt(result, name, k);
  const standardError = std / Math.sqrt(result.nPrompts);
  expect(standardError, `${name} at k = ${k}: too few prompts for a meaningful check`).toBeLessThan(0.1 * expected);
  expect(Math.abs(mean - expected), `${name} at k = ${k}: mean ${mean}, standard error ${standardError}`).toBeLessThan(5 * standardError);
}

describe('iclCurve on linear regression, d = 5', async () => {
  const set = promptSet({ functions: { name: 'linear_regression' }, dims: D, points: N, prompts: PROMPTS });
  const result = await iclCurve(set, { models: { perfect: (_xs, ys) => ys, previous: previousLabel }, resamples: 200 });

  it('lists the model curves, then the default baselines', () => {
    expect(Object.keys(result.curves)).toEqual(['perfect', 'previous', 'least_squares', 'averaging', 'knn(n_neighbors=3, weights=uniform)', 'zero']);
    expect(result.curves.perfect.kind).toBe('model');
    expect(result.curves.averaging.kind).toBe('baseline');
    expect(result.curves.averaging.baseline).toBe('averaging');
    expect(result.k).toEqual(Array.from({ length: N }, (_, k) => k));
    expect(result.normalizer).toBe(D);
    expect(result.nPrompts).toBe(PROMPTS);
  });

  it('least squares follows (d - k) / d, then 0', () => {
    for (let k = 0; k < D; k++) expectNear(result, 'least_squares', k, (D - k) / D);
    for (let k = D; k < N; k++) expect(errorAt(result, 'least_squares', k)).toBeLessThan(1e-20);
  });

  it('averaging follows (d + 1) / k', () => {
    expectNear(result, 'averaging', 0, 1);
    for (let k = 1; k < N; k++) expectNear(result, 'averaging', k, (D + 1) / k);
  });

  it('3-NN follows 1 + 1/k up to k = 3', () => {
    for (const k of [1, 2, 3]) expectNear(result, 'knn', k, 1 + 1 / k);
  });

  it('zero baseline is 1 at every k', () => {
    for (let k = 0; k < N; k++) expectNear(result, 'zero', k, 1);
  });

  it('closed forms agree with the oracle', () => {
    for (const name of ['least_squares', 'averaging', 'knn', 'zero'] as LinearOracleBaseline[]) {
      for (let k = 0; k < N; k++) {
        const expected = linearRegressionOracle(name, D, k);
        if (expected === undefined || expected === 0) continue;
        expectNear(result, name, k, expected);
      }
    }
  });

  it('perfect predictor scores 0 at every k', () => {
    const curve = findCurve(result, 'perfect');
    for (const field of ['mean', 'std', 'lo', 'hi'] as const) expect(curve[field]).toEqual(new Array(N).fill(0));
  });

  it('model path matches the baseline path', () => {
    // The previous-label predictor equals 3-NN at k = 1 and the zero predictor at k = 0, up to float32 rounding.
    expect(errorAt(result, 'previous', 1)).toBeCloseTo(errorAt(result, 'knn', 1), 4);
    expect(errorAt(result, 'previous', 0)).toBeCloseTo(errorAt(result, 'zero', 0), 4);
  });

  it('band contains the mean', () => {
    for (const curve of Object.values(result.curves)) {
      curve.mean.forEach((mean, i) => {
        expect(curve.lo[i]).toBeLessThanOrEqual(mean + 1e-12);
        expect(curve.hi[i]).toBeGreaterThanOrEqual(mean - 1e-12);
      });
    }
  });

  it('survives a JSON round trip', () => {
    expect(decodeIclCurveResult(JSON.parse(JSON.stringify(result)))).toEqual(result);
  });
});

describe('iclCurve settings', () => {
  const config = { functions: { name: 'linear_regression' as const }, dims: 3, points: 7, prompts: 96 };

  it('same seed gives the same result', async () => {
    const a = await iclCurve(promptSet(config), { models: { half: (_xs, ys) => mul(ys, 0.5) } });
    const b = await iclCurve(promptSet(config), { models: { half: (_xs, ys) => mul(ys, 0.5) } });
    expect(b).toEqual(a);
    const other = await iclCurve(promptSet({ ...config, seed: 11 }), { models: { half: (_xs, ys) => mul(ys, 0.5) } });
    expect(other.curves.half.mean).not.toEqual(a.curves.half.mean);
    expect(other.evalSeed).toBe(11);
  });

  it('band narrows with more prompts', async () => {
    const widths = await Promise.all(
      [64, 1024].map(async (prompts) => {
        const result = await iclCurve(promptSet({ ...config, prompts }), { baselines: ['zero'] });
        return result.curves.zero.hi.map((hi, i) => hi - result.curves.zero.lo[i]);
      }),
    );
    for (let k = 0; k < config.points; k++) expect(widths[1][k]).toBeLessThan(widths[0][k]);
  });

  it('normaliser changes with the class', async () => {
    const cases = [
      { functions: { name: 'linear_regression' as const }, dims: 6, normalizer: 6 },
      { functions: { name: 'sparse_linear_regression' as const, sparsity: 3 }, dims: 8, normalizer: 3 },
      { functions: { name: 'decision_tree' as const }, dims: 4, normalizer: 1 },
    ];
    for (const { functions, dims, normalizer } of cases) {
      const result = await iclCurve(promptSet({ functions, dims, points: 4, prompts: 2048 }), { baselines: ['zero'] });
      expect(result.normalizer, functions.name).toBe(normalizer);
      // The zero predictor scores E[y^2] / normaliser, which is 1 for all three classes.
      const expected = expectedSquare(functions, dims)! / normalizer;
      expect(expected, functions.name).toBeCloseTo(1, 12);
      for (let k = 0; k < 4; k++) expectNear(result, 'zero', k, expected);
    }
  });

  it('explicit normaliser rescales every error', async () => {
    const set = promptSet(config);
    const byClass = await iclCurve(set, { baselines: ['zero'] });
    const byTwenty = await iclCurve(set, { baselines: ['zero'], normalizer: 20 });
    expect(byTwenty.normalizer).toBe(20);
    byClass.curves.zero.mean.forEach((mean, k) => expect(byTwenty.curves.zero.mean[k]).toBeCloseTo((mean * 3) / 20, 12));
  });

  it('baselines by name list', async () => {
    const result = await iclCurve(promptSet(config), { baselines: ['least_squares', 'ridge'] });
    expect(Object.keys(result.curves)).toEqual(['least_squares', 'ridge(alpha=1)']);
    const none = await iclCurve(promptSet(config), { baselines: [], models: { perfect: (_xs, ys) => ys } });
    expect(Object.keys(none.curves)).toEqual(['perfect']);
  });

  it('sparse task adds lasso by default', async () => {
    const set = promptSet({ functions: { name: 'sparse_linear_regression', sparsity: 2 }, dims: 4, points: 5, prompts: 8 });
    const result = await iclCurve(set, { resamples: 10 });
    expect(Object.values(result.curves).filter((curve) => curve.baseline === 'lasso')).toHaveLength(5);
  });

  it('rejects bad predictors and names', async () => {
    const set = promptSet(config);
    await expect(iclCurve(set, { models: { flat: (xs) => xs } })).rejects.toThrow(/flat returned shape \[64, 7, 3\] for batch 0, expected \[64, 7\]/);
    await expect(iclCurve(set, { models: { nan: (_xs, ys) => mul(ys, Number.NaN) } })).rejects.toThrow(/nan predicted NaN for prompt 0, k = 0/);
    await expect(iclCurve(set, { models: { zero: (_xs, ys) => ys } })).rejects.toThrow(/two curves are named 'zero'/);
    await expect(iclCurve(set, { baselines: ['nearest' as 'knn'] })).rejects.toThrow(/unknown baseline 'nearest'; use one of least_squares/);
    await expect(iclCurve(promptSet({ ...config, prompts: 1 }))).rejects.toThrow(/has 1 prompt; a bootstrap band needs at least 2/);
    await expect(iclCurve(set, { normalizer: 0 })).rejects.toThrow(/normalizer must be a finite number > 0, got 0/);
  });
});

describe('curve lookups', async () => {
  const result = await iclCurve(promptSet({ functions: { name: 'linear_regression' }, dims: 3, points: 5, prompts: 16 }), { resamples: 20 });

  it('finds a curve by label or registry name', () => {
    expect(findCurve(result, 'knn')).toBe(result.curves['knn(n_neighbors=3, weights=uniform)']);
    expect(errorAt(result, 'knn(n_neighbors=3, weights=uniform)', 2)).toBe(result.curves['knn(n_neighbors=3, weights=uniform)'].mean[2]);
  });

  it('rejects unknown names and positions', () => {
    expect(() => findCurve(result, 'lasso')).toThrow(/no curve is named 'lasso'; use one of least_squares, averaging/);
    expect(() => statsAt(result, 'zero', 5)).toThrow(/k = 5 is not a position of this result; use an integer in \[0, 4\]/);
  });

  it('decoder lists every problem with its path', () => {
    const broken = JSON.parse(JSON.stringify(result));
    broken.dims = 'three';
    broken.curves.zero.mean = [1, 2];
    expect(() => decodeIclCurveResult(broken)).toThrow(/dims: expected number, got "three"/);
    delete broken.dims;
    broken.dims = 3;
    expect(() => decodeIclCurveResult(broken)).toThrow(/curves.zero.mean has 2 values, expected 5/);
  });
});
