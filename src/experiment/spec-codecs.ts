/**
 * io-ts codecs of the task-layer specs that a config names: function classes and input
 * distributions by registry name with their options, and the curriculum (schedules and size
 * ramps). The ranges are those the constructors in src/tasks and src/curricula accept; checks
 * that need several fields (sparsity <= dims, ramp end <= d) happen in `resolveExperiment`.
 */
import * as t from 'io-ts';
import { SCHEDULE_MODES, type RampOptions, type ScheduleMode, type SizeSpec } from '../curricula/index.js';
import { MAX_HERMITE_DEGREE, MAX_TREE_DEPTH, type FunctionClassSpec, type InputDistributionSpec } from '../tasks/index.js';
import { anyInteger, arrayOf, closedObject, dispatch, finiteNumber, integer, isPlainObject, oneOf, taggedUnion } from './codec-kit.js';

const positive = finiteNumber({ min: 0, exclusiveMin: true });
const weights = oneOf(['standard', 'normalized'] as const);
const pool = closedObject('pool', { size: integer(1), seed: anyInteger }, {});

const functionMember = <O extends t.Props>(name: string, options: O) =>
  closedObject(`function class '${name}'`, { name: oneOf([name]) }, { ...options, pool });

/** Codec of a function class spec such as `{ name: 'hermite_regression', degree: 2 }`. */
export const FunctionClassSpecCodec = taggedUnion('a function class', 'name', {
  linear_regression: functionMember('linear_regression', { scale: positive, weights }),
  sparse_linear_regression: functionMember('sparse_linear_regression', { scale: positive, sparsity: integer(1) }),
  noisy_linear_regression: functionMember('noisy_linear_regression', { scale: positive, noiseStd: finiteNumber({ min: 0 }), renormalize: t.boolean }),
  linear_classification: functionMember('linear_classification', {}),
  quadratic_regression: functionMember('quadratic_regression', { scale: positive }),
  relu_2nn_regression: functionMember('relu_2nn_regression', { hiddenSize: integer(1), scale: positive }),
  decision_tree: functionMember('decision_tree', { depth: integer(1, MAX_TREE_DEPTH) }),
  hermite_regression: functionMember('hermite_regression', { degree: integer(1, MAX_HERMITE_DEGREE), weights, scale: positive }),
}) as t.Type<FunctionClassSpec, FunctionClassSpec, unknown>;

/** Codec of an input distribution spec such as `{ name: 'studentT', df: 4 }`. A `base` field nests another spec. */
export const InputDistributionSpecCodec: t.Type<InputDistributionSpec, InputDistributionSpec, unknown> = t.recursion('an input distribution', () => {
  const base = { base: InputDistributionSpecCodec };
  const member = <R extends t.Props, O extends t.Props>(name: string, required: R, optional: O) =>
    closedObject(`input distribution '${name}'`, { name: oneOf([name]), ...required }, optional);
  return taggedUnion('an input distribution', 'name', {
    gaussian: member('gaussian', {}, {}),
    skewed: member('skewed', {}, { rotationSeed: anyInteger, ...base }),
    half_subspace: member('half_subspace', {}, { rotationSeed: anyInteger, ...base }),
    laplace: member('laplace', {}, { standardize: t.boolean }),
    cauchy: member('cauchy', {}, { standardize: t.boolean }),
    studentT: member('studentT', {}, { df: positive, standardize: t.boolean }),
    random_quadrants: member('random_quadrants', {}, base),
    orthogonal_train_test: member('orthogonal_train_test', {}, base),
    overlapping_train_test: member('overlapping_train_test', {}, base),
    scaled: member('scaled', { factor: positive }, base),
  }) as t.Type<InputDistributionSpec, InputDistributionSpec, unknown>;
});

/** Codec of a size ramp: min(start + floor(step / interval) * increment, end). */
export const RampCodec: t.Type<RampOptions, RampOptions, unknown> = closedObject(
  'a ramp',
  { start: integer(1), end: integer(1), increment: integer(0), interval: integer(1) },
  {},
);

/** Codec of a size: a positive integer or a ramp. */
export const SizeSpecCodec: t.Type<SizeSpec, SizeSpec, unknown> = dispatch<SizeSpec>('a positive integer or a ramp {start, end, increment, interval}', [
  [(u) => typeof u === 'number', integer(1)],
  [isPlainObject, RampCodec],
]);

const mode = oneOf<ScheduleMode>(SCHEDULE_MODES);

/** The task schedule of a config. `count` defaults to the number of function classes. */
export type TaskScheduleInput = { readonly mode: ScheduleMode; readonly count?: number } | { readonly weights: readonly number[] };

/** The data schedule of a config. `count` defaults to the number of input distributions. */
export interface DataScheduleInput {
  readonly mode: ScheduleMode;
  readonly count?: number;
  readonly split?: 'steps_based' | 'blocks_based';
}

const TaskScheduleCodec: t.Type<TaskScheduleInput, TaskScheduleInput, unknown> = dispatch<TaskScheduleInput>(
  "a task schedule ({mode, count} or {weights})",
  [
    [(u) => isPlainObject(u) && 'weights' in u, closedObject('a weighted task schedule', { weights: arrayOf(finiteNumber({ min: 0 })) }, {})],
    [isPlainObject, closedObject('a task schedule', { mode }, { count: integer(1) })],
  ],
);

const DataScheduleCodec: t.Type<DataScheduleInput, DataScheduleInput, unknown> = closedObject(
  'a data schedule',
  { mode },
  { count: integer(1), split: oneOf(['steps_based', 'blocks_based'] as const) },
);

/**
 * The curriculum of a config. Every field is optional: `totalSteps` defaults to the training
 * steps, `activeDims` to d, `points` to n, and no schedule means one task and one distribution.
 */
export interface CurriculumInput {
  readonly totalSteps?: number;
  readonly tasks?: TaskScheduleInput;
  readonly data?: DataScheduleInput;
  readonly activeDims?: SizeSpec;
  readonly points?: SizeSpec;
}

/** Codec of `CurriculumInput`. */
export const CurriculumInputCodec: t.Type<CurriculumInput, CurriculumInput, unknown> = closedObject(
  'a curriculum',
  {},
  { totalSteps: integer(1), tasks: TaskScheduleCodec, data: DataScheduleCodec, activeDims: SizeSpecCodec, points: SizeSpecCodec },
);
