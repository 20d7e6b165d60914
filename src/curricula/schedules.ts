/**
 * Index schedules over a list of tasks or data distributions, after Bhasin et al.'s `train.py`:
 * single, sequential, mixed (their `mixed_sequential`) and random, the data schedule's
 * `steps_based` and `blocks_based` splits, and weighted mixtures.
 */
import { randint64, uniform64, type Key } from '../core/prng.js';
import { blockOf, boundaries } from './boundaries.js';
import { checkInteger, checkStep, type Schedule } from './plan.js';

/**
 * Index selection rule at step i of T, with K entries and block(i) from `boundaries(K, T)`:
 * - `single`: K = 1, always 0.
 * - `sequential`: block(i).
 * - `mixed`: uniform on {0, ..., block(i)}, the current block and all earlier ones.
 * - `random`: uniform on {0, ..., K - 1}.
 */
export type ScheduleMode = 'single' | 'sequential' | 'mixed' | 'random';

/** The schedule modes, in the order above. */
export const SCHEDULE_MODES: readonly ScheduleMode[] = ['single', 'sequential', 'mixed', 'random'];

/**
 * Cut of the data schedule's blocks:
 * - `steps_based`: [0, T] is cut into num_dist blocks by `boundaries(num_dist, T)`.
 * - `blocks_based`: [0, e] is cut by `boundaries(num_dist, e)`, where e is the last boundary of the
 *   current task block. The interval starts at 0, not at the task block's start, so in later task
 *   blocks the first distributions are never chosen (a quirk of Bhasin et al.'s code, kept here).
 */
export type DataSplit = 'steps_based' | 'blocks_based';

/** Returns a schedule that is `value` at every step. */
export function constant(value: number): Schedule {
  checkInteger('constant', 'value', value, 0, 'pass a non-negative integer');
  return (step) => {
    checkStep('constant', step);
    return value;
  };
}

/**
 * Returns the task schedule of `mode` over `count` tasks and `totalSteps` steps.
 *
 * @example taskSchedule('mixed', 3, 500001)(400000, foldIn(k, 400000)) // 0, 1 or 2
 */
export function taskSchedule(mode: ScheduleMode, count: number, totalSteps: number): Schedule {
  const blockBoundaries = checkedBoundaries('taskSchedule', mode, count, totalSteps);
  return (step, k) => {
    checkStep('taskSchedule', step, totalSteps);
    return chooseIndex(mode, count, () => blockOf(blockBoundaries, step), k);
  };
}

/** Options of `dataSchedule`. */
export interface DataScheduleOptions {
  readonly mode: ScheduleMode;
  /** Number of input distributions. */
  readonly count: number;
  readonly totalSteps: number;
  /** Default `steps_based`. */
  readonly split?: DataSplit;
  /** The task schedule's mode and task count, required for `blocks_based`. */
  readonly tasks?: { readonly mode: ScheduleMode; readonly count: number };
}

/**
 * Returns the data-distribution schedule. `blocks_based` with a random task schedule has no task
 * block to cut, so it is rejected unless the data mode is `random`, which needs no block.
 */
export function dataSchedule(options: DataScheduleOptions): Schedule {
  const { mode, count, totalSteps } = options;
  const split = options.split ?? 'steps_based';
  const dataBoundaries = checkedBoundaries('dataSchedule', mode, count, totalSteps);
  if (split === 'steps_based') {
    return (step, k) => {
      checkStep('dataSchedule', step, totalSteps);
      return chooseIndex(mode, count, () => blockOf(dataBoundaries, step), k);
    };
  }
  if (split !== 'blocks_based') {
    throw new RangeError(`dataSchedule: split must be 'steps_based' or 'blocks_based', got ${String(split)}`);
  }

  const tasks = options.tasks;
  if (tasks === undefined) {
    throw new RangeError("dataSchedule: split 'blocks_based' needs the task schedule's mode and count; pass tasks: { mode, count }");
  }
  if (tasks.mode === 'random' && mode !== 'random') {
    throw new RangeError(
      `dataSchedule: split 'blocks_based' with a random task schedule has no task block, so data mode '${mode}' ` +
        "has no index; use data mode 'random' or split 'steps_based'",
    );
  }
  const taskBoundaries = checkedBoundaries('dataSchedule', tasks.mode, tasks.count, totalSteps);
  const cutsByBlock = taskBoundaries.map((end) => boundaries(count, end));
  return (step, k) => {
    checkStep('dataSchedule', step, totalSteps);
    return chooseIndex(mode, count, () => blockOf(cutsByBlock[blockOf(taskBoundaries, step)], step), k);
  };
}

/**
 * Returns a schedule that draws index i with probability weights[i] / sum(weights) at every step.
 * Weights must be finite and >= 0, with a positive sum.
 */
export function weightedSchedule(weights: readonly number[]): Schedule {
  if (weights.length === 0) {
    throw new RangeError('weightedSchedule: weights must not be empty; pass one weight per task');
  }
  const cumulative: number[] = [];
  let total = 0;
  weights.forEach((weight, i) => {
    if (!Number.isFinite(weight) || weight < 0) {
      throw new RangeError(`weightedSchedule: weight ${i} must be a finite number >= 0, got ${weight}`);
    }
    total += weight;
    cumulative.push(total);
  });
  if (!(total > 0) || !Number.isFinite(total)) {
    throw new RangeError(`weightedSchedule: weights [${weights.join(', ')}] need a finite positive sum; give one task a positive weight`);
  }
  const lastPositive = weights.reduce((last, weight, i) => (weight > 0 ? i : last), 0);
  return (step, k) => {
    checkStep('weightedSchedule', step);
    const target = uniform64(k, 1)[0] * total;
    const index = cumulative.findIndex((bound) => target < bound);
    return index === -1 ? lastPositive : index;
  };
}

function checkedBoundaries(op: string, mode: ScheduleMode, count: number, totalSteps: number): number[] {
  if (!SCHEDULE_MODES.includes(mode)) {
    throw new RangeError(`${op}: mode must be one of ${SCHEDULE_MODES.join(', ')}, got ${String(mode)}`);
  }
  checkInteger(op, 'count', count, 1, 'pass the number of entries in the list');
  checkInteger(op, 'totalSteps', totalSteps, 1, 'pass the number of training steps');
  if (mode === 'single' && count !== 1) {
    throw new RangeError(`${op}: mode 'single' needs count 1, got ${count}; pass a one-entry list or use another mode`);
  }
  return boundaries(count, totalSteps);
}

function chooseIndex(mode: ScheduleMode, count: number, block: () => number, k: Key): number {
  switch (mode) {
    case 'single':
      return 0;
    case 'sequential':
      return block();
    case 'mixed':
      return randint64(k, 1, 0, block() + 1)[0];
    case 'random':
      return randint64(k, 1, 0, count)[0];
  }
}
