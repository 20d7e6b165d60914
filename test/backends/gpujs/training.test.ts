/**
 * Training end to end on the gpujs backend. A compiled Adam step of a tiny in-context
 * Transformer (loss, gradients and update in one program) runs in every available mode. Ten
 * steps must give the loss curve and parameters of the cpu backend within float32 tolerance.
 */
import { existsSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { adam, compile, fromData, key, normal64, setBackend, cpuBackend, treeLeaves, valueAndGrad, type Tensor } from '../../../src/index.js';
import { initTransformer, transformerLoss, type TransformerParams } from '../../../src/models/transformer.js';
import { gpujsBackend, GPUJS_MODES, type GpujsBackend } from '../../../src/backends/gpujs/index.js';

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
if (process.env.VK_ICD_FILENAMES === undefined && existsSync(SWIFTSHADER_ICD)) process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;

const STEPS = 10;
const config = { nDims: 3, nPoints: 4, nEmbd: 8, nLayer: 2, nHead: 2 };
const [batch, points, dims] = [4, 4, 3];

/** Draws a linear-regression batch ys = xs w from the host PRNG. */
function regressionBatch(): { xs: Tensor; ys: Tensor } {
  const x = Float32Array.from(normal64(key(1), batch * points * dims));
  const w = normal64(key(2), dims);
  const y = new Float32Array(batch * points);
  for (let i = 0; i < batch * points; i++) for (let j = 0; j < dims; j++) y[i] += x[i * dims + j] * w[j];
  return { xs: fromData(x, [batch, points, dims]), ys: fromData(y, [batch, points]) };
}

/**
 * Runs STEPS compiled Adam steps from the same initialisation and returns the losses and final
 * parameters. `afterStep` is called after each step's loss is read.
 */
function train(afterStep: (k: number) => void = () => undefined): { losses: number[]; params: TransformerParams; executorKind: string | undefined } {
  const optimizer = adam({ lr: 0.01 });
  const { xs, ys } = regressionBatch();
  let params = initTransformer(key(0), config);
  let state = optimizer.init(params);
  const step = compile((p: TransformerParams, s: typeof state, x: Tensor, y: Tensor) => {
    const [loss, grads] = valueAndGrad(transformerLoss)(p, x, y);
    const [nextParams, nextState] = optimizer.update(grads, s, p);
    return [loss, nextParams, nextState] as const;
  });
  const losses: number[] = [];
  for (let k = 0; k < STEPS; k++) {
    const [loss, nextParams, nextState] = step(params, state, xs, ys);
    losses.push(loss.item());
    params = nextParams;
    state = nextState;
    afterStep(k);
  }
  return { losses, params, executorKind: step.executorKind };
}

const reference = train();
const backends = new Map<string, GpujsBackend | string>();
for (const mode of GPUJS_MODES) {
  try {
    backends.set(mode, await gpujsBackend({ mode }));
  } catch (error) {
    backends.set(mode, (error as Error).message);
  }
}
afterAll(async () => {
  for (const b of backends.values()) if (typeof b !== 'string') await b.destroy();
});

describe('transformer training', () => {
  it('the cpu loss curve decreases', () => {
    expect(reference.losses[STEPS - 1]).toBeLessThan(reference.losses[0] * 0.8);
  });

  for (const [mode, backend] of backends) {
    const skip = typeof backend === 'string' ? backend : undefined;
    it.skipIf(skip !== undefined)(`gpujs/${mode} matches the cpu loss curve${skip ? ` (skipped: ${skip})` : ''}`, () => {
      setBackend(backend as GpujsBackend);
      let run;
      try {
        run = train();
      } finally {
        setBackend(cpuBackend());
      }
      expect(run.executorKind).toBe(`gpujs/${mode}/pipeline`);
      run.losses.forEach((loss, k) => expect(Math.abs(loss - reference.losses[k]), `step ${k}`).toBeLessThanOrEqual(1e-5 * Math.max(1, reference.losses[k])));
      const expected = treeLeaves(reference.params);
      treeLeaves(run.params).forEach((t, k) => {
        const a = t.data();
        const b = expected[k].data();
        for (let j = 0; j < a.length; j++) expect(Math.abs(a[j] - b[j]), `parameter ${k}[${j}]`).toBeLessThanOrEqual(1e-4 * (1 + Math.abs(b[j])));
      });
    });
  }

  // Modes whose kernel results are device buffers (not host arrays) keep the step's outputs there.
  for (const mode of ['webgpu', 'headlessgl'] as const) {
    const backend = backends.get(mode);
    const skip = typeof backend === 'string' ? backend : undefined;
    it.skipIf(skip !== undefined)(`gpujs/${mode} keeps parameters and optimizer state on the device between steps${skip ? ` (skipped: ${skip})` : ''}`, () => {
      const gpujs = backend as GpujsBackend;
      const stateFloats = treeLeaves(reference.params).reduce((n, t) => n + t.size, 0) * 3;
      const batchFloats = batch * points * (dims + 1);
      const counts: { uploadedFloats: number; readBackFloats: number }[] = [];
      setBackend(gpujs);
      try {
        train(() => counts.push(gpujs.transfers));
      } finally {
        setBackend(cpuBackend());
      }
      for (let k = 1; k < STEPS; k++) {
        const uploaded = counts[k].uploadedFloats - counts[k - 1].uploadedFloats;
        const readBack = counts[k].readBackFloats - counts[k - 1].readBackFloats;
        // The batch and the program's small constants go in; only the loss comes out.
        expect(uploaded, `floats uploaded in step ${k}`).toBeGreaterThanOrEqual(batchFloats);
        expect(uploaded, `floats uploaded in step ${k}`).toBeLessThan(stateFloats / 10);
        expect(readBack, `floats read back in step ${k}`).toBe(1);
      }
    });
  }
});
