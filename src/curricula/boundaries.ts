/**
 * Bhasin et al.'s block partition of T training steps into K blocks:
 *   q, r = divmod(T, K); sizes = [q + 1] * r + [q] * (K - r); boundaries = cumulative sums of sizes.
 * Step i belongs to block j, the smallest j with boundaries[j] >= i. Block 0 therefore runs from
 * step 0 through boundaries[0] inclusive (one step more than its size), and every later block j
 * runs from boundaries[j-1] + 1 through boundaries[j].
 */
import { checkInteger } from './plan.js';

/**
 * Returns the K cumulative block boundaries of T steps.
 *
 * @example boundaries(3, 500001) // [166667, 333334, 500001]
 */
export function boundaries(count: number, totalSteps: number): number[] {
  checkInteger('boundaries', 'count (K)', count, 1, 'pass the number of tasks or distributions');
  checkInteger('boundaries', 'totalSteps (T)', totalSteps, 1, 'pass the number of training steps');
  const quotient = Math.floor(totalSteps / count);
  const remainder = totalSteps % count;
  const out: number[] = [];
  let sum = 0;
  for (let j = 0; j < count; j++) {
    sum += j < remainder ? quotient + 1 : quotient;
    out.push(sum);
  }
  return out;
}

/**
 * Returns the block of `step`: the smallest j with blockBoundaries[j] >= step. Throws for a step
 * past the last boundary.
 */
export function blockOf(blockBoundaries: readonly number[], step: number): number {
  let low = 0;
  let high = blockBoundaries.length - 1;
  if (!(step <= blockBoundaries[high])) {
    throw new RangeError(`blockOf: step ${step} is past the last boundary ${blockBoundaries[high]}`);
  }
  while (low < high) {
    const middle = (low + high) >> 1;
    if (blockBoundaries[middle] >= step) high = middle;
    else low = middle + 1;
  }
  return low;
}
