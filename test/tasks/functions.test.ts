import { fc, test as fcTest } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { key } from '../../src/core/prng.js';
import {
  decisionTree,
  gaussian,
  hermiteMoments,
  hermiteRegression,
  hermiteTarget,
  hermiteTargetCoefficients,
  laplace,
  leafOf,
  linearClassification,
  linearRegression,
  makePoints,
  noisyLinearRegression,
  promptBatch,
  quadraticRegression,
  relu2nnRegression,
  sparseLinearRegression,
  studentT,
  type FunctionClass,
  type InputDistribution,
  type LinearParams,
  type TreeParams,
} from '../../src/tasks/index.js';
import { keys } from '../../src/testing/arbitraries.js';
import { mean, standardError } from './stats.js';

interface MomentSample {
  /** Per-prompt mean of y. */
  readonly means: Float64Array;
  /** Per-prompt mean of y^2. */
  readonly squares: Float64Array;
}

/** Draws `prompts` prompts of n points and returns per-prompt moments, which are independent across prompts. */
function promptMoments(
  functions: FunctionClass,
  options: { d: number; activeDims?: number; prompts: number; n: number; seed: number; inputs?: InputDistribution },
): MomentSample {
  const batch = promptBatch({
    inputs: options.inputs ?? gaussian(),
    functions,
    points: options.n,
    dims: options.d,
    activeDims: options.activeDims,
    batchSize: options.prompts,
  })(key(options.seed));
  const means = new Float64Array(options.prompts);
  const squares = new Float64Array(options.prompts);
  for (let b = 0; b < options.prompts; b++) {
    const ys = batch.ys64.subarray(b * options.n, (b + 1) * options.n);
    means[b] = mean(ys);
    squares[b] = mean(ys.map((y) => y * y));
  }
  return { means, squares };
}

/** Asserts the sample mean is within 6 standard errors of `expected`. */
function expectMoment(values: Float64Array, expected: number): void {
  expect(Math.abs(mean(values) - expected)).toBeLessThanOrEqual(6 * standardError(values));
}

describe('E[y^2] against closed forms', () => {
  it('linear regression: c^2 d', () => {
    expectMoment(promptMoments(linearRegression(), { d: 20, prompts: 3000, n: 10, seed: 1 }).squares, 20);
    expectMoment(promptMoments(linearRegression({ scale: 2 }), { d: 5, prompts: 3000, n: 10, seed: 2 }).squares, 20);
    expect(linearRegression({ scale: 2 }).expectedSquare?.({ d: 5, activeDims: 5 })).toBe(20);
  });

  it('linear regression with active dims: a', () => {
    const sample = promptMoments(linearRegression(), { d: 20, activeDims: 7, prompts: 3000, n: 10, seed: 3 });
    expectMoment(sample.squares, 7);
  });

  it('unit-norm linear regression: c^2 a / d', () => {
    expectMoment(promptMoments(linearRegression({ weights: 'normalized' }), { d: 10, prompts: 3000, n: 10, seed: 4 }).squares, 1);
  });

  it('sparse linear regression: s', () => {
    const functions = sparseLinearRegression({ sparsity: 3 });
    expectMoment(promptMoments(functions, { d: 20, prompts: 3000, n: 10, seed: 5 }).squares, 3);
    expect(functions.expectedSquare?.({ d: 20, activeDims: 20 })).toBe(3);
    expect(functions.normalizer({ d: 20, activeDims: 20 })).toBe(3);
  });

  it('quadratic regression: d', () => {
    expectMoment(promptMoments(quadraticRegression(), { d: 20, prompts: 3000, n: 10, seed: 6 }).squares, 20);
  });

  it('relu network: d', () => {
    expectMoment(promptMoments(relu2nnRegression(), { d: 20, prompts: 2000, n: 10, seed: 7 }).squares, 20);
    expectMoment(promptMoments(relu2nnRegression({ hiddenSize: 8 }), { d: 6, prompts: 3000, n: 10, seed: 8 }).squares, 6);
  });

  it('decision tree: E[y] = 0 and E[y^2] = 1', () => {
    const sample = promptMoments(decisionTree(), { d: 20, prompts: 4000, n: 10, seed: 9 });
    expectMoment(sample.means, 0);
    expectMoment(sample.squares, 1);
  });

  it('linear classification: y in {-1, +1}', () => {
    const batch = promptBatch({ inputs: gaussian(), functions: linearClassification(), points: 10, dims: 5, batchSize: 50 })(key(10));
    for (const y of batch.ys64) expect(Math.abs(y)).toBe(1);
    expect(batch.normalizer).toBe(1);
  });

  it('noisy linear regression without renormalisation: c^2 d + sigma^2', () => {
    const functions = noisyLinearRegression({ noiseStd: 2 });
    expectMoment(promptMoments(functions, { d: 10, prompts: 3000, n: 10, seed: 11 }).squares, 14);
    expect(functions.expectedSquare?.({ d: 10, activeDims: 10 })).toBe(14);
  });

  it('laplace and t4 inputs give linear E[y^2] = 2d', () => {
    // Both laws have variance 2 per coordinate. t4 has no fourth moment, so the bound is relative.
    const fromLaplace = promptMoments(linearRegression(), { d: 10, prompts: 4000, n: 25, seed: 12, inputs: laplace() });
    expectMoment(fromLaplace.squares, 20);
    const fromT4 = promptMoments(linearRegression(), { d: 10, prompts: 4000, n: 25, seed: 13, inputs: studentT({ df: 4 }) });
    expect(Math.abs(mean(fromT4.squares) / 20 - 1)).toBeLessThan(0.1);
  });
});

