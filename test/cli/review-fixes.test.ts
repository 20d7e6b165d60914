import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { parseTrainArgs } from '../../src/cli/args.js';
import { HELP_TEXTS } from '../../src/cli/help.js';
import { main } from '../../src/cli/main.js';
import { ConfigError, decodeExperiment } from '../../src/experiment/index.js';
import { temporaryFolder } from '../train/helpers.js';
import { captureIo, tinyConfig as tinyConfigWith } from './helpers.js';

/** Writes a tiny config that trains `steps` steps without periodic evaluation. */
const tinyConfig = (folder: string, steps = 6) => tinyConfigWith(folder, { steps, evalEvery: 0 });

function configProblems(text: string): string {
  try {
    decodeExperiment(YAML.parse(text), 'cfg');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

const BASE = `model: { nLayer: 1, nHead: 2, nEmbd: 8 }
training: { steps: 6, batchSize: 4, lr: 0.001 }
`;

describe('cli numbers', () => {
  it('accepts a negative seed', () => {
    expect(parseTrainArgs('run', ['quickstart', '--seed', '-5']).seed).toBe(-5);
  });

  it('names a negative step count', async () => {
    const capture = captureIo();
    expect(await main(['run', 'quickstart', '--steps', '-3'], capture.io)).toBe(2);
    expect(capture.stderr()).toContain("--steps must be an integer >= 1, got '-3'");
  });
});

describe('cli bad paths', () => {
  it('rejects a folder as config', async () => {
    const folder = temporaryFolder('cli-dir-source');
    const capture = captureIo();
    expect(await main(['run', folder], capture.io)).toBe(2);
    expect(capture.stderr()).toContain(`'${folder}' is a folder, not a preset or a config file`);
  });

  it('rejects a file as --out', async () => {
    const folder = temporaryFolder('cli-file-out');
    const file = join(folder, 'file.txt');
    writeFileSync(file, 'x');
    for (const out of [file, join(file, 'run')]) {
      const capture = captureIo();
      expect(await main(['train', tinyConfig(folder), '--out', out, '-q'], capture.io)).toBe(2);
      expect(capture.stderr()).toContain(`${file} is a file`);
      expect(capture.stderr()).toContain('choose another folder (--out)');
    }
  });

  it('exits 2 for missing eval and report paths', async () => {
    const missing = join(temporaryFolder('cli-missing'), 'nope');
    const evaluation = captureIo();
    expect(await main(['eval', missing], evaluation.io)).toBe(2);
    expect(evaluation.stderr()).toContain(`'${missing}' not found; pass a run folder`);
    const report = captureIo();
    expect(await main(['report', missing], report.io)).toBe(2);
    expect(report.stderr()).toContain(`'${missing}' not found; pass a run folder`);
  });

  it('names a checkpoint outside a run folder', async () => {
    const folder = temporaryFolder('cli-loose');
    const runDir = join(folder, 'run');
    expect(await main(['train', tinyConfig(folder, 2), '--out', runDir, '-q'], captureIo().io)).toBe(0);
    const loose = join(folder, 'loose.safetensors');
    copyFileSync(join(runDir, 'checkpoints', 'step-00000002.safetensors'), loose);
    const capture = captureIo();
    expect(await main(['eval', loose], capture.io)).toBe(2);
    expect(capture.stderr()).toContain(`checkpoint '${loose}' is not inside a run folder`);
  });
});

describe('cli run folders', () => {
  it('prints the used-folder error before progress', async () => {
    const folder = temporaryFolder('cli-order');
    const runDir = join(folder, 'run');
    mkdirSync(runDir);
    writeFileSync(join(runDir, 'config.json'), '{}');
    const capture = captureIo();
    expect(await main(['train', tinyConfig(folder), '--out', runDir], capture.io)).toBe(1);
    expect(capture.stderr()).toMatch(/^icl-lab: error: run folder .* already contains a run/);
  });

  it('keeps the records on a resume without checkpoint', async () => {
    const folder = temporaryFolder('cli-no-checkpoint');
    const runDir = join(folder, 'run');
    expect(await main(['train', tinyConfig(folder, 2), '--out', runDir, '-q'], captureIo().io)).toBe(0);
    const metrics = join(runDir, 'metrics.jsonl');
    const records = readFileSync(metrics, 'utf8');
    // Removing the checkpoints leaves a run that stopped before its first one.
    rmSync(join(runDir, 'checkpoints'), { recursive: true });
    const capture = captureIo();
    expect(await main(['train', '--out', runDir, '--resume', '-q'], capture.io)).toBe(1);
    expect(capture.stderr()).toContain('stopped before its first checkpoint');
    expect(readFileSync(metrics, 'utf8')).toBe(records);
  });

  it('exits 130 on Ctrl-C with the resume command', async () => {
    const folder = temporaryFolder('cli-interrupt');
    const runDir = join(folder, 'run');
    const others = process.listeners('SIGINT');
    process.removeAllListeners('SIGINT');
    let sent = false;
    const capture = captureIo((text) => {
      if (!sent && text.includes('step 1:')) {
        sent = true;
        process.emit('SIGINT');
      }
    });
    try {
      expect(await main(['train', tinyConfig(folder, 50), '--out', runDir], capture.io)).toBe(130);
    } finally {
      for (const listener of others) process.on('SIGINT', listener);
    }
    expect(capture.stderr()).toMatch(new RegExp(`icl-lab: interrupted at step 1; resume with 'icl-lab train --resume --out ${runDir}'`));
    expect(existsSync(join(runDir, 'checkpoints', 'step-00000001.safetensors'))).toBe(true);
    expect(process.listeners('SIGINT')).toEqual(others);
  });
});

describe('cli evaluation files', () => {
  it('keeps the final curve when evaluating an earlier checkpoint', async () => {
    const folder = temporaryFolder('cli-eval-keep');
    const runDir = join(folder, 'run');
    expect(await main(['run', tinyConfig(folder, 4), '--out', runDir, '-q'], captureIo().io)).toBe(0);
    const finalPath = join(runDir, 'icl-curve.json');
    const final = readFileSync(finalPath, 'utf8');
    expect(JSON.parse(final)).toMatchObject({ step: 4, checkpoint: join('checkpoints', 'step-00000004.safetensors') });

    expect(await main(['eval', join(runDir, 'checkpoints', 'step-00000002.safetensors'), '-q'], captureIo().io)).toBe(0);
    expect(readFileSync(finalPath, 'utf8')).toBe(final);
    const earlier = JSON.parse(readFileSync(join(runDir, 'eval', 'step-00000002', 'icl-curve.json'), 'utf8')) as { step: number; checkpoint: string };
    expect(earlier.step).toBe(2);
    expect(earlier.checkpoint).toBe(join('checkpoints', 'step-00000002.safetensors'));
  });
});

describe('config messages', () => {
  it('lists every sampling problem at its path', () => {
    const message = configProblems(`${BASE}task:
  dims: 3
  points: 5
  functions: [{ name: sparse_linear_regression, sparsity: 5 }]
  inputs: [{ name: studentT, df: 1.5, standardize: true }]
`);
    expect(message).toContain('(2 problems)');
    expect(message).toMatch(/\n {2}task\.functions\[0\]: .*sparsity 5 exceeds activeDims = 3/);
    expect(message).toMatch(/\n {2}task\.inputs\[0\]: studentT: standardize needs df > 2/);
  });

  it('names NaN and unsafe integers', () => {
    const message = configProblems(`model: { nLayer: 1, nHead: 2, nEmbd: 8 }
seed: 12345678901234567890
task: { dims: 2, points: 5, functions: [{ name: linear_regression }] }
training: { steps: 6, batchSize: 4, lr: .nan }
`);
    expect(message).toContain('training.lr: expected a number > 0, got NaN');
    expect(message).toContain('seed: expected an integer within the safe-integer range +-9007199254740991');
    expect(message).not.toContain('12345678901234567000');
  });

  it('rejects a ramp that ends after the last step', async () => {
    const capture = captureIo();
    expect(await main(['run', 'linear-curriculum', '--steps', '1000', '--out', join(temporaryFolder('cli-ramp'), 'run')], capture.io)).toBe(2);
    expect(capture.stderr()).toContain('task.curriculum.activeDims.interval: the ramp reaches its end 5 at step 1500, but training stops after 1000 steps');
    expect(capture.stderr()).toContain('set task.curriculum.activeDims.interval to at most 333 or training.steps to at least 1501');
    expect(capture.stderr()).toContain('task.curriculum.points.interval');
  });
});

describe('cli help', () => {
  it('lists every run-folder file', () => {
    for (const file of ['config.json', 'metrics.jsonl', 'checkpoints/', 'summary.md', 'icl-curve.json']) expect(HELP_TEXTS.run).toContain(file);
    expect(HELP_TEXTS.run).toContain('exits with code 130');
  });
});

describe('cli resume messages', () => {
  it('lists the changed fields of a resume', async () => {
    const folder = temporaryFolder('cli-hash');
    const runDir = join(folder, 'run');
    expect(await main(['train', tinyConfig(folder, 2), '--out', runDir, '-q'], captureIo().io)).toBe(0);
    const configPath = join(runDir, 'config.json');
    const config = JSON.parse(readFileSync(configPath, 'utf8')) as { training: { lr: number } };
    config.training.lr = 0.0005;
    writeFileSync(configPath, JSON.stringify(config));
    const capture = captureIo();
    expect(await main(['train', '--out', runDir, '--resume', '-q'], capture.io)).toBe(1);
    expect(capture.stderr()).toContain('training.lr: 0.001 in the checkpoint, 0.0005 now');
  });

  it('names the previous checkpoint of a truncated one', async () => {
    const folder = temporaryFolder('cli-truncated');
    const runDir = join(folder, 'run');
    expect(await main(['train', tinyConfig(folder, 4), '--out', runDir, '-q'], captureIo().io)).toBe(0);
    const newest = join(runDir, 'checkpoints', 'step-00000004.safetensors');
    truncateSync(newest, 100);
    for (const argv of [['eval', runDir, '-q'], ['train', '--out', runDir, '--resume', '-q']]) {
      const capture = captureIo();
      expect(await main(argv, capture.io)).toBe(1);
      expect(capture.stderr()).toContain(`checkpoint ${newest} is corrupt or truncated (`);
      expect(capture.stderr()).toContain(`the previous valid checkpoint is ${join(runDir, 'checkpoints', 'step-00000002.safetensors')} (step 2): delete ${newest}`);
    }
  });
});
