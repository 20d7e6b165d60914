/**
 * fast-check arbitraries for property tests of icl-lab code: PRNG keys, float tensors, and valid
 * specs of input distributions, function classes, prompt batches and curricula.
 *
 * Every float arbitrary sets `noNaN` and `noDefaultInfinity` and passes its bounds through
 * `Math.fround`, because `fc.float` otherwise draws NaN and infinities and rejects bounds that
 * are not 32-bit floats. Tensors are built from arrays of such floats, so a failing property
 * shrinks element by element to a simple counterexample.
 */
import fc from 'fast-check';
import { keyFromWords, type Key } from '../core/prng.js';
import type { Shape } from '../core/shape.js';
import { fromData, type Tensor } from '../core/tensor.js';
import type { CurriculumSpec, DataScheduleSpec, RampOptions, SizeSpec, TaskScheduleSpec } from '../curricula/index.js';
import { SCHEDULE_MODES } from '../curricula/index.js';
import {
  makeFunctionClass,
  makeInputDistribution,
  type FunctionClassSpec,
  type InputDistributionSpec,
  type PromptBatchConfig,
} from '../tasks/index.js';

/**
 * Returns an arbitrary of 32-bit floats in [min, max] that are never NaN or infinite. The bounds
 * are rounded with `Math.fround`, so a bound that is not a 32-bit float can move by up to half a
 * float32 ulp.
 *
 * @example boundedFloat(0, 6000) // never NaN, unlike fc.float({ min: 0, max: 6000 })
 */
export function boundedFloat(min: number, max: number): fc.Arbitrary<number> {
  return fc.float({ min: Math.fround(min), max: Math.fround(max), noNaN: true, noDefaultInfinity: true });
}

/** Returns an arbitrary of PRNG keys from two 32-bit words. It shrinks towards the key (0, 0). */
export function keys(): fc.Arbitrary<Key> {
  const word = fc.integer({ min: 0, max: 2 ** 32 - 1 });
  return fc.tuple(word, word).map(([k0, k1]) => keyFromWords(k0, k1));
}

/** Options of `tensors`. */
export interface TensorOptions {
  /** Fixed shape. When absent, the shape is drawn with rank 0..maxRank and sizes 1..maxDim. */
  readonly shape?: Shape;
  /** Value bounds (default [-10, 10]). */
  readonly min?: number;
  readonly max?: number;
  /** Maximum rank of a drawn shape (default 3). */
  readonly maxRank?: number;
  /** Maximum size of each axis of a drawn shape (default 4). */
  readonly maxDim?: number;
}

/**
 * Returns an arbitrary of f32 tensors whose elements are bounded, shrinkable 32-bit floats.
 *
 * @example fc.assert(fc.property(tensors({ shape: [2, 3] }), (t) => t.size === 6))
 */
export function tensors(options: TensorOptions = {}): fc.Arbitrary<Tensor> {
  const min = options.min ?? -10;
  const max = options.max ?? 10;
  if (options.shape !== undefined) return tensorOfShape(options.shape, min, max);
  const shapes = fc.array(fc.integer({ min: 1, max: options.maxDim ?? 4 }), { minLength: 0, maxLength: options.maxRank ?? 3 });
  return shapes.chain((shape) => tensorOfShape(shape, min, max));
}

/** Options of `inputDistributionSpecs`. */
export interface InputSpecOptions {
  /** Include Cauchy and Student-t with df <= 2, which have infinite variance (default true). */
  readonly heavyTails?: boolean;
  /** Include Garg et al.'s out-of-distribution families (default false). */
  readonly outOfDistribution?: boolean;
}

/**
 * Returns an arbitrary of input distribution specs with valid parameters. Build one with
 * `makeInputDistribution`.
 */
