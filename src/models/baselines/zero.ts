/** Zero predictor: predicts 0 at every position. Its error is E[y^2], the trivial level of a task. */
import { defineBaseline } from './define.js';
import type { Baseline } from './types.js';

/** Creates the zero predictor, the reference level that any in-context learner should beat. */
export function zero(): Baseline {
  return defineBaseline('zero', 'zero', () => 0);
}
