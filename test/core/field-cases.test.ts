/**
 * Faults that users of autodiff libraries have reported, each reduced to a tiny input with its
 * right value. Beside each case are the other members of its kind: masked and -Infinity rows,
 * broadcasting gradients, derivatives at 0, NaN from an untaken `where` branch, repeated-index
 * gathers, shared nodes, float32 summation and optimizer bookkeeping.
 *
 * Conventions the library chose, checked below:
 * - sqrt'(0) is +Infinity (IEEE division), not NaN.
 * - `norm` has a zero gradient at the origin (PyTorch's subgradient).
 * - `pow`'s gradient with respect to the exponent is 0 where the base is 0, and its gradient
 *   with respect to the base is 0 where the exponent is 0.
 * - Through elementwise operations, a zero cotangent produces a zero gradient even where a local
 *   derivative is infinite or NaN, so the untaken branch of `where` contributes exactly 0.
 * - logsumexp of an all -Infinity row is -Infinity, softmax of it is zeros, and both have zero
 *   gradients; logSoftmax of it is -Infinity.
 */
import { describe, expect, it } from 'vitest';
import {
  abs, add, cast, compile, concat, crossEntropyWithLogits, div, equal, exp, full, grad, greater, iota, less, linearWarmup,
  log, logSoftmax, logsumexp, maskedFill, matmul, maximum, mean, minimum, mul, neg, norm, notEqual, ones, pow,
  relu, reshape, scheduleValue, sgd, sin, softmax, sqrt, square, sub, sum, take, tensor, valueAndGrad, vjp, where, adam,
  arange, type Tensor,
} from '../../src/index.js';
import { bool, expectNoNaN, f32, i32, normalTensor } from './helpers.js';

/** Returns the elements of a tensor as numbers, with -0 read as 0. */
function values(t: Tensor): number[] {
  return Array.from(t.data(), (v) => v + 0);
}

describe('cross-entropy with large logits', () => {
  const z = () => f32([-431, 279, 427], [3]);
  const y = f32([1, 0, 0], [3]);
  const loss = (x: Tensor) => neg(sum(mul(y, logSoftmax(x))));

  it('loss is 858', () => {
    expect(loss(z()).item()).toBe(858);
  });

  it('gradient is exactly [-1, 0, 1]', () => {
    expect(values(grad(loss)(z()))).toEqual([-1, 0, 1]);
  });

  it('crossEntropyWithLogits gives the same loss and gradient', () => {
    const [value, g] = valueAndGrad((x: Tensor) => crossEntropyWithLogits(reshape(x, [1, 3]), reshape(y, [1, 3])))(z());
    expect(value.item()).toBe(858);
    expect(values(g)).toEqual([-1, 0, 1]);
  });

  it('sum of softmax has exactly zero gradient', () => {
    const x = f32([-1047, -981, 1891], [3]);
    expect(values(softmax(x))).toEqual([0, 0, 1]);
    expect(values(grad((t: Tensor) => sum(softmax(t)))(x))).toEqual([0, 0, 0]);
  });

  it('logSoftmax of large logits has no NaN', () => {
    const x = f32([1e30, -1e30, 0, 3e38], [4]);
    expectNoNaN(logSoftmax(x).data());
    expectNoNaN(grad((t: Tensor) => sum(logSoftmax(t)))(x).data());
  });
});

