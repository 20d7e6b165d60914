/**
 * Batches from a curriculum: the plan of step s (task, input distribution, active dims, points)
 * comes from the curriculum and the curriculum key, and the prompts from `foldIn(batchKey, s)`.
 * Both depend only on the step and the keys, so a resumed run draws the batches of the run that
 * was not interrupted.
 */
import { foldIn } from '../core/prng.js';
import type { Tensor } from '../core/tensor.js';
import type { Curriculum, StepPlan } from '../curricula/index.js';
import { promptBatch, type FunctionClass, type InputDistribution, type PromptBatch } from '../tasks/index.js';
import type { Sampler } from '../tasks/index.js';
import type { RunKeys } from './state.js';

/** The batch of one training step with the plan it was drawn from. */
export interface StepBatch {
  /** The curriculum step (0-based): the update that uses this batch completes step + 1 updates. */
  readonly step: number;
  readonly plan: StepPlan;
  /** Inputs f32 [B, n, d]. */
  readonly xs: Tensor;
  /** Outputs f32 [B, n]. */
  readonly ys: Tensor;
  /** Function class label, e.g. `hermite_regression(degree=2)`. */
  readonly task: string;
  /** Input distribution label, e.g. `gaussian`. */
  readonly data: string;
}

/** Draws the batch of a curriculum step (0-based). Pure: the same step gives the same batch. */
export type BatchSource = (step: number) => StepBatch;

/** Builds a run's batch source from the keys the run derives from its run key. */
export type BatchSourceFactory = (keys: RunKeys) => BatchSource;

/** The sampling setup: a curriculum over lists of function classes and input distributions. */
export interface CurriculumData {
  readonly curriculum: Curriculum;
  /** The function classes that `plan.task` indexes, in curriculum order. */
  readonly tasks: readonly FunctionClass[];
  /** The input distributions that `plan.data` indexes, in curriculum order. */
  readonly data: readonly InputDistribution[];
  /** d, the input dimension of every prompt; inactive coordinates are zero. */
  readonly dims: number;
  /** B, prompts per batch. */
  readonly batchSize: number;
}

/**
 * Returns the batch source factory of a curriculum. A plan whose task or data index has no
 * entry, or whose active dims exceed `dims`, is an error naming the step.
 *
 * @example
 * const factory = curriculumBatches({ curriculum, tasks: [linearRegression()], data: [gaussian()], dims: 5, batchSize: 64 });
 * const batch = factory(runKeys(key(0)))(0); // batch.xs.shape = [64, n, 5]
 */
export function curriculumBatches(source: CurriculumData): BatchSourceFactory {
  if (source.tasks.length === 0) throw new RangeError('curriculumBatches: tasks is empty; pass at least one function class');
  if (source.data.length === 0) throw new RangeError('curriculumBatches: data is empty; pass at least one input distribution');
  return (keys) => {
    const samplers = new Map<string, Sampler<PromptBatch>>();
    return (step) => {
      const plan = source.curriculum(step, keys.curriculum);
      const sampler = samplerFor(source, samplers, plan, step);
      const batch = sampler(foldIn(keys.batches, step));
      return { step, plan, xs: batch.xs, ys: batch.ys, task: batch.taskLabel, data: batch.dataLabel };
    };
  };
}

function samplerFor(source: CurriculumData, cache: Map<string, Sampler<PromptBatch>>, plan: StepPlan, step: number): Sampler<PromptBatch> {
  const id = `${plan.task}/${plan.data}/${plan.activeDims}/${plan.points}`;
  const cached = cache.get(id);
  if (cached !== undefined) return cached;
  if (plan.task >= source.tasks.length) {
    throw new RangeError(`curriculumBatches: step ${step} plans task ${plan.task} but only ${source.tasks.length} function classes are given; make the task schedule's count match the task list`);
  }
  if (plan.data >= source.data.length) {
    throw new RangeError(`curriculumBatches: step ${step} plans input distribution ${plan.data} but only ${source.data.length} are given; make the data schedule's count match the data list`);
  }
  if (plan.activeDims > source.dims) {
    throw new RangeError(`curriculumBatches: step ${step} plans ${plan.activeDims} active dims but d = ${source.dims}; end the dims ramp at d or below`);
  }
  const sampler = promptBatch({
    inputs: source.data[plan.data],
    functions: source.tasks[plan.task],
    points: plan.points,
    dims: source.dims,
    activeDims: plan.activeDims,
    batchSize: source.batchSize,
  });
  cache.set(id, sampler);
  return sampler;
}
