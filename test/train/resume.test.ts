import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { adam, key, treeLeaves } from '../../src/index.js';
import { latestCheckpoint, readMetrics, runPaths, trainLoop, type TrainRecord } from '../../src/train/index.js';
import { linearModel, mixedData, temporaryFolder } from './helpers.js';

const DIMS = 4;
const HALF = 12;

function bitsOf(tree: unknown): Uint32Array[] {
  return treeLeaves(tree).map((t) => new Uint32Array(new Float32Array(t.data()).buffer));
}

function options(runDir: string, steps: number, resume = false) {
  return {
    model: linearModel(DIMS),
    optimizer: adam({ lr: 1e-2 }),
    batches: mixedData(DIMS, 6, 8, 2 * HALF),
    key: key(7),
    steps,
    runDir,
    resume,
    checkpointEvery: 5,
    logEvery: 1,
    quiet: true,
  };
}

describe('trainLoop resume', () => {
  it('continues bit for bit from a checkpoint', async () => {
    const straight = await trainLoop(options(temporaryFolder('straight'), 2 * HALF));

    const split = temporaryFolder('split');
    const first = await trainLoop(options(split, HALF));
    expect(first.state.step).toBe(HALF);
    expect(latestCheckpoint(runPaths(split).checkpoints)?.step).toBe(HALF);
    expect(bitsOf(first.state.params)).not.toEqual(bitsOf(straight.state.params));
    const resumed = await trainLoop(options(split, 2 * HALF, true));

    expect(resumed.startStep).toBe(HALF);
    expect(resumed.state.step).toBe(2 * HALF);
    expect(bitsOf(resumed.state.params)).toEqual(bitsOf(straight.state.params));
    expect(bitsOf(resumed.state.optimizerState)).toEqual(bitsOf(straight.state.optimizerState));
  });

  it('appends metrics without duplicates after a lost segment', async () => {
    const runDir = temporaryFolder('metrics');
    await trainLoop(options(runDir, HALF));
    // Steps 11 and 12 happen after the checkpoint at 10 in a run that stops at 12 without its
    // final checkpoint: simulate that by removing the step-12 checkpoint.
    const checkpoints = runPaths(runDir).checkpoints;
    const last = latestCheckpoint(checkpoints)!;
    expect(last.step).toBe(HALF);
    const { rmSync } = await import('node:fs');
    rmSync(last.path);
    await trainLoop(options(runDir, 2 * HALF, true));

    const steps = readMetrics(runPaths(runDir).metrics)
      .filter((r): r is TrainRecord => r.kind === 'train')
      .map((r) => r.step);
    expect(steps).toEqual(Array.from({ length: 2 * HALF }, (_, i) => i + 1));
  });

  it('rejects a new run in a used folder', async () => {
    const runDir = temporaryFolder('used');
    await trainLoop(options(runDir, 3));
    const before = readdirSync(join(runDir, 'checkpoints'));
    await expect(trainLoop(options(runDir, 6))).rejects.toThrow(/already contains a run; resume it/);
    expect(readdirSync(join(runDir, 'checkpoints'))).toEqual(before);
  });

  it('rejects bad options before writing', async () => {
    const runDir = join(temporaryFolder('bad'), 'run');
    await expect(trainLoop({ ...options(runDir, 0), keepLast: 0 })).rejects.toThrow(/steps must be an integer >= 1, got 0; keepLast must be/);
    expect(existsSync(runDir)).toBe(false);
  });

  it('rejects a resume with another seed', async () => {
    const runDir = temporaryFolder('seed');
    await trainLoop(options(runDir, 3));
    await expect(trainLoop({ ...options(runDir, 6, true), key: key(8) })).rejects.toThrow(/another run key/);
  });
});