export function inputDistributionSpecs(options: InputSpecOptions = {}): fc.Arbitrary<InputDistributionSpec> {
  const heavyTails = options.heavyTails ?? true;
  const rotationSeed = fc.integer({ min: 0, max: 1000 });
  const finiteVarianceT = fc.record({ name: fc.constant('studentT' as const), df: boundedFloat(2.5, 30), standardize: fc.boolean() });
  const families: fc.Arbitrary<InputDistributionSpec>[] = [
    fc.constant({ name: 'gaussian' as const }),
    fc.record({ name: fc.constant('skewed' as const), rotationSeed }),
    fc.record({ name: fc.constant('laplace' as const), standardize: fc.boolean() }),
    finiteVarianceT,
  ];
  if (heavyTails) {
    families.push(
      fc.constant({ name: 'cauchy' as const }),
      fc.record({ name: fc.constant('studentT' as const), df: boundedFloat(0.5, 2) }),
    );
  }
  if (options.outOfDistribution ?? false) {
    families.push(
      fc.record({ name: fc.constant('half_subspace' as const), rotationSeed }),
      fc.constant({ name: 'random_quadrants' as const }),
      fc.constant({ name: 'orthogonal_train_test' as const }),
      fc.constant({ name: 'overlapping_train_test' as const }),
      fc.record({ name: fc.constant('scaled' as const), factor: boundedFloat(0.25, 4) }),
    );
  }
  return fc.oneof(...families);
}

/**
 * Returns an arbitrary of function class specs with valid parameters for inputs with
 * `activeDims` active coordinates (default 1, which every class accepts). Sizes stay small so
 * properties run fast.
 */
export function functionClassSpecs(activeDims = 1): fc.Arbitrary<FunctionClassSpec> {
  const scale = boundedFloat(0.25, 4);
  return fc.oneof(
    fc.record({ name: fc.constant('linear_regression' as const), scale, weights: fc.constantFrom('standard' as const, 'normalized' as const) }),
    fc.record({ name: fc.constant('sparse_linear_regression' as const), scale, sparsity: fc.integer({ min: 1, max: activeDims }) }),
    fc.record({
      name: fc.constant('noisy_linear_regression' as const),
      scale,
      noiseStd: boundedFloat(0, 2),
      renormalize: fc.boolean(),
    }),
    fc.constant({ name: 'linear_classification' as const }),
    fc.record({ name: fc.constant('quadratic_regression' as const), scale }),
    fc.record({ name: fc.constant('relu_2nn_regression' as const), scale, hiddenSize: fc.integer({ min: 1, max: 16 }) }),
    fc.record({ name: fc.constant('decision_tree' as const), depth: fc.integer({ min: 1, max: 5 }) }),
    fc.record({
      name: fc.constant('hermite_regression' as const),
      degree: fc.integer({ min: 1, max: 4 }),
      weights: fc.constantFrom('standard' as const, 'normalized' as const),
      scale,
    }),
  );
}

/** A prompt batch as data: specs in place of the built distribution and class. */
export interface PromptBatchSpec {
  readonly inputs: InputDistributionSpec;
  readonly functions: FunctionClassSpec;
  readonly points: number;
  readonly dims: number;
  readonly activeDims: number;
  readonly batchSize: number;
}

/**
 * Returns an arbitrary of valid prompt batch specs: d in 1..8, 1 <= activeDims <= d, n in 2..12,
 * B in 1..4, and a function class and input distribution (out-of-distribution families
 * included) that accept those sizes.
 */
export function promptBatchSpecs(): fc.Arbitrary<PromptBatchSpec> {
  const sizes = fc
    .integer({ min: 1, max: 8 })
    .chain((dims) => fc.record({ dims: fc.constant(dims), activeDims: fc.integer({ min: 1, max: dims }) }))
    .chain((shape) =>
      fc.record({
        dims: fc.constant(shape.dims),
        activeDims: fc.constant(shape.activeDims),
        points: fc.integer({ min: 2, max: 12 }),
        batchSize: fc.integer({ min: 1, max: 4 }),
      }),
    );
  return sizes.chain((shape) =>
    fc.record({
      inputs: inputDistributionSpecs({ outOfDistribution: true }).filter((spec) => acceptsShape(spec, shape)),
      functions: functionClassSpecs(shape.activeDims),
      points: fc.constant(shape.points),
      dims: fc.constant(shape.dims),
      activeDims: fc.constant(shape.activeDims),
      batchSize: fc.constant(shape.batchSize),
    }),
  );
}

