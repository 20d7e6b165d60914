/**
 * The CLI's --backend with the gpujs modes. Tiny runs on gpujs/cpu, gpujs/webasm and (where
 * Dawn finds an adapter) gpujs/webgpu record the mode that ran and match the cpu backend's
 * losses within float32 tolerance. An unavailable mode is rejected before any file is written,
 * and a resumed run keeps its backend.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { getBackend } from '../../src/core/index.js';
import { closeBackends, createBackend, destroyBackend, readRunExperiment, resolveExperiment, trainExperiment } from '../../src/experiment/index.js';
import { readMetrics, type TrainRecord } from '../../src/train/index.js';
import { temporaryFolder } from '../train/helpers.js';
import { captureIo, tinyConfig as tinyConfigWith } from './helpers.js';

/** Writes a config that trains 4 steps with a curriculum of 8 steps, evaluating every 2. */
const tinyConfig = (folder: string) => tinyConfigWith(folder, { steps: 4, totalSteps: 8, evalEvery: 2 });

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
if (process.env.VK_ICD_FILENAMES === undefined && existsSync(SWIFTSHADER_ICD)) process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;

afterAll(closeBackends);


function trainRecords(runDir: string): TrainRecord[] {
  return readMetrics(join(runDir, 'metrics.jsonl')).filter((r): r is TrainRecord => r.kind === 'train');
}

/** Lists every file under `folder` with the SHA-256 of its content, to show that nothing was written or changed. */
function snapshot(folder: string): string[] {
  return readdirSync(folder, { recursive: true, encoding: 'utf8' })
    .filter((name) => statSync(join(folder, name)).isFile())
    .sort()
    .map((name) => `${name} ${createHash('sha256').update(readFileSync(join(folder, name))).digest('hex')}`);
}

/** Trains the tiny config on the cpu backend once, as the reference loss curve. */
async function cpuLosses(): Promise<number[]> {
  const folder = temporaryFolder('cli-backend-reference');
  const runDir = join(folder, 'run');
  expect(await main(['train', tinyConfig(folder), '--out', runDir, '--backend', 'cpu', '-q'], captureIo().io)).toBe(0);
  return trainRecords(runDir).map((r) => r.loss);
}

const reference = await cpuLosses();

/** Modes that must run (CI sets webgpu,webasm): for them a missing mode fails its test instead of skipping it. */
const required = new Set((process.env.ICL_LAB_REQUIRE_MODES ?? '').split(',').map((mode) => mode.trim()));

/** Why gpujs/webgpu cannot run here, or undefined when it can. */
const webgpuMissing = await createBackend('gpujs/webgpu').then(
  async (backend) => {
    await destroyBackend(backend);
    return undefined;
  },
  (error: Error) => error.message,
);

describe('icl-lab train --backend gpujs', () => {
  for (const mode of ['cpu', 'webasm', 'webgpu'] as const) {
    const skip = mode === 'webgpu' && !required.has(mode) ? webgpuMissing : undefined;
    it.skipIf(skip !== undefined)(`trains on gpujs/${mode}${skip === undefined ? '' : ` (skipped: ${skip})`}`, async () => {
      const folder = temporaryFolder(`cli-backend-${mode}`);
      const runDir = join(folder, 'run');
      const capture = captureIo();
      const code = await main(['train', tinyConfig(folder), '--out', runDir, '--backend', `gpujs/${mode}`], capture.io);
      expect(code, capture.stderr()).toBe(0);

      expect(capture.stderr()).toContain(`backend: gpujs/${mode} (requested ${mode}); ${mode} runs: gpu.js ${mode} mode`);
      expect(readRunExperiment(runDir).backend).toBe(`gpujs/${mode}`);
      const records = trainRecords(runDir);
      expect(records.map((r) => r.step)).toEqual([1, 2, 3, 4]);
      expect(records[0].executor).toBe(`gpujs/${mode}/pipeline`);
      records.forEach((record, k) => expect(Math.abs(record.loss - reference[k]), `loss at step ${record.step}`).toBeLessThanOrEqual(1e-4 * Math.max(1, reference[k])));
    });
  }
});

