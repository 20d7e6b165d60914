import { describe, expect, it } from 'vitest';
import {
  buildData,
  buildOptimizer,
  evalTargets,
  experimentPreset,
  experimentPresets,
  learningRateAt,
  resolveExperiment,
  transformerConfigOf,
  transformerModel,
} from '../../src/experiment/index.js';
import { key, sliceAxis } from '../../src/index.js';
import { runKeys } from '../../src/train/index.js';

describe('experiment presets', () => {
  it('include quickstart at the linear-regression sizes', () => {
    const quickstart = resolveExperiment(experimentPreset('quickstart').experiment);
    expect(quickstart.model).toEqual({ nLayer: 3, nHead: 2, nEmbd: 64, readInOutInit: 'pytorch' });
    expect(quickstart.task).toMatchObject({ dims: 5, points: 16, functions: [{ name: 'linear_regression' }] });
    expect(quickstart.training).toMatchObject({ batchSize: 64, lr: 1e-3, optimizer: { name: 'adam', beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 } });
    expect(quickstart.training.steps).toBeGreaterThanOrEqual(4000);
    expect(quickstart.training.steps).toBeLessThanOrEqual(8000);
    expect(quickstart.eval.prompts).toBe(1280);
  });

  it('names unknown presets with the known ones', () => {
    expect(() => experimentPreset('quickstrat')).toThrow(/unknown preset 'quickstrat'; known presets: quickstart, linear-curriculum/);
  });

  // Each preset starts: its curriculum draws the first batch, and its Transformer gives a finite
  // loss on the first two prompts of that batch. Full steps at these sizes take seconds each on
  // the cpu backend, so the loss runs on a slice.
  for (const preset of experimentPresets()) {
    it(`${preset.name} starts`, () => {
      const experiment = resolveExperiment(preset.experiment, preset.name);
      const keys = runKeys(key(experiment.seed));
      const batch = buildData(experiment)(keys)(0);
      expect(batch.xs.shape).toEqual([experiment.training.batchSize, batch.plan.points, experiment.task.dims]);
      expect(batch.plan.points).toBeLessThanOrEqual(experiment.task.points);

      const model = transformerModel(transformerConfigOf(experiment));
      const params = model.init(keys.init);
      const loss = model.loss(params, sliceAxis(batch.xs, 0, 0, 2), sliceAxis(batch.ys, 0, 0, 2)).item();
      expect(Number.isFinite(loss)).toBe(true);
      expect(buildOptimizer(experiment.training).init(params).step.item()).toBe(0);
      expect(learningRateAt(experiment.training)(1)).toBe(experiment.training.lr);
      expect(evalTargets(experiment).length).toBeGreaterThanOrEqual(1);
    });
  }
});
