/**
 * Optimizers, schedules and gradient clipping against float64 references, written here, of
 * PyTorch's update formulas: torch.optim.SGD, Adam and AdamW, and torch.nn.utils.clip_grad_norm_.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  adam, adamw, clipByGlobalNorm, compile, constantSchedule, cosineDecay, globalNorm, key, linearWarmup, normal64,
  scheduleValue, sgd, split, tensor, type Optimizer, type OptimizerState, type Tensor,
} from '../../src/index.js';
import { expectClose, f32, float32 } from './helpers.js';

const STEPS = 4;
const SIZE = 3;

/** Returns fixed parameters and one gradient per step, all float32 values. */
function problem(seed: number): { params: number[]; grads: number[][] } {
  const [pk, gk] = split(key(seed));
  const round = (v: number) => Math.fround(v);
  const params = Array.from(normal64(pk, SIZE), round);
  const flat = Array.from(normal64(gk, SIZE * STEPS), round);
  const grads = Array.from({ length: STEPS }, (_, s) => flat.slice(s * SIZE, (s + 1) * SIZE));
  return { params, grads };
}

/** Runs `optimizer` on one f32[SIZE] parameter and returns the parameter after every step. */
function runOptimizer(optimizer: Optimizer, params: number[], grads: number[][]): number[][] {
  let p = f32(params, [SIZE]);
  let state = optimizer.init(p);
  const trajectory: number[][] = [];
  for (const g of grads) {
    [p, state] = optimizer.update(f32(g, [SIZE]), state, p);
    trajectory.push(Array.from(p.data()));
  }
  return trajectory;
}

interface SgdReference {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
}

/** Runs torch.optim.SGD's update in float64. */
function referenceSgd(o: SgdReference, params: number[], grads: number[][]): number[][] {
  const p = [...params];
  let buffer: number[] | undefined;
  const trajectory: number[][] = [];
  for (const g of grads) {
    let d = g.map((gi, i) => gi + o.weightDecay * p[i]);
    if (o.momentum !== 0) {
      const previous = buffer;
      buffer = previous === undefined ? [...d] : previous.map((b, i) => o.momentum * b + (1 - o.dampening) * d[i]);
      const current = buffer;
      d = o.nesterov ? d.map((di, i) => di + o.momentum * current[i]) : [...current];
    }
    for (let i = 0; i < p.length; i++) p[i] -= o.lr * d[i];
    trajectory.push([...p]);
  }
  return trajectory;
}

interface AdamReference {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  decoupled: boolean;
}

/** Runs torch.optim.Adam's (decoupled: false) or AdamW's (decoupled: true) update in float64. */
function referenceAdam(o: AdamReference, params: number[], grads: number[][]): number[][] {
  const p = [...params];
  const m = p.map(() => 0);
  const v = p.map(() => 0);
  const trajectory: number[][] = [];
  grads.forEach((raw, step) => {
    const t = step + 1;
    const g = o.decoupled ? raw : raw.map((gi, i) => gi + o.weightDecay * p[i]);
    if (o.decoupled) for (let i = 0; i < p.length; i++) p[i] *= 1 - o.lr * o.weightDecay;
    const bias1 = 1 - o.beta1 ** t;
    const bias2 = 1 - o.beta2 ** t;
    for (let i = 0; i < p.length; i++) {
      m[i] = o.beta1 * m[i] + (1 - o.beta1) * g[i];
      v[i] = o.beta2 * v[i] + (1 - o.beta2) * g[i] * g[i];
      const denom = Math.sqrt(v[i]) / Math.sqrt(bias2) + o.eps;
      p[i] -= (o.lr / bias1) * (m[i] / denom);
    }
    trajectory.push([...p]);
  });
  return trajectory;
}

function expectTrajectory(actual: number[][], expected: number[][]): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((step, s) => expectClose(step, expected[s], { rtol: 1e-5, atol: 1e-6 }));
}

