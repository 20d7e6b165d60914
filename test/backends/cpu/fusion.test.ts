/**
 * Compiled cpu programs. Fused elementwise loops give the same bits as the same primitives run one
 * by one (eager), and broadcast index maps match NumPy broadcasting. Buffers are planned and
 * reused without leaking into returned tensors. Whole training-style steps agree bit for bit with
 * eager execution.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  abs, add, adam, cast, compile, div, equal, exp, fromData, gelu, grad, greater, key, layerNorm, less, log, logicalAnd,
  logicalNot, logicalOr, matmul, maximum, mean, minimum, mul, neg, normal, notEqual, pow, reshape, sigmoid, sign, softmax, sqrt, sub, sum,
  tanh, transpose, valueAndGrad, where, type Tensor,
} from '../../../src/index.js';
import { broadcastIndexExpression } from '../../../src/backends/cpu/broadcast-index.js';
import { setCpuMatmulKind } from '../../../src/backends/cpu/index.js';
import { planProgram } from '../../../src/backends/cpu/plan.js';
import { layOutMemory, selectWasmSteps } from '../../../src/backends/cpu/wasm-program.js';
import { makeGraph } from '../../../src/core/compile.js';
import { traceGraph, type Var } from '../../../src/core/ir.js';
import { optimizeGraph } from '../../../src/core/passes.js';

/** True when both arrays hold the same values with the same bits (NaN payloads aside). */
function sameBits(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

function expectSameTensors(actual: readonly Tensor[], expected: readonly Tensor[]): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((t, i) => {
    expect(t.shape).toEqual(expected[i].shape);
    expect(t.dtype).toBe(expected[i].dtype);
    const first = Array.from(t.data()).findIndex((v, j) => !Object.is(v, expected[i].data()[j]));
    expect(first, `output ${i} differs at element ${first}`).toBe(-1);
  });
}

/** Unravels a flat index of `shape` and reads the broadcast source index of `from` (NumPy rules). */
function referenceBroadcastIndex(i: number, from: readonly number[], to: readonly number[]): number {
  let rest = i;
  const index = new Array<number>(to.length);
  for (let axis = to.length - 1; axis >= 0; axis--) {
    index[axis] = rest % to[axis];
    rest = Math.floor(rest / to[axis]);
  }
  const offset = to.length - from.length;
  let source = 0;
  for (let axis = 0; axis < from.length; axis++) source = source * from[axis] + (from[axis] === 1 ? 0 : index[axis + offset]);
  return source;
}

describe('broadcast index expression', () => {
  it('matches NumPy broadcasting for random shapes', () => {
    const pairArb = fc
      .array(fc.integer({ min: 1, max: 4 }), { minLength: 0, maxLength: 4 })
      .chain((to) =>
        fc.tuple(fc.integer({ min: 0, max: to.length }), fc.array(fc.boolean(), { minLength: to.length, maxLength: to.length })).map(([drop, ones]) => ({
          to,
          from: to.slice(drop).map((d, k) => (ones[k + drop] ? 1 : d)),
        })),
      );
    fc.assert(
      fc.property(pairArb, ({ from, to }) => {
        const expression = broadcastIndexExpression(from, to);
        const indexOf = new Function('i', `return ${expression ?? '0'};`) as (i: number) => number;
        const total = to.reduce((p, d) => p * d, 1);
        for (let i = 0; i < total; i++) expect(indexOf(i)).toBe(referenceBroadcastIndex(i, from, to));
      }),
      { numRuns: 200 },
    );
  });

  it('reads index 0 for a scalar source', () => {
    expect(broadcastIndexExpression([], [3, 4])).toBeNull();
    expect(broadcastIndexExpression([1, 1], [3, 4])).toBeNull();
  });
});

type Op = (x: Tensor, y: Tensor, c: Tensor) => Tensor;

/** Float ops over three f32 operands of one shape; several create NaN, infinities or signed zeros. */
const FLOAT_OPS: [string, Op][] = [
  ['add', (x, y) => add(x, y)],
  ['sub', (x, y) => sub(x, y)],
  ['mul', (x, y) => mul(x, y)],
  ['div', (x, y) => div(x, y)],
  ['pow', (x, y) => pow(abs(x), y)],
  ['max', (x, y) => maximum(x, y)],
  ['min', (x, y) => minimum(x, y)],
  ['neg', (x) => neg(x)],
  ['exp', (x) => exp(x)],
  ['log', (x) => log(x)],
  ['sqrt', (x) => sqrt(x)],
  ['tanh', (x) => tanh(x)],
  ['sigmoid', (x) => sigmoid(x)],
  ['sign', (x) => sign(x)],
  ['where lt', (x, y, c) => where(less(x, c), y, x)],
  ['where and/or/not', (x, y, c) => where(logicalOr(logicalAnd(greater(x, y), notEqual(y, c)), logicalNot(equal(x, x))), c, y)],
  ['bool round trip', (x, y) => mul(cast(greater(x, y), 'f32'), y)],
  ['i32 round trip', (x, y) => add(cast(cast(mul(x, 1000), 'i32'), 'f32'), y)],
  ['i32 division', (x, y) => cast(div(cast(mul(x, 100), 'i32'), cast(mul(y, 7), 'i32')), 'f32')],
  ['broadcast row', (x, y) => add(x, sum(y, 0, { keepdims: true }))],
  ['broadcast scalar', (x) => mul(x, 0.5)],
];