describe('Hermite regression', () => {
  it('target matches the explicit polynomials', () => {
    for (const t of [-2.5, -1, 0, 0.3, 1.7, 4]) {
      const he = [t, t * t - 1, t ** 3 - 3 * t, t ** 4 - 6 * t * t + 3];
      const factorials = [1, 2, 6, 24];
      for (let degree = 1; degree <= 4; degree++) {
        let sum = 0;
        for (let j = 0; j < degree; j++) sum += he[j] / Math.sqrt(factorials[j]);
        expect(hermiteTarget(t, degree)).toBeCloseTo(sum / Math.sqrt(degree), 12);
        const coefficients = hermiteTargetCoefficients(degree);
        expect(coefficients.reduce((acc, c, k) => acc + c * t ** k, 0)).toBeCloseTo(sum / Math.sqrt(degree), 10);
      }
    }
  });

  it('closed forms at d = 20 and d = 5', () => {
    const at20 = { d: 20, activeDims: 20 };
    expect(hermiteMoments(1, at20).meanSquare).toBeCloseTo(20, 10);
    expect(hermiteMoments(2, at20).meanSquare).toBeCloseTo((3 * 20 * 22 + 1) / 4, 10);
    expect(hermiteMoments(2, at20).mean).toBeCloseTo(19 / 2, 12);
    expect(hermiteMoments(2, at20).meanSquare / 20).toBeCloseTo(16.51, 2);
    expect(hermiteMoments(3, at20).meanSquare / 20).toBeCloseTo(446.65, 2);
    expect(hermiteMoments(3, at20).mean).toBeCloseTo(19 / Math.sqrt(6), 12);
    const at5 = { d: 5, activeDims: 5 };
    expect(hermiteMoments(2, at5).meanSquare / 5).toBeCloseTo(5.3, 10);
    expect(hermiteMoments(3, at5).meanSquare / 5).toBeCloseTo(54.43, 2);
  });

  it('degree 3 closed form matches the chi-square formula', () => {
    const d = 20;
    const s4 = d * (d + 2);
    const s6 = d * (d + 2) * (d + 4);
    const expected = (2.5 * s6 - 1.5 * s4 + 1.5 * d + 0.5 + Math.sqrt(6) * (s4 - d)) / 3;
    expect(hermiteMoments(3, { d, activeDims: d }).meanSquare).toBeCloseTo(expected, 8);
  });

  it('unit-norm weights: E[y] = 0, E[y^2] = 1 for degrees 1-4', () => {
    for (let degree = 1; degree <= 4; degree++) {
      expect(hermiteMoments(degree, { d: 20, activeDims: 20 }, 'normalized').meanSquare).toBeCloseTo(1, 12);
      const sample = promptMoments(hermiteRegression({ degree, weights: 'normalized' }), { d: 20, prompts: 4000, n: 10, seed: 20 + degree });
      expectMoment(sample.squares, 1);
      expectMoment(sample.means, 0);
    }
  });

  it('unnormalised degree 1: E[y^2] = d', () => {
    expectMoment(promptMoments(hermiteRegression({ degree: 1 }), { d: 20, prompts: 3000, n: 10, seed: 30 }).squares, 20);
  });

  it('unnormalised degree 2: E[y^2] = (3d(d+2)+1)/4, E[y] = (d-1)/2', () => {
    const sample = promptMoments(hermiteRegression({ degree: 2 }), { d: 20, prompts: 4000, n: 10, seed: 31 });
    expectMoment(sample.squares, (3 * 20 * 22 + 1) / 4);
    expectMoment(sample.means, 19 / 2);
  });

  it('unnormalised degree 3 within 15%', () => {
    const sample = promptMoments(hermiteRegression({ degree: 3 }), { d: 5, prompts: 20000, n: 10, seed: 32 });
    // Heavy tails: the relative standard error is about 3% here, so 15% is a 5-sigma bound.
    expect(Math.abs(mean(sample.squares) / hermiteMoments(3, { d: 5, activeDims: 5 }).meanSquare - 1)).toBeLessThan(0.15);
  });

  it('active dims enter the moments', () => {
    const shape = { d: 10, activeDims: 4 };
    expect(hermiteMoments(2, shape).meanSquare).toBeCloseTo((3 * 4 * 6 + 1) / 4, 10);
    const sample = promptMoments(hermiteRegression({ degree: 2, weights: 'normalized' }), { d: 10, activeDims: 4, prompts: 4000, n: 10, seed: 33 });
    expectMoment(sample.squares, hermiteMoments(2, shape, 'normalized').meanSquare);
  });

  it('rejects degrees outside 1..4', () => {
    for (const degree of [0, 5, 2.5, Number.NaN]) {
      expect(() => hermiteRegression({ degree })).toThrow(/hermite_regression: degree must be an integer in \[1, 4\]/);
    }
  });
});

