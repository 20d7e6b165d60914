import { fc, test as fcTest } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import '../../src/index.js';
import { DEFAULT_EVAL_PROMPTS, DEFAULT_EVAL_SEED, promptSet, quickEvalSet } from '../../src/eval/index.js';
import { promptBatchSpecs } from '../../src/testing/arbitraries.js';

describe('promptSet', () => {
  it('defaults to 1280 prompts in batches of 64', () => {
    const set = promptSet({ functions: { name: 'linear_regression' }, dims: 2, points: 3 });
    expect(DEFAULT_EVAL_PROMPTS).toBe(1280);
    expect(set.nPrompts).toBe(1280);
    expect(set.batches).toHaveLength(20);
    expect(set.batches.every((batch) => batch.batchSize === 64)).toBe(true);
    expect(set.seed).toBe(DEFAULT_EVAL_SEED);
    expect(set.xs64).toHaveLength(1280 * 3 * 2);
    expect(set.ys64).toHaveLength(1280 * 3);
  });

  it('same seed gives the same prompts', () => {
    const config = { functions: { name: 'linear_regression' as const }, dims: 4, points: 6, prompts: 100 };
    const a = promptSet(config);
    const b = promptSet(config);
    expect(b.xs64).toEqual(a.xs64);
    expect(b.ys64).toEqual(a.ys64);
    expect(Array.from(b.batches[1].xs.data())).toEqual(Array.from(a.batches[1].xs.data()));
  });

  it('another seed gives other prompts', () => {
    const config = { functions: { name: 'linear_regression' as const }, dims: 4, points: 6, prompts: 64 };
    const a = promptSet(config);
    const b = promptSet({ ...config, seed: 7 });
    expect(b.xs64).not.toEqual(a.xs64);
    expect(b.ys64).not.toEqual(a.ys64);
  });

  it('quick set is a prefix of the full set', () => {
    const config = { functions: { name: 'linear_regression' as const }, dims: 5, points: 11 };
    const full = promptSet({ ...config, prompts: 256 });
    const quick = quickEvalSet(config);
    expect(quick.nPrompts).toBe(128);
    expect(quick.xs64).toEqual(full.xs64.subarray(0, quick.xs64.length));
    expect(quick.ys64).toEqual(full.ys64.subarray(0, quick.ys64.length));
  });

  it('last batch holds the remainder', () => {
    const set = promptSet({ functions: { name: 'linear_regression' }, dims: 3, points: 4, prompts: 150 });
    expect(set.batches.map((batch) => batch.batchSize)).toEqual([64, 64, 22]);
    expect(set.batches[2].xs.shape).toEqual([22, 4, 3]);
  });

  it('normaliser follows the class', () => {
    const linear = promptSet({ functions: { name: 'linear_regression' }, dims: 10, points: 4, prompts: 2 });
    const sparse = promptSet({ functions: { name: 'sparse_linear_regression', sparsity: 3 }, dims: 10, points: 4, prompts: 2 });
    const tree = promptSet({ functions: { name: 'decision_tree' }, dims: 10, points: 4, prompts: 2 });
    expect(linear.normalizer).toBe(10);
    expect(sparse.normalizer).toBe(3);
    expect(tree.normalizer).toBe(1);
  });

  it('rejects invalid sizes and seeds', () => {
    const base = { functions: { name: 'linear_regression' as const }, dims: 3, points: 4 };
    expect(() => promptSet({ ...base, prompts: 0 })).toThrow(/prompts must be an integer >= 1, got 0/);
    expect(() => promptSet({ ...base, batchSize: 2.5 })).toThrow(/batchSize must be an integer >= 1, got 2.5/);
    expect(() => promptSet({ ...base, seed: 0.5 })).toThrow(/seed must be a safe integer, got 0.5/);
  });

  fcTest.prop([promptBatchSpecs(), fc.integer({ min: 1, max: 9 }), fc.integer({ min: -1000, max: 1000 })], { numRuns: 40 })(
    'flat arrays concatenate the batches',
    (spec, prompts, seed) => {
      const set = promptSet({ ...spec, prompts, seed });
      const { points: n, dims: d } = spec;
      expect(set.nPrompts).toBe(prompts);
      expect(set.batches.reduce((total, batch) => total + batch.batchSize, 0)).toBe(prompts);
      let offset = 0;
      for (const batch of set.batches) {
        expect(Array.from(set.xs64.subarray(offset * n * d, (offset + batch.batchSize) * n * d))).toEqual(Array.from(batch.xs64));
        expect(Array.from(set.ys64.subarray(offset * n, (offset + batch.batchSize) * n))).toEqual(Array.from(batch.ys64));
        offset += batch.batchSize;
      }
      const again = promptSet({ ...spec, prompts, seed });
      expect(Array.from(again.ys64)).toEqual(Array.from(set.ys64));
    },
  );
});
