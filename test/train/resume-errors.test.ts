import { readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fc, test as fcTest } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { adam, key, treeLeaves } from '../../src/index.js';
import {
  configDifferences,
  CorruptCheckpointError,
  latestCheckpoint,
  listCheckpoints,
  NonFiniteLossError,
  runPaths,
  trainLoop,
  TrainingInterruptedError,
  type JsonValue,
} from '../../src/train/index.js';
import { linearModel, mixedData, temporaryFolder } from './helpers.js';

const DIMS = 3;

function options(runDir: string, steps: number, extra: Record<string, unknown> = {}) {
  return {
    model: linearModel(DIMS),
    optimizer: adam({ lr: 1e-2 }),
    batches: mixedData(DIMS, 5, 4, 12),
    key: key(3),
    steps,
    runDir,
    checkpointEvery: 2,
    keepLast: 5,
    logEvery: 1,
    quiet: true,
    ...extra,
  };
}

async function failure(run: Promise<unknown>): Promise<Error> {
  return run.then(
    () => {
      throw new Error('expected the run to fail');
    },
    (e: unknown) => e as Error,
  );
}

describe('resume errors', () => {
  it('lists the fields behind a hash mismatch', async () => {
    const runDir = temporaryFolder('hash-diff');
    const saved = { training: { lr: 0.001, clipNorm: null }, seed: 3 };
    await trainLoop(options(runDir, 4, { configHash: 'aaaa', hashedConfig: saved }));
    const changed = { training: { lr: 0.0001, clipNorm: 1 }, seed: 3 };
    const error = await failure(trainLoop(options(runDir, 6, { resume: true, configHash: 'bbbb', hashedConfig: changed })));
    expect(error.message).toContain('config hash aaaa, but this configuration hashes to bbbb');
    expect(error.message).toContain('training.clipNorm: null in the checkpoint, 1 now');
    expect(error.message).toContain('training.lr: 0.001 in the checkpoint, 0.0001 now');
    expect(error.message).not.toContain('seed');
  });

  it('names the previous valid checkpoint of a truncated one', async () => {
    const runDir = temporaryFolder('truncated');
    await trainLoop(options(runDir, 6));
    const folder = runPaths(runDir).checkpoints;
    const newest = latestCheckpoint(folder)!;
    expect(newest.step).toBe(6);
    truncateSync(newest.path, 200);

    const error = await failure(trainLoop(options(runDir, 8, { resume: true })));
    expect(error).toBeInstanceOf(CorruptCheckpointError);
    expect(error.message).toContain(`checkpoint ${newest.path} is corrupt or truncated (`);
    expect(error.message).toContain(`the previous valid checkpoint is ${join(folder, 'step-00000004.safetensors')} (step 4): delete ${newest.path}`);
    expect(listCheckpoints(folder).map((e) => e.step)).toEqual([2, 4, 6]);
  });

  it('rejects a resume without a checkpoint and keeps the records', async () => {
    const runDir = temporaryFolder('no-checkpoint');
    const paths = runPaths(runDir);
    writeFileSync(paths.config, '{}\n');
    const records = '{"kind":"train","step":1,"loss":1,"seconds":0}\n{"kind":"error","step":2,"seconds":0,"message":"loss is NaN"}\n';
    writeFileSync(paths.metrics, records);

    const error = await failure(trainLoop(options(runDir, 4, { resume: true })));
    expect(error.message).toContain(`nothing to resume in ${runDir}: it contains a run that stopped before its first checkpoint`);
    expect(error.message).toContain('--out');
    expect(readFileSync(paths.metrics, 'utf8')).toBe(records);
  });

  it('saves a checkpoint when interrupted', async () => {
    const runDir = temporaryFolder('interrupt');
    const controller = new AbortController();
    const error = await failure(
      trainLoop(
        options(runDir, 10, {
          checkpointEvery: 0,
          signal: controller.signal,
          evalEvery: 1,
          evaluate: (_params: unknown, step: number) => {
            if (step === 3) controller.abort();
            return step;
          },
        }),
      ),
    );
    expect(error).toBeInstanceOf(TrainingInterruptedError);
    const interrupted = error as TrainingInterruptedError;
    expect(interrupted.step).toBe(3);
    expect(interrupted.checkpoint).toBe(join(runPaths(runDir).checkpoints, 'step-00000003.safetensors'));

    const straight = await trainLoop(options(temporaryFolder('straight'), 10));
    const resumed = await trainLoop(options(runDir, 10, { resume: true }));
    expect(resumed.startStep).toBe(3);
    const bits = (tree: unknown) => treeLeaves(tree).map((t) => Array.from(new Uint32Array(new Float32Array(t.data()).buffer)));
    expect(bits(resumed.state.params)).toEqual(bits(straight.state.params));
  });
});

describe('Ctrl-C during training', () => {
  it('stops at a timer-set abort without an evaluation', async () => {
    const runDir = temporaryFolder('timer-interrupt');
    const controller = new AbortController();
    // Only a loop that lets the event loop run observes this abort, and a SIGINT handler runs the same way.
    const timer = setTimeout(() => controller.abort(), 100);
    const steps = 1_000_000;
    const error = await failure(trainLoop(options(runDir, steps, { batches: mixedData(DIMS, 5, 4, steps), checkpointEvery: 0, signal: controller.signal })));
    clearTimeout(timer);
    expect(error).toBeInstanceOf(TrainingInterruptedError);
    expect((error as TrainingInterruptedError).step).toBeGreaterThan(0);
    expect((error as TrainingInterruptedError).step).toBeLessThan(steps);
  });
});

describe('NonFiniteLossError message', () => {
  const plan = { task: 0, data: 0, activeDims: 2, points: 4 } as unknown as ConstructorParameters<typeof NonFiniteLossError>[0]['plan'];

  it('advises a new run after a checkpoint', () => {
    const error = new NonFiniteLossError({ step: 9, task: 't', data: 'd', plan, loss: NaN, lastCheckpoint: 'run/checkpoints/step-00000008.safetensors' });
    expect(error.message).toContain('the last good checkpoint is run/checkpoints/step-00000008.safetensors');
    expect(error.message).toContain('Start a new run in another folder (--out) with a lower training.lr or with training.clipNorm set');
    expect(error.message).not.toMatch(/then resume/);
  });

  it('does not offer a resume without a checkpoint', () => {
    const error = new NonFiniteLossError({ step: 1, task: 't', data: 'd', plan, loss: Infinity, lastCheckpoint: undefined });
    expect(error.message).toContain('no checkpoint was written yet, so there is nothing to resume');
    expect(error.message).not.toMatch(/resume from/);
  });
});

const json: fc.Arbitrary<JsonValue> = fc.jsonValue() as fc.Arbitrary<JsonValue>;

describe('configDifferences', () => {
  fcTest.prop([json])('finds nothing between equal values', (value) => {
    expect(configDifferences(value, structuredClone(value))).toEqual([]);
  });

  fcTest.prop([fc.dictionary(fc.constantFrom('a', 'b', 'c'), fc.integer()), fc.constantFrom('a', 'b', 'c'), fc.integer()])(
    'names the one changed field',
    (base, field, value) => {
      const changed = { ...base, [field]: value };
      const expected = Object.is(base[field], value) ? [] : [{ path: field, saved: base[field], current: value }];
      expect(configDifferences({ outer: base }, { outer: changed })).toEqual(expected.map((d) => ({ ...d, path: `outer.${d.path}` })));
    },
  );
});
