import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { decodeIclCurveResult } from '../../src/eval/index.js';
import { experimentPresetNames, openRun } from '../../src/experiment/index.js';
import { treeLeaves } from '../../src/index.js';
import { listCheckpoints, readMetrics, type TrainRecord } from '../../src/train/index.js';
import { temporaryFolder } from '../train/helpers.js';
import { captureIo, tinyConfig } from './helpers.js';

function bitsOf(tree: unknown): string[] {
  return treeLeaves(tree).map((t) => Buffer.from(new Float32Array(t.data()).buffer).toString('hex'));
}

describe('icl-lab run', () => {
  it('writes the whole run folder', async () => {
    const folder = temporaryFolder('cli-run');
    const runDir = join(folder, 'run');
    const capture = captureIo();
    const code = await main(['run', tinyConfig(folder), '--out', runDir, '--quiet'], capture.io);
    expect(capture.stderr()).toBe('');
    expect(code).toBe(0);

    const config = JSON.parse(readFileSync(join(runDir, 'config.json'), 'utf8')) as { name: string; training: { steps: number } };
    expect(config.name).toBe('tiny');
    expect(config.training.steps).toBe(6);

    const records = readMetrics(join(runDir, 'metrics.jsonl'));
    const train = records.filter((r): r is TrainRecord => r.kind === 'train');
    expect(train.map((r) => r.step)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(train[0]).toMatchObject({ task: 'linear_regression', data: 'gaussian', activeDims: 2, points: 5, lr: 0.001 });
    expect(records.filter((r) => r.kind === 'eval').map((r) => r.step)).toEqual([3, 6]);

    expect(listCheckpoints(join(runDir, 'checkpoints')).map((c) => c.step)).toEqual([2, 4, 6]);

    const curve = decodeIclCurveResult(JSON.parse(readFileSync(join(runDir, 'icl-curve.json'), 'utf8')));
    expect(curve.nPrompts).toBe(16);
    expect(Object.keys(curve.curves)).toEqual(expect.arrayContaining(['transformer', 'least_squares', 'averaging', 'zero']));

    for (const name of ['icl-curve.svg', 'loss.svg']) expect(readFileSync(join(runDir, name), 'utf8')).toContain('<svg');
    for (const name of ['icl-curve.png', 'loss.png']) expect(readFileSync(join(runDir, name)).subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    expect(readFileSync(join(runDir, 'table.md'), 'utf8')).toContain('| transformer |');
    expect(capture.stdout()).toContain('| transformer |');
    const summary = readFileSync(join(runDir, 'summary.md'), 'utf8');
    expect(summary).toMatch(/^# tiny\n\n- steps: 6 \(this invocation started at step 0\)\n- wall time: /);
    expect(summary).toContain('| transformer |');
    expect(summary).toContain('](icl-curve.png)');
  });

  it('resumes a run bit for bit', async () => {
    const folder = temporaryFolder('cli-resume');
    const config = tinyConfig(folder, { steps: 4, totalSteps: 8 });
    const straight = join(folder, 'straight');
    const split = join(folder, 'split');
    expect(await main(['train', config, '--out', straight, '--steps', '8', '-q'], captureIo().io)).toBe(0);
    expect(await main(['train', config, '--out', split, '-q'], captureIo().io)).toBe(0);
    expect(openRun(split).step).toBe(4);
    expect(await main(['train', '--out', split, '--resume', '--steps', '8', '-q'], captureIo().io)).toBe(0);

    const resumed = openRun(split);
    expect(resumed.step).toBe(8);
    expect(bitsOf(resumed.params)).toEqual(bitsOf(openRun(straight).params));
    const steps = readMetrics(join(split, 'metrics.jsonl')).filter((r) => r.kind === 'train').map((r) => r.step);
    expect(steps).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('evaluates and reports a trained run', async () => {
    const folder = temporaryFolder('cli-eval');
    const runDir = join(folder, 'run');
    expect(await main(['train', tinyConfig(folder), '--out', runDir, '-q'], captureIo().io)).toBe(0);
    expect(existsSync(join(runDir, 'icl-curve.json'))).toBe(false);

    const evaluation = captureIo();
    expect(await main(['eval', join(runDir, 'checkpoints', 'step-00000004.safetensors'), '--prompts', '8', '-q'], evaluation.io)).toBe(0);
    const earlier = join(runDir, 'eval', 'step-00000004-prompts-8');
    expect(decodeIclCurveResult(JSON.parse(readFileSync(join(earlier, 'icl-curve.json'), 'utf8'))).nPrompts).toBe(8);
    expect(evaluation.stdout()).toContain('| transformer |');
    expect(existsSync(join(runDir, 'icl-curve.json'))).toBe(false);

    expect(await main(['eval', runDir, '-q'], captureIo().io)).toBe(0);
    expect(decodeIclCurveResult(JSON.parse(readFileSync(join(runDir, 'icl-curve.json'), 'utf8'))).nPrompts).toBe(16);

    const report = captureIo();
    expect(await main(['report', runDir], report.io)).toBe(0);
    expect(report.stdout()).toContain(join(runDir, 'loss.png'));
    expect(existsSync(join(runDir, 'icl-curve.png'))).toBe(true);
    expect(existsSync(join(earlier, 'icl-curve.png'))).toBe(true);
  });

  it('stops on a NaN loss with exit code 1', async () => {
    const folder = temporaryFolder('cli-nan');
    const runDir = join(folder, 'run');
    const capture = captureIo();
    expect(await main(['train', tinyConfig(folder, { lr: 1e30 }), '--out', runDir, '-q'], capture.io)).toBe(1);
    expect(capture.stderr()).toMatch(/^icl-lab: training stopped at step \d+: the loss is (NaN|Infinity) on task linear_regression/);
    expect(readdirSync(join(runDir, 'checkpoints')).every((name) => !name.endsWith('.tmp'))).toBe(true);
  });

  it('keeps an existing run untouched', async () => {
    const folder = temporaryFolder('cli-used');
    const runDir = join(folder, 'run');
    const config = tinyConfig(folder);
    expect(await main(['train', config, '--out', runDir, '-q'], captureIo().io)).toBe(0);
    const metrics = readFileSync(join(runDir, 'metrics.jsonl'));
    const capture = captureIo();
    expect(await main(['run', config, '--out', runDir, '-q'], capture.io)).toBe(1);
    expect(capture.stderr()).toContain('already contains a run; resume it (--resume) or choose another folder (--out)');
    expect(readFileSync(join(runDir, 'metrics.jsonl')).equals(metrics)).toBe(true);
  });
});

describe('icl-lab usage errors', () => {
  const cases: [string[], RegExp][] = [
    [['frob'], /unknown command 'frob'; commands: run, train, eval, report, presets/],
    [['run', 'quickstart', '--bogus'], /run: Unknown option '--bogus'/],
    [['run', 'quickstart', '--steps', 'ten'], /--steps must be an integer >= 1, got 'ten'/],
    [['run', 'quickstart', '--backend', 'tpu'], /unknown backend 'tpu' for --backend; known backends: cpu/],
    [['run', 'no-such-preset'], /'no-such-preset' is neither a preset nor a config file; presets: quickstart/],
    [['train'], /train needs a preset name or a config file/],
    [['eval'], /eval takes one run folder or checkpoint file, got 0/],
  ];
  for (const [argv, message] of cases) {
    it(`exits 2 for ${argv.join(' ')}`, async () => {
      const capture = captureIo();
      expect(await main(argv, capture.io)).toBe(2);
      expect(capture.stderr()).toMatch(message);
    });
  }

  it('exits 2 for an invalid config', async () => {
    const folder = temporaryFolder('cli-bad');
    const path = join(folder, 'bad.json');
    writeFileSync(path, JSON.stringify({ model: { nLayer: 0, nHead: 1, nEmbd: 4 }, task: { dims: 2, points: 3, functions: [] }, training: { steps: 1, batchSize: 1, lr: 1 } }));
    const runDir = join(folder, 'run');
    const capture = captureIo();
    expect(await main(['run', path, '--out', runDir], capture.io)).toBe(2);
    expect(capture.stderr()).toContain('invalid config (2 problems):\n  model.nLayer: expected an integer >= 1, got 0\n  task.functions: expected a list of at least 1');
    expect(existsSync(runDir)).toBe(false);
  });
});

describe('icl-lab help and presets', () => {
  it('prints help for every command', async () => {
    for (const command of ['run', 'train', 'eval', 'report', 'presets']) {
      const capture = captureIo();
      expect(await main([command, '--help'], capture.io)).toBe(0);
      expect(capture.stdout()).toMatch(new RegExp(`^Usage: icl-lab ${command}`));
    }
    const overview = captureIo();
    expect(await main(['--help'], overview.io)).toBe(0);
    expect(overview.stdout()).toContain('Exit codes: 0 success, 1 the run failed');
  });

  it('lists every preset', async () => {
    const capture = captureIo();
    expect(await main(['presets'], capture.io)).toBe(0);
    for (const name of experimentPresetNames()) expect(capture.stdout()).toContain(`| ${name} |`);
    expect(capture.stdout()).toContain('| quickstart | 5 | 16 | 3/2/64 | 64 | 8000 |');
  });

  it('runs through the bin entry', () => {
    const result = spawnSync(process.execPath, ['bin/icl-lab.mjs', 'presets'], { encoding: 'utf8', timeout: 60_000 });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('| quickstart |');
  });
});

describe('icl-lab run with several targets', () => {
  it('reports every target in its own folder', async () => {
    const folder = temporaryFolder('cli-targets');
    const config = join(folder, 'mixed.yaml');
    writeFileSync(
      config,
      `model: { nLayer: 1, nHead: 1, nEmbd: 4 }
task:
  dims: 2
  points: 4
  functions: [{ name: linear_regression }, { name: quadratic_regression }]
  curriculum: { tasks: { mode: mixed } }
training: { steps: 2, batchSize: 2, lr: 0.001, evalEvery: 0 }
eval: { prompts: 8, baselines: [least_squares, zero] }
`,
    );
    const runDir = join(folder, 'run');
    expect(await main(['run', config, '--out', runDir, '-q'], captureIo().io)).toBe(0);
    expect(readMetrics(join(runDir, 'metrics.jsonl')).some((r) => r.kind === 'eval')).toBe(false);
    const first = decodeIclCurveResult(JSON.parse(readFileSync(join(runDir, 'icl-curve.json'), 'utf8')));
    expect(first.task).toBe('linear_regression');
    const second = join(runDir, 'eval', 'quadratic_regression_on_gaussian');
    expect(decodeIclCurveResult(JSON.parse(readFileSync(join(second, 'icl-curve.json'), 'utf8'))).task).toBe('quadratic_regression');
    for (const name of ['icl-curve.svg', 'icl-curve.png', 'table.md']) expect(existsSync(join(second, name))).toBe(true);
    expect(existsSync(join(second, 'loss.png'))).toBe(false);
  });
});
