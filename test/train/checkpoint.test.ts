import { fc, test as fcTest } from '@fast-check/vitest';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { adam, key, sgd, tensor, treeLeaves, zeros, type Tensor } from '../../src/index.js';
import {
  checkpointFileName,
  encodeCheckpoint,
  initTrainState,
  latestCheckpoint,
  listCheckpoints,
  loadCheckpoint,
  runPaths,
  saveCheckpoint,
  stepsToPrune,
  temporaryPathFor,
  trainLoop,
  treeFromNamed,
  treeToNamed,
  type TrainableModel,
} from '../../src/train/index.js';
import { linearModel, mixedData, temporaryFolder } from './helpers.js';

const model = linearModel(3);

function sameBits(a: unknown, b: unknown): boolean {
  const la = treeLeaves(a);
  const lb = treeLeaves(b);
  return la.length === lb.length && la.every((t, i) => Buffer.from(new Float32Array(t.data()).buffer).equals(Buffer.from(new Float32Array(lb[i].data()).buffer)));
}

describe('checkpoint files', () => {
  it('round-trips the whole state', () => {
    const folder = temporaryFolder('roundtrip');
    const optimizer = adam();
    const state = { ...initTrainState(model, optimizer, key(3)), step: 42 };
    const path = saveCheckpoint(folder, model, state, { configHash: 'abc', seconds: 1.5, plan: { task: 1, data: 0, activeDims: 3, points: 5 } });
    expect(path.endsWith(checkpointFileName(42))).toBe(true);
    const { state: loaded, info } = loadCheckpoint(path, model, optimizer);
    expect(loaded.step).toBe(42);
    expect(loaded.key).toEqual(state.key);
    expect(sameBits(loaded.params, state.params)).toBe(true);
    expect(sameBits(loaded.optimizerState, state.optimizerState)).toBe(true);
    expect(info).toEqual({ step: 42, configHash: 'abc', seconds: 1.5, plan: { task: 1, data: 0, activeDims: 3, points: 5 }, model: model.name });
  });

  it('names a tensor the model does not have', () => {
    const folder = temporaryFolder('mismatch');
    const optimizer = adam();
    const path = saveCheckpoint(folder, model, initTrainState(model, optimizer, key(0)), { configHash: '', seconds: 0 });
    expect(() => loadCheckpoint(path, linearModel(4), optimizer)).toThrow(/tensor 'w' is f32\[3,1\] but the model expects f32\[4,1\]/);
    expect(() => loadCheckpoint(path, model, sgd({ lr: 0.1, momentum: 0.9 }))).toThrow(/no tensors of optimizer slot 'momentum'/);
  });

  it('rejects a file that is not a checkpoint', () => {
    const folder = temporaryFolder('foreign');
    const path = join(folder, checkpointFileName(1));
    writeFileSync(path, encodeCheckpoint(model, initTrainState(model, adam(), key(0)), { configHash: '', seconds: 0 }).slice(0, 20));
    expect(() => loadCheckpoint(path, model, adam())).toThrow(path);
  });

  it('survives a crash between temporary write and rename', async () => {
    const runDir = temporaryFolder('crash');
    const base = {
      model,
      optimizer: adam({ lr: 1e-2 }),
      batches: mixedData(3, 5, 4, 20),
      key: key(1),
      runDir,
      checkpointEvery: 4,
      quiet: true,
    };
    await trainLoop({ ...base, steps: 4 });
    const folder = runPaths(runDir).checkpoints;
    const good = latestCheckpoint(folder)!;
    const goodBytes = readFileSync(good.path);

    // The crash: the next checkpoint's bytes reached the temporary file only in part.
    const next = join(folder, checkpointFileName(8));
    const full = encodeCheckpoint(model, initTrainState(model, adam(), key(1)), { configHash: '', seconds: 0 });
    writeFileSync(temporaryPathFor(next), full.slice(0, full.length >> 1));

    expect(listCheckpoints(folder).map((e) => e.step)).toEqual([4]);
    expect(readFileSync(good.path).equals(goodBytes)).toBe(true);
    expect(loadCheckpoint(good.path, model, adam()).state.step).toBe(4);

    const resumed = await trainLoop({ ...base, steps: 8, resume: true });
    expect(resumed.startStep).toBe(4);
    expect(readdirSync(folder).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    expect(listCheckpoints(folder).map((e) => e.step)).toEqual([4, 8]);
  });

  it('prunes to keep-last and keep-every', async () => {
    const runDir = temporaryFolder('prune');
    await trainLoop({
      model,
      optimizer: adam({ lr: 1e-2 }),
      batches: mixedData(3, 5, 4, 40),
      key: key(2),
      steps: 23,
      runDir,
      checkpointEvery: 2,
      keepLast: 2,
      keepEvery: 8,
      quiet: true,
    });
    expect(listCheckpoints(runPaths(runDir).checkpoints).map((e) => e.step)).toEqual([8, 16, 22, 23]);
  });
});

describe('stepsToPrune', () => {
  const policies = fc.record({ keepLast: fc.integer({ min: 1, max: 5 }), keepEvery: fc.integer({ min: 0, max: 12 }) });
  const stepLists = fc.uniqueArray(fc.integer({ min: 1, max: 200 }), { maxLength: 30 });

  fcTest.prop([stepLists, policies])('keeps the newest and the multiples', (steps, policy) => {
    const pruned = new Set(stepsToPrune(steps, policy));
    const sorted = [...steps].sort((a, b) => a - b);
    sorted.forEach((step, i) => {
      const newest = i >= sorted.length - policy.keepLast;
      const multiple = policy.keepEvery > 0 && step % policy.keepEvery === 0;
      const kept = newest || multiple;
      expect(pruned.has(step)).toBe(!kept);
    });
  });

  fcTest.prop([stepLists, policies])('never deletes the newest', (steps, policy) => {
    if (steps.length === 0) return;
    expect(stepsToPrune(steps, policy)).not.toContain(Math.max(...steps));
  });
});

describe('named tensors', () => {
  const trees = fc
    .array(fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })), { minLength: 1, maxLength: 4 })
    .map((shapes) => ({ head: zeros([2]), blocks: shapes.map(([a, b]) => ({ w: zeros([a, b]), b: tensor(new Float32Array(b).fill(a)) })) }));

  fcTest.prop([trees])('round-trips a pytree by path', (tree) => {
    const named = treeToNamed(tree);
    expect(Object.keys(named)).toContain('blocks.0.w');
    expect(sameBits(treeFromNamed(tree, named, 'test'), tree)).toBe(true);
  });

  it('lists every missing and extra name', () => {
    const template = { a: zeros([1]), b: zeros([2]) };
    expect(() => treeFromNamed(template, { a: zeros([1]), c: zeros([1]) }, 'file.safetensors')).toThrow(
      /file\.safetensors: .*missing tensor 'b' \(expected f32\[2\]\); unexpected tensor 'c'/,
    );
  });

  it('uses the model names when the model has them', () => {
    const named: TrainableModel<{ w: Tensor; b: Tensor }> = {
      ...model,
      toNamed: (p) => ({ 'layer.weight': p.w, 'layer.bias': p.b }),
      fromNamed: (n) => ({ w: n['layer.weight'], b: n['layer.bias'] }),
    };
    const folder = temporaryFolder('names');
    const state = initTrainState(named, adam(), key(0));
    const path = saveCheckpoint(folder, named, state, { configHash: '', seconds: 0 });
    const header = readFileSync(path).subarray(8, 8 + Number(readFileSync(path).readBigUInt64LE(0))).toString();
    expect(header).toContain('"layer.weight"');
    expect(header).toContain('"optimizer.m.layer.bias"');
    expect(sameBits(loadCheckpoint(path, named, adam()).state.params, state.params)).toBe(true);
  });
});