const chainArb = fc.record({
  rows: fc.integer({ min: 1, max: 5 }),
  cols: fc.integer({ min: 1, max: 6 }),
  ops: fc.array(fc.tuple(fc.integer({ min: 0, max: FLOAT_OPS.length - 1 }), fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 })), { minLength: 1, maxLength: 12 }),
  values: fc.array(fc.oneof(fc.float({ noDefaultInfinity: false }), fc.constantFrom(0, -0, 1, -1, Infinity, -Infinity, NaN)), { minLength: 90, maxLength: 90 }),
});

/** Applies the chain: each op reads two earlier values and the constant operand and appends its result. */
function runChain(ops: readonly [number, number, number][], x: Tensor, y: Tensor, c: Tensor): Tensor[] {
  const values = [x, y, c];
  for (const [op, first, second] of ops) {
    const a = values[values.length - 1 - (first % values.length)];
    const b = values[values.length - 1 - (second % values.length)];
    values.push(FLOAT_OPS[op][1](a, b, c));
  }
  return values.slice(3);
}

describe('fused elementwise loops', () => {
  it('give the bits of unfused execution for random chains', () => {
    fc.assert(
      fc.property(chainArb, ({ rows, cols, ops, values }) => {
        const size = rows * cols;
        const make = (offset: number) => fromData(Float32Array.from(values.slice(offset, offset + size)), [rows, cols]);
        const [x, y, c] = [make(0), make(30), make(60)];
        const eager = runChain(ops, x, y, c);
        const compiled = compile((a: Tensor, b: Tensor, d: Tensor) => runChain(ops, a, b, d))(x, y, c);
        expectSameTensors(compiled, eager);
      }),
      { numRuns: 300 },
    );
  });

  it('fuse a chain into one loop', () => {
    const f = (x: Tensor, y: Tensor) => tanh(add(mul(x, y), div(x, 3)));
    const graph = optimizeGraph(traceGraph([{ shape: [4, 5], dtype: 'f32' }, { shape: [4, 5], dtype: 'f32' }], (x, y) => [f(x, y)]));
    const plan = planProgram(graph);
    expect(plan.steps.map((s) => s.kind)).toEqual(['fused']);
    expect(plan.bufferBytes).toEqual([]);
  });

  it('break a group where a reduction reads it', () => {
    const f = (x: Tensor) => mul(softmax(x), 2);
    const graph = optimizeGraph(traceGraph([{ shape: [3, 7], dtype: 'f32' }], (x) => [f(x)]));
    const kinds = planProgram(graph).steps.map((s) => (s.kind === 'kernel' ? s.equation.primitive : `fused x${s.size}`));
    // The row shift (3 rows) and the exponentials (21 elements) are separate loops, each read by a reduction.
    expect(kinds).toEqual(['reduce_max', 'fused x3', 'fused x21', 'reduce_sum', 'fused x3', 'fused x21']);
  });
});

