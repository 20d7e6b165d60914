/**
 * Causality of every baseline: the prediction at index k uses only the first k pairs, so
 * changing y_j for j >= k or x_j for j > k leaves it unchanged.
 */
import { fc, test as propertyTest } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
// The entry point selects the cpu backend, which nn_gd trains on.
import '../../src/index.js';
import { key } from '../../src/core/prng.js';
import { BASELINE_NAMES, createBaseline, type Baseline, type BaselineName } from '../../src/models/baselines/index.js';

/** Registry baselines, with the slow ones shrunk so the property stays fast. */
const BASELINES: Record<BaselineName, Baseline> = {
  least_squares: createBaseline('least_squares'),
  ridge: createBaseline('ridge'),
  lasso: createBaseline('lasso'),
  knn: createBaseline('knn', { weights: 'distance' }),
  averaging: createBaseline('averaging'),
  decision_tree: createBaseline('decision_tree'),
  gradient_boosting: createBaseline('gradient_boosting', { rounds: 5 }),
  nn_gd: createBaseline('nn_gd', { hidden: 4, steps: 3, batchSize: 2, key: key(9) }),
  zero: createBaseline('zero'),
};

const value = fc.double({ min: -5, max: 5, noNaN: true, noDefaultInfinity: true });

/** A prompt, a position k and replacement pairs for every index after it. */
const promptWithChange = fc
  .record({ n: fc.integer({ min: 2, max: 7 }), d: fc.integer({ min: 1, max: 3 }) })
  .chain(({ n, d }) =>
    fc.record({
      n: fc.constant(n),
      d: fc.constant(d),
      k: fc.integer({ min: 0, max: n - 1 }),
      xs: fc.array(value, { minLength: n * d, maxLength: n * d }),
      ys: fc.array(value, { minLength: n, maxLength: n }),
      otherXs: fc.array(value, { minLength: n * d, maxLength: n * d }),
      otherYs: fc.array(value, { minLength: n, maxLength: n }),
    }),
  );

describe('predictions use only earlier pairs', () => {
  for (const name of BASELINE_NAMES) {
    propertyTest.prop([promptWithChange], { numRuns: 60 })(`${name} ignores later pairs`, (prompt) => {
      const { n, d, k } = prompt;
      const xs = Float64Array.from(prompt.xs);
      const ys = Float64Array.from(prompt.ys);
      const changedXs = xs.slice();
      const changedYs = ys.slice();
      for (let j = k; j < n; j++) changedYs[j] = prompt.otherYs[j];
      for (let j = (k + 1) * d; j < n * d; j++) changedXs[j] = prompt.otherXs[j];

      const baseline = BASELINES[name];
      const original = baseline.predict({ data: xs, shape: [n, d] }, ys).predictions;
      const changed = baseline.predict({ data: changedXs, shape: [n, d] }, changedYs).predictions;
      for (let i = 0; i <= k; i++) expect(changed[i], `index ${i}`).toBe(original[i]);
    });
  }
});