describe('masked logsumexp and softmax', () => {
  it('additive -Infinity mask gives value 0 and gradient [1, 0]', () => {
    const maskRow = f32([0, -Infinity], [2]);
    const f = (x: Tensor) => logsumexp(add(x, maskRow));
    const x = f32([0, 100], [2]);
    expect(f(x).item()).toBe(0);
    expect(values(grad(f)(x))).toEqual([1, 0]);
  });

  it('all -Infinity logsumexp is -Infinity with derivative 0', () => {
    const g = (t: Tensor) => logsumexp(concat([f32([-Infinity], [1]), add(f32([-Infinity], [1]), t)]));
    const t = f32([1], [1]);
    expect(g(t).item()).toBe(-Infinity);
    expect(values(grad(g)(t))).toEqual([0]);
  });

  it('causal row [0.3, -Infinity] gives softmax [1, 0] and zero gradient', () => {
    const f = (row: Tensor) => sum(take(softmax(row), [0]));
    const row = f32([0.3, -Infinity], [2]);
    expect(values(softmax(row))).toEqual([1, 0]);
    expect(values(grad(f)(row))).toEqual([0, 0]);
  });

  it('all -Infinity softmax row is zeros with zero gradient', () => {
    const row = f32([-Infinity, -Infinity, -Infinity], [3]);
    expect(values(softmax(row))).toEqual([0, 0, 0]);
    const weights = f32([1, 2, 3], [3]);
    expect(values(grad((x: Tensor) => sum(mul(softmax(x), weights)))(row))).toEqual([0, 0, 0]);
  });

  it('all -Infinity logsumexp row has zero gradient', () => {
    const row = f32([-Infinity, -Infinity], [2]);
    expect(logsumexp(row).item()).toBe(-Infinity);
    expect(values(grad((x: Tensor) => logsumexp(x))(row))).toEqual([0, 0]);
  });

  it('all -Infinity logSoftmax row is -Infinity without NaN', () => {
    const row = f32([-Infinity, -Infinity], [2]);
    expect(values(logSoftmax(row))).toEqual([-Infinity, -Infinity]);
    expectNoNaN(grad((x: Tensor) => sum(where(less(x, 0), 0, logSoftmax(x))))(row).data());
  });

  it('partially masked logSoftmax has finite gradient', () => {
    const row = f32([0.3, -Infinity, 1.2], [3]);
    const out = logSoftmax(row).data();
    expect(out[1]).toBe(-Infinity);
    const g = grad((x: Tensor) => sum(where(equal(x, -Infinity), 0, logSoftmax(x))))(row).data();
    expectNoNaN(g);
    expect(g[1]).toBe(0);
  });

  it('causal attention rows have no NaN and zero gradient at masked scores', () => {
    const scores = normalTensor(1, [4, 4]);
    const causal = greater(iota([4, 4], 1), iota([4, 4], 0));
    const values = normalTensor(2, [4, 3]);
    const attend = (s: Tensor) => sum(square(matmul(softmax(maskedFill(s, causal, -Infinity)), values)));
    const weights = softmax(maskedFill(scores, causal, -Infinity)).toArray() as number[][];
    weights.forEach((row, i) => row.forEach((w, j) => (j > i ? expect(w).toBe(0) : expect(w).toBeGreaterThan(0))));
    const g = grad(attend)(scores).toArray() as number[][];
    g.forEach((row, i) => row.forEach((v, j) => (j > i ? expect(v).toBe(0) : expect(Number.isFinite(v)).toBe(true))));
  });

  it('fully masked attention row gives zeros and zero gradient', () => {
    const scores = normalTensor(3, [2, 3]);
    const mask = bool([1, 1, 1, 0, 1, 0], [2, 3]);
    const probabilities = softmax(maskedFill(scores, mask, -Infinity)).toArray() as number[][];
    expect(probabilities[0]).toEqual([0, 0, 0]);
    const g = grad((s: Tensor) => sum(mul(softmax(maskedFill(s, mask, -Infinity)), f32([1, 2, 3, 4, 5, 6], [2, 3]))))(scores);
    const rows = g.toArray() as number[][];
    expect(rows[0]).toEqual([0, 0, 0]);
    expectNoNaN(g.data());
  });

  it('masked logsumexp rows have no NaN in value or gradient', () => {
    const x = normalTensor(4, [3, 4]);
    const mask = bool([1, 1, 1, 1, 0, 1, 0, 1, 0, 0, 0, 0], [3, 4]);
    const f = (t: Tensor) => logsumexp(maskedFill(t, mask, -Infinity), -1);
    const value = f(x).data();
    expect(value[0]).toBe(-Infinity);
    expectNoNaN(value);
    const g = grad((t: Tensor) => sum(where(equal(f(t), -Infinity), 0, f(t))))(x).toArray() as number[][];
    expect(g[0]).toEqual([0, 0, 0, 0]);
    expect(g[1][1]).toBe(0);
    expect(g[1][3]).toBe(0);
    expectNoNaN(g.flat());
  });
});