/** Builds the `PromptBatchConfig` of a spec. */
export function toPromptBatchConfig(spec: PromptBatchSpec): PromptBatchConfig {
  return {
    inputs: makeInputDistribution(spec.inputs),
    functions: makeFunctionClass(spec.functions),
    points: spec.points,
    dims: spec.dims,
    activeDims: spec.activeDims,
    batchSize: spec.batchSize,
  };
}

/**
 * Returns an arbitrary of valid curriculum specs: T in 1..3000, task schedules by mode (1..5
 * tasks) or by weights, an optional data schedule (with a `blocks_based` split only where the
 * task schedule allows it), and constant or ramped sizes.
 */
export function curriculumSpecs(): fc.Arbitrary<CurriculumSpec> {
  const modes = fc.constantFrom(...SCHEDULE_MODES);
  const countFor = (mode: string): fc.Arbitrary<number> => (mode === 'single' ? fc.constant(1) : fc.integer({ min: 1, max: 5 }));
  const tasks: fc.Arbitrary<TaskScheduleSpec> = fc.oneof(
    modes.chain((mode) => fc.record({ mode: fc.constant(mode), count: countFor(mode) })),
    fc.record({ weights: fc.array(boundedFloat(0, 4), { minLength: 1, maxLength: 5 }).filter((w) => w.some((x) => x > 0)) }),
  );
  const data = (taskSpec: TaskScheduleSpec): fc.Arbitrary<DataScheduleSpec> =>
    modes.chain((mode) => {
      const blocksAllowed = !('weights' in taskSpec) && (taskSpec.mode !== 'random' || mode === 'random');
      return fc.record({
        mode: fc.constant(mode),
        count: countFor(mode),
        split: blocksAllowed ? fc.constantFrom('steps_based' as const, 'blocks_based' as const) : fc.constant('steps_based' as const),
      });
    });
  return tasks.chain((taskSpec) =>
    fc.record({
      totalSteps: fc.integer({ min: 1, max: 3000 }),
      tasks: fc.constant(taskSpec),
      data: fc.option(data(taskSpec), { nil: undefined }),
      activeDims: sizeSpecs(),
      points: sizeSpecs(),
    }),
  );
}

/**
 * Returns an arbitrary of size specs: constants in 1..40, or ramps with start 1..20, end up to
 * start + 30, increment 0..5 and interval 1..500.
 */
export function sizeSpecs(): fc.Arbitrary<SizeSpec> {
  const ramps: fc.Arbitrary<RampOptions> = fc
    .record({
      start: fc.integer({ min: 1, max: 20 }),
      extra: fc.integer({ min: 0, max: 30 }),
      increment: fc.integer({ min: 0, max: 5 }),
      interval: fc.integer({ min: 1, max: 500 }),
    })
    .map(({ start, extra, increment, interval }) => ({ start, end: start + extra, increment, interval }));
  return fc.oneof(fc.integer({ min: 1, max: 40 }), ramps);
}

function tensorOfShape(shape: Shape, min: number, max: number): fc.Arbitrary<Tensor> {
  const size = shape.reduce((product, axis) => product * axis, 1);
  return fc
    .array(boundedFloat(min, max), { minLength: size, maxLength: size })
    .map((values) => fromData(Float32Array.from(values), [...shape]));
}

function acceptsShape(spec: InputDistributionSpec, shape: { dims: number; activeDims: number; points: number }): boolean {
  switch (spec.name) {
    case 'half_subspace':
      return shape.dims >= 2;
    case 'orthogonal_train_test':
      return shape.points <= shape.activeDims;
    default:
      return true;
  }
}
