/**
 * Independent composition of a task schedule, a data schedule and two size schedules into a
 * curriculum. Step i's key is foldIn(key, i), split four ways so the schedules draw independently.
 */
import { foldIn, split, type Key } from '../core/prng.js';
import { constant } from './schedules.js';
import { checkStep, type Curriculum, type Schedule, type StepPlan } from './plan.js';

/** The four schedules of a curriculum. `task` and `data` default to the constant index 0. */
export interface CurriculumParts {
  readonly task?: Schedule;
  readonly data?: Schedule;
  readonly activeDims: Schedule;
  readonly points: Schedule;
}

/**
 * Combines four schedules into a curriculum.
 *
 * @example
 * const plan = curriculum({ task: taskSchedule('mixed', 3, 6000), activeDims: constant(5), points: constant(25) });
 * plan(4500, key(0)) // { task: 0 | 1 | 2, data: 0, activeDims: 5, points: 25 }
 */
export function curriculum(parts: CurriculumParts): Curriculum {
  const task = parts.task ?? constant(0);
  const data = parts.data ?? constant(0);
  return (step, k) => {
    checkStep('curriculum', step);
    const [taskKey, dataKey, dimsKey, pointsKey] = split(foldIn(k, step), 4);
    return {
      task: checkedValue('task', task(step, taskKey), 0, step),
      data: checkedValue('data', data(step, dataKey), 0, step),
      activeDims: checkedValue('activeDims', parts.activeDims(step, dimsKey), 1, step),
      points: checkedValue('points', parts.points(step, pointsKey), 1, step),
    };
  };
}

/**
 * Returns the plans of steps from..to-1. Because every plan depends only on its step and the key,
 * `planRange(c, k, s, t)` equals `planRange(c, k, 0, t).slice(s)`: a run resumed at step s gets
 * the same plans as one that ran through s.
 */
export function planRange(plan: Curriculum, k: Key, from: number, to: number): StepPlan[] {
  checkStep('planRange', from);
  if (!Number.isInteger(to) || to < from) {
    throw new RangeError(`planRange: to must be an integer >= from = ${from}, got ${to}`);
  }
  const out: StepPlan[] = [];
  for (let step = from; step < to; step++) out.push(plan(step, k));
  return out;
}

function checkedValue(name: string, value: number, min: number, step: number): number {
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(`curriculum: the ${name} schedule returned ${value} at step ${step}; expected an integer >= ${min}`);
  }
  return value;
}
