/**
 * Random rotations and the covariance transforms built from them (Garg et al.'s
 * `sample_transformation`): S = U diag(eig) U^T for a Haar-random orthogonal U, optionally scaled
 * by sqrt(d / sum eig^2) so that x = z S with z ~ N(0, I_d) has covariance trace d.
 * Matrices are row-major d x d Float64Arrays.
 */
import { Matrix, QrDecomposition } from 'ml-matrix';
import { normal64, type Key } from '../core/prng.js';
import { checkNumber } from './checks.js';
import type { Sampler } from './sampler.js';

/**
 * Draws a Haar-distributed d x d orthogonal matrix: Q from the QR decomposition of a standard
 * normal matrix, with each column multiplied by the sign of R's diagonal entry (Mezzadri 2007).
 * Without the sign fix, Q would not be Haar-distributed.
 */
export function randomRotation(d: number): Sampler<Float64Array> {
  checkNumber('randomRotation', 'd', d, { integer: true, min: 1 }, 'pass a positive dimension such as 20');
  return (k) => {
    const gaussian = Matrix.from1DArray(d, d, Array.from(normal64(k, d * d)));
    const qr = new QrDecomposition(gaussian);
    const q = qr.orthogonalMatrix;
    const r = qr.upperTriangularMatrix;
    const out = new Float64Array(d * d);
    for (let j = 0; j < d; j++) {
      const sign = r.get(j, j) < 0 ? -1 : 1;
      for (let i = 0; i < d; i++) out[i * d + j] = sign * q.get(i, j);
    }
    return out;
  };
}

/**
 * Returns S = U diag(eigenvalues) U^T (row-major d x d) for an orthogonal U. With `normalize`,
 * S is multiplied by sqrt(d / sum eig^2), so that x = z S with z ~ N(0, I) has covariance
 * S^T S = U diag(d eig^2 / sum eig^2) U^T, of trace d.
 */
export function covarianceTransform(eigenvalues: readonly number[], rotation: Float64Array, normalize: boolean): Float64Array {
  const d = eigenvalues.length;
  if (rotation.length !== d * d) {
    throw new RangeError(`covarianceTransform: rotation has ${rotation.length} entries, expected d * d = ${d * d}`);
  }
  eigenvalues.forEach((value, i) => checkNumber('covarianceTransform', `eigenvalue ${i}`, value, {}, 'pass finite eigenvalues'));
  const sumOfSquares = eigenvalues.reduce((sum, value) => sum + value * value, 0);
  if (normalize && !(sumOfSquares > 0)) {
    throw new RangeError('covarianceTransform: cannot normalize when every eigenvalue is 0; give at least one nonzero eigenvalue');
  }
  const factor = normalize ? Math.sqrt(d / sumOfSquares) : 1;

  const out = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      let sum = 0;
      for (let m = 0; m < d; m++) sum += rotation[i * d + m] * eigenvalues[m] * rotation[j * d + m];
      out[i * d + j] = factor * sum;
    }
  }
  return out;
}

/** Returns the skewed spectrum eig_i = 1/i for i = 1..d. */
export function skewedEigenvalues(d: number): number[] {
  return Array.from({ length: d }, (_, i) => 1 / (i + 1));
}

/** Returns the half-subspace spectrum: 1 on the first floor(d/2) directions and 0 on the rest. */
export function halfSubspaceEigenvalues(d: number): number[] {
  return Array.from({ length: d }, (_, i) => (i < Math.floor(d / 2) ? 1 : 0));
}

/**
 * Returns the normalised skewed transform S for dimension d with the rotation drawn from
 * `rotationKey`. The covariance S^T S has trace d and eigenvalues d (1/i^2) / sum_j (1/j^2).
 * For d = 20 they run from 12.53 down to 0.0313.
 */
export function skewedTransform(rotationKey: Key, d: number): Float64Array {
  return covarianceTransform(skewedEigenvalues(d), randomRotation(d)(rotationKey), true);
}

/**
 * Returns the normalised half-subspace transform S = sqrt(d / floor(d/2)) P, where P is the
 * orthogonal projection onto a random floor(d/2)-dimensional subspace drawn from `rotationKey`.
 * The factor is sqrt(2) for even d. Needs d >= 2.
 */
export function halfSubspaceTransform(rotationKey: Key, d: number): Float64Array {
  checkNumber('halfSubspaceTransform', 'd', d, { integer: true, min: 2 }, 'the half-subspace needs d >= 2');
  return covarianceTransform(halfSubspaceEigenvalues(d), randomRotation(d)(rotationKey), true);
}

/** Returns x S for row-major `data` of n rows in R^d and a row-major d x d `transform`. */
export function multiplyRows(data: Float64Array, d: number, transform: Float64Array): Float64Array {
  const n = data.length / d;
  const out = new Float64Array(data.length);
  for (let r = 0; r < n; r++) {
    const offset = r * d;
    for (let m = 0; m < d; m++) {
      const z = data[offset + m];
      if (z === 0) continue;
      const row = m * d;
      for (let j = 0; j < d; j++) out[offset + j] += z * transform[row + j];
    }
  }
  return out;
}
