/**
 * `CurriculumSpec`: a JSON-friendly description of a curriculum (schedule modes, counts, ramps),
 * and `buildCurriculum`, which turns it into the `Curriculum` function.
 */
import { curriculum } from './compose.js';
import { checkInteger, type Curriculum, type Schedule } from './plan.js';
import { ramp, type RampOptions } from './ramp.js';
import { constant, dataSchedule, taskSchedule, weightedSchedule, type DataSplit, type ScheduleMode } from './schedules.js';

/** A size that is fixed or follows a ramp. */
export type SizeSpec = number | RampOptions;

/** The task schedule: a mode over `count` tasks, or a weighted mixture with one weight per task. */
export type TaskScheduleSpec =
  | { readonly mode: ScheduleMode; readonly count: number }
  | { readonly weights: readonly number[] };

/** The data schedule: a mode over `count` input distributions and a split (default `steps_based`). */
export interface DataScheduleSpec {
  readonly mode: ScheduleMode;
  readonly count: number;
  readonly split?: DataSplit;
}

/** A curriculum as data. Missing task and data schedules mean a single task and a single distribution. */
export interface CurriculumSpec {
  /** T, the number of training steps. */
  readonly totalSteps: number;
  readonly tasks?: TaskScheduleSpec;
  readonly data?: DataScheduleSpec;
  readonly activeDims: SizeSpec;
  readonly points: SizeSpec;
}

/**
 * Builds the curriculum a spec describes. A `blocks_based` data split needs a mode-based task
 * schedule and is rejected with weighted tasks.
 *
 * @example buildCurriculum({ totalSteps: 6000, tasks: { mode: 'mixed', count: 3 }, activeDims: 5, points: 25 })
 */
export function buildCurriculum(spec: CurriculumSpec): Curriculum {
  checkInteger('buildCurriculum', 'totalSteps', spec.totalSteps, 1, 'pass the number of training steps');
  const tasks = spec.tasks ?? { mode: 'single', count: 1 };
  const task = 'weights' in tasks ? weightedSchedule(tasks.weights) : taskSchedule(tasks.mode, tasks.count, spec.totalSteps);

  let data: Schedule | undefined;
  if (spec.data !== undefined) {
    if ('weights' in tasks && spec.data.split === 'blocks_based') {
      throw new RangeError("buildCurriculum: split 'blocks_based' needs a mode-based task schedule, not weights; use split 'steps_based'");
    }
    data = dataSchedule({
      mode: spec.data.mode,
      count: spec.data.count,
      totalSteps: spec.totalSteps,
      split: spec.data.split,
      tasks: 'weights' in tasks ? undefined : tasks,
    });
  }

  return curriculum({
    task,
    data,
    activeDims: sizeSchedule('activeDims', spec.activeDims),
    points: sizeSchedule('points', spec.points),
  });
}

/** Returns the largest value a size spec reaches: the number itself, or a ramp's end. */
export function maxSize(size: SizeSpec): number {
  return typeof size === 'number' ? size : size.end;
}

function sizeSchedule(name: string, size: SizeSpec): Schedule {
  if (typeof size === 'number') {
    checkInteger('buildCurriculum', name, size, 1, 'pass a positive integer or a ramp');
    return constant(size);
  }
  return ramp(size);
}
