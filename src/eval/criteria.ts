/**
 * Pass criteria for a trained in-context linear-regression model (the quickstart's): the model
 * tracks minimum-norm least squares below d examples, reaches a small error from 2d on, and beats
 * averaging and 3-NN from d on. Each check is reported with its worst value and k, so a run's
 * summary shows which k failed and by how much.
 */
import { findCurve, type IclCurveResult } from './result.js';

/** Thresholds of the linear-regression criteria. */
export interface LinearCriteriaOptions {
  /** Largest allowed |model - least squares| for k < d (default 0.15). */
  readonly leastSquaresGap?: number;
  /** Largest allowed model error for k >= 2d (default 0.1). */
  readonly farError?: number;
  /** The model's curve name (default 'transformer'). */
  readonly model?: string;
}

/** Result of one criterion: its condition, the worst value seen, the k of that value, and whether it passed. */
export interface CriterionResult {
  readonly criterion: string;
  readonly worst: number;
  readonly atK: number;
  readonly passed: boolean;
}

/**
 * Checks a linear-regression ICL curve against the quickstart criteria. Needs the curves of the
 * model and of the least-squares, averaging and 3-NN baselines; a missing curve throws with the
 * names present.
 *
 * @example linearCriteria(result).every((c) => c.passed)
 */
export function linearCriteria(result: IclCurveResult, options: LinearCriteriaOptions = {}): CriterionResult[] {
  const gapLimit = options.leastSquaresGap ?? 0.15;
  const farLimit = options.farError ?? 0.1;
  const model = findCurve(result, options.model ?? 'transformer').mean;
  const ls = findCurve(result, 'least_squares').mean;
  const averaging = findCurve(result, 'averaging').mean;
  const knn = findCurve(result, 'knn').mean;
  const d = result.activeDims;
  const ks = result.k;

  const worstOver = (select: (k: number) => boolean, value: (i: number) => number) => {
    let worst = -Infinity;
    let atK = -1;
    ks.forEach((k, i) => {
      if (select(k) && value(i) > worst) {
        worst = value(i);
        atK = k;
      }
    });
    return { worst, atK };
  };

  const gap = worstOver((k) => k < d, (i) => Math.abs(model[i]! - ls[i]!));
  const far = worstOver((k) => k >= 2 * d, (i) => model[i]!);
  // "Clearly below": the model's error is at most half of the better of averaging and 3-NN.
  const ratio = worstOver((k) => k >= d, (i) => model[i]! / Math.min(averaging[i]!, knn[i]!));
  const results: CriterionResult[] = [
    { criterion: `|model - least squares| < ${gapLimit} for k < d`, ...gap, passed: gap.worst < gapLimit },
    { criterion: `model < ${farLimit} for k >= 2d`, ...far, passed: far.worst < farLimit },
    { criterion: 'model / min(averaging, 3-NN) < 0.5 for k >= d', ...ratio, passed: ratio.worst < 0.5 },
  ];
  return results.filter((r) => r.atK >= 0);
}

/** Formats criteria results as a Markdown list with pass/fail marks. */
export function criteriaMarkdown(results: readonly CriterionResult[]): string {
  return results
    .map((r) => `- ${r.passed ? 'pass' : 'FAIL'}: ${r.criterion} (worst ${r.worst.toFixed(3)} at k = ${r.atK})`)
    .join('\n');
}
