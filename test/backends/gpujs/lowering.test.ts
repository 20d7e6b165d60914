/**
 * The lowering of graphs to gpu.js plans, checked on the plans themselves, so no device is
 * needed. Covered: fusion of elementwise and movement chains, materialization of shared values,
 * the argument limit of WebGPU, reductions in several passes, the float32 size limit, and the
 * constraints that the devices put on kernel source.
 */
import { describe, expect, it } from 'vitest';
import {
  add, compile, concat, exp, isFinite, keyTensor, key, matmul, max, mul, neg, normal, randomBitsTensor, reshape, sin, slice,
  softmax, sum, take, tanh, transpose, uniform, zeros, type Tensor,
} from '../../../src/index.js';
import { lowerGraph, MAX_FUSED_INPUTS, type Plan, type PlanStep } from '../../../src/backends/gpujs/index.js';
import { f32, i32 } from '../../core/helpers.js';

function planOf<A extends Tensor[]>(fn: (...args: A) => Tensor | Tensor[], args: A, dialect: 'native' | 'shader' = 'native'): Plan {
  return lowerGraph(compile(fn).lower(...args), { dialect });
}

function readsSlot(step: PlanStep, slot: number): boolean {
  if (step.kind === 'kernel') return step.args.some((a) => a.kind !== 'specials' && a.slot === slot);
  if (step.kind === 'random-bits-i32') return step.key === slot;
  return step.slot === slot;
}

function kernels(plan: Plan) {
  return plan.steps.filter((s) => s.kind === 'kernel');
}

const x23 = f32([1, 2, 3, 4, 5, 6], [2, 3]);

describe('fusion', () => {
  it('elementwise chain is one kernel', () => {
    expect(kernels(planOf((x: Tensor) => tanh(exp(mul(add(x, 1), 2))), [x23]))).toHaveLength(1);
  });

  it('broadcast and transpose fuse into their consumer', () => {
    const plan = planOf((x: Tensor, y: Tensor) => add(x, transpose(y)), [x23, f32([1, 2, 3, 4, 5, 6], [3, 2])]);
    expect(kernels(plan)).toHaveLength(1);
  });

  it('elementwise producer fuses into a reduction', () => {
    expect(kernels(planOf((x: Tensor) => sum(exp(x), [1]), [x23]))).toHaveLength(1);
  });

  it('value with arithmetic and two consumers is materialized once', () => {
    const plan = planOf((x: Tensor) => {
      const e = exp(x);
      return [add(e, 1), mul(e, 2)];
    }, [x23]);
    const sources = kernels(plan).map((k) => k.source);
    expect(sources).toHaveLength(3);
    expect(sources.filter((s) => s.includes('Math.exp'))).toHaveLength(1);
  });

  it('reshape of a program input needs no kernel', () => {
    const plan = planOf((x: Tensor) => reshape(x, [3, 2]), [x23]);
    expect(kernels(plan)).toHaveLength(0);
    expect(plan.outputs[0].slot).toBe(plan.inputSlots[0]);
  });

  it('softmax takes four kernels: max, exp, sum and divide', () => {
    const labels = kernels(planOf((x: Tensor) => softmax(x, -1), [x23])).map((k) => k.label.split(' ')[0]);
    expect(labels).toEqual(['reduce_max', 'exp', 'reduce_sum', 'output']);
  });

  it('matmul reads transposed operands in place', () => {
    const plan = planOf((a: Tensor, b: Tensor) => matmul(transpose(a), b), [x23, x23]);
    expect(kernels(plan)).toHaveLength(1);
  });
});

