/**
 * Shared pieces of the training tests: a small linear model (one weight per input coordinate
 * plus a bias, no in-context ability) that trains in milliseconds, and batch sources over it.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { add, matmul, mse, normal, reshape, zeros, type Tensor } from '../../src/index.js';
import { buildCurriculum } from '../../src/curricula/index.js';
import { gaussian, linearRegression, quadraticRegression } from '../../src/tasks/index.js';
import { curriculumBatches, type BatchSourceFactory, type TrainableModel } from '../../src/train/index.js';

export type LinearParams = { w: Tensor; b: Tensor };

/** y_hat = x.w + b at every position: a model with d + 1 parameters. */
export function linearModel(dims: number): TrainableModel<LinearParams> {
  const predict = (params: LinearParams, xs: Tensor): Tensor => add(reshape(matmul(xs, params.w), xs.shape.slice(0, 2)), params.b);
  return {
    name: `linear(d=${dims})`,
    init: (k) => ({ w: normal(k, [dims, 1], 0, 0.1), b: zeros([]) }),
    predict,
    loss: (params, xs, ys) => mse(predict(params, xs), ys),
  };
}

/** Linear then quadratic regression under the mixed schedule, d = dims, n = points. */
export function mixedData(dims: number, points: number, batchSize: number, totalSteps: number): BatchSourceFactory {
  return curriculumBatches({
    curriculum: buildCurriculum({ totalSteps, tasks: { mode: 'mixed', count: 2 }, activeDims: dims, points }),
    tasks: [linearRegression(), quadraticRegression()],
    data: [gaussian()],
    dims,
    batchSize,
  });
}

/** Creates a fresh temporary folder for one test. */
export function temporaryFolder(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `icl-lab-${prefix}-`));
}