describe('buffer planning', () => {
  const layers = (x: Tensor, w: Tensor) => {
    let h = x;
    for (let i = 0; i < 6; i++) h = tanh(matmul(h, w));
    return sum(h);
  };

  it('reuses buffers between intermediates', () => {
    const graph = optimizeGraph(traceGraph([{ shape: [8, 8], dtype: 'f32' }, { shape: [8, 8], dtype: 'f32' }], (x, w) => [layers(x, w)]));
    const plan = planProgram(graph);
    const arenaValues = [...plan.storage.values()].filter((s) => s.kind === 'arena').length;
    expect(arenaValues).toBeGreaterThanOrEqual(11);
    expect(plan.bufferBytes.length).toBeLessThanOrEqual(3);
  });

  it('never lets a later run change an earlier result', () => {
    const f = compile((x: Tensor, w: Tensor) => [tanh(matmul(x, w)), reshape(matmul(x, w), [64]), layers(x, w)]);
    const w = normal(key(1), [8, 8], 0, 0.3);
    const first = f(normal(key(2), [8, 8]), w);
    const saved = first.map((t) => t.data());
    const second = f(normal(key(3), [8, 8]), w);
    first.forEach((t, i) => expect(sameBits(t.data(), saved[i])).toBe(true));
    expect(sameBits(second[0].data(), saved[0])).toBe(false);
  });

  it('stages products that read or write program outputs', () => {
    const f = (x: Tensor, w: Tensor) => {
      const h = tanh(x);
      const y = matmul(h, w, { transposeB: true });
      return [h, y, add(y, 1), matmul(x, reshape(w, [4, 3]))];
    };
    const x = normal(key(12), [5, 4]);
    const w = normal(key(13), [3, 4]);
    const compiled = compile(f);
    expectSameTensors(compiled(x, w), f(x, w));
    expectSameTensors(compiled(x, w), f(x, w));
  });

  it('leaves programs over 4 GiB without a WebAssembly memory', () => {
    const graph = optimizeGraph(traceGraph([{ shape: [4, 4], dtype: 'f32' }], (t) => [matmul(t, t)]));
    const plan = planProgram(graph);
    const huge = { ...plan, bufferBytes: [5 * 2 ** 30] };
    const rootOf = (v: Var) => plan.rootOf.get(v) ?? v;
    expect(layOutMemory(huge, selectWasmSteps(huge, rootOf), false, [], () => 0)).toBeNull();
  });

  it('returns an input that passes through unchanged', () => {
    const f = compile((x: Tensor, y: Tensor) => [x, reshape(y, [6]), add(x, 1)]);
    const x = normal(key(4), [2, 3]);
    const y = normal(key(5), [3, 2]);
    const [a, b, c] = f(x, y);
    expect(sameBits(a.data(), x.data())).toBe(true);
    expect(sameBits(b.data(), y.data())).toBe(true);
    expect(c.shape).toEqual([2, 3]);
  });
});

describe('compiled training step', () => {
  interface Params {
    readonly w1: Tensor;
    readonly w2: Tensor;
    readonly g: Tensor;
  }
  const loss = (p: Params, x: Tensor, y: Tensor) => {
    const h = gelu(matmul(layerNorm(x, p.g), p.w1));
    const attention = softmax(matmul(h, h, { transposeB: true }));
    const out = matmul(matmul(attention, h), p.w2);
    return mean(mul(sub(out, y), sub(out, y)));
  };
  const params: Params = { w1: normal(key(6), [5, 16], 0, 0.3), w2: normal(key(7), [16, 1], 0, 0.3), g: normal(key(8), [5], 1, 0.1) };
  const x = normal(key(9), [3, 7, 5]);
  const y = normal(key(10), [3, 7, 1]);

  it('gives the bits of eager gradients', () => {
    const step = (p: Params, a: Tensor, b: Tensor) => valueAndGrad((q: Params) => loss(q, a, b))(p);
    const [eagerLoss, eagerGrads] = step(params, x, y);
    const [compiledLoss, compiledGrads] = compile(step)(params, x, y);
    expectSameTensors([compiledLoss, compiledGrads.w1, compiledGrads.w2, compiledGrads.g], [eagerLoss, eagerGrads.w1, eagerGrads.w2, eagerGrads.g]);
  });

  it('gives the bits of eager gradients on the JavaScript matmul kernel', () => {
    setCpuMatmulKind('js');
    try {
      const step = (p: Params, a: Tensor, b: Tensor) => valueAndGrad((q: Params) => loss(q, a, b))(p);
      const [eagerLoss, eagerGrads] = step(params, x, y);
      const compiled = compile(step);
      const [compiledLoss, compiledGrads] = compiled(params, x, y);
      expect(compiled.executorKind).toBe('cpu/fused-js+js-matmul');
      expectSameTensors([compiledLoss, compiledGrads.w1, compiledGrads.g], [eagerLoss, eagerGrads.w1, eagerGrads.g]);
    } finally {
      setCpuMatmulKind('wasm-simd');
    }
  });

  it('repeats the same bits over Adam steps', () => {
    const optimizer = adam({ lr: 1e-2 });
    const update = compile((p: Params, s: ReturnType<typeof optimizer.init<Params>>, a: Tensor, b: Tensor) => {
      const g = grad((q: Params) => loss(q, a, b))(p);
      return optimizer.update(g, s, p);
    });
    const run = (): Tensor => {
      let p = params;
      let s = optimizer.init(params);
      for (let i = 0; i < 4; i++) [p, s] = update(p, s, x, y);
      return p.w1;
    };
    expect(sameBits(run().data(), run().data())).toBe(true);
  });

  it('keeps a transpose-heavy graph equal to eager', () => {
    const f = (t: Tensor) => sum(mul(transpose(reshape(t, [3, 7, 5]), [2, 0, 1]), 1.5), [1]);
    const t = normal(key(11), [105]);
    expectSameTensors([compile(f)(t)], [f(t)]);
    expect(makeGraph(f, t)).toContain('transpose');
  });
});
