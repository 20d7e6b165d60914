/**
 * The curriculum types. A `Schedule` maps a training step (and a key for that step) to one
 * integer: a task index, a data-distribution index or a size. A `Curriculum` combines four
 * schedules into the `StepPlan` of a step. Both are pure functions, so resuming at step s
 * reproduces exactly what an uninterrupted run would have drawn at s.
 */
import type { Key } from '../core/prng.js';

/** The task, data distribution and sizes sampled at one training step. */
export interface StepPlan {
  /** Index into the curriculum's list of function classes. */
  readonly task: number;
  /** Index into the curriculum's list of input distributions. */
  readonly data: number;
  /** Number of active input coordinates. The rest are zeroed. */
  readonly activeDims: number;
  /** Number of (x, y) pairs per prompt. */
  readonly points: number;
}

/**
 * An integer-valued schedule. `key` is the randomness of this step for this schedule alone, and a
 * deterministic schedule ignores it.
 */
export type Schedule = (step: number, key: Key) => number;

/**
 * A curriculum: the plan of every step. The randomness of step i comes from `foldIn(key, i)`, so
 * the plan of a step does not depend on the steps before it.
 */
export type Curriculum = (step: number, key: Key) => StepPlan;

/**
 * Throws unless `step` is an integer >= 0 and, when `totalSteps` is given, below it.
 * `op` names the caller in the error.
 */
export function checkStep(op: string, step: number, totalSteps?: number): void {
  if (!Number.isInteger(step) || step < 0) {
    throw new RangeError(`${op}: step must be an integer >= 0, got ${step}`);
  }
  if (totalSteps !== undefined && step >= totalSteps) {
    throw new RangeError(`${op}: step ${step} is outside the schedule's ${totalSteps} steps (0..${totalSteps - 1}); raise totalSteps`);
  }
}

/**
 * Throws unless `value` is an integer >= `min` (and <= `max` when given). The error names the
 * caller, the parameter, the value and `fix`.
 */
export function checkInteger(op: string, name: string, value: unknown, min: number, fix: string, max?: number): asserts value is number {
  const valid = typeof value === 'number' && Number.isInteger(value) && value >= min && (max === undefined || value <= max);
  if (!valid) {
    const range = max === undefined ? `>= ${min}` : `in [${min}, ${max}]`;
    throw new RangeError(`${op}: ${name} must be an integer ${range}, got ${String(value)}; ${fix}`);
  }
}
