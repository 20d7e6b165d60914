import { fc, test as fcTest } from '@fast-check/vitest';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mul } from '../../src/index.js';
import {
  defaultPositions,
  iclCurve,
  linearRegressionOracle,
  loadIclCurve,
  promptSet,
  quickEval,
  quickEvalSet,
  saveIclCurve,
  writeFileAtomic,
} from '../../src/eval/index.js';

describe('quickEval', () => {
  const config = { functions: { name: 'linear_regression' as const }, dims: 5, points: 11 };
  const set = quickEvalSet(config);
  const half = (_xs: unknown, ys: Parameters<typeof mul>[0]) => mul(ys, 0.5);

  it('reports the landmark positions by default', async () => {
    const quick = await quickEval(set, half);
    expect(quick.k).toEqual([0, 1, 2, 4, 5, 10]);
    expect(quick.error).toHaveLength(6);
    expect(quick.std).toHaveLength(6);
    expect(quick.nPrompts).toBe(128);
    expect(quick.normalizer).toBe(5);
    expect(quick.baselines).toEqual({});
  });

  it('matches iclCurve on the same prompts', async () => {
    const full = await iclCurve(set, { models: { half }, baselines: ['least_squares'], resamples: 10 });
    const quick = await quickEval(set, half, { ks: [3, 7], baselines: ['least_squares'] });
    expect(quick.error).toEqual([full.curves.half.mean[3], full.curves.half.mean[7]]);
    expect(quick.std).toEqual([full.curves.half.std[3], full.curves.half.std[7]]);
    expect(quick.baselines.least_squares).toEqual([full.curves.least_squares.mean[3], full.curves.least_squares.mean[7]]);
  });

  it('fits in a JSON line', async () => {
    const quick = await quickEval(set, half);
    expect(JSON.parse(JSON.stringify(quick))).toEqual(quick);
  });

  it('rejects positions outside the prompt', async () => {
    await expect(quickEval(set, half, { ks: [0, 11] })).rejects.toThrow(/k = 11 is not a position of a 11-point prompt; use integers in \[0, 10\]/);
    await expect(quickEval(set, half, { ks: [2, 2] })).rejects.toThrow(/repeats a position/);
    await expect(quickEval(set, half, { ks: [] })).rejects.toThrow(/ks is empty/);
  });
});

describe('defaultPositions', () => {
  it('gives the landmarks', () => {
    expect(defaultPositions(20, 41)).toEqual([0, 1, 10, 19, 20, 40]);
    expect(defaultPositions(5, 11)).toEqual([0, 1, 2, 4, 5, 10]);
    expect(defaultPositions(20, 101)).toEqual([0, 1, 10, 19, 20, 40, 100]);
    expect(defaultPositions(1, 1)).toEqual([0]);
  });

  fcTest.prop([fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1, max: 400 })])('sorted, unique and in range', (dims, points) => {
    const ks = defaultPositions(dims, points);
    expect(ks[0]).toBe(0);
    expect(ks[ks.length - 1]).toBe(points - 1);
    for (let i = 1; i < ks.length; i++) expect(ks[i]).toBeGreaterThan(ks[i - 1]);
  });
});

describe('linearRegressionOracle', () => {
  it('gives the d = 20 values', () => {
    expect(linearRegressionOracle('least_squares', 20, 0)).toBe(1);
    expect(linearRegressionOracle('least_squares', 20, 5)).toBe(0.75);
    expect(linearRegressionOracle('least_squares', 20, 19)).toBe(0.05);
    expect(linearRegressionOracle('least_squares', 20, 20)).toBe(0);
    expect(linearRegressionOracle('averaging', 20, 1)).toBe(21);
    expect(linearRegressionOracle('averaging', 20, 10)).toBeCloseTo(2.1, 12);
    expect(linearRegressionOracle('averaging', 20, 40)).toBeCloseTo(0.525, 12);
    expect(linearRegressionOracle('knn', 20, 1)).toBe(2);
    expect(linearRegressionOracle('knn', 20, 2)).toBe(1.5);
    expect(linearRegressionOracle('knn', 20, 4)).toBeUndefined();
    expect(linearRegressionOracle('zero', 20, 30)).toBe(1);
  });

  it('rejects unknown baselines and bad k', () => {
    expect(() => linearRegressionOracle('lasso' as 'zero', 5, 1)).toThrow(/no closed form for baseline 'lasso'/);
    expect(() => linearRegressionOracle('zero', 5, -1)).toThrow(/k must be an integer >= 0, got -1/);
  });
});

describe('result files', () => {
  it('save and load round trip', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'icl-eval-'));
    try {
      const result = await iclCurve(promptSet({ functions: { name: 'linear_regression' }, dims: 2, points: 4, prompts: 8 }), { resamples: 10 });
      const path = join(folder, 'nested', 'icl-curve.json');
      await saveIclCurve(path, result);
      expect(await loadIclCurve(path)).toEqual(result);
      expect(await readdir(join(folder, 'nested'))).toEqual(['icl-curve.json']);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('load names the file of a bad result', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'icl-eval-'));
    try {
      const path = join(folder, 'bad.json');
      await writeFileAtomic(path, '{"task": 1}');
      await expect(loadIclCurve(path)).rejects.toThrow(new RegExp(`${path}: [\\s\\S]*task: expected string, got 1\\n[\\s\\S]*dims: expected number, got nothing`));
      await writeFileAtomic(path, '{"task": ');
      await expect(loadIclCurve(path)).rejects.toThrow(/is not valid JSON/);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('atomic write replaces the whole file', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'icl-eval-'));
    try {
      const path = join(folder, 'table.md');
      await writeFileAtomic(path, 'first version, longer than the second');
      await writeFileAtomic(path, 'second');
      expect(await readFile(path, 'utf8')).toBe('second');
      expect(await readdir(folder)).toEqual(['table.md']);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});
