import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isKey } from '../../src/core/prng.js';
import { buildCurriculum } from '../../src/curricula/index.js';
import { makeInputDistribution } from '../../src/tasks/index.js';
import {
  boundedFloat,
  curriculumSpecs,
  functionClassSpecs,
  inputDistributionSpecs,
  keys,
  promptBatchSpecs,
  tensors,
  toPromptBatchConfig,
} from '../../src/testing/arbitraries.js';

const sumBelowOne = fc.property(tensors({ shape: [10], min: 0, max: 10 }), (t) => {
  const values = t.data();
  let sum = 0;
  for (const value of values) sum += value;
  return sum < 1;
});

describe('float arbitraries', () => {
  it('raw fc.float draws NaN, boundedFloat never does', () => {
    // fast-check treats NaN separately from the bounds, so a bounded fc.float still draws it.
    const raw = fc.sample(fc.float({ min: 0, max: 6000 }), { numRuns: 20000, seed: 1 });
    expect(raw.filter(Number.isNaN).length).toBeGreaterThan(0);
    const bounded = fc.sample(boundedFloat(0, 6000), { numRuns: 20000, seed: 1 });
    expect(bounded.filter((x) => Number.isNaN(x) || x < 0 || x > 6000).length).toBe(0);
  });

  it('boundedFloat accepts bounds that are not float32', () => {
    expect(() => fc.float({ min: 0.1 })).toThrow(/32-bit float/);
    const values = fc.sample(boundedFloat(0.1, 0.2), { numRuns: 1000, seed: 2 });
    expect(values.every((x) => x >= Math.fround(0.1) && x <= Math.fround(0.2))).toBe(true);
  });

  it('sampler parameter arbitraries never draw NaN or infinity', () => {
    const numbers = (value: unknown): number[] => {
      if (typeof value === 'number') return [value];
      if (value !== null && typeof value === 'object') return Object.values(value).flatMap(numbers);
      return [];
    };
    const specs = [
      ...fc.sample(inputDistributionSpecs({ outOfDistribution: true }), { numRuns: 500, seed: 3 }),
      ...fc.sample(functionClassSpecs(5), { numRuns: 500, seed: 4 }),
      ...fc.sample(curriculumSpecs(), { numRuns: 200, seed: 5 }),
    ];
    for (const spec of specs) for (const value of numbers(spec)) expect(Number.isFinite(value)).toBe(true);
  });
});

describe('tensor arbitrary', () => {
  it('shrinks a failing sum to one 1.0 among zeros', () => {
    const result = fc.check(sumBelowOne, { seed: 42 });
    expect(result.failed).toBe(true);
    const values = Array.from((result.counterexample![0] as { data(): Float32Array }).data());
    expect(values.filter((value) => value !== 0)).toEqual([1]);
    expect(values.filter((value) => value === 0).length).toBe(9);
  });

  it('replays a counterexample from seed and path', () => {
    const first = fc.check(sumBelowOne, { seed: 42 });
    const replay = fc.check(sumBelowOne, { seed: first.seed, path: first.counterexamplePath!, endOnFailure: true });
    expect(replay.numRuns).toBe(1);
    const values = (run: typeof first): number[] => Array.from((run.counterexample![0] as { data(): Float32Array }).data());
    expect(values(replay)).toEqual(values(first));
  });

  it('draws random shapes within limits', () => {
    for (const t of fc.sample(tensors({ maxRank: 2, maxDim: 3 }), { numRuns: 200, seed: 6 })) {
      expect(t.shape.length).toBeLessThanOrEqual(2);
      expect(t.shape.every((axis) => axis >= 1 && axis <= 3)).toBe(true);
      expect(t.dtype).toBe('f32');
    }
  });
});

describe('spec arbitraries build', () => {
  it('every drawn spec builds without error', () => {
    for (const k of fc.sample(keys(), { numRuns: 20, seed: 7 })) expect(isKey(k)).toBe(true);
    for (const spec of fc.sample(inputDistributionSpecs({ outOfDistribution: true }), { numRuns: 200, seed: 8 })) {
      expect(() => makeInputDistribution(spec)).not.toThrow();
    }
    for (const spec of fc.sample(promptBatchSpecs(), { numRuns: 200, seed: 9 })) expect(() => toPromptBatchConfig(spec)).not.toThrow();
    for (const spec of fc.sample(curriculumSpecs(), { numRuns: 200, seed: 10 })) expect(() => buildCurriculum(spec)).not.toThrow();
  });
});
