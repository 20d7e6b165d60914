/**
 * `--threads 2` starts the cpu backend's helper thread for matrix products. Products split
 * between two threads give the bits of one thread, so a run's losses do not depend on it.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { helperThread } from '../../src/backends/cpu/wasm/helper-thread.js';
import { captureIo } from './helpers.js';

const folder = mkdtempSync(join(tmpdir(), 'icl-lab-threads-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** Writes a config whose products (width 64, batch 64) are large enough to be split between threads. */
function splitConfig(): string {
  const path = join(folder, 'split.yaml');
  writeFileSync(
    path,
    `name: split
model: { nLayer: 1, nHead: 2, nEmbd: 64 }
task: { dims: 5, points: 11, functions: [{ name: linear_regression }] }
training: { steps: 3, batchSize: 64, lr: 0.001, checkpointEvery: 3, logEvery: 1 }
eval: { prompts: 16, quickPrompts: 8 }
`,
  );
  return path;
}

function losses(runDir: string): number[] {
  return readFileSync(join(runDir, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { kind?: string; loss?: number })
    .filter((record) => record.loss !== undefined)
    .map((record) => record.loss!);
}

describe('icl-lab train --threads', () => {
  it('rejects a count other than 1 or 2', async () => {
    const capture = captureIo();
    expect(await main(['train', splitConfig(), '--threads', '4', '--out', join(folder, 'bad')], capture.io)).toBe(2);
    expect(capture.stderr()).toContain("--threads takes 1 or 2 (the cpu backend splits matrix products over at most 2 threads), got '4'");
  });

  it('gives the losses of one thread with two', async () => {
    const config = splitConfig();
    const oneThreadRun = join(folder, 'one');
    const twoThreadRun = join(folder, 'two');
    expect(await main(['train', config, '--quiet', '--out', oneThreadRun], captureIo().io)).toBe(0);
    expect(helperThread()).toBeNull();
    expect(await main(['train', config, '--quiet', '--threads', '2', '--out', twoThreadRun], captureIo().io)).toBe(0);
    expect(helperThread()).not.toBeNull();
    expect(losses(oneThreadRun)).toHaveLength(3);
    expect(losses(twoThreadRun)).toEqual(losses(oneThreadRun));
  });
});
