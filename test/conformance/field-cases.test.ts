/**
 * Faults reported against autodiff and GPU kernel libraries, reduced to tiny inputs with their
 * right values, run on every backend and mode, eager and compiled. The cases: cross-entropy with
 * huge logits, masked and all -Infinity softmax and logsumexp rows, gradients at 0,
 * repeated-index gathers, broadcast gradients, shared nodes, float32 accumulation, reductions of
 * every length, and several asynchronous readbacks in flight.
 */
import { afterAll, expect, it } from 'vitest';
import {
  add, arange, cast, compile, concat, grad, greater, iota, logSoftmax, logsumexp, maskedFill, matmul, mean, mul, neg,
  norm, ones, reshape, softmax, sqrt, square, sum, take, tensor, valueAndGrad, vjp, type Tensor,
} from '../../src/index.js';
import { compileAsync, dialectOf, lowerGraph, type GpujsBackend } from '../../src/backends/gpujs/index.js';
import { ExecutionContext, runAsync } from '../../src/backends/gpujs/executor.js';
import { createGpu } from '../../src/backends/gpujs/gpujs-module.js';
import { traceGraph } from '../../src/core/ir.js';
import { fencedGpu } from './fences.js';
import { f32, i32, normalTensor } from '../core/helpers.js';
import { closeTargets, describeTargets, loadTargets, on, type Target } from './targets.js';

const targets = await loadTargets();
afterAll(() => closeTargets(targets));

/** Returns the elements as numbers, with -0 read as 0. */
function values(t: Tensor): number[] {
  return Array.from(t.data(), (v) => v + 0);
}

/** Runs `fn` on the target eagerly and compiled, and returns both results. */
function both<A extends Tensor[]>(target: Target, fn: (...args: A) => Tensor, ...args: A): Tensor[] {
  const compiled = compile(fn);
  return on(target.backend!, () => {
    const results = [fn(...args), compiled(...args)];
    expect(compiled.executorKind).toMatch(target.executorKind);
    return results;
  });
}

