import { fc, test as fcTest } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { key } from '../../src/core/prng.js';
import {
  FULL_STEPS,
  boundaries,
  buildCurriculum,
  constant,
  curriculum,
  listPresets,
  planRange,
  preset,
  presetNames,
  ramp,
  taskSchedule,
} from '../../src/curricula/index.js';
import { makeFunctionClass, makeInputDistribution, promptBatch } from '../../src/tasks/index.js';
import { curriculumSpecs, keys } from '../../src/testing/arbitraries.js';

describe('curriculum composition', () => {
  fcTest.prop([curriculumSpecs(), keys(), fc.nat()], { numRuns: 60 })('resuming at s equals running through s', (spec, k, offset) => {
    const plan = buildCurriculum(spec);
    const total = Math.min(spec.totalSteps, 300);
    const resumeAt = offset % total;
    const uninterrupted = planRange(plan, k, 0, total);
    expect(planRange(plan, k, resumeAt, total)).toEqual(uninterrupted.slice(resumeAt));
  });

  fcTest.prop([curriculumSpecs(), keys()], { numRuns: 60 })('same key gives the same stream', (spec, k) => {
    const total = Math.min(spec.totalSteps, 200);
    expect(planRange(buildCurriculum(spec), k, 0, total)).toEqual(planRange(buildCurriculum(spec), k, 0, total));
  });

  fcTest.prop([curriculumSpecs(), keys()], { numRuns: 60 })('plans stay in range', (spec, k) => {
    let taskCount = 1;
    if (spec.tasks !== undefined) taskCount = 'weights' in spec.tasks ? spec.tasks.weights.length : spec.tasks.count;
    const dataCount = spec.data?.count ?? 1;
    for (const plan of planRange(buildCurriculum(spec), k, 0, Math.min(spec.totalSteps, 200))) {
      expect(plan.task).toBeLessThan(taskCount);
      expect(plan.data).toBeLessThan(dataCount);
      expect(plan.activeDims).toBeGreaterThanOrEqual(1);
      expect(plan.points).toBeGreaterThanOrEqual(1);
    }
  });

  it('random schedules differ across keys', () => {
    const plan = curriculum({ task: taskSchedule('random', 3, 1000), activeDims: constant(5), points: constant(10) });
    expect(planRange(plan, key(1), 0, 50)).not.toEqual(planRange(plan, key(2), 0, 50));
  });

  it('task and data draw independently', () => {
    const plan = buildCurriculum({
      totalSteps: 4000,
      tasks: { mode: 'random', count: 2 },
      data: { mode: 'random', count: 2 },
      activeDims: 3,
      points: 4,
    });
    const plans = planRange(plan, key(3), 0, 4000);
    const agreements = plans.filter((p) => p.task === p.data).length / plans.length;
    // Independent fair coins agree half the time; the standard error is 1 / (2 sqrt(N)).
    expect(Math.abs(agreements - 0.5)).toBeLessThan(6 / (2 * Math.sqrt(plans.length)));
  });

  it('sizes follow their ramps', () => {
    const plan = curriculum({
      activeDims: ramp({ start: 5, end: 20, increment: 1, interval: 2000 }),
      points: ramp({ start: 11, end: 41, increment: 2, interval: 2000 }),
    });
    expect(plan(0, key(0))).toEqual({ task: 0, data: 0, activeDims: 5, points: 11 });
    expect(plan(4000, key(0))).toEqual({ task: 0, data: 0, activeDims: 7, points: 15 });
    expect(plan(30000, key(0))).toEqual({ task: 0, data: 0, activeDims: 20, points: 41 });
  });

  it('rejects invalid specs', () => {
    expect(() => buildCurriculum({ totalSteps: 0, activeDims: 5, points: 10 })).toThrow(/totalSteps must be an integer >= 1, got 0/);
    expect(() => buildCurriculum({ totalSteps: 10, activeDims: 0, points: 10 })).toThrow(/activeDims must be an integer >= 1, got 0/);
    expect(() =>
      buildCurriculum({ totalSteps: 10, tasks: { weights: [1, 1] }, data: { mode: 'sequential', count: 2, split: 'blocks_based' }, activeDims: 5, points: 5 }),
    ).toThrow(/blocks_based' needs a mode-based task schedule/);
    expect(() => planRange(buildCurriculum({ totalSteps: 10, activeDims: 5, points: 10 }), key(0), 5, 4)).toThrow(/to must be an integer >= from/);
  });
});

describe('presets', () => {
  it('names are unique and every preset resolves', () => {
    const names = presetNames();
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(preset(name).name).toBe(name);
    expect(() => preset('hermite-curriculum')).toThrow(/unknown preset 'hermite-curriculum'; expected one of/);
  });

  it('covers the papers at both sizes', () => {
    const names = new Set(presetNames());
    for (const mode of ['sequential', 'mixed', 'random']) {
      expect(names.has(`hermite-${mode}`)).toBe(true);
      expect(names.has(`hermite-${mode}-scaled`)).toBe(true);
      expect(names.has(`data-${mode}`)).toBe(true);
      expect(names.has(`data-${mode}-scaled`)).toBe(true);
    }
    for (const task of ['linear', 'quadratic', 'cubic']) expect(names.has(`hermite-single-${task}`)).toBe(true);
    for (const task of ['linear', 'sparse', 'tree', 'relu']) expect(names.has(`garg-${task}`)).toBe(true);
    expect(names.has('garg-linear-scaled')).toBe(true);
  });

  it('full-size presets use T = 500001', () => {
    for (const entry of listPresets().filter((p) => p.size === 'full')) {
      expect(entry.spec.totalSteps).toBe(FULL_STEPS);
      expect(entry.dims).toBe(20);
      expect(entry.batchSize).toBe(64);
    }
    expect(boundaries(3, preset('hermite-mixed').spec.totalSteps)).toEqual([166667, 333334, 500001]);
  });

  it('Hermite presets order linear, quadratic, cubic', () => {
    const entry = preset('hermite-mixed');
    expect(entry.tasks).toEqual([
      { name: 'hermite_regression', degree: 1 },
      { name: 'hermite_regression', degree: 2 },
      { name: 'hermite_regression', degree: 3 },
    ]);
    expect(entry.points).toBe(100);
    const scaled = preset('hermite-mixed-scaled');
    expect([scaled.dims, scaled.points, scaled.batchSize, scaled.spec.totalSteps]).toEqual([5, 25, 32, 6000]);
  });

  it('data presets use gaussian, skewed, studentT(df=4)', () => {
    const entry = preset('data-sequential-scaled');
    expect(entry.data.map((spec) => spec.name)).toEqual(['gaussian', 'skewed', 'studentT']);
    expect([entry.dims, entry.points]).toEqual([8, 24]);
    const plans = planRange(entry.curriculum, key(0), 0, entry.spec.totalSteps);
    expect(plans[0].data).toBe(0);
    expect(plans[2500].data).toBe(1);
    expect(plans[5999].data).toBe(2);
  });

  it("Garg presets ramp to d and n by step 30000", () => {
    expect(preset('garg-linear').curriculum(30000, key(0))).toMatchObject({ activeDims: 20, points: 41 });
    expect(preset('garg-tree').curriculum(30000, key(0))).toMatchObject({ activeDims: 20, points: 101 });
    expect(preset('garg-relu').curriculum(0, key(0))).toMatchObject({ activeDims: 5, points: 26 });
    expect(preset('garg-linear-scaled').curriculum(2000, key(0))).toMatchObject({ activeDims: 5, points: 16 });
  });

  it('every preset samples a prompt batch at its first and last step', () => {
    for (const entry of listPresets().filter((p) => p.size === 'scaled')) {
      for (const step of [0, entry.spec.totalSteps - 1]) {
        const plan = entry.curriculum(step, key(0));
        const batch = promptBatch({
          inputs: makeInputDistribution(entry.data[plan.data]),
          functions: makeFunctionClass(entry.tasks[plan.task]),
          points: plan.points,
          dims: entry.dims,
          activeDims: plan.activeDims,
          batchSize: 2,
        })(key(step));
        expect(batch.xs.shape).toEqual([2, plan.points, entry.dims]);
      }
    }
  });
});
