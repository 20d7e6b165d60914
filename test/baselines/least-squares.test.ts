/**
 * Least squares and ridge: the minimum-norm solution on rank-deficient contexts (a 3 x 3 matrix
 * of rank 2, a context with a zero column), a property against an independent formula for the
 * pseudo-inverse, and ridge against its normal equations.
 */
import { fc, test as propertyTest } from '@fast-check/vitest';
import { Matrix, determinant, inverse } from 'ml-matrix';
import { describe, expect, test } from 'vitest';
import { fitLeastSquares, fitRidge, leastSquares, ridge } from '../../src/models/baselines/index.js';

describe('least squares on rank-deficient contexts', () => {
  test('rank-2 matrix gives the minimum-norm solution', () => {
    // Solve min ||A X - A|| column by column: column j of X is the weight vector for the labels
    // A[:, j], and X[i][j] is the prediction at the query e_i.
    const a = [
      [1, 2, 3],
      [4, 5, 6],
      [7, 8, 9],
    ];
    const expected = [
      [5, 2, -1],
      [2, 2, 2],
      [-1, 2, 5],
    ].map((row) => row.map((v) => v / 6));
    const solution = [0, 1, 2].map(() => [0, 0, 0]);
    for (let j = 0; j < 3; j++) {
      for (let i = 0; i < 3; i++) {
        const query = [0, 0, 0];
        query[i] = 1;
        const ys = [a[0][j], a[1][j], a[2][j], 0];
        const { predictions } = leastSquares().predict([...a, query], ys);
        solution[i][j] = predictions[3];
      }
    }
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) expect(solution[i][j], `X[${i}][${j}]`).toBeCloseTo(expected[i][j], 12);
    }
    const residual = new Matrix(a).mmul(new Matrix(solution)).sub(new Matrix(a)).norm('frobenius');
    expect(residual).toBeLessThan(1e-12);
  });

  test('zero column gets weight 0', () => {
    const xs = Float64Array.of(1, 2, 0, 3, 4, 0, 5, 7, 0);
    const ys = Float64Array.of(-1, -1, -2);
    const weights = fitLeastSquares(xs, ys, 3, 3);
    expect(weights[0]).toBeCloseTo(1, 12);
    expect(weights[1]).toBeCloseTo(-1, 12);
    expect(weights[2]).toBe(0);

    const { predictions } = leastSquares().predict(
      [
        [1, 2, 0],
        [3, 4, 0],
        [5, 7, 0],
        [2, 5, 9],
      ],
      [-1, -1, -2, 0],
    );
    expect(predictions[3]).toBeCloseTo(-3, 12);
  });

  test('one context pair gives the projection onto x_1', () => {
    // With k = 1 < d the minimum-norm weights are y_1 x_1 / ||x_1||^2.
    const weights = fitLeastSquares(Float64Array.of(3, 4), Float64Array.of(10), 1, 2);
    expect(weights[0]).toBeCloseTo(1.2, 12);
    expect(weights[1]).toBeCloseTo(1.6, 12);
  });

  test('all-zero context gives w = 0', () => {
    expect([...fitLeastSquares(new Float64Array(6), Float64Array.of(1, 2), 2, 3)]).toEqual([0, 0, 0]);
  });
});

/** Integer matrix of the given size with entries in [-3, 3]. */
const integerMatrix = (rows: number, columns: number) =>
  fc.array(fc.array(fc.integer({ min: -3, max: 3 }), { minLength: columns, maxLength: columns }), {
    minLength: rows,
    maxLength: rows,
  });

const boundedDouble = fc.double({ min: -10, max: 10, noNaN: true, noDefaultInfinity: true });

/**
 * A context X = F G of rank r (F is k x r, G is r x d, both of full rank r), labels and a query.
 * Integer factors make the rank exact, and r = 0 gives X = 0.
 */