describe('function structure', () => {
  fcTest.prop([keys(), fc.integer({ min: 1, max: 12 }).chain((d) => fc.tuple(fc.constant(d), fc.integer({ min: 1, max: d })))])(
    'sparse w has s nonzeros in the active dims',
    (k, [d, activeDims]) => {
      const sparsity = Math.min(3, activeDims);
      const f = sparseLinearRegression({ sparsity }).sample({ d, activeDims })(k);
      const w = (f.params as LinearParams).w;
      const nonzero = Array.from(w.keys()).filter((j) => w[j] !== 0);
      expect(nonzero.length).toBe(sparsity);
      for (const j of nonzero) expect(j).toBeLessThan(activeDims);
    },
  );

  it('sparse rejects s > active dims', () => {
    expect(() => sparseLinearRegression({ sparsity: 4 }).sample({ d: 10, activeDims: 3 })).toThrow(/sparsity 4 exceeds activeDims = 3/);
  });

  fcTest.prop([keys(), fc.integer({ min: 1, max: 5 })])('tree outputs are leaf values', (k, depth) => {
    const d = 6;
    const f = decisionTree({ depth }).sample({ d, activeDims: 4 })(k);
    const tree = f.params as TreeParams;
    expect(tree.coordinates.length).toBe(2 ** (depth + 1) - 1);
    const x = promptBatch({ inputs: gaussian(), functions: decisionTree({ depth }), points: 20, dims: d, activeDims: 4, batchSize: 1 })(k);
    const points = makePoints(20, d, x.xs64);
    const drawn = x.functions[0];
    const drawnTree = drawn.params as TreeParams;
    const leaves = drawnTree.values.slice(2 ** depth - 1);
    drawn.apply(points).forEach((y, i) => {
      const leaf = leafOf(drawnTree, points, i);
      expect(leaf).toBeGreaterThanOrEqual(2 ** depth - 1);
      expect(y).toBe(drawnTree.values[leaf]);
      expect(leaves).toContain(y);
    });
  });

  it('tree follows the array layout', () => {
    // Depth 1: root splits on coordinate c; x[c] > 0 goes to node 2, else node 1.
    const tree: TreeParams = { depth: 1, coordinates: new Int32Array([1, 0, 0]), values: new Float64Array([9, -1, 1]) };
    const x = makePoints(3, 2, new Float64Array([5, -1, -5, 2, 0, 0]));
    expect([0, 1, 2].map((i) => leafOf(tree, x, i))).toEqual([1, 2, 1]);
  });

  it('relu network matches a direct evaluation', () => {
    const f = relu2nnRegression({ hiddenSize: 3 }).sample({ d: 2, activeDims: 2 })(key(1));
    const { w1, w2 } = f.params as { w1: Float64Array; w2: Float64Array };
    const x = makePoints(1, 2, new Float64Array([0.5, -1.5]));
    let expected = 0;
    for (let h = 0; h < 3; h++) expected += Math.max(0, 0.5 * w1[h] - 1.5 * w1[3 + h]) * w2[h];
    expect(f.apply(x)[0]).toBeCloseTo(Math.sqrt(2 / 3) * expected, 12);
  });

  it('apply is pure for noisy regression', () => {
    const f = noisyLinearRegression({ noiseStd: 1 }).sample({ d: 3, activeDims: 3 })(key(2));
    const x = makePoints(4, 3, new Float64Array(12).fill(0.5));
    expect(f.apply(x)).toEqual(f.apply(x));
  });

  it('rejects inputs of another dimension', () => {
    const f = linearRegression().sample({ d: 3, activeDims: 3 })(key(0));
    expect(() => f.apply(makePoints(1, 2, new Float64Array(2)))).toThrow(/drawn for d = 3 but the inputs have d = 2/);
  });
});