describe('limits', () => {
  it('no kernel reads more than MAX_FUSED_INPUTS buffers', () => {
    const inputs = Array.from({ length: 9 }, (_, k) => f32([k, k + 1], [2]));
    const plans = [
      planOf((...xs: Tensor[]) => xs.reduce((a, b) => add(a, sin(b))), inputs),
      planOf((...xs: Tensor[]) => concat(xs, 0), inputs),
      planOf((...xs: Tensor[]) => sum(concat(xs.map((v) => mul(v, 2)), 0)), inputs),
    ];
    for (const plan of plans) {
      for (const k of kernels(plan)) expect(k.args.filter((a) => a.kind === 'slot').length).toBeLessThanOrEqual(MAX_FUSED_INPUTS);
    }
  });

  it('long reductions take several passes', () => {
    const plan = planOf((x: Tensor) => sum(x), [zeros([70_000])]);
    expect(kernels(plan).map((k) => k.size)).toEqual([274, 2, 1]);
  });

  it('tensors over 2^24 elements are rejected with the fix', () => {
    const big = compile((x: Tensor) => add(x, 1)).lower(zeros([1]));
    const huge = { ...big, inputs: big.inputs.map((v) => ({ ...v, aval: { shape: [2 ** 24 + 1], dtype: 'f32' as const } })) };
    expect(() => lowerGraph(huge as never, { dialect: 'native' })).toThrow(/16777217 elements.*use the cpu backend/);
  });

  it('a computed random key is rejected with the fix', () => {
    expect(() => planOf((k: Tensor) => uniform(add(k, 1), [3]), [keyTensor(key(1))])).toThrow(/key i32\[2\] as a program input or constant/);
  });
});

describe('plans', () => {
  const programs: [string, Plan][] = [
    ['softmax', planOf((x: Tensor) => softmax(x, 0), [x23], 'shader')],
    ['normal draws', planOf((k: Tensor) => normal(k, [4, 3]), [keyTensor(key(2))], 'shader')],
    ['slice and max', planOf((x: Tensor) => max(neg(slice(x, [0, 1], [2, 3])), [0]), [x23], 'shader')],
    ['random words', planOf((k: Tensor) => randomBitsTensor(k, [5]), [keyTensor(key(3))], 'shader')],
  ];

  for (const [name, plan] of programs) {
    it(`${name} survives structured cloning`, () => {
      expect(structuredClone(plan)).toEqual(plan);
    });

    it(`${name} kernels are function strings without !=`, () => {
      for (const k of kernels(plan)) {
        expect(k.source.startsWith('function')).toBe(true);
        expect(k.source).not.toMatch(/!=/);
      }
    });

    it(`${name} releases slots only after their last read`, () => {
      const outputs = new Set(plan.outputs.map((o) => o.slot));
      plan.releases.forEach((released, s) => {
        for (const slot of released) {
          expect(outputs.has(slot)).toBe(false);
          const readLater = plan.steps.slice(s + 1).some((step) => readsSlot(step, slot));
          expect(readLater).toBe(false);
        }
      });
    });
  }

  it('random words run on the host, uniforms in a kernel', () => {
    const words = planOf((k: Tensor) => randomBitsTensor(k, [5]), [keyTensor(key(3))]);
    expect(words.steps.map((s) => s.kind)).toEqual(['random-bits-i32']);
    const uniforms = planOf((k: Tensor) => uniform(k, [5]), [keyTensor(key(3))]);
    expect(uniforms.steps.map((s) => s.kind)).toEqual(['kernel']);
  });

  it('gather checks its indices before reading', () => {
    const plan = planOf((x: Tensor, indices: Tensor) => take(x, indices, 1), [x23, i32([2, 0], [2])]);
    expect(plan.steps.map((s) => s.kind)).toEqual(['check-indices', 'kernel']);
    expect(plan.steps[0]).toMatchObject({ slot: plan.inputSlots[1], count: 2, size: 3, op: 'gather', axis: 1 });
  });

  it('isFinite is a magnitude test, not x - x', () => {
    const source = kernels(planOf((x: Tensor) => isFinite(x), [x23], 'shader'))[0].source;
    expect(source).toContain('Math.abs(');
    expect(source).not.toMatch(/\b(v\d+) - \1\b/);
  });

  it('shader dialect corrects index quotients', () => {
    const x35 = f32(Array.from({ length: 15 }, (_, k) => k), [3, 5]);
    const shader = kernels(planOf((x: Tensor) => transpose(x), [x35], 'shader'))[0].source;
    const native = kernels(planOf((x: Tensor) => transpose(x), [x35], 'native'))[0].source;
    expect(shader).toMatch(/>= 3\.0 \? 1\.0 : 0\.0/);
    expect(native).not.toMatch(/>= 3\.0 \? 1\.0 : 0\.0/);
  });

  it('shader dialect writes its own sin and native dialect uses Math.sin', () => {
    const shader = kernels(planOf((x: Tensor) => sin(x), [x23], 'shader'))[0].source;
    const native = kernels(planOf((x: Tensor) => sin(x), [x23], 'native'))[0].source;
    expect(shader).not.toContain('Math.sin');
    expect(native).toContain('Math.sin');
  });
});
