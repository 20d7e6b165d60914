import { fc, test as fcTest } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { foldIn, key } from '../../src/core/prng.js';
import {
  blockOf,
  boundaries,
  constant,
  dataSchedule,
  ramp,
  taskSchedule,
  weightedSchedule,
  type Schedule,
} from '../../src/curricula/index.js';
import { keys } from '../../src/testing/arbitraries.js';

/** Runs a schedule over steps from..to-1 with the per-step key foldIn(k, step). */
function run(schedule: Schedule, k: ReturnType<typeof key>, from: number, to: number): number[] {
  const out: number[] = [];
  for (let step = from; step < to; step++) out.push(schedule(step, foldIn(k, step)));
  return out;
}

const countsAndSteps = fc.record({ count: fc.integer({ min: 1, max: 6 }), totalSteps: fc.integer({ min: 1, max: 600 }) });

describe('boundaries', () => {
  it('T = 500001, K = 3', () => {
    expect(boundaries(3, 500001)).toEqual([166667, 333334, 500001]);
  });

  it('block 0 also takes step T/K', () => {
    const cuts = boundaries(3, 500001);
    expect(blockOf(cuts, 0)).toBe(0);
    expect(blockOf(cuts, 166667)).toBe(0);
    expect(blockOf(cuts, 166668)).toBe(1);
    expect(blockOf(cuts, 333334)).toBe(1);
    expect(blockOf(cuts, 333335)).toBe(2);
    expect(blockOf(cuts, 500000)).toBe(2);
    expect(() => blockOf(cuts, 500002)).toThrow(/past the last boundary/);
  });

  fcTest.prop([countsAndSteps])('sizes are q+1 then q', ({ count, totalSteps }) => {
    const cuts = boundaries(count, totalSteps);
    const q = Math.floor(totalSteps / count);
    const r = totalSteps % count;
    expect(cuts.length).toBe(count);
    expect(cuts[count - 1]).toBe(totalSteps);
    cuts.forEach((cut, j) => expect(cut - (j === 0 ? 0 : cuts[j - 1])).toBe(j < r ? q + 1 : q));
  });

  fcTest.prop([countsAndSteps])('blocks partition [0, T)', ({ count, totalSteps }) => {
    const cuts = boundaries(count, totalSteps);
    const blockCounts = new Array<number>(count).fill(0);
    let previous = 0;
    const outsideBlock: number[] = [];
    const decreasing: number[] = [];
    for (let step = 0; step < totalSteps; step++) {
      const block = blockOf(cuts, step);
      const first = block === 0 ? 0 : cuts[block - 1] + 1;
      if (step < first || step > cuts[block]) outsideBlock.push(step);
      if (block < previous) decreasing.push(step);
      previous = block;
      blockCounts[block] += 1;
    }
    expect(outsideBlock).toEqual([]);
    expect(decreasing).toEqual([]);
    expect(blockCounts.reduce((a, b) => a + b, 0)).toBe(totalSteps);
    expect(blockCounts[0]).toBe(Math.min(cuts[0] + 1, totalSteps));
  });

  it('rejects invalid counts', () => {
    expect(() => boundaries(0, 10)).toThrow(/count \(K\) must be an integer >= 1, got 0/);
    expect(() => boundaries(3, Number.NaN)).toThrow(/totalSteps \(T\) must be an integer >= 1, got NaN/);
  });
});

