import { test as fcTest } from '@fast-check/vitest';
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { key } from '../../src/core/prng.js';
import {
  cauchy,
  cauchyCdf,
  cauchyQuantile,
  covarianceTransform,
  gaussian,
  halfSubspace,
  halfSubspaceTransform,
  inputBatch,
  laplace,
  laplaceCdf,
  laplaceQuantile,
  makeInputDistribution,
  randomRotation,
  skewed,
  skewedTransform,
  studentT,
  studentT64,
  type InputDistribution,
} from '../../src/tasks/index.js';
import { inputDistributionSpecs, keys } from '../../src/testing/arbitraries.js';
import { mean, median, standardError, variance } from './stats.js';

/** Returns S^T S for a row-major d x d matrix. */
function gram(transform: Float64Array, d: number): Matrix {
  const s = Matrix.from1DArray(d, d, Array.from(transform));
  return s.transpose().mmul(s);
}

function coordinates(distribution: InputDistribution, count: number, seed: number): Float64Array {
  return distribution.sample({ n: count, d: 1, activeDims: 1 })(key(seed)).data;
}

describe('input distribution shapes', () => {
  fcTest.prop([inputDistributionSpecs({ outOfDistribution: true }), keys()])('[n, d] with zeroed inactive dims', (spec, k) => {
    const distribution = makeInputDistribution(spec);
    const shape = { n: 3, d: 6, activeDims: 4 };
    const x = distribution.sample(shape)(k);
    expect(x.n).toBe(3);
    expect(x.d).toBe(6);
    expect(x.data.length).toBe(18);
    for (let i = 0; i < 3; i++) {
      for (let j = 4; j < 6; j++) expect(x.data[i * 6 + j]).toBe(0);
      for (let j = 0; j < 4; j++) expect(Number.isFinite(x.data[i * 6 + j])).toBe(true);
    }
    expect(distribution.sample(shape)(k).data).toEqual(x.data);
  });

  it('inputBatch stacks independent prompts', () => {
    const data = inputBatch(gaussian(), { n: 4, d: 3, activeDims: 3 }, 5)(key(0));
    expect(data.length).toBe(60);
    expect(data.subarray(0, 12)).not.toEqual(data.subarray(12, 24));
  });

  it('rejects invalid shapes', () => {
    expect(() => gaussian().sample({ n: 0, d: 3, activeDims: 3 })).toThrow(/n \(points per prompt\) must be an integer >= 1, got 0/);
    expect(() => gaussian().sample({ n: 2, d: 3, activeDims: 4 })).toThrow(/activeDims must be an integer in \[1, 3\], got 4/);
    expect(() => inputBatch(gaussian(), { n: 2, d: 3, activeDims: 3 }, 0)).toThrow(/batchSize/);
  });
});

describe('skewed covariance', () => {
  it('rotation is orthogonal', () => {
    const d = 7;
    const u = Matrix.from1DArray(d, d, Array.from(randomRotation(d)(key(1))));
    const product = u.transpose().mmul(u);
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) expect(product.get(i, j)).toBeCloseTo(i === j ? 1 : 0, 12);
    }
  });

  it('covariance has trace d and eigenvalues proportional to 1/i^2', () => {
    for (const d of [5, 8, 20]) {
      const transform = skewedTransform(key(0), d);
      const covariance = gram(transform, d);
      expect(covariance.trace()).toBeCloseTo(d, 10);

      const lambdaSum = Array.from({ length: d }, (_, i) => 1 / (i + 1) ** 2).reduce((a, b) => a + b, 0);
      const expected = Array.from({ length: d }, (_, i) => (d / (i + 1) ** 2) / lambdaSum);
      const eigenvalues = new EigenvalueDecomposition(covariance, { assumeSymmetric: true }).realEigenvalues.sort((a, b) => b - a);
      eigenvalues.forEach((value, i) => expect(value).toBeCloseTo(expected[i], 10));
    }
  });

  it('d = 20 spectrum runs from 12.53 to 0.0313', () => {
    const covariance = gram(skewedTransform(key(3), 20), 20);
    const eigenvalues = new EigenvalueDecomposition(covariance, { assumeSymmetric: true }).realEigenvalues.sort((a, b) => b - a);
    expect(eigenvalues[0]).toBeCloseTo(12.53, 2);
    expect(eigenvalues[19]).toBeCloseTo(0.0313, 4);
    expect(eigenvalues[0] / eigenvalues[19]).toBeCloseTo(400, 6);
  });

  it('transform is symmetric and fixed by its key', () => {
    const d = 6;
    const transform = skewedTransform(key(5), d);
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) expect(transform[i * d + j]).toBeCloseTo(transform[j * d + i], 14);
    }
    expect(skewedTransform(key(5), d)).toEqual(transform);
    expect(skewedTransform(key(6), d)).not.toEqual(transform);
  });

  it('train and test share the rotation only with the same key', () => {
    const shape = { n: 2, d: 4, activeDims: 4 };
    const train = skewed({ rotationKey: key(0) }).sample(shape);
    const sameRotation = skewed({ rotationKey: key(0) }).sample(shape);
    const otherRotation = skewed({ rotationKey: key(-152) }).sample(shape);
    expect(sameRotation(key(9)).data).toEqual(train(key(9)).data);
    expect(otherRotation(key(9)).data).not.toEqual(train(key(9)).data);
  });

  it('sampled inputs have E||x||^2 = d', () => {
    const d = 8;
    const x = skewed({ rotationKey: key(1) }).sample({ n: 20000, d, activeDims: d })(key(2));
    const squaredNorms = new Float64Array(x.n);
    for (let i = 0; i < x.n; i++) {
      for (let j = 0; j < d; j++) squaredNorms[i] += x.data[i * d + j] ** 2;
    }
    expect(Math.abs(mean(squaredNorms) - d)).toBeLessThan(6 * standardError(squaredNorms));
  });

  it('half subspace has rank d/2 and trace d', () => {
    const d = 8;
    const covariance = gram(halfSubspaceTransform(key(0), d), d);
    expect(covariance.trace()).toBeCloseTo(d, 10);
    const eigenvalues = new EigenvalueDecomposition(covariance, { assumeSymmetric: true }).realEigenvalues.sort((a, b) => b - a);
    eigenvalues.slice(0, 4).forEach((value) => expect(value).toBeCloseTo(2, 10));
    eigenvalues.slice(4).forEach((value) => expect(value).toBeCloseTo(0, 10));
    expect(() => halfSubspace({ rotationKey: key(0) }).sample({ n: 1, d: 1, activeDims: 1 })).toThrow(/d >= 2/);
  });

  it('covarianceTransform rejects all-zero spectrum', () => {
    expect(() => covarianceTransform([0, 0], new Float64Array([1, 0, 0, 1]), true)).toThrow(/every eigenvalue is 0/);
    expect(() => covarianceTransform([1, Number.NaN], new Float64Array([1, 0, 0, 1]), true)).toThrow(/eigenvalue 1 .* got NaN/);
  });
});

