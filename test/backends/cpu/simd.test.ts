/**
 * The WebAssembly paths of compiled programs against eager execution, bit for bit. The paths are
 * SIMD loops (with exp and tanh, every broadcast load kind, and bool values written as bytes),
 * the unrolled pairwise sums, and the strided copies. Also the accuracy of the backend's exp and
 * tanh against V8's Math.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  add, cast, compile, exp, fromData, greater, key, logicalNot, mul, normal, pad, slice, sum, tanh, transpose, where, type Tensor,
} from '../../../src/index.js';
import { cpuProfile, setCpuProfiling } from '../../../src/backends/cpu/index.js';
import { exp as backendExp, tanh as backendTanh } from '../../../src/backends/cpu/scalar-math.js';

function firstDifference(actual: Tensor, expected: Tensor): number {
  const a = actual.data();
  const e = expected.data();
  if (a.length !== e.length) return 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], e[i])) return i;
  return -1;
}

/** Distance in float32 units in the last place between two finite float32 values of one sign. */
function ulps(a: number, b: number): number {
  const bits = new Int32Array(new Float32Array([a, b]).buffer);
  return Math.abs(bits[0] - bits[1]);
}

const SPECIAL = [0, -0, 1, -1, 0.5, 9.5, -9.5, 9.50001, 20, -20, 88.7, 89, 89.5, -103.9, -105, -105.1, 1e-30, -1e-30, 1e-45, Infinity, -Infinity, NaN];

describe('SIMD exp and tanh', () => {
  it('give the bits of eager execution on special and random values', () => {
    const random = Array.from({ length: 4000 }, (_, i) => Math.sin(i * 12.9898) * (i % 3 === 0 ? 120 : 12));
    const values = Float32Array.from([...SPECIAL, ...random]);
    const x = fromData(values, [values.length]);
    const f = (t: Tensor) => [exp(t), tanh(t), tanh(mul(exp(mul(t, 0.01)), t))];
    const compiled = compile(f);
    const results = compiled(x);
    expect(compiled.executorKind).toContain('fused-simd');
    f(x).forEach((expected, k) => expect(firstDifference(results[k], expected)).toBe(-1));
  });

  it('stay within one float32 unit of Math.exp and Math.tanh', () => {
    fc.assert(
      fc.property(fc.float({ noNaN: true, noDefaultInfinity: true, min: Math.fround(-110), max: Math.fround(95) }), (x) => {
        const e = Math.fround(backendExp(x));
        const reference = Math.fround(Math.exp(x));
        if (Number.isFinite(reference)) expect(ulps(e, reference)).toBeLessThanOrEqual(1);
        else expect(e).toBe(reference);
        expect(ulps(Math.fround(backendTanh(x)), Math.fround(Math.tanh(x)))).toBeLessThanOrEqual(1);
      }),
      { numRuns: 150 },
    );
  });

  it('keep the special values of Math', () => {
    for (const x of SPECIAL) {
      expect(Math.fround(backendExp(x))).toBe(Math.fround(Math.exp(x)));
      expect(Object.is(Math.fround(backendTanh(x)), Math.fround(Math.tanh(x)))).toBe(true);
    }
  });
});

describe('SIMD broadcast loads', () => {
  const cases: [string, number[], number[]][] = [
    ['contiguous rows', [3, 8], [8]],
    ['splat columns', [3, 8], [3, 1]],
    ['gather rows', [4, 6], [6]],
    ['gather columns', [5, 7], [5, 1]],
    ['scalar', [5, 7], [1]],
    ['middle axis', [2, 3, 8], [3, 1]],
  ];
  for (const [name, shape, small] of cases) {
    it(`${name} give eager bits for f32 and bool sources`, () => {
      const x = normal(key(1), shape);
      const b = normal(key(2), small);
      const f = (t: Tensor, s: Tensor) => {
        const mask = greater(s, 0);
        return [add(t, s), where(mask, t, mul(t, 2)), logicalNot(greater(add(t, s), 0)), cast(mask, 'f32')];
      };
      const compiled = compile(f);
      const results = compiled(x, b);
      expect(compiled.executorKind).toContain('fused-simd');
      f(x, b).forEach((expected, k) => {
        expect(results[k].dtype).toBe(expected.dtype);
        expect(firstDifference(results[k], expected)).toBe(-1);
      });
    });
  }
});