describeTargets(targets, (target) => {
  it('cross-entropy of [-431, 279, 427] is 858 with gradient [-1, 0, 1]', () => {
    const y = f32([1, 0, 0], [3]);
    const loss = (x: Tensor) => neg(sum(mul(y, logSoftmax(x))));
    for (const value of both(target, loss, f32([-431, 279, 427], [3]))) expect(value.item()).toBe(858);
    for (const g of both(target, grad(loss), f32([-431, 279, 427], [3]))) expect(values(g)).toEqual([-1, 0, 1]);
  });

  it('sum of softmax of [-1047, -981, 1891] has zero gradient', () => {
    const x = f32([-1047, -981, 1891], [3]);
    for (const s of both(target, (t: Tensor) => softmax(t), x)) expect(values(s)).toEqual([0, 0, 1]);
    for (const g of both(target, grad((t: Tensor) => sum(softmax(t))), x)) expect(values(g)).toEqual([0, 0, 0]);
  });

  it('additive -Infinity mask gives logsumexp 0 and gradient [1, 0]', () => {
    const mask = f32([0, -Infinity], [2]);
    const f = (x: Tensor) => logsumexp(add(x, mask));
    for (const v of both(target, f, f32([0, 100], [2]))) expect(v.item()).toBe(0);
    for (const g of both(target, grad(f), f32([0, 100], [2]))) expect(values(g)).toEqual([1, 0]);
  });

  it('all -Infinity logsumexp is -Infinity with derivative 0', () => {
    const g = (t: Tensor) => logsumexp(concat([f32([-Infinity], [1]), add(f32([-Infinity], [1]), t)]));
    for (const v of both(target, g, f32([1], [1]))) expect(v.item()).toBe(-Infinity);
    for (const d of both(target, grad(g), f32([1], [1]))) expect(values(d)).toEqual([0]);
  });

  it('causal row [0.3, -Infinity] gives softmax [1, 0] and zero gradient', () => {
    const row = f32([0.3, -Infinity], [2]);
    for (const s of both(target, (t: Tensor) => softmax(t), row)) expect(values(s)).toEqual([1, 0]);
    for (const g of both(target, grad((t: Tensor) => sum(take(softmax(t), [0]))), row)) expect(values(g)).toEqual([0, 0]);
  });

  it('fully masked attention rows give zeros and zero gradients', () => {
    const scores = normalTensor(3, [2, 3]);
    const mask = f32([1, 1, 1, 0, 1, 0], [2, 3]);
    const attend = (s: Tensor) => softmax(maskedFill(s, greater(mask, 0), -Infinity));
    for (const p of both(target, attend, scores)) expect((p.toArray() as number[][])[0]).toEqual([0, 0, 0]);
    const weights = f32([1, 2, 3, 4, 5, 6], [2, 3]);
    for (const g of both(target, grad((s: Tensor) => sum(mul(attend(s), weights))), scores)) {
      expect((g.toArray() as number[][])[0]).toEqual([0, 0, 0]);
      expect(values(g).some(Number.isNaN)).toBe(false);
    }
  });

  it('gradients at 0: squares, sqrt and norm', () => {
    const zeros3 = f32([0, 0, 0], [3]);
    for (const g of both(target, grad((x: Tensor) => sum(square(x))), zeros3)) expect(values(g)).toEqual([0, 0, 0]);
    for (const v of both(target, (x: Tensor) => sqrt(x), f32([0], [1]))) expect(values(v)).toEqual([0]);
    for (const g of both(target, grad((x: Tensor) => sum(sqrt(x))), f32([0], [1]))) expect(g.item()).toBe(Infinity);
    for (const g of both(target, grad((x: Tensor) => sum(sqrt(add(square(x), 1e-12)))), zeros3)) expect(values(g)).toEqual([0, 0, 0]);
    for (const g of both(target, grad((x: Tensor) => norm(x)), zeros3)) expect(values(g)).toEqual([0, 0, 0]);
    for (const g of both(target, grad((x: Tensor) => square(norm(x))), zeros3)) expect(values(g)).toEqual([0, 0, 0]);
  });

  it('gather with repeated indices accumulates its gradient', () => {
    on(target.backend!, () => {
      const [, pullback] = vjp((x: Tensor) => take(x, [0, 0]), f32([0.1], [1]));
      expect(pullback(f32([0.2, 0.3], [2]))[0].item()).toBeCloseTo(0.5, 7);
      const [, embed] = vjp((w: Tensor) => take(w, i32([2, 0, 2], [3]), 0), normalTensor(5, [3, 2]));
      expect(embed(f32([1, 2, 3, 4, 5, 6], [3, 2]))[0].toArray()).toEqual([[3, 4], [0, 0], [6, 8]]);
    });
    const loss = (x: Tensor) => sum(take(reshape(x, [4]), [3, 3, 0]));
    for (const g of both(target, grad(loss), f32([0, 1, 2, 3], [2, 2]))) expect(g.toArray()).toEqual([[1, 0], [0, 2]]);
  });

  it('broadcast gradients reduce to the operand shapes', () => {
    const a = f32([1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 2]);
    const b = f32([9, 10, 11, 12], [2, 2]);
    on(target.backend!, () => {
      const [value, g] = valueAndGrad((p: { a: Tensor; b: Tensor }) => sum(matmul(p.a, p.b)))({ a, b });
      expect(value.item()).toBe(764);
      expect(g.a.toArray()).toEqual([[[19, 23], [19, 23]], [[19, 23], [19, 23]]]);
      expect(g.b.toArray()).toEqual([[16, 16], [20, 20]]);
    });
    const p = (t: Tensor) => sum(matmul(mean(t, 0, { keepdims: true }), mul(ones([3, 1]), 10)));
    for (const g of both(target, grad(p), ones([2, 3]))) expect(g.toArray()).toEqual([[5, 5, 5], [5, 5, 5]]);
  });

  it('shared node: f = 3, gradients 6 and 3', () => {
    const f = (p: { x: Tensor; a: Tensor }) => {
      const u = mul(p.x, p.a);
      return add(add(mul(p.x, u), mul(mul(p.x, p.x), p.a)), mul(p.x, u));
    };
    const df = compile(grad(f));
    const fg = compile(valueAndGrad(f));
    on(target.backend!, () => {
      expect(f({ x: tensor(1), a: tensor(1) }).item()).toBe(3);
      for (let k = 0; k < 3; k++) {
        const [value, vg] = fg({ x: tensor(1), a: tensor(1) });
        expect(value.item()).toBe(3);
        expect(vg.x.item()).toBe(6);
        expect(vg.a.item()).toBe(3);
        const g = df({ x: tensor(1), a: tensor(1) });
        expect(g.x.item()).toBe(6);
        expect(g.a.item()).toBe(3);
      }
    });
  });

  it('float32 accumulation: sum of 0..9999, 821892087 x 2 and 3.3 squared', () => {
    for (const s of both(target, (x: Tensor) => sum(x), cast(arange(10000), 'f32'))) expect(s.item()).toBe(49995000);
    for (const s of both(target, (x: Tensor) => sum(x, 0), reshape(cast(arange(10000), 'f32'), [10000, 1]))) expect(values(s)).toEqual([49995000]);
    for (const m of both(target, (x: Tensor) => mean(x), cast(arange(10000), 'f32'))) expect(m.item()).toBe(4999.5);
    for (const p of both(target, (x: Tensor) => mul(x, 2), f32([821892087], [1]))) expect(p.item()).toBe(1643784192);
    for (const p of both(target, (x: Tensor) => square(x), f32([3.3], [1]))) expect(p.item()).toBe(10.889999389648438);
  });

  it('reductions of lengths 1 to 100', () => {
    const wrong: string[] = [];
    on(target.backend!, () => {
      for (let n = 1; n <= 100; n++) {
        const total = sum(ones([n])).item();
        if (total !== n) wrong.push(`sum(ones(${n})) = ${total}`);
        const row = sum(softmax(mul(cast(iota([n], 0), 'f32'), 0.37))).item();
        if (!(Math.abs(row - 1) <= 1e-6)) wrong.push(`softmax row of length ${n} sums to ${row}`);
      }
    });
    expect(wrong).toEqual([]);
  });

  it('three readbacks of square(3) in flight give [9, 9, 9]', async () => {
    const x = f32([3], [1]);
    if (target.mode === undefined) {
      const reads = on(target.backend!, () => [square(x), square(x), square(x)].map((t) => t.dataAsync()));
      expect((await Promise.all(reads)).map((d) => d[0])).toEqual([9, 9, 9]);
      const distinct = on(target.backend!, () => [square(x), square(add(x, 1)), square(add(x, 2))].map((t) => t.dataAsync()));
      expect((await Promise.all(distinct)).map((d) => d[0])).toEqual([9, 16, 25]);
      expect(on(target.backend!, () => square(x)).item()).toBe(9);
      return;
    }
    const backend = target.backend as GpujsBackend;
    const squareAsync = compileAsync((t: Tensor) => square(t), backend);
    const same = [squareAsync(x), squareAsync(x), squareAsync(x)];
    expect((await Promise.all(same)).map((t) => t.item())).toEqual([9, 9, 9]);
    const distinct = [squareAsync(x), squareAsync(f32([4], [1])), squareAsync(f32([5], [1]))];
    expect((await Promise.all(distinct)).map((t) => t.item())).toEqual([9, 16, 25]);
    expect(squareAsync.executorKind).toMatch(target.executorKind);
    expect(on(backend, () => square(x)).item()).toBe(9);
  });

  // The instrumented device wraps a gpu.js instance in this thread, so it covers the modes that
  // run there. webgpu in Node runs in a worker thread, which the test above covers.
  // NOTE: the fences stand for WebGPU's mapAsync; no test here instruments a real device's fences.
  it.skipIf(target.mode === undefined || target.mode === 'webgpu')('each read waits for its fence', async () => {
    const mode = target.mode!;
    const device = fencedGpu(await createGpu(mode));
    const context = new ExecutionContext(mode, device.gpu);
    const plan = lowerGraph(traceGraph([{ shape: [1], dtype: 'f32' }], (t) => [square(t)]), { dialect: dialectOf(mode) });
    try {
      for (const inputs of [[3, 3, 3], [3, 4, 5]]) {
        device.fences.length = 0;
        device.log.length = 0;
        const resolved: number[] = [];
        const reads = inputs.map((v, i) =>
          runAsync(context, plan, [Float32Array.of(v)]).then((result) => {
            device.log.push(`resolve ${i}`);
            resolved.push(result.outputs[0][0]);
            return result.outputs[0][0];
          }),
        );
        await until(() => device.fences.length === 3 && device.fences.every((f) => f.queries > 0));
        await pause(20);
        expect(resolved).toEqual([]);

        // Signal the fences in reverse issue order: each signal may release exactly one read.
        const order = [...device.fences].reverse();
        for (const [count, fence] of order.entries()) {
          fence.signal();
          await until(() => resolved.length === count + 1);
          await pause(5);
          expect(resolved).toHaveLength(count + 1);
          expect(resolved[count]).toBe(fence.value);
        }
        expect(await Promise.all(reads)).toEqual(inputs.map((v) => v * v));
        for (const fence of device.fences) {
          const firstQuery = device.log.indexOf(`query ${fence.id}`);
          expect(firstQuery, `fence ${fence.id} queried before its signal`).toBeLessThan(device.log.indexOf(`signal ${fence.id}`));
        }
      }
      expect(on(target.backend!, () => square(f32([3], [1]))).item()).toBe(9);
    } finally {
      context.destroy();
    }
  });
});

/** Waits until `condition` holds, polling every millisecond, for at most 5 s. */
async function until(condition: () => boolean): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > 5000) throw new Error('until: condition still false after 5 s');
    await pause(1);
  }
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
