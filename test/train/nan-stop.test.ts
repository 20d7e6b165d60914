import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { adam, fromData, key, normal, split } from '../../src/index.js';
import {
  NonFiniteLossError,
  latestCheckpoint,
  listCheckpoints,
  loadCheckpoint,
  readMetrics,
  runPaths,
  trainLoop,
  type BatchSourceFactory,
} from '../../src/train/index.js';
import { linearModel, mixedData, temporaryFolder } from './helpers.js';

const DIMS = 3;
const POINTS = 4;
const BATCH = 2;

/** Gaussian batches whose outputs turn NaN from curriculum step `poisonAt` on. */
function poisonedData(poisonAt: number): BatchSourceFactory {
  return () => (step) => {
    const [xKey, yKey] = split(key(step));
    const ys = new Float32Array(normal(yKey, [BATCH, POINTS]).data());
    if (step >= poisonAt) ys[0] = Number.NaN;
    const plan = { task: 0, data: 0, activeDims: DIMS, points: POINTS };
    return { step, plan, xs: normal(xKey, [BATCH, POINTS, DIMS]), ys: fromData(ys, [BATCH, POINTS]), task: 'poisoned_regression', data: 'gaussian' };
  };
}

describe('trainLoop non-finite loss', () => {
  it('stops naming the step and task', async () => {
    const runDir = temporaryFolder('nan');
    const run = trainLoop({
      model: linearModel(DIMS),
      optimizer: adam({ lr: 1e-2 }),
      batches: poisonedData(6),
      key: key(0),
      steps: 20,
      runDir,
      checkpointEvery: 3,
      logEvery: 1,
      quiet: true,
    });
    const error = await run.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(NonFiniteLossError);
    const nan = error as NonFiniteLossError;
    expect(nan.step).toBe(7);
    expect(nan.task).toBe('poisoned_regression');
    expect(nan.message).toMatch(/^training stopped at step 7: the loss is NaN on task poisoned_regression/);

    const folder = runPaths(runDir).checkpoints;
    expect(listCheckpoints(folder).map((e) => e.step)).toEqual([3, 6]);
    expect(nan.lastCheckpoint).toBe(latestCheckpoint(folder)!.path);
    expect(loadCheckpoint(nan.lastCheckpoint!, linearModel(DIMS), adam()).state.step).toBe(6);
    expect(readdirSync(folder).filter((name) => name.endsWith('.tmp'))).toEqual([]);

    const records = readMetrics(runPaths(runDir).metrics);
    expect(records.filter((r) => r.kind === 'train').map((r) => r.step)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(records[records.length - 1]).toMatchObject({ kind: 'error', step: 7 });
  });

  it('stops on an infinite loss from a diverging learning rate', async () => {
    const error = await trainLoop({
      model: linearModel(DIMS),
      optimizer: adam({ lr: 1e30 }),
      batches: mixedData(DIMS, POINTS, BATCH, 10),
      key: key(0),
      steps: 10,
      quiet: true,
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(NonFiniteLossError);
    expect((error as NonFiniteLossError).step).toBe(2);
    expect((error as NonFiniteLossError).loss).toBe(Number.POSITIVE_INFINITY);
    expect((error as NonFiniteLossError).task).toBe('linear_regression');
  });
});
