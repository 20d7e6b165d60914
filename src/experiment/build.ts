/**
 * Turns a resolved experiment into the values the training loop and the evaluation take: the
 * Transformer as a trainable model, the optimizer with its schedule, the curriculum batches and
 * the list of evaluation targets (function class x input distribution).
 */
import { adam, adamw, clipByGlobalNorm, constantSchedule, cosineDecay, linearWarmup, type Optimizer, type Schedule } from '../core/index.js';
import { buildCurriculum } from '../curricula/index.js';
import {
  applyTransformer,
  fromNamedTensors,
  initTransformer,
  toNamedTensors,
  transformerLoss,
  type TransformerConfig,
  type TransformerParams,
} from '../models/index.js';
import { makeFunctionClass, makeInputDistribution, type FunctionClassSpec, type InputDistributionSpec } from '../tasks/index.js';
import { curriculumBatches, type BatchSourceFactory, type TrainableModel } from '../train/index.js';
import type { Experiment, ScheduleConfig } from './config.js';

/** Returns the Transformer sizes of an experiment: the model sizes plus d and the largest n of the task. */
export function transformerConfigOf(experiment: Experiment): TransformerConfig {
  return { ...experiment.model, nDims: experiment.task.dims, nPoints: experiment.task.points };
}

/**
 * Wraps the Transformer as a trainable model whose checkpoints use the PyTorch reference's
 * tensor names.
 *
 * @example const model = transformerModel({ nDims: 5, nPoints: 16, nEmbd: 64, nLayer: 3, nHead: 2 });
 */
export function transformerModel(config: TransformerConfig): TrainableModel<TransformerParams> {
  return {
    name: `transformer(L=${config.nLayer}, H=${config.nHead}, E=${config.nEmbd}, d=${config.nDims}, n=${config.nPoints})`,
    init: (k) => initTransformer(k, config),
    loss: transformerLoss,
    predict: (params, xs, ys) => applyTransformer(params, xs, ys),
    toNamed: toNamedTensors,
    fromNamed: (named) => fromNamedTensors(named, config),
  };
}

/** Builds the learning-rate schedule of the training section (a function of the 1-based update t). */
export function buildSchedule(training: Experiment['training']): Schedule {
  const schedule = training.schedule;
  switch (schedule.name) {
    case 'constant':
      return constantSchedule(training.lr);
    case 'warmup':
      return linearWarmup(training.lr, schedule.warmup);
    case 'cosine':
      return cosineDecay(training.lr, schedule.total ?? training.steps, { warmup: schedule.warmup ?? 0, final: schedule.final ?? 0 });
  }
}

/**
 * Returns the learning rate of update t in float64, by the formulas of the schedules in
 * src/core/schedules.ts (which run in float32 inside the step), for the metrics log.
 */
export function learningRateAt(training: Experiment['training']): (update: number) => number {
  const schedule: ScheduleConfig = training.schedule;
  const base = training.lr;
  switch (schedule.name) {
    case 'constant':
      return () => base;
    case 'warmup':
      return (t) => base * Math.min(t / schedule.warmup, 1);
    case 'cosine': {
      const warmup = schedule.warmup ?? 0;
      const final = schedule.final ?? 0;
      const total = schedule.total ?? training.steps;
      return (t) => {
        if (warmup > 0 && t <= warmup) return (base * t) / warmup;
        const progress = Math.min(Math.max((t - warmup) / (total - warmup), 0), 1);
        return final + ((base - final) / 2) * (1 + Math.cos(Math.PI * progress));
      };
    }
  }
}

/** Builds the optimizer of the training section: Adam or AdamW, the schedule, optional clipping. */
export function buildOptimizer(training: Experiment['training']): Optimizer {
  const { name, beta1, beta2, eps, weightDecay } = training.optimizer;
  const options = { lr: buildSchedule(training), beta1, beta2, eps, weightDecay };
  const optimizer = name === 'adamw' ? adamw(options) : adam(options);
  return training.clipNorm === undefined ? optimizer : clipByGlobalNorm(optimizer, training.clipNorm);
}

/** Builds the batch source factory of the task section. */
export function buildData(experiment: Experiment): BatchSourceFactory {
  const { task, training } = experiment;
  return curriculumBatches({
    curriculum: buildCurriculum(task.curriculum),
    tasks: task.functions.map((spec) => makeFunctionClass(spec)),
    data: task.inputs.map((spec) => makeInputDistribution(spec)),
    dims: task.dims,
    batchSize: training.batchSize,
  });
}

/** One evaluation target: a function class on an input distribution. */
export interface EvalTarget {
  readonly functions: FunctionClassSpec;
  readonly inputs: InputDistributionSpec;
  /** File-name-safe id from the two specs, e.g. `hermite_regression-degree-2_on_skewed-rotationSeed-1`. */
  readonly id: string;
}

/**
 * Lists every function class of the task on every evaluation input distribution, task-major,
 * without repeats (a spec listed twice gives one target).
 */
export function evalTargets(experiment: Experiment): EvalTarget[] {
  const targets = experiment.task.functions.flatMap((functions) =>
    experiment.eval.inputs.map((inputs) => ({ functions, inputs, id: `${specSlug(functions)}_on_${specSlug(inputs)}` })),
  );
  return targets.filter((target, i) => targets.findIndex((other) => other.id === target.id) === i);
}

/** `name-key-value-...` of a spec with its options in key order; nested specs are inlined. */
function specSlug(spec: object): string {
  const parts: string[] = [];
  const walk = (value: unknown): void => {
    if (typeof value === 'object' && value !== null) {
      const record = value as Record<string, unknown>;
      if (typeof record.name === 'string') parts.push(record.name);
      for (const k of Object.keys(record).sort()) {
        if (k === 'name') continue;
        parts.push(k);
        walk(record[k]);
      }
    } else {
      parts.push(String(value));
    }
  };
  walk(spec);
  return parts.join('-').replace(/[^A-Za-z0-9_.-]+/g, '-');
}
