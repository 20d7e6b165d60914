import { fc, test as fcTest } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { key } from '../../src/core/prng.js';
import {
  FUNCTION_CLASS_NAMES,
  INPUT_DISTRIBUTION_NAMES,
  defaultNormalizer,
  expectedSquare,
  gaussian,
  linearRegression,
  makeFunctionClass,
  makeInputDistribution,
  noisyLinearRegression,
  promptBatch,
  sparseLinearRegression,
  taskPool,
  type FunctionClassSpec,
  type LinearParams,
} from '../../src/tasks/index.js';
import { keys, promptBatchSpecs, toPromptBatchConfig } from '../../src/testing/arbitraries.js';
import { variance } from './stats.js';

describe('promptBatch', () => {
  fcTest.prop([promptBatchSpecs(), keys()], { numRuns: 60 })('shapes, dtypes and truncation', (spec, k) => {
    const batch = promptBatch(toPromptBatchConfig(spec))(k);
    const { batchSize: b, points: n, dims: d, activeDims } = spec;
    expect(batch.xs.shape).toEqual([b, n, d]);
    expect(batch.ys.shape).toEqual([b, n]);
    expect(batch.xs.dtype).toBe('f32');
    expect(batch.ys.dtype).toBe('f32');
    expect(batch.xs64.length).toBe(b * n * d);
    expect(batch.functions.length).toBe(b);
    expect(batch.task).toBe(spec.functions.name);
    expect(batch.data).toBe(spec.inputs.name);
    for (let row = 0; row < b * n; row++) {
      for (let j = activeDims; j < d; j++) expect(batch.xs64[row * d + j]).toBe(0);
    }
    const xs32 = batch.xs.data();
    for (let i = 0; i < xs32.length; i++) expect(xs32[i]).toBe(Math.fround(batch.xs64[i]));
    for (const y of batch.ys64) expect(Number.isNaN(y)).toBe(false);
  });

  fcTest.prop([promptBatchSpecs(), keys()], { numRuns: 30 })('same key gives the same batch', (spec, k) => {
    const sampler = promptBatch(toPromptBatchConfig(spec));
    const first = sampler(k);
    const second = sampler(k);
    expect(second.xs64).toEqual(first.xs64);
    expect(second.ys64).toEqual(first.ys64);
  });

  it('different keys give different batches', () => {
    const sampler = promptBatch({ inputs: gaussian(), functions: linearRegression(), points: 5, dims: 3, batchSize: 2 });
    expect(sampler(key(1)).xs64).not.toEqual(sampler(key(2)).xs64);
  });

  it('one function per prompt', () => {
    const batch = promptBatch({ inputs: gaussian(), functions: linearRegression(), points: 5, dims: 3, batchSize: 3 })(key(0));
    const weights = batch.functions.map((f) => (f.params as LinearParams).w);
    expect(weights[0]).not.toEqual(weights[1]);
    for (let b = 0; b < 3; b++) {
      for (let i = 0; i < 5; i++) {
        let y = 0;
        for (let j = 0; j < 3; j++) y += batch.xs64[(b * 5 + i) * 3 + j] * weights[b][j];
        expect(batch.ys64[b * 5 + i]).toBeCloseTo(y, 12);
      }
    }
  });

  it('truncated dims leave w d-dimensional', () => {
    const batch = promptBatch({ inputs: gaussian(), functions: linearRegression(), points: 4, dims: 6, activeDims: 2, batchSize: 1 })(key(3));
    const w = (batch.functions[0].params as LinearParams).w;
    expect(w.length).toBe(6);
    expect(batch.activeDims).toBe(2);
  });

  it('sparse support stays in the active dims', () => {
    const batch = promptBatch({
      inputs: gaussian(),
      functions: sparseLinearRegression({ sparsity: 2 }),
      points: 4,
      dims: 10,
      activeDims: 3,
      batchSize: 20,
    })(key(4));
    for (const f of batch.functions) {
      const w = (f.params as LinearParams).w;
      expect(Array.from(w.slice(3)).every((value) => value === 0)).toBe(true);
      expect(Array.from(w).filter((value) => value !== 0).length).toBe(2);
    }
  });

  it('noisy renormalised batch std is sqrt(d)', () => {
    for (const d of [5, 20]) {
      const batch = promptBatch({
        inputs: gaussian(),
        functions: noisyLinearRegression({ noiseStd: 1, renormalize: true }),
        points: 11,
        dims: d,
        batchSize: 16,
      })(key(d));
      expect(Math.sqrt(variance(batch.ys64))).toBeCloseTo(Math.sqrt(d), 12);
      expect(Math.sqrt(variance(batch.ys.data()))).toBeCloseTo(Math.sqrt(d), 5);
      expect(batch.yScale).not.toBe(1);
    }
  });

  it('rejects bad sizes', () => {
    const config = { inputs: gaussian(), functions: linearRegression(), points: 5, dims: 3, batchSize: 2 };
    expect(() => promptBatch({ ...config, batchSize: 0 })).toThrow(/batchSize must be an integer >= 1, got 0/);
    expect(() => promptBatch({ ...config, activeDims: 4 })).toThrow(/activeDims must be an integer in \[1, 3\], got 4/);
    expect(() => promptBatch({ ...config, points: Number.NaN })).toThrow(/got NaN/);
  });
});