describe('task schedules', () => {
  fcTest.prop([countsAndSteps])('sequential is block(i) and monotone', ({ count, totalSteps }) => {
    const cuts = boundaries(count, totalSteps);
    const values = run(taskSchedule('sequential', count, totalSteps), key(0), 0, totalSteps);
    expect(values).toEqual(values.map((_, step) => blockOf(cuts, step)));
    expect(values.filter((value, step) => step > 0 && value < values[step - 1])).toEqual([]);
  });

  fcTest.prop([countsAndSteps, keys()])('mixed draws only from the prefix', ({ count, totalSteps }, k) => {
    const cuts = boundaries(count, totalSteps);
    const values = run(taskSchedule('mixed', count, totalSteps), k, 0, totalSteps);
    expect(values.filter((value) => value < 0)).toEqual([]);
    expect(values.filter((value, step) => value > blockOf(cuts, step))).toEqual([]);
  });

  it('mixed covers the whole prefix in the last block', () => {
    const values = run(taskSchedule('mixed', 3, 6000), key(1), 4001, 6000);
    expect(new Set(values)).toEqual(new Set([0, 1, 2]));
  });

  fcTest.prop([fc.integer({ min: 1, max: 5 }), keys()])('random covers all tasks', (count, k) => {
    // Missing one of 5 tasks in 400 uniform draws has probability below 5 * 0.8^400 ≈ 1e-38.
    const values = run(taskSchedule('random', count, 1000), k, 0, 400);
    expect(new Set(values).size).toBe(count);
    for (const value of values) expect(value).toBeLessThan(count);
  });

  it('single is always 0', () => {
    expect(new Set(run(taskSchedule('single', 1, 100), key(2), 0, 100))).toEqual(new Set([0]));
    expect(() => taskSchedule('single', 3, 100)).toThrow(/mode 'single' needs count 1, got 3/);
  });

  it('mixed gives the last task about a ninth of the steps', () => {
    // The last of 3 blocks has T/3 steps, each choosing task 2 with probability 1/3.
    const totalSteps = 6000;
    const values = run(taskSchedule('mixed', 3, totalSteps), key(3), 0, totalSteps);
    const cubic = values.filter((value) => value === 2).length;
    const expected = 1999 / 3;
    expect(Math.abs(cubic - expected)).toBeLessThan(6 * Math.sqrt(1999 * (1 / 3) * (2 / 3)));
  });

  it('rejects steps outside [0, T)', () => {
    const schedule = taskSchedule('sequential', 3, 10);
    expect(() => schedule(10, key(0))).toThrow(/step 10 is outside the schedule's 10 steps/);
    expect(() => schedule(-1, key(0))).toThrow(/step must be an integer >= 0, got -1/);
    expect(() => schedule(1.5, key(0))).toThrow(/got 1.5/);
  });

  it('rejects unknown modes', () => {
    expect(() => taskSchedule('mixed_sequential' as never, 3, 10)).toThrow(/mode must be one of single, sequential, mixed, random/);
  });

  it('weighted mixture follows weights', () => {
    const values = run(weightedSchedule([1, 0, 3]), key(4), 0, 20000);
    expect(values.includes(1)).toBe(false);
    const share = values.filter((value) => value === 0).length / values.length;
    expect(Math.abs(share - 0.25)).toBeLessThan(6 * Math.sqrt((0.25 * 0.75) / values.length));
    expect(() => weightedSchedule([0, 0])).toThrow(/positive sum/);
    expect(() => weightedSchedule([1, Number.NaN])).toThrow(/weight 1 must be a finite number >= 0, got NaN/);
  });
});

describe('data schedules', () => {
  it('steps_based cuts [0, T] into equal parts', () => {
    const schedule = dataSchedule({ mode: 'sequential', count: 3, totalSteps: 500001 });
    expect(schedule(166667, key(0))).toBe(0);
    expect(schedule(166668, key(0))).toBe(1);
    expect(schedule(400000, key(0))).toBe(2);
  });

  it('blocks_based restarts the cut at 0 in each task block', () => {
    const schedule = dataSchedule({ mode: 'sequential', count: 3, totalSteps: 500001, split: 'blocks_based', tasks: { mode: 'sequential', count: 3 } });
    // Task block 0 ends at 166667, cut into [55556, 111112, 166667].
    expect(schedule(55556, key(0))).toBe(0);
    expect(schedule(55557, key(0))).toBe(1);
    expect(schedule(166667, key(0))).toBe(2);
    // Task block 1 ends at 333334, cut into [111112, 222223, 333334], so distribution 0 never appears.
    expect(schedule(166668, key(0))).toBe(1);
    expect(schedule(222224, key(0))).toBe(2);
    // Task block 2 ends at 500001, cut into [166667, 333334, 500001]: only distribution 2.
    expect(schedule(333335, key(0))).toBe(2);
  });

  fcTest.prop([countsAndSteps, fc.constantFrom('sequential' as const, 'mixed' as const), keys()])(
    'single task: both splits agree',
    ({ count, totalSteps }, mode, k) => {
      const steps = dataSchedule({ mode, count, totalSteps, split: 'steps_based' });
      const blocks = dataSchedule({ mode, count, totalSteps, split: 'blocks_based', tasks: { mode: 'single', count: 1 } });
      expect(run(blocks, k, 0, totalSteps)).toEqual(run(steps, k, 0, totalSteps));
    },
  );

  it('blocks_based with random tasks needs random data', () => {
    const options = { count: 3, totalSteps: 100, split: 'blocks_based' as const, tasks: { mode: 'random' as const, count: 3 } };
    expect(() => dataSchedule({ ...options, mode: 'sequential' })).toThrow(/random task schedule has no task block/);
    expect(() => dataSchedule({ ...options, mode: 'mixed' })).toThrow(/use data mode 'random'/);
    const schedule = dataSchedule({ ...options, mode: 'random' });
    expect(new Set(run(schedule, key(5), 0, 100))).toEqual(new Set([0, 1, 2]));
    expect(() => dataSchedule({ mode: 'sequential', count: 3, totalSteps: 100, split: 'blocks_based' })).toThrow(/needs the task schedule/);
  });
});

describe('ramp', () => {
  const ramps = fc.record({
    start: fc.integer({ min: 1, max: 30 }),
    extra: fc.integer({ min: 0, max: 40 }),
    increment: fc.integer({ min: 0, max: 6 }),
    interval: fc.integer({ min: 1, max: 300 }),
  });

  fcTest.prop([ramps])('monotone and clamped at the end', ({ start, extra, increment, interval }) => {
    const end = start + extra;
    const schedule = ramp({ start, end, increment, interval });
    let previous = schedule(0, key(0));
    expect(previous).toBe(start);
    for (let step = 1; step < 40 * interval; step += Math.max(1, Math.floor(interval / 3))) {
      const value = schedule(step, key(0));
      expect(value).toBeGreaterThanOrEqual(previous);
      expect(value).toBeLessThanOrEqual(end);
      expect(value).toBe(Math.min(start + Math.floor(step / interval) * increment, end));
      previous = value;
    }
    if (increment > 0) expect(schedule(Math.ceil(extra / increment) * interval, key(0))).toBe(end);
  });

  it("Garg et al.'s ramps end at step 30000", () => {
    const dims = ramp({ start: 5, end: 20, increment: 1, interval: 2000 });
    const shortPoints = ramp({ start: 11, end: 41, increment: 2, interval: 2000 });
    const longPoints = ramp({ start: 26, end: 101, increment: 5, interval: 2000 });
    expect([dims(0, key(0)), dims(1999, key(0)), dims(2000, key(0)), dims(29999, key(0)), dims(30000, key(0))]).toEqual([5, 5, 6, 19, 20]);
    expect([shortPoints(29999, key(0)), shortPoints(30000, key(0)), shortPoints(500000, key(0))]).toEqual([39, 41, 41]);
    expect([longPoints(29999, key(0)), longPoints(30000, key(0))]).toEqual([96, 101]);
  });

  it('rejects invalid ramps', () => {
    expect(() => ramp({ start: 5, end: 4, increment: 1, interval: 10 })).toThrow(/end must be an integer >= 5, got 4/);
    expect(() => ramp({ start: 5, end: 9, increment: -1, interval: 10 })).toThrow(/increment must be an integer >= 0, got -1/);
    expect(() => ramp({ start: 5, end: 9, increment: 1, interval: 0 })).toThrow(/interval must be an integer >= 1, got 0/);
    expect(() => ramp({ start: Number.NaN, end: 9, increment: 1, interval: 1 })).toThrow(/start must be an integer >= 1, got NaN/);
  });

  it('constant ignores the step', () => {
    expect(run(constant(7), key(0), 0, 5)).toEqual([7, 7, 7, 7, 7]);
    expect(() => constant(-1)).toThrow(/value must be an integer >= 0, got -1/);
  });
});