describe('heavy-tailed coordinates', () => {
  it('student-t df=5 scaling', () => {
    const raw = coordinates(studentT({ df: 5 }), 2_000_000, 1);
    expect(Math.abs(Math.sqrt(variance(raw)) - 1.2909944)).toBeLessThan(0.013);
    expect(Math.sqrt((5 - 2) / 5)).toBeCloseTo(0.7745967, 7);
    const rescaled = coordinates(studentT({ df: 5, standardize: true }), 2_000_000, 1);
    expect(Math.abs(Math.sqrt(variance(rescaled)) - 1)).toBeLessThan(0.01);
  });

  it('student-t df=5 quantile matches table', () => {
    // P(T <= 2.015048) = 0.95 for 5 degrees of freedom.
    const values = studentT64(key(2), 200000, 5);
    const below = values.filter((v) => v <= 2.015048).length / values.length;
    expect(Math.abs(below - 0.95)).toBeLessThan(6 * Math.sqrt((0.95 * 0.05) / values.length));
  });

  it('student-t df=10 variance is df/(df-2)', () => {
    const values = coordinates(studentT({ df: 10 }), 1_000_000, 3);
    expect(Math.abs(variance(values) - 10 / 8)).toBeLessThan(0.02);
  });

  it('standardize rejected for df <= 2', () => {
    expect(() => studentT({ df: 2, standardize: true })).toThrow(/standardize needs df > 2 .* got df = 2/);
    expect(() => studentT({ df: 1, standardize: true })).toThrow(/df > 2/);
    expect(() => cauchy({ standardize: true })).toThrow(/no finite variance/);
  });

  it('default student-t is Cauchy with median |x| = 1', () => {
    const values = coordinates(studentT(), 200001, 4).map(Math.abs);
    // The density of |X| at its median 1 is 1/pi, so the median's standard error is pi / (2 sqrt(N)).
    expect(Math.abs(median(values) - 1)).toBeLessThan((6 * Math.PI) / (2 * Math.sqrt(values.length)));
    const cauchyValues = coordinates(cauchy(), 200001, 5).map(Math.abs);
    expect(Math.abs(median(cauchyValues) - 1)).toBeLessThan((6 * Math.PI) / (2 * Math.sqrt(cauchyValues.length)));
  });

  it('laplace variance 2, standardized variance 1', () => {
    const raw = coordinates(laplace(), 1_000_000, 6);
    // Var(x^2) = 5 sigma^4 for a Laplace law, so the variance estimate has standard error sqrt(5/N) sigma^2.
    expect(Math.abs(variance(raw) - 2)).toBeLessThan(6 * 2 * Math.sqrt(5 / raw.length));
    const unit = coordinates(laplace({ standardize: true }), 1_000_000, 6);
    expect(Math.abs(variance(unit) - 1)).toBeLessThan(6 * Math.sqrt(5 / unit.length));
    expect(unit[0] / raw[0]).toBeCloseTo(Math.SQRT1_2, 12);
  });

  it('quantile round trips within 4 ulp', () => {
    for (let i = 1; i <= 999; i++) {
      const u = i / 1000;
      expect(Math.abs(cauchyCdf(cauchyQuantile(u)) - u)).toBeLessThanOrEqual(4 * 2 ** -52);
      expect(Math.abs(laplaceCdf(laplaceQuantile(u)) - u)).toBeLessThanOrEqual(4 * 2 ** -52);
    }
    expect(cauchyQuantile(0.1)).toBeCloseTo(-3.077683537175253, 14);
  });

  it('rejects non-finite parameters', () => {
    for (const df of [Number.NaN, Infinity, -Infinity, 0, -1]) {
      expect(() => studentT({ df })).toThrow(/studentT: df must be a finite number > 0/);
    }
  });
});