describe('WebAssembly sums', () => {
  const shapeArb = fc.record({
    outer: fc.integer({ min: 1, max: 3 }),
    count: fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 500, max: 700 })),
    inner: fc.constantFrom(1, 2, 3, 4, 5, 8, 12),
    seed: fc.integer({ min: 0, max: 1000 }),
  });

  /** Terms of very different sizes, so that any other summation order changes the float32 result. */
  function cancellingValues(seed: number, size: number): Float32Array {
    const noise = normal(key(seed), [size]).data();
    // Exact +-2^60 terms cancel or swallow the small ones depending on the order of additions.
    return Float32Array.from({ length: size }, (_, i) => {
      if (noise[i] > 0.8) return 2 ** 60;
      if (noise[i] < -0.8) return -(2 ** 60);
      return noise[i];
    });
  }

  it('give the bits of the JavaScript kernel for leading, middle and trailing axes', () => {
    fc.assert(
      fc.property(shapeArb, ({ outer, count, inner, seed }) => {
        const x = fromData(cancellingValues(seed, outer * count * inner), [outer, count, inner]);
        const f = (t: Tensor) => [sum(t, 1), sum(t, [0, 1]), sum(t, 2), sum(t, [1, 2])];
        const results = compile(f)(x);
        f(x).forEach((expected, k) => expect(firstDifference(results[k], expected)).toBe(-1));
      }),
      { numRuns: 40 },
    );
  });

  it('sum 0..9999 exactly in a compiled program', () => {
    const values = Float32Array.from({ length: 10000 }, (_, i) => i);
    expect(compile((t: Tensor) => sum(t, 0))(fromData(values, [10000, 1])).item()).toBe(49995000);
    expect(compile((t: Tensor) => sum(t, 0))(fromData(values, [2500, 4])).data()).toEqual(
      Float32Array.from([0, 1, 2, 3].map((j) => 4 * (2499 * 2500) / 2 + j * 2500)),
    );
  });
});

describe('WebAssembly strided copies', () => {
  const caseArb = fc
    .array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 4 })
    .chain((shape) =>
      fc.record({
        shape: fc.constant(shape),
        perm: fc.shuffledSubarray(shape.map((_, i) => i), { minLength: shape.length, maxLength: shape.length }),
        box: fc.tuple(...shape.map((d) => fc.tuple(fc.integer({ min: 0, max: d }), fc.integer({ min: 0, max: d })).map(([a, b]) => [Math.min(a, b), Math.max(a, b)] as const))),
        widths: fc.tuple(...shape.map(() => fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 5 })))),
        value: fc.constantFrom(0, -1.5, -Infinity, NaN),
        integer: fc.boolean(),
      }),
    );

  it('give eager bits for transposes, slices and pads of f32 and i32', () => {
    fc.assert(
      fc.property(caseArb, ({ shape, perm, box, widths, value, integer }) => {
        const size = shape.reduce((p, d) => p * d, 1);
        const data = integer ? Int32Array.from({ length: size }, (_, i) => i * 7 - 100) : Float32Array.from({ length: size }, (_, i) => Math.sin(i) * 1e3);
        const x = fromData(data, shape);
        const padValue = integer && !Number.isFinite(value) ? 3 : value;
        const f = (t: Tensor) => [
          transpose(t, perm),
          slice(t, box.map(([s]) => s), box.map(([, e]) => e)),
          pad(t, widths.map(([lo, hi]) => [lo, hi] as [number, number]), padValue),
        ];
        setCpuProfiling(true);
        const results = compile(f)(x);
        setCpuProfiling(false);
        // Identity transposes, whole slices and zero pads run no step at all; every copy that runs is WebAssembly.
        expect(cpuProfile(true).filter((e) => !e.label.endsWith('(wasm)'))).toEqual([]);
        f(x).forEach((expected, k) => expect(firstDifference(results[k], expected)).toBe(-1));
      }),
      { numRuns: 150 },
    );
  });

  it('run a transpose as a WebAssembly copy', () => {
    setCpuProfiling(true);
    compile((t: Tensor) => transpose(t, [1, 0]))(fromData(Float32Array.from([1, 2, 3, 4, 5, 6]), [2, 3]));
    setCpuProfiling(false);
    expect(cpuProfile(true).map((e) => e.label.endsWith('(wasm)'))).toEqual([true]);
  });
});
