/**
 * `Points`: a row-major float64 [n, d] matrix holding the n inputs of one prompt, and the shape
 * record that input distributions are asked for. Samplers work in float64 on the host, and the
 * prompt batch converts to float32 tensors at the end.
 */
import { checkNumber } from './checks.js';

/** The n input points of one prompt: row i is x_i in R^d, stored row-major in `data` (length n * d). */
export interface Points {
  readonly n: number;
  readonly d: number;
  readonly data: Float64Array;
}

/**
 * The size of a prompt's inputs: n points in R^d of which only the first `activeDims`
 * coordinates may be nonzero (the rest are zeroed, as in Garg et al.'s dimension curriculum).
 */
export interface PointsShape {
  readonly n: number;
  readonly d: number;
  readonly activeDims: number;
}

/** Wraps row-major data as `Points`, checking that it has n * d entries. The array is not copied. */
export function makePoints(n: number, d: number, data: Float64Array): Points {
  if (data.length !== n * d) {
    throw new RangeError(`makePoints: data has ${data.length} entries, expected n * d = ${n} * ${d} = ${n * d}`);
  }
  return { n, d, data };
}

/** Returns a copy of row i (the point x_i). */
export function pointAt(x: Points, i: number): Float64Array {
  if (!Number.isInteger(i) || i < 0 || i >= x.n) {
    throw new RangeError(`pointAt: row ${i} is out of range for ${x.n} points`);
  }
  return x.data.slice(i * x.d, (i + 1) * x.d);
}

/**
 * Validates a shape: n >= 1, d >= 1 and 1 <= activeDims <= d, all integers. `op` names the
 * caller in the error.
 */
export function checkPointsShape(op: string, shape: PointsShape): void {
  checkNumber(op, 'n (points per prompt)', shape.n, { integer: true, min: 1 }, 'pass a positive integer such as 41');
  checkDims(op, shape);
}

/** Validates dimensions: integers d >= 1 and 1 <= activeDims <= d. */
export function checkDims(op: string, shape: { readonly d: number; readonly activeDims: number }): void {
  checkNumber(op, 'd (dimensions)', shape.d, { integer: true, min: 1 }, 'pass a positive integer such as 20');
  checkNumber(
    op,
    'activeDims',
    shape.activeDims,
    { integer: true, min: 1, max: shape.d },
    `pass an integer between 1 and d = ${shape.d}`,
  );
}

/** Sets coordinates activeDims..d-1 of every row to 0, in place. Used only on freshly sampled arrays. */
export function zeroInactiveDims(data: Float64Array, d: number, activeDims: number): void {
  if (activeDims >= d) return;
  for (let offset = 0; offset < data.length; offset += d) {
    data.fill(0, offset + activeDims, offset + d);
  }
}

/** Returns the n outputs x_i . w for the rows of `x`. */
export function matVec(x: Points, w: Float64Array): Float64Array {
  const out = new Float64Array(x.n);
  for (let i = 0; i < x.n; i++) {
    let sum = 0;
    const offset = i * x.d;
    for (let j = 0; j < x.d; j++) sum += x.data[offset + j] * w[j];
    out[i] = sum;
  }
  return out;
}