describe('sgd', () => {
  const variants: [string, SgdReference][] = [
    ['plain', { lr: 0.1, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false }],
    ['momentum', { lr: 0.05, momentum: 0.9, dampening: 0, weightDecay: 0, nesterov: false }],
    ['momentum with dampening', { lr: 0.05, momentum: 0.8, dampening: 0.3, weightDecay: 0, nesterov: false }],
    ['nesterov', { lr: 0.05, momentum: 0.9, dampening: 0, weightDecay: 0, nesterov: true }],
    ['weight decay', { lr: 0.1, momentum: 0, dampening: 0, weightDecay: 0.01, nesterov: false }],
    ['all options', { lr: 0.02, momentum: 0.7, dampening: 0.1, weightDecay: 0.05, nesterov: true }],
  ];
  variants.forEach(([name, options], i) => {
    it(`${name} matches torch.optim.SGD`, () => {
      const { params, grads } = problem(100 + i);
      expectTrajectory(runOptimizer(sgd(options), params, grads), referenceSgd(options, params, grads));
    });
  });

  it('counts steps in the state', () => {
    const optimizer = sgd({ lr: 0.1, momentum: 0.9 });
    let p = f32([1], [1]);
    let state = optimizer.init(p);
    expect(state.step.item()).toBe(0);
    [p, state] = optimizer.update(f32([1], [1]), state, p);
    [p, state] = optimizer.update(f32([1], [1]), state, p);
    expect(state.step.item()).toBe(2);
    expect(state.slots.momentum.shape).toEqual([1]);
  });
});

describe('adam and adamw', () => {
  const variants: [string, (o: AdamReference) => Optimizer, AdamReference][] = [
    ['adam defaults', () => adam(), { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, decoupled: false }],
    ['adam', (o) => adam(o), { lr: 0.05, beta1: 0.8, beta2: 0.99, eps: 1e-6, weightDecay: 0, decoupled: false }],
    ['adam with L2 weight decay', (o) => adam(o), { lr: 0.05, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1, decoupled: false }],
    ['adamw defaults', () => adamw(), { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 1e-2, decoupled: true }],
    ['adamw', (o) => adamw(o), { lr: 0.05, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, decoupled: true }],
  ];
  variants.forEach(([name, make, options], i) => {
    it(`${name} matches PyTorch`, () => {
      const { params, grads } = problem(200 + i);
      expectTrajectory(runOptimizer(make(options), params, grads), referenceAdam(options, params, grads));
    });
  });

  it('adam follows a schedule', () => {
    const { params, grads } = problem(210);
    const actual = runOptimizer(adam({ lr: linearWarmup(0.1, 2) }), params, grads);
    const options = { lr: 0, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, decoupled: false };
    // Warmup over 2 updates gives the rates 0.05, 0.1, 0.1, 0.1.
    expectTrajectory(actual, referenceAdamWithRates(options, params, grads, [0.05, 0.1, 0.1, 0.1]));
  });
});

/** Runs Adam in float64 with a learning rate per step. */
function referenceAdamWithRates(o: AdamReference, params: number[], grads: number[][], rates: number[]): number[][] {
  const p = [...params];
  const m = p.map(() => 0);
  const v = p.map(() => 0);
  return grads.map((g, step) => {
    const t = step + 1;
    for (let i = 0; i < p.length; i++) {
      m[i] = o.beta1 * m[i] + (1 - o.beta1) * g[i];
      v[i] = o.beta2 * v[i] + (1 - o.beta2) * g[i] * g[i];
      const denom = Math.sqrt(v[i]) / Math.sqrt(1 - o.beta2 ** t) + o.eps;
      p[i] -= (rates[step] / (1 - o.beta1 ** t)) * (m[i] / denom);
    }
    return [...p];
  });
}