describe('derivatives at 0', () => {
  const zeros3 = () => f32([0, 0, 0], [3]);

  it('sum of squares has gradient [0, 0, 0]', () => {
    expect(values(grad((x: Tensor) => sum(square(x)))(zeros3()))).toEqual([0, 0, 0]);
  });

  it('sqrt at 0 has value 0 and derivative +Infinity', () => {
    expect(sqrt(f32([0], [1])).item()).toBe(0);
    expect(grad((x: Tensor) => sum(sqrt(x)))(f32([0], [1])).item()).toBe(Infinity);
  });

  it('sqrt(x^2 + 1e-12) has derivative 0 at 0', () => {
    expect(values(grad((x: Tensor) => sum(sqrt(add(square(x), 1e-12))))(zeros3()))).toEqual([0, 0, 0]);
  });

  it('norm has zero gradient at 0', () => {
    expect(norm(zeros3()).item()).toBe(0);
    expect(values(grad((x: Tensor) => norm(x))(zeros3()))).toEqual([0, 0, 0]);
  });

  it('squared norm has zero gradient at 0', () => {
    expect(values(grad((x: Tensor) => square(norm(x)))(zeros3()))).toEqual([0, 0, 0]);
  });

  it('norm per row with one zero row', () => {
    const x = f32([0, 0, 3, 4], [2, 2]);
    expect(values(norm(x, 1))).toEqual([0, 5]);
    expect(values(grad((t: Tensor) => sum(norm(t, 1)))(x))).toEqual([0, 0, Math.fround(0.6), Math.fround(0.8)]);
  });

  it('pow exponent gradient is 0 where the base is 0', () => {
    const g = grad((p: { a: Tensor; b: Tensor }) => sum(pow(p.a, p.b)))({ a: f32([0, 0, 2], [3]), b: f32([2, 0.5, 3], [3]) });
    expect(g.b.data()[0]).toBe(0);
    expect(g.b.data()[1]).toBe(0);
    expect(g.b.data()[2]).toBeCloseTo(8 * Math.log(2), 5);
  });

  it('pow base gradient at base 0', () => {
    const g = grad((a: Tensor) => sum(pow(a, f32([2, 0, 1, 0.5], [4]))))(f32([0, 0, 0, 0], [4])).data();
    expect(g[0]).toBe(0);
    expect(g[1]).toBe(0);
    expect(g[2]).toBe(1);
    expect(g[3]).toBe(Infinity);
  });

  it('relu has zero gradient at 0', () => {
    expect(values(grad((x: Tensor) => sum(relu(x)))(f32([-1, 0, 2], [3])))).toEqual([0, 0, 1]);
  });

  it('abs has zero gradient at 0', () => {
    expect(values(grad((x: Tensor) => sum(abs(x)))(zeros3()))).toEqual([0, 0, 0]);
  });
});

describe('untaken where branch', () => {
  const cases: [string, (x: Tensor) => Tensor, number[]][] = [
    ['sqrt', (x) => where(greater(x, 0), sqrt(x), 0), [-1, 0]],
    ['log', (x) => where(greater(x, 0), log(x), 0), [-1, 0]],
    ['division by x', (x) => where(notEqual(x, 0), div(sin(x), x), 1), [0]],
    ['overflowing exp', (x) => where(less(x, 50), exp(x), 0), [100, 1000]],
    ['pow with a negative base', (x) => where(greater(x, 0), pow(x, 0.5), 0), [-4, 0]],
    ['log of log', (x) => where(greater(x, 1), log(log(x)), 0), [0.5, 1, -1]],
    ['product with an infinite factor', (x) => where(greater(x, 0), mul(x, log(x)), 0), [0]],
  ];
  for (const [name, f, points] of cases) {
    it(`${name} has zero gradient where the branch is not taken`, () => {
      const g = grad((x: Tensor) => sum(f(x)))(f32(points, [points.length])).data();
      expect(Array.from(g).map((v) => v + 0)).toEqual(points.map(() => 0));
    });
  }

  it('taken branch keeps its gradient', () => {
    const g = grad((x: Tensor) => sum(where(greater(x, 0), log(x), 0)))(f32([-1, 2], [2])).data();
    expect(g[0] + 0).toBe(0);
    expect(g[1]).toBe(0.5);
  });

  it('second derivative through where is unchanged away from the mask', () => {
    const d2 = grad((x: Tensor) => sum(grad((t: Tensor) => sum(where(greater(t, 0), mul(t, exp(t)), 0)))(x)))(f32([0.5], [1]));
    expect(d2.item()).toBeCloseTo(2.5 * Math.exp(0.5), 5);
  });

  it('second derivative of x exp(x) at 0 is 2', () => {
    const d2 = grad((x: Tensor) => sum(grad((t: Tensor) => sum(mul(t, exp(t))))(x)))(f32([0], [1]));
    expect(d2.item()).toBe(2);
  });
});

