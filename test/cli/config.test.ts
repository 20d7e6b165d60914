import { fc, test as fcTest } from '@fast-check/vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  configHash,
  decodeExperiment,
  differingPaths,
  experimentPreset,
  experimentPresets,
  readExperimentFile,
  resolveExperiment,
  type ExperimentInput,
} from '../../src/experiment/index.js';
import { functionClassSpecs } from '../../src/testing/arbitraries.js';
import { temporaryFolder } from '../train/helpers.js';

const quickstart = experimentPreset('quickstart').experiment;

function problemsOf(value: unknown): { path: string; message: string }[] {
  try {
    decodeExperiment(value, 'test.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return [...(error as ConfigError).problems];
  }
  throw new Error('expected the config to be rejected');
}

/** Sets the value at a dotted path (no array indices) in a deep copy. */
function withValue(value: unknown, path: string, replacement: unknown): unknown {
  const copy = JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
  const keys = path.split('.');
  let node = copy;
  for (const k of keys.slice(0, -1)) node = node[k] as Record<string, unknown>;
  node[keys[keys.length - 1]] = replacement;
  return copy;
}

describe('experiment configs', () => {
  it('lists every problem by path', () => {
    const problems = problemsOf({
      model: { nLayer: 0, nHead: 3, nEmbd: 64, extra: 1 },
      task: {
        dims: 5,
        points: 'x',
        functions: [{ name: 'hermite_regression', degree: 7 }, { name: 'nope' }],
        curriculum: { tasks: { mode: 'mixd' }, activeDims: { start: 1, end: 9 } },
      },
      training: { steps: 10, lr: -1, schedule: { name: 'cosine', warmup: -1 } },
      eval: { baselines: ['least_squares', 'ols'] },
    });
    expect(problems.map((p) => p.path)).toEqual([
      'model.nLayer',
      'model.extra',
      'task.points',
      'task.functions[0].degree',
      'task.functions[1].name',
      'task.curriculum.tasks.mode',
      'task.curriculum.activeDims.increment',
      'task.curriculum.activeDims.interval',
      'training.batchSize',
      'training.lr',
      'training.schedule.warmup',
      'eval.baselines[1]',
    ]);
    expect(problems[0].message).toBe('expected an integer >= 1, got 0');
    expect(problems[1].message).toMatch(/^unknown field; model has the fields nLayer, nHead, nEmbd/);
    expect(problems[3].message).toBe('expected an integer in [1, 4], got 7');
    expect(problems[8].message).toBe('expected an integer >= 1, got nothing (the field is missing)');
    expect(problems[9].message).toBe('expected a number > 0, got -1');
  });

  it('checks rules across fields', () => {
    const problems = problemsOf({
      model: { nLayer: 1, nHead: 3, nEmbd: 64 },
      task: {
        dims: 5,
        points: 10,
        functions: [{ name: 'linear_regression' }, { name: 'quadratic_regression' }],
        curriculum: { totalSteps: 5, activeDims: { start: 2, end: 9, increment: 1, interval: 10 }, points: 12 },
      },
      training: { steps: 10, lr: 1, batchSize: 2 },
      eval: { quickKs: [3, 10] },
    });
    expect(problems.map((p) => p.path)).toEqual([
      'model.nHead',
      'task.functions',
      'task.curriculum.activeDims.end',
      'task.curriculum.points',
      'training.steps',
      'eval.quickKs[1]',
    ]);
    expect(problems[0].message).toBe('must divide model.nEmbd = 64, got 3');
  });

  it('rejects a class that cannot be sampled', () => {
    const config = withValue(quickstart, 'task.functions', [{ name: 'sparse_linear_regression', sparsity: 9 }]);
    const problems = problemsOf(config);
    expect(problems).toHaveLength(1);
    expect(problems[0].path).toBe('task.functions[0]');
    expect(problems[0].message).toMatch(/cannot be sampled with 5 active dims and 16 points: .*sparsity/);
  });

  const mutations: [string, unknown][] = [
    ['seed', 1.5],
    ['backend', 'tpu'],
    ['model.nLayer', -1],
    ['model.nEmbd', 'wide'],
    ['task.dims', 0],
    ['training.steps', 0],
    ['training.batchSize', 2.5],
    ['training.lr', 0],
    ['training.keepLast', 0],
    ['training.evalEvery', -3],
  ];
  fcTest.prop([fc.subarray(mutations, { minLength: 1 })])('reports each broken field once', (chosen) => {
    const config = chosen.reduce<unknown>((value, [path, bad]) => withValue(value, path, bad), quickstart);
    const paths = problemsOf(config).map((p) => p.path);
    expect([...paths].sort()).toEqual(chosen.map(([path]) => path).sort());
  });

  it('resolves every preset to a config that decodes to itself', () => {
    for (const preset of experimentPresets()) {
      const resolved = resolveExperiment(preset.experiment, preset.name);
      const again = decodeExperiment(JSON.parse(JSON.stringify(resolved)), 'config.json');
      expect(again).toEqual(resolved);
      expect(configHash(again)).toBe(configHash(resolved));
    }
  });

  fcTest.prop([functionClassSpecs(5), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 9 })], { numRuns: 40 })(
    'round-trips or fails with paths',
    (spec, steps, points) => {
      const input: ExperimentInput = { ...quickstart, task: { dims: 5, points, functions: [spec] }, training: { steps, batchSize: 2, lr: 1e-3 } };
      let resolved;
      try {
        resolved = resolveExperiment(input, 'generated');
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        for (const problem of (error as ConfigError).problems) expect(problem.path).toMatch(/^[a-z]/);
        return;
      }
      expect(decodeExperiment(JSON.parse(JSON.stringify(resolved)), 'config.json')).toEqual(resolved);
    },
  );

  it('hashes only numbers-deciding fields', () => {
    const base = resolveExperiment(quickstart);
    const moreSteps = resolveExperiment({ ...quickstart, training: { ...quickstart.training, steps: quickstart.training.steps + 2000 } });
    const explicitT = resolveExperiment({ ...quickstart, task: { ...quickstart.task, curriculum: { totalSteps: quickstart.training.steps } }, training: { ...quickstart.training, steps: 3000 } });
    expect(configHash(explicitT)).toBe(configHash(base));
    expect(configHash(moreSteps)).not.toBe(configHash(base));
    expect(differingPaths(base, moreSteps).sort()).toEqual(['task.curriculum.totalSteps', 'training.steps']);
    expect(configHash(resolveExperiment({ ...quickstart, seed: 1 }))).not.toBe(configHash(base));
    expect(configHash(resolveExperiment({ ...quickstart, training: { ...quickstart.training, checkpointEvery: 7 } }))).toBe(configHash(base));
  });
});

