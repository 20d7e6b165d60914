/**
 * Pure optimizers: `init(params)` returns a state pytree and `update(grads, state, params)`
 * returns new parameters and state; nothing is mutated, so an update compiles into a training
 * step and a state can be checkpointed as it is. The update formulas and defaults are PyTorch's
 * (torch.optim.SGD, Adam, AdamW). One step counter is kept per update of the whole tree.
 */
import { full, zerosLike } from './creation.js';
import { add, div, equal, minimum, mul, sqrt, square, sub, tanh, where } from './elementwise.js';
import { treeLeaves, treeMap, treeZip, type PyTree } from './pytree.js';
import { sum } from './reductions.js';
import { asSchedule, type Schedule } from './schedules.js';
import type { Tensor } from './tensor.js';

/** Optimizer state: the update count (f32 scalar) and per-parameter slots shaped like the parameters. */
export type OptimizerState<P = PyTree> = {
  readonly step: Tensor;
  readonly slots: { readonly [name: string]: P };
};

export interface Optimizer {
  init<P>(params: P): OptimizerState<P>;
  update<P>(grads: P, state: OptimizerState<P>, params: P): [P, OptimizerState<P>];
}

export interface SgdOptions {
  lr: number | Schedule;
  momentum?: number;
  dampening?: number;
  weightDecay?: number;
  nesterov?: boolean;
}

/** SGD with optional momentum, dampening, L2 weight decay and Nesterov momentum, as torch.optim.SGD. */
export function sgd(options: SgdOptions): Optimizer {
  const lr = asSchedule(options.lr);
  const momentum = options.momentum ?? 0;
  const dampening = options.dampening ?? 0;
  const weightDecay = options.weightDecay ?? 0;
  const nesterov = options.nesterov ?? false;
  return {
    init: (params) => ({ step: full([], 0), slots: { momentum: treeMap(params, zerosLike) } }),
    update: (grads, state, params) => {
      const t = add(state.step, 1);
      const rate = lr(t);
      const first = equal(state.step, 0);
      const decayed = weightDecay === 0 ? grads : treeZip(grads, params, (g, p) => add(g, mul(p, weightDecay)));
      const buffers = momentum === 0 ? state.slots.momentum :
        treeZip(decayed, state.slots.momentum, (g, b) => where(first, g, add(mul(b, momentum), mul(g, 1 - dampening))));
      const directions = momentum === 0 ? decayed :
        nesterov ? treeZip(decayed, buffers, (g, b) => add(g, mul(b, momentum))) : buffers;
      const next = treeZip(params, directions, (p, d) => sub(p, mul(rate, d)));
      return [next, { step: t, slots: { momentum: buffers } }];
    },
  };
}

export interface AdamOptions {
  lr?: number | Schedule;
  beta1?: number;
  beta2?: number;
  eps?: number;
  /** L2 penalty added to the gradient (Adam) or decoupled decay (AdamW). */
  weightDecay?: number;
}

/**
 * Computes 1 - beta^t for the f32 step count t as -expm1(t ln(beta)), with expm1(y) written as
 * 2 tanh(y/2) / (1 - tanh(y/2)). The direct form 1 - pow(beta, t) cancels digits in float32.
 * For beta 0.999 at t = 1 it is off by 1.3e-5 relative, which moves Adam's first update by 6.6e-6.
 */
function oneMinusPower(beta: number, t: Tensor): Tensor {
  const half = tanh(mul(t, Math.log(beta) / 2));
  return div(mul(half, -2), sub(1, half));
}

function adamFamily(options: AdamOptions, decoupled: boolean): Optimizer {
  const lr = asSchedule(options.lr ?? 1e-3);
  const beta1 = options.beta1 ?? 0.9;
  const beta2 = options.beta2 ?? 0.999;
  const eps = options.eps ?? 1e-8;
  const weightDecay = options.weightDecay ?? (decoupled ? 1e-2 : 0);
  return {
    init: (params) => ({
      step: full([], 0),
      slots: { m: treeMap(params, zerosLike), v: treeMap(params, zerosLike) },
    }),
    update: (grads, state, params) => {
      const t = add(state.step, 1);
      const rate = lr(t);
      const g2 = !decoupled && weightDecay !== 0 ? treeZip(grads, params, (g, p) => add(g, mul(p, weightDecay))) : grads;
      const m = treeZip(state.slots.m, g2, (mi, g) => add(mul(mi, beta1), mul(g, 1 - beta1)));
      const v = treeZip(state.slots.v, g2, (vi, g) => add(mul(vi, beta2), mul(square(g), 1 - beta2)));
      const bias1 = oneMinusPower(beta1, t);
      const bias2Sqrt = sqrt(oneMinusPower(beta2, t));
      const stepSize = div(rate, bias1);
      const base = decoupled && weightDecay !== 0 ? treeMap(params, (p) => mul(p, sub(1, mul(rate, weightDecay)))) : params;
      const mv = treeZip(m, v, (mi, vi) => div(mi, add(div(sqrt(vi), bias2Sqrt), eps)));
      const next = treeZip(base, mv, (p, d) => sub(p, mul(stepSize, d)));
      return [next, { step: t, slots: { m, v } }];
    },
  };
}

/** Adam as torch.optim.Adam (defaults lr 1e-3, betas 0.9/0.999, eps 1e-8, no weight decay). */
export function adam(options: AdamOptions = {}): Optimizer {
  return adamFamily(options, false);
}

/** AdamW as torch.optim.AdamW (decoupled weight decay, default 1e-2). */
export function adamw(options: AdamOptions = {}): Optimizer {
  return adamFamily(options, true);
}

/** Computes the global L2 norm of all tensors of a tree. */
export function globalNorm(tree: unknown): Tensor {
  const leaves = treeLeaves(tree);
  const squares = leaves.map((t) => sum(square(t)));
  return sqrt(squares.reduce((a, b) => add(a, b), full([], 0)));
}

/**
 * Wraps an optimizer so gradients are scaled by min(1, maxNorm / (norm + 1e-6)) first, as
 * torch.nn.utils.clip_grad_norm_.
 */
export function clipByGlobalNorm(inner: Optimizer, maxNorm: number): Optimizer {
  return {
    init: (params) => inner.init(params),
    update: (grads, state, params) => {
      const scale = minimum(div(maxNorm, add(globalNorm(grads), 1e-6)), 1);
      return inner.update(treeMap(grads, (g) => mul(g, scale)), state, params);
    },
  };
}
