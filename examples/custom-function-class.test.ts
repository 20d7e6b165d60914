import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { key, split } from '../src/index.js';
import { gaussian, promptBatch } from '../src/tasks/index.js';
import { COSINE_EXPECTED_SQUARE, cosineRegression, trainMixedWithCosine } from './custom-function-class.js';

describe('custom function class example', () => {
  it('has the closed-form second moment', () => {
    const prompts = 3000;
    const batch = promptBatch({ inputs: gaussian(), functions: cosineRegression(), points: 20, dims: 6, batchSize: prompts })(key(3));
    let sum = 0;
    let sumSquares = 0;
    for (const y of batch.ys64) {
      sum += y * y;
      sumSquares += y ** 4;
    }
    const mean = sum / batch.ys64.length;
    // y^2 is correlated within a prompt (one w), so the standard error uses prompts, not points.
    const standardError = Math.sqrt((sumSquares / batch.ys64.length - mean * mean) / prompts);
    expect(Math.abs(mean - COSINE_EXPECTED_SQUARE)).toBeLessThan(4 * standardError);
  });

  it('depends only on the active coordinates', () => {
    const [functionKey] = split(key(1));
    const f = cosineRegression().sample({ d: 4, activeDims: 2 })(functionKey);
    expect(Array.from(f.params.w.subarray(2))).toEqual([0, 0]);
    expect(Math.hypot(...f.params.w)).toBeCloseTo(1, 12);
  });

  it('trains under the mixed curriculum', async () => {
    const runDir = join(mkdtempSync(join(tmpdir(), 'icl-lab-cosine-')), 'run');
    const { records, cosine, finalLoss } = await trainMixedWithCosine({ runDir, steps: 9, dims: 3, points: 6, batchSize: 4, width: 8, quiet: true });
    expect(Number.isFinite(finalLoss)).toBe(true);
    expect(records.map((r) => r.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // Mixed: the first third draws only linear regression, and cosine appears only in the last third.
    expect(records.slice(0, 3).every((r) => r.task === 'linear_regression')).toBe(true);
    expect(records.slice(0, 6).some((r) => r.task === 'cosine_regression')).toBe(false);
    expect(cosine.k).toContain(0);
    expect(Object.keys(cosine.baselines)).toEqual(['knn(n_neighbors=3, weights=uniform)', 'zero']);
  });
});
