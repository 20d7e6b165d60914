/**
 * Curricula: pure schedules from a training step (and a key) to the task, data distribution,
 * active dimensions and prompt length of that step, their combinators, and the papers' presets.
 */
export { checkStep, type Curriculum, type Schedule, type StepPlan } from './plan.js';
export { blockOf, boundaries } from './boundaries.js';
export {
  SCHEDULE_MODES,
  constant,
  dataSchedule,
  taskSchedule,
  weightedSchedule,
  type DataScheduleOptions,
  type DataSplit,
  type ScheduleMode,
} from './schedules.js';
export { ramp, type RampOptions } from './ramp.js';
export { curriculum, planRange, type CurriculumParts } from './compose.js';
export {
  buildCurriculum,
  maxSize,
  type CurriculumSpec,
  type DataScheduleSpec,
  type SizeSpec,
  type TaskScheduleSpec,
} from './spec.js';
export { FULL_STEPS, SKEWED_ROTATION_SEED, listPresets, preset, presetNames, type CurriculumPreset } from './presets.js';