describe('step counter per update', () => {
  const runScalars = (optimizer: Optimizer, steps: number) => {
    let params: Record<string, Tensor> = { p1: tensor(0), p2: tensor(0) };
    let state = optimizer.init(params);
    for (let i = 0; i < steps; i++) [params, state] = optimizer.update({ p1: tensor(1), p2: tensor(1) }, state, params);
    return params;
  };

  it('two parameters are -0.099999999 after one Adam step', () => {
    const p = runScalars(adam({ lr: 0.1 }), 1);
    expect(p.p1.item()).toBeCloseTo(-0.099999999, 7);
    expect(p.p2.item()).toBeCloseTo(-0.099999999, 7);
  });

  it('two parameters are -0.199999998 after two Adam steps', () => {
    const p = runScalars(adam({ lr: 0.1 }), 2);
    expect(p.p1.item()).toBeCloseTo(-0.199999998, 7);
    expect(p.p2.item()).toBeCloseTo(-0.199999998, 7);
  });

  const optimizers: [string, () => Optimizer][] = [
    ['sgd with momentum', () => sgd({ lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01 })],
    ['adam', () => adam({ lr: 0.1, weightDecay: 0.01 })],
    ['adamw', () => adamw({ lr: 0.1 })],
  ];
  for (const [name, make] of optimizers) {
    it(`${name}: adding or reordering parameters never changes another update`, () => {
      const value = float32(-2, 2);
      fc.assert(
        fc.property(
          fc.tuple(value, value),
          fc.dictionary(fc.constantFrom('a', 'b', 'c', 'z', 'w'), fc.tuple(value, value), { maxKeys: 4 }),
          fc.boolean(),
          ([p0, g0], others, targetFirst) => {
            const run = (params: Record<string, Tensor>, grads: Record<string, Tensor>) => {
              const optimizer = make();
              let p = params;
              let state = optimizer.init(p);
              for (let i = 0; i < 3; i++) [p, state] = optimizer.update(grads, state, p);
              return p.target.item();
            };
            const alone = run({ target: tensor(p0) }, { target: tensor(g0) });
            const entries = Object.entries(others);
            const withTarget = targetFirst ? [['target', [p0, g0]] as const, ...entries] : [...entries, ['target', [p0, g0]] as const];
            const params = Object.fromEntries(withTarget.map(([k, [p]]) => [k, tensor(p)]));
            const grads = Object.fromEntries(withTarget.map(([k, [, g]]) => [k, tensor(g)]));
            expect(run(params, grads)).toBe(alone);
          },
        ),
        { numRuns: 40 },
      );
    });
  }
});

describe('schedules', () => {
  it('linear warmup rates start at base / warmup', () => {
    const schedule = linearWarmup(0.1, 4);
    const rates = [1, 2, 3, 4, 5, 6].map((t) => scheduleValue(schedule, t));
    expectClose(rates, [0.025, 0.05, 0.075, 0.1, 0.1, 0.1], { rtol: 1e-6 });
  });

  it('first warmup update moves the parameter', () => {
    const optimizer = sgd({ lr: linearWarmup(0.1, 4) });
    let p = tensor(0);
    let state = optimizer.init(p);
    const trajectory: number[] = [];
    for (let i = 0; i < 6; i++) {
      [p, state] = optimizer.update(tensor(1), state, p);
      trajectory.push(p.item());
    }
    expect(trajectory[0]).not.toBe(0);
    expect(trajectory[0]).toBeCloseTo(-0.025, 7);
    expectClose(trajectory, [-0.025, -0.075, -0.15, -0.25, -0.35, -0.45], { rtol: 1e-6 });
  });

  it('linear warmup rejects warmup below 1', () => {
    expect(() => linearWarmup(0.1, 0)).toThrow(/at least 1/);
  });

  it('constant schedule', () => {
    expect(scheduleValue(constantSchedule(0.3), 7)).toBeCloseTo(0.3, 7);
  });

  it('cosine decay endpoints without warmup', () => {
    const schedule = cosineDecay(1, 100, { final: 0.1 });
    expect(scheduleValue(schedule, 0)).toBeCloseTo(1, 6);
    expect(scheduleValue(schedule, 50)).toBeCloseTo(0.55, 6);
    expect(scheduleValue(schedule, 100)).toBeCloseTo(0.1, 6);
    expect(scheduleValue(schedule, 150)).toBeCloseTo(0.1, 6);
  });

  it('cosine decay endpoints with warmup', () => {
    const schedule = cosineDecay(0.5, 110, { warmup: 10 });
    expect(scheduleValue(schedule, 1)).toBeCloseTo(0.05, 6);
    expect(scheduleValue(schedule, 10)).toBeCloseTo(0.5, 6);
    expect(scheduleValue(schedule, 60)).toBeCloseTo(0.25, 6);
    expect(scheduleValue(schedule, 110)).toBeCloseTo(0, 6);
  });

  it('cosine decay is monotone after warmup', () => {
    const schedule = cosineDecay(1, 40, { warmup: 5 });
    const rates = Array.from({ length: 40 }, (_, i) => scheduleValue(schedule, i + 5));
    for (let i = 1; i < rates.length; i++) expect(rates[i]).toBeLessThanOrEqual(rates[i - 1]);
  });

  it('cosine decay rejects total not above warmup', () => {
    expect(() => cosineDecay(1, 5, { warmup: 5 })).toThrow(/must exceed warmup/);
  });
});

