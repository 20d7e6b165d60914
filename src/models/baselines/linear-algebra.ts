/** Small float64 helpers shared by the linear baselines: dot products and ml-matrix conversion. */
import { Matrix } from 'ml-matrix';

/** Returns the dot product of x and w (both of length d). */
export function dot(x: Float64Array, w: Float64Array | readonly number[]): number {
  let sum = 0;
  for (let j = 0; j < x.length; j++) sum += x[j] * w[j];
  return sum;
}

/** Copies a row-major [k, d] float64 array into an ml-matrix `Matrix`. */
export function toMatrix(xs: Float64Array, k: number, d: number): Matrix {
  return Matrix.from1DArray(k, d, xs.subarray(0, k * d));
}

/** Copies a float64 vector into a k x 1 ml-matrix column. */
export function toColumn(values: Float64Array): Matrix {
  return Matrix.columnVector(Array.from(values));
}
