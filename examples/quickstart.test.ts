import { existsSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { quickstart } from './quickstart.js';

describe('quickstart example', () => {
  it('trains, evaluates and reports a small version', async () => {
    const runDir = join(mkdtempSync(join(tmpdir(), 'icl-lab-quickstart-')), 'run');
    const result = await quickstart({ runDir, steps: 4, model: { nLayer: 1, nHead: 2, nEmbd: 8 }, batchSize: 4, evalPrompts: 16, quiet: true });
    expect(Number.isFinite(result.finalLoss)).toBe(true);
    expect(result.experiment.task).toMatchObject({ dims: 5, points: 16 });
    expect(result.curve.curve.curves.transformer.mean).toHaveLength(16);
    for (const name of ['config.json', 'metrics.jsonl', 'icl-curve.json', 'icl-curve.png', 'loss.png', 'table.md']) {
      expect(existsSync(join(runDir, name))).toBe(true);
    }
    expect(result.reportFiles).toContain(join(runDir, 'icl-curve.svg'));
  });
});