describe('icl-lab run --backend gpujs/webasm', () => {
  it('writes the summary with the gpujs executor', async () => {
    const folder = temporaryFolder('cli-backend-run');
    const runDir = join(folder, 'run');
    const capture = captureIo();
    expect(await main(['run', tinyConfig(folder), '--out', runDir, '--backend', 'gpujs/webasm', '-q'], capture.io)).toBe(0);
    expect(capture.stderr()).toBe('');

    expect(readFileSync(join(runDir, 'summary.md'), 'utf8')).toContain('- executor: gpujs/webasm/pipeline on Node');
    expect(existsSync(join(runDir, 'icl-curve.json'))).toBe(true);
    expect(capture.stdout()).toContain('| transformer |');
  });

  it('evaluates the run on its own backend', async () => {
    const folder = temporaryFolder('cli-backend-eval');
    const runDir = join(folder, 'run');
    expect(await main(['train', tinyConfig(folder), '--out', runDir, '--backend', 'gpujs/webasm', '-q'], captureIo().io)).toBe(0);
    await closeBackends();

    const evaluation = captureIo();
    expect(await main(['eval', runDir, '--prompts', '8', '-q'], evaluation.io)).toBe(0);
    expect(getBackend().name).toBe('gpujs/webasm');
    expect(evaluation.stdout()).toContain('| transformer |');
  });
});

describe('icl-lab --backend with an unavailable mode', () => {
  for (const command of ['run', 'train'] as const) {
    it(`${command} rejects gpujs/webgl2 before writing`, async () => {
      const folder = temporaryFolder('cli-backend-unavailable');
      const runDir = join(folder, 'run');
      const capture = captureIo();
      expect(await main([command, tinyConfig(folder), '--out', runDir, '--backend', 'gpujs/webgl2'], capture.io)).toBe(2);

      const message = capture.stderr();
      expect(message).toContain("icl-lab: backend 'gpujs/webgl2' is unavailable here: WebGL2 exists only in browsers");
      expect(message).toContain('Use it from a browser page (bench/browser bundles one), or choose another backend (cpu runs everywhere).');
      expect(message).not.toContain('training');
      expect(existsSync(runDir)).toBe(false);
    });
  }

  it('lists the gpujs names for an unknown backend', async () => {
    const capture = captureIo();
    expect(await main(['train', 'quickstart', '--backend', 'gpujs/auto'], capture.io)).toBe(2);
    expect(capture.stderr()).toContain(
      "unknown backend 'gpujs/auto' for --backend; known backends: cpu, gpujs/webgpu, gpujs/webgl2, gpujs/headlessgl, gpujs/webasm, gpujs/cpu",
    );
  });
});

describe('icl-lab train --resume across backends', () => {
  it('rejects another --backend and leaves the run as it was', async () => {
    const folder = temporaryFolder('cli-backend-resume');
    const runDir = join(folder, 'run');
    expect(await main(['train', tinyConfig(folder), '--out', runDir, '--backend', 'gpujs/cpu', '-q'], captureIo().io)).toBe(0);
    const before = snapshot(runDir);
    const metrics = readFileSync(join(runDir, 'metrics.jsonl'));

    const capture = captureIo();
    expect(await main(['train', '--out', runDir, '--resume', '--steps', '8', '--backend', 'cpu', '-q'], capture.io)).toBe(2);
    expect(capture.stderr()).toContain("--backend cpu differs from the run's backend gpujs/cpu; drop --backend or start a new run with --out");
    expect(snapshot(runDir)).toEqual(before);
    expect(readFileSync(join(runDir, 'metrics.jsonl')).equals(metrics)).toBe(true);
  });

  it('continues on the saved backend without --backend', async () => {
    const folder = temporaryFolder('cli-backend-resume-saved');
    const runDir = join(folder, 'run');
    expect(await main(['train', tinyConfig(folder), '--out', runDir, '--backend', 'gpujs/cpu', '-q'], captureIo().io)).toBe(0);
    expect(await main(['train', '--out', runDir, '--resume', '--steps', '6', '-q'], captureIo().io)).toBe(0);

    const records = trainRecords(runDir);
    expect(records.map((r) => r.step)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(records[4].executor).toBe('gpujs/cpu/pipeline');
  });

  it('trainExperiment rejects a changed backend by config hash', async () => {
    const folder = temporaryFolder('cli-backend-hash');
    const runDir = join(folder, 'run');
    expect(await main(['train', tinyConfig(folder), '--out', runDir, '--backend', 'gpujs/cpu', '-q'], captureIo().io)).toBe(0);
    const before = snapshot(runDir);

    const saved = readRunExperiment(runDir);
    const onCpu = resolveExperiment({ ...saved, backend: 'cpu', training: { ...saved.training, steps: 6 } }, 'test');
    await expect(trainExperiment(onCpu, { runDir, resume: true, quiet: true })).rejects.toThrow(/was written by a run with config hash \w+, but this configuration hashes to \w+/);
    expect(snapshot(runDir)).toEqual(before);
  });
});
