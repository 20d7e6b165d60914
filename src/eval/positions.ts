/**
 * The positions k reported by tables and quick evaluations: the landmarks of an ICL curve, where
 * least squares reaches 0 at k = d.
 */
import { checkInteger } from './checks.js';

/**
 * Returns the landmark positions 0, 1, floor(d/2), d - 1, d, 2d and n - 1, each clipped to
 * [0, n - 1], sorted and without repeats.
 *
 * @param dims d, the input dimension
 * @param points n, the points per prompt
 * @example defaultPositions(20, 41) // [0, 1, 10, 19, 20, 40]
 * @example defaultPositions(5, 11) // [0, 1, 2, 4, 5, 10]
 */
export function defaultPositions(dims: number, points: number): number[] {
  checkInteger('defaultPositions', 'dims', dims, 1, 'pass the input dimension, such as 20');
  checkInteger('defaultPositions', 'points', points, 1, 'pass the points per prompt, such as 41');
  const landmarks = [0, 1, Math.floor(dims / 2), dims - 1, dims, 2 * dims, points - 1];
  const clipped = landmarks.map((k) => Math.min(Math.max(k, 0), points - 1));
  return [...new Set(clipped)].sort((a, b) => a - b);
}

/**
 * Throws unless every k is an integer in [0, points - 1] and none repeats.
 *
 * @example checkPositions('quickEval', [0, 5, 10], 11)
 */
export function checkPositions(op: string, ks: readonly number[], points: number): void {
  if (ks.length === 0) {
    throw new RangeError(`${op}: ks is empty; pass at least one position, such as [0, ${points - 1}]`);
  }
  for (const k of ks) {
    if (!Number.isInteger(k) || k < 0 || k > points - 1) {
      throw new RangeError(`${op}: k = ${k} is not a position of a ${points}-point prompt; use integers in [0, ${points - 1}]`);
    }
  }
  if (new Set(ks).size !== ks.length) {
    throw new RangeError(`${op}: ks [${ks.join(', ')}] repeats a position; list each k once`);
  }
}
