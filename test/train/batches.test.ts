import { fc, test as fcTest } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { buildCurriculum } from '../../src/curricula/index.js';
import { key } from '../../src/index.js';
import { gaussian, linearRegression, quadraticRegression } from '../../src/tasks/index.js';
import { curriculumBatches, runKeys } from '../../src/train/index.js';
import { keys } from '../../src/testing/arbitraries.js';

const data = curriculumBatches({
  curriculum: buildCurriculum({ totalSteps: 40, tasks: { mode: 'sequential', count: 2 }, activeDims: { start: 1, end: 3, increment: 1, interval: 10 }, points: 4 }),
  tasks: [linearRegression(), quadraticRegression()],
  data: [gaussian()],
  dims: 3,
  batchSize: 2,
});

describe('curriculumBatches', () => {
  fcTest.prop([keys(), fc.integer({ min: 0, max: 39 })], { numRuns: 30 })('draws the same batch for the same step', (runKey, step) => {
    const first = data(runKeys(runKey))(step);
    const again = data(runKeys(runKey))(step);
    expect(again.plan).toEqual(first.plan);
    expect(Array.from(again.xs.data())).toEqual(Array.from(first.xs.data()));
    expect(Array.from(again.ys.data())).toEqual(Array.from(first.ys.data()));
  });

  fcTest.prop([keys(), fc.integer({ min: 0, max: 39 })], { numRuns: 30 })('follows the curriculum plan', (runKey, step) => {
    const batch = data(runKeys(runKey))(step);
    // Block 0 of boundaries(2, 40) = [20, 40] runs through step 20 inclusive.
    expect(batch.task).toBe(step <= 20 ? 'linear_regression' : 'quadratic_regression');
    expect(batch.plan.activeDims).toBe(Math.min(1 + Math.floor(step / 10), 3));
    const xs = batch.xs.data();
    for (let i = 0; i < xs.length; i++) if (i % 3 >= batch.plan.activeDims) expect(xs[i]).toBe(0);
  });

  it('draws different batches at different steps', () => {
    const source = data(runKeys(key(0)));
    expect(Array.from(source(25).xs.data())).not.toEqual(Array.from(source(26).xs.data()));
  });

  it('names the step of a plan without a task', () => {
    const broken = curriculumBatches({
      curriculum: buildCurriculum({ totalSteps: 10, tasks: { mode: 'sequential', count: 3 }, activeDims: 2, points: 3 }),
      tasks: [linearRegression()],
      data: [gaussian()],
      dims: 2,
      batchSize: 1,
    })(runKeys(key(0)));
    expect(() => broken(9)).toThrow(/step 9 plans task 2 but only 1 function classes are given/);
  });
});