describe('clipByGlobalNorm', () => {
  /** Returns the gradients scaled as torch.nn.utils.clip_grad_norm_ scales them, in float64. */
  function referenceClip(grads: number[][], maxNorm: number): number[][] {
    const total = Math.sqrt(grads.flat().reduce((s, g) => s + g * g, 0));
    const coefficient = Math.min(maxNorm / (total + 1e-6), 1);
    return grads.map((g) => g.map((v) => v * coefficient));
  }

  const cases: [string, number][] = [['clips a large gradient', 1], ['keeps a small gradient', 100]];
  for (const [name, maxNorm] of cases) {
    it(`${name} as clip_grad_norm_`, () => {
      const grads = [[3, -4], [12, 0, 0]];
      const params = { a: f32([0, 0], [2]), b: f32([0, 0, 0], [3]) };
      const optimizer = clipByGlobalNorm(sgd({ lr: 1 }), maxNorm);
      const [next] = optimizer.update({ a: f32(grads[0], [2]), b: f32(grads[1], [3]) }, optimizer.init(params), params);
      const expected = referenceClip(grads, maxNorm).map((g) => g.map((v) => -v));
      expectClose(next.a.data(), expected[0], { rtol: 1e-6, atol: 1e-7 });
      expectClose(next.b.data(), expected[1], { rtol: 1e-6, atol: 1e-7 });
    });
  }

  it('global norm of a tree', () => {
    expect(globalNorm({ a: f32([3, 4], [2]), b: [f32([12], [1])] }).item()).toBe(13);
  });
});

describe('compiled updates', () => {
  const optimizers: [string, () => Optimizer][] = [
    ['sgd with nesterov momentum', () => sgd({ lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.01 })],
    ['adam', () => adam({ lr: 0.05 })],
    ['adamw with a cosine schedule', () => adamw({ lr: cosineDecay(0.05, 10, { warmup: 2 }) })],
    ['clipped adam', () => clipByGlobalNorm(adam({ lr: 0.05 }), 0.5)],
  ];
  for (const [name, make] of optimizers) {
    it(`${name}: compile(update) equals eager`, () => {
      const optimizer = make();
      type Params = { w: Tensor; b: Tensor };
      const step = compile((g: Params, s: OptimizerState<Params>, p: Params) => optimizer.update(g, s, p));
      let eager: Params = { w: f32([0.5, -1, 2], [3]), b: f32([0.1], [1]) };
      let compiled = eager;
      let eagerState = optimizer.init(eager);
      let compiledState = eagerState;
      for (let i = 0; i < 4; i++) {
        const g: Params = { w: f32([0.3 * i - 0.5, 1, -0.2], [3]), b: f32([0.7 - i], [1]) };
        [eager, eagerState] = optimizer.update(g, eagerState, eager);
        [compiled, compiledState] = step(g, compiledState, compiled);
      }
      expectClose(compiled.w.data(), eager.w.data(), { rtol: 1e-6, atol: 1e-7 });
      expectClose(compiled.b.data(), eager.b.data(), { rtol: 1e-6, atol: 1e-7 });
      expect(compiledState.step.item()).toBe(4);
      expect(step.cacheSize).toBe(1);
    });
  }
});
