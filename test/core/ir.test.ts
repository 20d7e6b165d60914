/**
 * The IR and its transforms: printed graphs, compile's trace cache, eager and compiled
 * agreement, nested and mixed grad/compile, error messages, traced-value reads, and the passes
 * (CSE keeps graph inputs apart, DCE drops unused work).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  add, binaryCrossEntropyWithLogits, compile, concat, crossEntropyWithLogits, exp, gelu, grad, layerNorm, logSoftmax,
  logsumexp, makeGraph, maskedFill, matmul, mean, mse, mul, norm, pad, relu, reshape, softmax, sum, take, tanh, tensor,
  transpose, valueAndGrad, variance, zeros, type Tensor,
} from '../../src/index.js';
import { bool, expectClose, f32, float32, normalTensor, shapeArb, sizeOfShape, valuesArb } from './helpers.js';

describe('printGraph', () => {
  it('scalar constant broadcast and reduction', () => {
    expect(makeGraph((x: Tensor) => sum(mul(x, 2)), tensor([1, 2, 3]))).toMatchInlineSnapshot(`
      "{ lambda a:f32[]; b:f32[3]. let
          c:f32[3] = broadcast[shape=[3]] a
          d:f32[3] = mul b c
          e:f32[] = reduce_sum[axes=[0]] d
        in (e) }"
    `);
  });

  it('broadcasting add', () => {
    expect(makeGraph((a: Tensor, b: Tensor) => add(a, b), zeros([2, 3]), zeros([3]))).toMatchInlineSnapshot(`
      "{ lambda ; a:f32[2,3] b:f32[3]. let
          c:f32[2,3] = broadcast[shape=[2,3]] b
          d:f32[2,3] = add a c
        in (d) }"
    `);
  });

  it('matmul with transposeB', () => {
    expect(makeGraph((a: Tensor, b: Tensor) => matmul(a, b, { transposeB: true }), zeros([2, 3]), zeros([4, 3]))).toMatchInlineSnapshot(`
      "{ lambda ; a:f32[2,3] b:f32[4,3]. let
          c:f32[2,4] = matmul[transposeA=false transposeB=true] a b
        in (c) }"
    `);
  });

  it('softmax', () => {
    expect(makeGraph((x: Tensor) => softmax(x), zeros([2, 3]))).toMatchInlineSnapshot(`
      "{ lambda a:f32[] b:f32[] c:f32[] d:f32[]; e:f32[2,3]. let
          f:f32[2] = reduce_max[axes=[1]] e
          g:f32[2,1] = reshape[shape=[2,1]] f
          h:f32[2,1] = stop_gradient g
          i:f32[2,1] = sub h h
          j:f32[2,1] = broadcast[shape=[2,1]] a
          k:bool[2,1] = eq i j
          l:f32[2,1] = broadcast[shape=[2,1]] b
          m:f32[2,1] = where k h l
          n:f32[2,3] = broadcast[shape=[2,3]] m
          o:f32[2,3] = sub e n
          p:f32[2,3] = exp o
          q:f32[2] = reduce_sum[axes=[1]] p
          r:f32[2,1] = reshape[shape=[2,1]] q
          s:f32[2,1] = broadcast[shape=[2,1]] c
          t:bool[2,1] = eq r s
          u:f32[2,1] = broadcast[shape=[2,1]] d
          v:f32[2,1] = where t u r
          w:f32[2,3] = broadcast[shape=[2,3]] v
          x:f32[2,3] = div p w
        in (x) }"
    `);
  });

  it('pytree arguments and outputs', () => {
    const params = { w: zeros([3, 2]), b: zeros([2]) };
    const graph = makeGraph((p: typeof params, x: Tensor) => [matmul(x, p.w), p.b], params, zeros([4, 3]));
    expect(graph).toMatchInlineSnapshot(`
      "{ lambda ; a:f32[3,2] b:f32[2] c:f32[4,3]. let
          d:f32[4,2] = matmul[transposeA=false transposeB=false] c a
        in (d, b) }"
    `);
  });

  it('gradient graph', () => {
    expect(makeGraph(grad((x: Tensor) => sum(tanh(x))), zeros([3]))).toMatchInlineSnapshot(`
      "{ lambda a:f32[] b:f32[] c:f32[] d:f32[]; e:f32[3]. let
          f:f32[3] = tanh e
          g:f32[] = reduce_sum[axes=[0]] f
          h:f32[1] = reshape[shape=[1]] a
          i:f32[3] = broadcast[shape=[3]] h
          j:f32[3] = mul f f
          k:f32[3] = broadcast[shape=[3]] b
          l:f32[3] = sub k j
          m:f32[3] = mul i l
          n:f32[3] = broadcast[shape=[3]] c
          o:bool[3] = eq i n
          p:bool[3] = ne m m
          q:bool[3] = logical_and o p
          r:f32[3] = broadcast[shape=[3]] d
          s:f32[3] = where q r m
        in (s) }"
    `);
  });

  it('compiled graph after CSE and DCE', () => {
    const f = compile((x: Tensor) => {
      void exp(x);
      return add(sum(mul(x, 2)), sum(mul(x, 2)));
    });
    expect(f.print(zeros([3]))).toMatchInlineSnapshot(`
      "{ lambda a:f32[]; b:f32[3]. let
          c:f32[3] = broadcast[shape=[3]] a
          d:f32[3] = mul b c
          e:f32[] = reduce_sum[axes=[0]] d
          f:f32[] = add e e
        in (f) }"
    `);
  });
});

describe('compile cache', () => {
  it('traces once per signature', () => {
    let traces = 0;
    const f = compile((x: Tensor) => {
      traces++;
      return mul(x, 2);
    });
    f(f32([1, 2], [2]));
    f(f32([3, 4], [2]));
    expect(traces).toBe(1);
    expect(f.cacheSize).toBe(1);
  });

  it('retraces on a new shape', () => {
    const f = compile((x: Tensor) => mul(x, 2));
    f(zeros([2]));
    f(zeros([3]));
    f(zeros([2]));
    expect(f.cacheSize).toBe(2);
  });

  it('retraces on a new dtype', () => {
    const f = compile((x: Tensor) => add(x, x));
    f(zeros([2]));
    f(zeros([2], 'i32'));
    expect(f.cacheSize).toBe(2);
  });

  it('retraces on a new structure', () => {
    const f = compile((p: Record<string, Tensor>) => sum(concat(Object.values(p))));
    f({ a: zeros([2]) });
    f({ a: zeros([2]), b: zeros([2]) });
    f({ b: zeros([2]) });
    expect(f.cacheSize).toBe(3);
  });

  it('retraces on a new static leaf', () => {
    const f = compile((x: Tensor, scale: number) => mul(x, scale));
    expect(f(f32([1], [1]), 2).item()).toBe(2);
    expect(f(f32([1], [1]), 3).item()).toBe(3);
    expect(f.cacheSize).toBe(2);
  });

  it('tells Infinity, -Infinity, NaN and null apart', () => {
    const f = compile((x: Tensor, fill: number | null) => maskedFill(x, bool([1, 0], [2]), fill ?? 0));
    const x = f32([5, 6], [2]);
    expect(f(x, Infinity).data()[0]).toBe(Infinity);
    expect(f(x, -Infinity).data()[0]).toBe(-Infinity);
    expect(f(x, NaN).data()[0]).toBeNaN();
    expect(f(x, null).data()[0]).toBe(0);
    expect(f.cacheSize).toBe(4);
  });

  it('reports its executor', () => {
    const f = compile((x: Tensor) => mul(x, 2));
    expect(f.executorKind).toBeUndefined();
    f(zeros([2]));
    expect(f.executorKind).toMatch(/^cpu\//);
  });

  it('returns static leaves of the output', () => {
    const f = compile((x: Tensor) => ({ y: mul(x, 2), label: 'double', count: 1 }));
    const out = f(f32([1], [1]));
    expect(out.label).toBe('double');
    expect(out.count).toBe(1);
    expect(out.y.item()).toBe(2);
  });

  it('returns an input unchanged', () => {
    const f = compile((x: Tensor, y: Tensor) => [y, x]);
    const [a, b] = f(f32([1], [1]), f32([2], [1]));
    expect(a.item()).toBe(2);
    expect(b.item()).toBe(1);
  });
});

describe('eager and compiled agreement', () => {
  const composites: [string, (x: Tensor) => Tensor][] = [
    ['mean', (x) => mean(x, -1)],
    ['variance', (x) => variance(x, -1)],
    ['softmax', (x) => softmax(x)],
    ['logSoftmax', (x) => logSoftmax(x)],
    ['logsumexp', (x) => logsumexp(x)],
    ['layerNorm', (x) => layerNorm(x, f32([1.5], [1]), f32([-0.5], [1]))],
    ['gelu', gelu],
    ['relu', relu],
    ['mse', (x) => mse(x, tanh(x))],
    ['crossEntropyWithLogits', (x) => crossEntropyWithLogits(x, softmax(mul(x, 0.5)))],
    ['binaryCrossEntropyWithLogits', (x) => binaryCrossEntropyWithLogits(x, 0.25)],
    ['norm', (x) => norm(x, -1)],
    ['maskedFill then softmax', (x) => softmax(maskedFill(x, bool([1], [1]), -Infinity), 0)],
  ];
  const inputArb = shapeArb(1, 3, 1, 4).chain((shape) => valuesArb(sizeOfShape(shape), float32(-5, 5)).map((v) => f32(v, shape)));

  for (const [name, f] of composites) {
    it(`${name} agrees`, () => {
      fc.assert(
        fc.property(inputArb, (x) => {
          const eager = f(x);
          const compiled = compile(f)(x);
          expect(compiled.shape).toEqual(eager.shape);
          expectClose(compiled.data(), eager.data(), { rtol: 1e-6, atol: 1e-6 });
        }),
        { numRuns: 30 },
      );
    });

    it(`${name} gradient agrees`, () => {
      fc.assert(
        fc.property(inputArb, (x) => {
          const df = grad((t: Tensor) => sum(mul(f(t), f32([0.7], [1]))));
          expectClose(compile(df)(x).data(), df(x).data(), { rtol: 1e-5, atol: 1e-6 });
        }),
        { numRuns: 20 },
      );
    });
  }
});

describe('grad and compile together', () => {
  const f = (p: { w: Tensor; b: Tensor }, x: Tensor) => mse(add(matmul(x, p.w), p.b), tanh(x));
  const params = { w: normalTensor(1, [3, 3]), b: normalTensor(2, [3]) };
  const x = normalTensor(3, [4, 3]);

  it('compile(grad(f)) equals grad(f)', () => {
    const eager = grad(f)(params, x);
    const compiled = compile(grad(f))(params, x);
    expectClose(compiled.w.data(), eager.w.data(), { rtol: 1e-6, atol: 1e-7 });
    expectClose(compiled.b.data(), eager.b.data(), { rtol: 1e-6, atol: 1e-7 });
  });

  it('grad inside compile', () => {
    const step = compile((p: typeof params, data: Tensor) => {
      const [loss, g] = valueAndGrad(f)(p, data);
      return { loss, w: g.w };
    });
    const [loss, g] = valueAndGrad(f)(params, x);
    const out = step(params, x);
    expect(out.loss.item()).toBeCloseTo(loss.item(), 6);
    expectClose(out.w.data(), g.w.data(), { rtol: 1e-6, atol: 1e-7 });
  });

  it('compile inside grad', () => {
    const inner = compile((t: Tensor) => mul(t, tanh(t)));
    const viaCompile = grad((t: Tensor) => sum(inner(t)))(x);
    const direct = grad((t: Tensor) => sum(mul(t, tanh(t))))(x);
    expectClose(viaCompile.data(), direct.data(), { rtol: 1e-6, atol: 1e-7 });
  });

  it('second derivative of x^3 is 6x', () => {
    const cube = (t: Tensor) => sum(mul(mul(t, t), t));
    const second = grad((t: Tensor) => sum(grad(cube)(t)));
    const points = f32([-2, -0.5, 0, 1, 3], [5]);
    expect(Array.from(second(points).data(), (v) => v + 0)).toEqual([-12, -3, 0, 6, 18]);
  });

  it('third derivative of x^3 is 6', () => {
    const cube = (t: Tensor) => sum(mul(mul(t, t), t));
    const third = grad((t: Tensor) => sum(grad((u: Tensor) => sum(grad(cube)(u)))(t)));
    expect(Array.from(third(f32([-1, 2], [2])).data())).toEqual([6, 6]);
  });

  it('compiled second derivative equals eager', () => {
    const second = grad((t: Tensor) => sum(grad((u: Tensor) => sum(mul(u, exp(u))))(t)));
    const points = f32([-1, 0, 0.5], [3]);
    expectClose(compile(second)(points).data(), second(points).data(), { rtol: 1e-6, atol: 1e-7 });
  });
});

describe('error messages', () => {
  it('matmul names both shapes', () => {
    expect(() => matmul(zeros([64, 5]), zeros([7, 64]))).toThrow('matmul: inner dimensions differ: [64,5] x [7,64]');
  });

  it('batched matmul names the shapes given', () => {
    expect(() => matmul(zeros([2, 64, 5]), zeros([7, 64]))).toThrow(/\[2,64,5\].*\[7,64\]/);
  });

  it('matmul with mismatched batches names both shapes', () => {
    expect(() => matmul(zeros([2, 3, 4]), zeros([5, 4, 6]))).toThrow(/\[2,3,4\].*\[5,4,6\]/);
  });

  it('add names the op and both shapes', () => {
    expect(() => add(zeros([2, 3]), zeros([4]))).toThrow(/^add: .*\[2,3\].*\[4\]/);
  });

  it('reshape names both shapes', () => {
    expect(() => reshape(zeros([2, 3]), [4])).toThrow(/^reshape: .*\[2,3\].*\[4\]/);
  });

  it('concat names every operand', () => {
    expect(() => concat([zeros([2, 3]), zeros([3, 3])], 1)).toThrow(/^concat: .*\[2,3\].*\[3,3\]/);
  });

  it('transpose names the permutation and the shape', () => {
    expect(() => transpose(zeros([2, 3]), [0, 0])).toThrow(/^transpose: .*\[0,0\].*\[2,3\]/);
  });

  it('error inside compile names the op and shapes', () => {
    const f = compile((a: Tensor, b: Tensor) => matmul(a, b));
    expect(() => f(zeros([64, 5]), zeros([7, 64]))).toThrow('[64,5] x [7,64]');
  });

  it('grad rejects a non-scalar loss', () => {
    expect(() => grad((x: Tensor) => mul(x, 2))(zeros([3]))).toThrow(/scalar loss.*f32\[3\]/);
  });
});

describe('traced values', () => {
  it('reading a traced tensor inside grad throws', () => {
    const f = (x: Tensor) => {
      if (x.item() > 0) return sum(x);
      return sum(mul(x, 2));
    };
    expect(() => grad(f)(f32([1], [1]))).toThrow(/item: cannot read the value of a traced tensor/);
  });

  it('reading a traced tensor inside compile throws', () => {
    const f = compile((x: Tensor) => f32(x.data(), [1]));
    expect(() => f(f32([1], [1]))).toThrow(/data: cannot read the value of a traced tensor.*grad\/compile/);
  });

  it('using an escaped traced tensor throws', () => {
    let leaked: Tensor | undefined;
    grad((x: Tensor) => {
      leaked = mul(x, 2);
      return sum(x);
    })(f32([1], [1]));
    expect(() => add(leaked!, 1)).toThrow(/escaped its trace/);
  });

  it('traced tensors print their type', () => {
    let printed = '';
    grad((x: Tensor) => {
      printed = String(x);
      return sum(x);
    })(zeros([2]));
    expect(printed).toBe('Tensor<traced f32[2]>');
  });
});

describe('passes', () => {
  it('CSE keeps equal parameters apart', () => {
    const f = (p: { a: Tensor; b: Tensor }) => sum(add(mul(p.a, 2), mul(p.b, 3)));
    const params = { a: f32([1.5], [1]), b: f32([1.5], [1]) };
    const eager = grad(f)(params);
    const compiled = compile(grad(f))(params);
    expect(eager.a.item()).toBe(2);
    expect(eager.b.item()).toBe(3);
    expect(compiled.a.item()).toBe(2);
    expect(compiled.b.item()).toBe(3);
  });

  it('CSE keeps equal graph inputs in the lowered graph', () => {
    const f = compile((a: Tensor, b: Tensor) => add(mul(a, 2), mul(b, 2)));
    const graph = f.lower(f32([1], [1]), f32([1], [1]));
    expect(graph.inputs.length).toBe(2);
    expect(graph.equations.filter((e) => e.primitive === 'mul').length).toBe(2);
  });

  it('CSE merges repeated work on one input', () => {
    const f = compile((a: Tensor) => add(sum(mul(a, 2)), sum(mul(a, 2))));
    const graph = f.lower(zeros([3]));
    expect(graph.equations.filter((e) => e.primitive === 'mul').length).toBe(1);
    expect(graph.equations.filter((e) => e.primitive === 'reduce_sum').length).toBe(1);
    expect(f(f32([1, 2, 3], [3])).item()).toBe(24);
  });

  it('CSE keeps pads with infinite fill values apart', () => {
    const f = compile((x: Tensor) => [pad(x, [[1, 0]], -Infinity), pad(x, [[1, 0]], Infinity), pad(x, [[1, 0]], NaN)]);
    const [low, high, missing] = f(f32([1, 2], [2]));
    expect(low.data()[0]).toBe(-Infinity);
    expect(high.data()[0]).toBe(Infinity);
    expect(missing.data()[0]).toBeNaN();
  });

  it('CSE keeps constants of different values', () => {
    const f = compile((a: Tensor) => add(mul(a, 2), mul(a, 3)));
    expect(f(f32([1], [1])).item()).toBe(5);
  });

  it('DCE drops unused equations', () => {
    const f = compile((a: Tensor) => {
      void exp(a);
      void take(a, [0, 0]);
      return mul(a, 2);
    });
    const primitives = f.lower(zeros([3])).equations.map((e) => e.primitive);
    expect(primitives).not.toContain('exp');
    expect(primitives).not.toContain('gather');
  });

  it('closed-over tensors are constants fixed at trace time', () => {
    const scale = f32([2], [1]);
    const f = compile((a: Tensor) => mul(a, scale));
    expect(f(f32([3], [1])).item()).toBe(6);
    expect(f.lower(f32([3], [1])).constants.length).toBe(1);
  });
});