describe('taskPool', () => {
  it('prompts draw from K fixed functions', () => {
    const pool = taskPool(linearRegression(), { size: 3, poolKey: key(5) });
    const batch = promptBatch({ inputs: gaussian(), functions: pool, points: 2, dims: 4, batchSize: 60 })(key(6));
    const distinct = new Set(batch.functions.map((f) => Array.from((f.params as LinearParams).w).join(',')));
    expect(distinct.size).toBe(3);
    const again = promptBatch({ inputs: gaussian(), functions: taskPool(linearRegression(), { size: 3, poolKey: key(5) }), points: 2, dims: 4, batchSize: 60 })(key(7));
    const distinctAgain = new Set(again.functions.map((f) => Array.from((f.params as LinearParams).w).join(',')));
    expect([...distinctAgain].sort()).toEqual([...distinct].sort());
  });

  it('registry builds pools from specs', () => {
    const functions = makeFunctionClass({ name: 'linear_regression', pool: { size: 2, seed: 1 } });
    expect(functions.label).toBe('linear_regression[pool of 2]');
    expect(() => taskPool(linearRegression(), { size: 0, poolKey: key(0) })).toThrow(/size must be an integer >= 1, got 0/);
  });
});

describe('registry', () => {
  it('builds every named class and distribution', () => {
    for (const name of FUNCTION_CLASS_NAMES) expect(makeFunctionClass({ name } as FunctionClassSpec).name).toBe(name);
    for (const name of INPUT_DISTRIBUTION_NAMES) {
      const spec = name === 'scaled' ? { name, factor: 2 } : { name };
      expect(makeInputDistribution(spec as never).name).toBe(name);
    }
  });

  it('rejects unknown names', () => {
    expect(() => makeFunctionClass({ name: 'cubic' } as never)).toThrow(/unknown function class 'cubic'; expected one of linear_regression/);
    expect(() => makeInputDistribution({ name: 'uniform' } as never)).toThrow(/unknown input distribution 'uniform'/);
  });

  it('expectedSquare gives the closed forms', () => {
    const table: [FunctionClassSpec, number][] = [
      [{ name: 'linear_regression' }, 20],
      [{ name: 'linear_regression', scale: 3 }, 180],
      [{ name: 'sparse_linear_regression' }, 3],
      [{ name: 'noisy_linear_regression', noiseStd: 1 }, 21],
      [{ name: 'noisy_linear_regression', noiseStd: 1, renormalize: true }, 20],
      [{ name: 'linear_classification' }, 1],
      [{ name: 'quadratic_regression' }, 20],
      [{ name: 'relu_2nn_regression' }, 20],
      [{ name: 'decision_tree' }, 1],
      [{ name: 'hermite_regression', degree: 1 }, 20],
      [{ name: 'hermite_regression', degree: 2 }, 330.25],
      [{ name: 'hermite_regression', degree: 3, weights: 'normalized' }, 1],
    ];
    for (const [spec, value] of table) expect(expectedSquare(spec, 20)).toBeCloseTo(value, 9);
    expect(expectedSquare({ name: 'linear_regression' }, 20, 5)).toBe(5);
  });

  it('defaultNormalizer is d, s or 1', () => {
    expect(defaultNormalizer({ name: 'linear_regression' }, 20)).toBe(20);
    expect(defaultNormalizer({ name: 'relu_2nn_regression' }, 20)).toBe(20);
    expect(defaultNormalizer({ name: 'quadratic_regression' }, 20)).toBe(20);
    expect(defaultNormalizer({ name: 'hermite_regression', degree: 3 }, 5)).toBe(5);
    expect(defaultNormalizer({ name: 'sparse_linear_regression', sparsity: 3 }, 20)).toBe(3);
    expect(defaultNormalizer({ name: 'decision_tree' }, 20)).toBe(1);
    expect(() => defaultNormalizer({ name: 'decision_tree' }, 20, 21)).toThrow(/1 <= activeDims <= d/);
  });

  fcTest.prop([fc.constantFrom(Number.NaN, Infinity, -Infinity)])('specs reject non-finite parameters', (value) => {
    expect(() => makeFunctionClass({ name: 'linear_regression', scale: value })).toThrow(/scale must be a finite number/);
    expect(() => makeFunctionClass({ name: 'hermite_regression', degree: value })).toThrow(/degree must be an integer/);
    expect(() => makeInputDistribution({ name: 'studentT', df: value })).toThrow(/df must be a finite number > 0/);
    expect(() => makeInputDistribution({ name: 'scaled', factor: value })).toThrow(/factor must be a finite number > 0/);
  });
});