describe('parameter validation', () => {
  const invalid = [Number.NaN, Infinity, -Infinity];
  it('rejects NaN and infinite parameters', () => {
    for (const value of invalid) {
      expect(() => linearRegression({ scale: value })).toThrow(/linear_regression: scale must be a finite number > 0/);
      expect(() => noisyLinearRegression({ noiseStd: value })).toThrow(/noiseStd must be a finite number >= 0/);
      expect(() => sparseLinearRegression({ sparsity: value })).toThrow(/sparsity must be an integer >= 1/);
      expect(() => relu2nnRegression({ hiddenSize: value })).toThrow(/hiddenSize must be an integer >= 1/);
      expect(() => decisionTree({ depth: value })).toThrow(/depth must be an integer in \[1, 20\]/);
      expect(() => quadraticRegression({ scale: value })).toThrow(/quadratic_regression: scale/);
    }
  });

  it('rejects negative values', () => {
    expect(() => linearRegression({ scale: -1 })).toThrow(/got -1; pass a positive finite scale/);
    expect(() => noisyLinearRegression({ noiseStd: -0.5 })).toThrow(/got -0.5/);
    expect(() => sparseLinearRegression({ sparsity: -3 })).toThrow(/got -3/);
  });

  it('rejects unknown weight types', () => {
    expect(() => linearRegression({ weights: 'unit' as never })).toThrow(/weights must be 'standard' or 'normalized', got unit/);
  });
});