describe('gather with repeated indices', () => {
  it('scalar table accumulates [0.2, 0.3] into [0.5]', () => {
    const [, pullback] = vjp((x: Tensor) => take(x, [0, 0]), f32([0.1], [1]));
    const [dx] = pullback(f32([0.2, 0.3], [2]));
    expect(dx.item()).toBeCloseTo(0.5, 7);
  });

  it('embedding table gradient adds repeated tokens', () => {
    const table = normalTensor(5, [3, 2]);
    const [, pullback] = vjp((w: Tensor) => take(w, i32([2, 0, 2], [3]), 0), table);
    const [dW] = pullback(f32([1, 2, 3, 4, 5, 6], [3, 2]));
    expect(dW.toArray()).toEqual([[3, 4], [0, 0], [6, 8]]);
  });

  it('index pairs (1,1), (1,1), (0,0) give [[1,0],[0,2]]', () => {
    const data = f32([0, 1, 2, 3], [2, 2]);
    const loss = (x: Tensor) => sum(take(reshape(x, [4]), [1 * 2 + 1, 1 * 2 + 1, 0]));
    expect(loss(data).item()).toBe(6);
    expect(grad(loss)(data).toArray()).toEqual([[1, 0], [0, 2]]);
  });
});

describe('broadcast gradients', () => {
  it('batched matmul with an unbatched right operand', () => {
    const a = f32([1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 2]);
    const b = f32([9, 10, 11, 12], [2, 2]);
    const [value, g] = valueAndGrad((p: { a: Tensor; b: Tensor }) => sum(matmul(p.a, p.b)))({ a, b });
    expect(value.item()).toBe(764);
    expect(g.a.shape).toEqual([2, 2, 2]);
    expect(g.a.toArray()).toEqual([[[19, 23], [19, 23]], [[19, 23], [19, 23]]]);
    expect(g.b.shape).toEqual([2, 2]);
    expect(g.b.toArray()).toEqual([[16, 16], [20, 20]]);
  });

  it('mean with keepdims then matmul', () => {
    const p = (t: Tensor) => sum(matmul(mean(t, 0, { keepdims: true }), mul(ones([3, 1]), 10)));
    expect(p(ones([2, 3])).item()).toBe(30);
    const g = grad(p)(ones([2, 3]));
    expect(g.shape).toEqual([2, 3]);
    expect(g.toArray()).toEqual([[5, 5, 5], [5, 5, 5]]);
  });

  const ops: [string, (a: Tensor, b: Tensor) => Tensor][] = [
    ['add', add], ['sub', sub], ['mul', mul], ['div', div], ['pow', pow], ['maximum', maximum], ['minimum', minimum],
    ['where', (a, b) => where(bool([1, 0, 1], [3]), a, b)],
    ['matmul', (a, b) => matmul(reshape(a, [...a.shape, 1]), reshape(b, [...b.shape.slice(0, -1), 1, b.shape[b.ndim - 1]]))],
  ];
  for (const [name, op] of ops) {
    it(`${name} gradient shapes equal operand shapes`, () => {
      const a = add(normalTensor(6, [4, 1, 3], 0.2), 1.5);
      const b = add(normalTensor(7, [2, 1], 0.2), 1.5);
      const g = grad((p: { a: Tensor; b: Tensor }) => sum(op(p.a, p.b)))({ a, b });
      expect(g.a.shape).toEqual([4, 1, 3]);
      expect(g.b.shape).toEqual([2, 1]);
    });
  }
});

describe('diamond graph', () => {
  const f = (p: { x: Tensor; a: Tensor }) => {
    const u = mul(p.x, p.a);
    const v = mul(p.x, p.x);
    return add(add(mul(p.x, u), mul(v, p.a)), mul(p.x, u));
  };
  const params = { x: tensor(1), a: tensor(1) };

  it('value is 3 and gradients are 6 and 3', () => {
    const [value, g] = valueAndGrad(f)(params);
    expect(value.item()).toBe(3);
    expect(g.x.item()).toBe(6);
    expect(g.a.item()).toBe(3);
  });

  it('calling the gradient twice gives the same values', () => {
    const df = grad(f);
    const first = df(params);
    const second = df(params);
    expect(second.x.item()).toBe(first.x.item());
    expect(second.a.item()).toBe(first.a.item());
    expect(second.x.item()).toBe(6);
  });

  it('compiled gradient gives 6 and 3 on every call', () => {
    const df = compile(grad(f));
    for (let i = 0; i < 3; i++) {
      const g = df(params);
      expect(g.x.item()).toBe(6);
      expect(g.a.item()).toBe(3);
    }
  });
});

