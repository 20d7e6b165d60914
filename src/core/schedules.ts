/**
 * Learning-rate schedules as values: a schedule maps the 1-based update count t (an f32 scalar
 * tensor, so schedules run inside compiled steps) to a learning rate. Update t = 1 is the first
 * update, so a linear warmup's first learning rate is base / warmup, never 0.
 */
import { scalar } from './creation.js';
import { add, cos, div, minimum, mul, sub, where, greater, maximum } from './elementwise.js';
import type { Tensor } from './tensor.js';

export type Schedule = (t: Tensor) => Tensor;

/** Returns a constant learning rate. */
export function constantSchedule(lr: number): Schedule {
  return (t) => add(mul(t, 0), lr);
}

/** Linear warmup from base / warmup at t = 1 to base at t = warmup, then constant. */
export function linearWarmup(base: number, warmup: number): Schedule {
  if (!(warmup >= 1)) throw new RangeError(`linearWarmup: warmup must be at least 1 update, got ${warmup}`);
  return (t) => mul(base, minimum(div(t, warmup), 1));
}

/**
 * Cosine decay from `base` to `final` over `total` updates after an optional linear warmup:
 * lr = final + (base - final) (1 + cos(pi * progress)) / 2, progress clamped to [0, 1].
 */
export function cosineDecay(base: number, total: number, options: { warmup?: number; final?: number } = {}): Schedule {
  const warmup = options.warmup ?? 0;
  const final = options.final ?? 0;
  if (!(total > warmup)) throw new RangeError(`cosineDecay: total (${total}) must exceed warmup (${warmup})`);
  return (t) => {
    const progress = minimum(maximum(div(sub(t, warmup), total - warmup), 0), 1);
    const decayed = add(final, mul((base - final) / 2, add(1, cos(mul(Math.PI, progress)))));
    if (warmup === 0) return decayed;
    return where(greater(t, warmup), decayed, mul(base, div(t, warmup)));
  };
}

/** Evaluates a schedule at update t (1-based) on the host, for logging. */
export function scheduleValue(schedule: Schedule, t: number): number {
  return schedule(scalar(t)).item();
}

/** Accepts a number or a schedule. */
export function asSchedule(lr: number | Schedule): Schedule {
  return typeof lr === 'number' ? constantSchedule(lr) : lr;
}