describe('config files', () => {
  it('reads YAML and names the experiment after the file', () => {
    const folder = temporaryFolder('yaml');
    const path = join(folder, 'my-run.yaml');
    writeFileSync(path, 'model: {nLayer: 1, nHead: 1, nEmbd: 4}\ntask: {dims: 2, points: 3, functions: [{name: linear_regression}]}\ntraining: {steps: 2, batchSize: 2, lr: 0.01}\n');
    const experiment = readExperimentFile(path);
    expect(experiment.name).toBe('my-run');
    expect(experiment.task.curriculum).toEqual({ totalSteps: 2, tasks: { mode: 'single', count: 1 }, activeDims: 2, points: 3 });
  });

  it('names the file on a syntax error', () => {
    const folder = temporaryFolder('syntax');
    const yamlPath = join(folder, 'broken.yaml');
    writeFileSync(yamlPath, 'model: {nLayer: 1\n');
    expect(() => readExperimentFile(yamlPath)).toThrow(/broken\.yaml: invalid config \(1 problem\):\n  \(file\): not valid YAML/);
    const jsonPath = join(folder, 'broken.json');
    writeFileSync(jsonPath, '{"model": ');
    expect(() => readExperimentFile(jsonPath)).toThrow(/not valid JSON/);
    const tomlPath = join(folder, 'config.toml');
    writeFileSync(tomlPath, '');
    expect(() => readExperimentFile(tomlPath)).toThrow(/unknown extension '\.toml'; expected \.yaml, \.yml or \.json/);
  });
});