describe('float32 accumulation', () => {
  it('sum of 0..9999 is exactly 49995000', () => {
    expect(sum(cast(arange(10000), 'f32')).item()).toBe(49995000);
  });

  it('mean of 0..9999 is exactly 4999.5', () => {
    expect(mean(cast(arange(10000), 'f32')).item()).toBe(4999.5);
  });

  it('compiled sum of 0..9999 is exactly 49995000', () => {
    expect(compile((x: Tensor) => sum(x))(cast(arange(10000), 'f32')).item()).toBe(49995000);
  });

  it('sum over a non-last axis is exact', () => {
    const x = reshape(cast(arange(10000), 'f32'), [10000, 1]);
    expect(sum(x, 0).item()).toBe(49995000);
  });

  it('sum of ones(n) is n for n = 1..100', () => {
    const wrong: number[] = [];
    for (let n = 1; n <= 100; n++) if (sum(ones([n])).item() !== n) wrong.push(n);
    expect(wrong).toEqual([]);
  });

  it('821892087 x 2 rounds as float32', () => {
    expect(mul(f32([821892087], [1]), 2).item()).toBe(1643784192);
  });

  it('3.3 squared is 10.889999389648438', () => {
    expect(square(f32([3.3], [1])).item()).toBe(10.889999389648438);
  });

  it('softmax rows of length 1..100 sum to 1', () => {
    const bad: number[] = [];
    for (let n = 1; n <= 100; n++) {
      const total = sum(softmax(normalTensor(n, [n], 3))).item();
      if (!(Math.abs(total - 1) <= 1e-6)) bad.push(n);
    }
    expect(bad).toEqual([]);
  });
});

describe('Adam step counter', () => {
  const run = (steps: number, names: string[]) => {
    const optimizer = adam({ lr: 0.1 });
    let params: Record<string, Tensor> = Object.fromEntries(names.map((n) => [n, tensor(0)]));
    let state = optimizer.init(params);
    const grads = Object.fromEntries(names.map((n) => [n, tensor(1)]));
    for (let i = 0; i < steps; i++) [params, state] = optimizer.update(grads, state, params);
    return params;
  };

  it('both parameters are -0.099999999 after one step', () => {
    const p = run(1, ['p1', 'p2']);
    expect(p.p1.item()).toBeCloseTo(-0.099999999, 7);
    expect(p.p2.item()).toBe(p.p1.item());
  });

  it('both parameters are -0.199999998 after two steps', () => {
    const p = run(2, ['p1', 'p2']);
    expect(p.p1.item()).toBeCloseTo(-0.199999998, 7);
    expect(p.p2.item()).toBe(p.p1.item());
  });

  it('adding and reordering parameters changes no update', () => {
    const alone = run(3, ['p1']);
    const many = run(3, ['z', 'p1', 'a', 'q']);
    expect(many.p1.item()).toBe(alone.p1.item());
  });
});

describe('linear warmup', () => {
  it('learning rates are [0.025, 0.05, 0.075, 0.1, 0.1, 0.1]', () => {
    const schedule = linearWarmup(0.1, 4);
    const rates = [1, 2, 3, 4, 5, 6].map((t) => scheduleValue(schedule, t));
    [0.025, 0.05, 0.075, 0.1, 0.1, 0.1].forEach((expected, i) => expect(rates[i]).toBeCloseTo(expected, 7));
  });

  it('first update moves the parameter to -0.025', () => {
    const optimizer = sgd({ lr: linearWarmup(0.1, 4) });
    let p = tensor(0);
    let state = optimizer.init(p);
    const trajectory: number[] = [];
    for (let i = 0; i < 6; i++) {
      const g = grad((x: Tensor) => sum(x))(p);
      [p, state] = optimizer.update(g, state, p);
      trajectory.push(p.item());
    }
    expect(trajectory[0]).toBeCloseTo(-0.025, 7);
    [-0.025, -0.075, -0.15, -0.25, -0.35, -0.45].forEach((expected, i) => expect(trajectory[i]).toBeCloseTo(expected, 6));
  });

  it('compiled warmup step matches eager', () => {
    const optimizer = sgd({ lr: linearWarmup(0.1, 4) });
    const step = compile((p: Tensor, s: ReturnType<typeof optimizer.init<Tensor>>) => optimizer.update(full([], 1), s, p));
    let p = tensor(0);
    let state = optimizer.init(p);
    [p, state] = step(p, state);
    expect(p.item()).toBeCloseTo(-0.025, 7);
    [p, state] = step(p, state);
    expect(p.item()).toBeCloseTo(-0.075, 7);
  });
});