const lowRankProblem = fc
  .record({ k: fc.integer({ min: 1, max: 6 }), d: fc.integer({ min: 1, max: 6 }) })
  .chain(({ k, d }) =>
    fc.integer({ min: 0, max: Math.min(k, d) }).chain((r) =>
      fc.record({
        k: fc.constant(k),
        d: fc.constant(d),
        r: fc.constant(r),
        f: integerMatrix(k, r),
        g: integerMatrix(r, d),
        ys: fc.array(boundedDouble, { minLength: k, maxLength: k }),
        query: fc.array(boundedDouble, { minLength: d, maxLength: d }),
      }),
    ),
  );

describe('least squares property', () => {
  propertyTest.prop([lowRankProblem], { numRuns: 300 })('prediction equals x . pinv(X) y', (problem) => {
    const { k, d, r, ys, query } = problem;
    let reference = new Float64Array(d);
    let xRows: number[][] = Array.from({ length: k }, () => new Array<number>(d).fill(0));
    if (r > 0) {
      const f = new Matrix(problem.f);
      const g = new Matrix(problem.g);
      const fGram = f.transpose().mmul(f);
      const gGram = g.mmul(g.transpose());
      fc.pre(Math.abs(determinant(fGram)) > 0.5 && Math.abs(determinant(gGram)) > 0.5);
      // For a full-rank factorisation X = F G: pinv(X) = G^T (G G^T)^-1 (F^T F)^-1 F^T.
      const pinv = g.transpose().mmul(inverse(gGram)).mmul(inverse(fGram)).mmul(f.transpose());
      reference = Float64Array.from(pinv.mmul(Matrix.columnVector(ys)).getColumn(0));
      xRows = f.mmul(g).to2DArray();
    }
    let expected = 0;
    let scale = 1;
    for (let j = 0; j < d; j++) {
      expected += query[j] * reference[j];
      scale += Math.abs(query[j] * reference[j]);
    }
    const { predictions } = leastSquares().predict([...xRows, query], [...ys, 0]);
    expect(Math.abs(predictions[k] - expected)).toBeLessThan(1e-5 * scale);
  });
});

describe('ridge', () => {
  function normalEquations(xs: number[][], ys: number[], alpha: number): number[] {
    const x = new Matrix(xs);
    const gram = x.transpose().mmul(x).add(Matrix.eye(x.columns).mul(alpha));
    return inverse(gram).mmul(x.transpose()).mmul(Matrix.columnVector(ys)).getColumn(0);
  }

  test('matches normal equations for any k', () => {
    const xs = [
      [1, 2, -1, 0.5],
      [0, 1, 3, -2],
      [2, -1, 1, 1],
      [1, 1, 1, 1],
      [-3, 0.5, 2, 0],
    ];
    const ys = [1, -2, 0.5, 3, 1];
    for (const k of [2, 5]) {
      const context = xs.slice(0, k);
      const weights = fitRidge(Float64Array.from(context.flat()), Float64Array.from(ys.slice(0, k)), k, 4, 0.7);
      const expected = normalEquations(context, ys.slice(0, k), 0.7);
      for (let j = 0; j < 4; j++) expect(weights[j], `k = ${k}, w[${j}]`).toBeCloseTo(expected[j], 10);
    }
  });

  test('small alpha approaches min-norm least squares', () => {
    const xs = Float64Array.of(1, 2, 0, 3, 4, 0);
    const ys = Float64Array.of(1, -1);
    const ridgeWeights = fitRidge(xs, ys, 2, 3, 1e-9);
    const leastSquaresWeights = fitLeastSquares(xs, ys, 2, 3);
    for (let j = 0; j < 3; j++) expect(ridgeWeights[j]).toBeCloseTo(leastSquaresWeights[j], 6);
  });

  test('baseline predicts x_k . w', () => {
    const { predictions, label } = ridge({ alpha: 2 }).predict([[1], [2], [3]], [2, 4, 6]);
    expect(label).toBe('ridge(alpha=2)');
    expect(predictions[0]).toBe(0);
    expect(predictions[1]).toBeCloseTo((2 * 2) / (1 + 2), 12);
    expect(predictions[2]).toBeCloseTo((3 * (2 + 8)) / (1 + 4 + 2), 12);
  });
});
