/**
 * The generated WebAssembly SIMD matmul. It equals, bit for bit, a float32 reference that adds the
 * products in order of k, for every tiling, transpose and edge size. It stays close to the float64
 * JavaScript kernel, repeats its bits, and is the kernel the backend runs.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compile, matmul, normal, key, type Tensor } from '../../../src/index.js';
import { cpuBackend, cpuMatmulStatus, setCpuMatmulKind } from '../../../src/backends/cpu/index.js';
import { matmulInto } from '../../../src/backends/cpu/matmul.js';
import { buildMatmulModule, DEFAULT_TILING, type MatmulTiling } from '../../../src/backends/cpu/wasm/matmul-module.js';
import { instantiateWasmMatmul } from '../../../src/backends/cpu/wasm/matmul-runtime.js';

interface Case {
  readonly batches: number;
  readonly m: number;
  readonly k: number;
  readonly n: number;
  readonly transposeA: boolean;
  readonly transposeB: boolean;
  readonly a: Float32Array;
  readonly b: Float32Array;
}

/** C = op(A) op(B) with float32 rounding after every multiply and add, k ascending. */
function referenceF32({ batches, m, k, n, transposeA, transposeB, a, b }: Case): Float32Array {
  const out = new Float32Array(batches * m * n);
  for (let t = 0; t < batches; t++) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let sum = 0;
        for (let p = 0; p < k; p++) {
          const x = transposeA ? a[t * m * k + p * m + i] : a[t * m * k + i * k + p];
          const y = transposeB ? b[t * k * n + j * k + p] : b[t * k * n + p * n + j];
          sum = Math.fround(sum + Math.fround(x * y));
        }
        out[t * m * n + i * n + j] = sum;
      }
    }
  }
  return out;
}

/** Index of the first element whose bits differ, or -1. */
function firstBitDifference(x: Float32Array, y: Float32Array): number {
  const bx = new Uint32Array(x.buffer, x.byteOffset, x.length);
  const by = new Uint32Array(y.buffer, y.byteOffset, y.length);
  if (bx.length !== by.length) return 0;
  for (let i = 0; i < bx.length; i++) if (bx[i] !== by[i]) return i;
  return -1;
}

const EDGE_SIZES = [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 33];

const caseArb: fc.Arbitrary<Case> = fc
  .record({
    batches: fc.integer({ min: 1, max: 3 }),
    m: fc.constantFrom(...EDGE_SIZES),
    k: fc.oneof(fc.constantFrom(...EDGE_SIZES), fc.integer({ min: 250, max: 530 })),
    n: fc.constantFrom(...EDGE_SIZES),
    transposeA: fc.boolean(),
    transposeB: fc.boolean(),
    seed: fc.integer(),
  })
  .map(({ seed, ...c }) => {
    // Values from a seeded generator keep shrinking fast; fast-check still draws the shapes.
    let state = seed >>> 0;
    const next = (): number => {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      return Math.fround((state / 2 ** 32) * 8 - 4);
    };
    const a = Float32Array.from({ length: c.batches * c.m * c.k }, next);
    const b = Float32Array.from({ length: c.batches * c.k * c.n }, next);
    return { ...c, a, b };
  });

function runWasm(routine: ReturnType<typeof instantiateWasmMatmul>, c: Case): Float32Array {
  const out = new Float32Array(c.batches * c.m * c.n);
  routine(c.a, c.b, out, c.batches, c.m, c.k, c.n, c.transposeA, c.transposeB);
  return out;
}

describe('wasm matmul module', () => {
  it('validates as WebAssembly', () => {
    expect(WebAssembly.validate(buildMatmulModule(DEFAULT_TILING))).toBe(true);
  });

  it('rejects a tiling with nr not a multiple of 4', () => {
    expect(() => buildMatmulModule({ mr: 4, nr: 6, kc: 64, unroll: 1 })).toThrow(/nr must be a positive multiple of 4/);
  });
});

describe('wasm matmul values', () => {
  const routine = instantiateWasmMatmul(DEFAULT_TILING);

  it('equals the in-order float32 reference bit for bit', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        expect(firstBitDifference(runWasm(routine, c), referenceF32(c))).toBe(-1);
      }),
      { numRuns: 150 },
    );
  });

  it('agrees with the float64 JavaScript kernel within K-scaled rounding', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const wasm = runWasm(routine, c);
        const js = new Float32Array(wasm.length);
        matmulInto(c.a, c.b, js, c.batches, c.m, c.k, c.n, c.transposeA, c.transposeB);
        // Each float32 add and multiply errs by at most 2^-24 of its result; the bound is
        // k * 2^-23 times the sum of |products|, which bounds every partial sum.
        const magnitude = referenceF32({ ...c, a: c.a.map(Math.abs), b: c.b.map(Math.abs) });
        for (let i = 0; i < wasm.length; i++) {
          expect(Math.abs(wasm[i] - js[i])).toBeLessThanOrEqual(c.k * 2 ** -23 * magnitude[i] + 1e-30);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('gives the same bits for every tiling', () => {
    const tilings: MatmulTiling[] = [
      { mr: 1, nr: 4, kc: 7, unroll: 1 },
      { mr: 3, nr: 12, kc: 16, unroll: 3 },
      { mr: 4, nr: 8, kc: 256, unroll: 4 },
      { mr: 6, nr: 16, kc: 33, unroll: 2 },
    ];
    const routines = tilings.map((t) => instantiateWasmMatmul(t));
    fc.assert(
      fc.property(caseArb, (c) => {
        const expected = runWasm(routine, c);
        for (const r of routines) expect(firstBitDifference(runWasm(r, c), expected)).toBe(-1);
      }),
      { numRuns: 40 },
    );
  });

  it('gives the same bits on a second run', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        expect(firstBitDifference(runWasm(routine, c), runWasm(routine, c))).toBe(-1);
      }),
      { numRuns: 30 },
    );
  });

  it('propagates NaN and infinity like the reference', () => {
    const a = Float32Array.from([NaN, 1, Infinity, 2, 0, -Infinity]);
    const b = Float32Array.from([1, 2, 0, 3, 4, 5]);
    const c: Case = { batches: 1, m: 2, k: 3, n: 2, transposeA: false, transposeB: false, a, b };
    const out = runWasm(routine, c);
    const expected = referenceF32(c);
    expect(Array.from(out)).toEqual(Array.from(expected));
    expect(Number.isNaN(out[0])).toBe(true);
  });

  it('writes zeros when k is 0', () => {
    const out = Float32Array.from([7, 7, 7, 7, 7, 7]);
    routine(new Float32Array(0), new Float32Array(0), out, 1, 2, 0, 3, false, false);
    expect(Array.from(out)).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('grows its memory for large operands', () => {
    const m = 300;
    const k = 300;
    const n = 300;
    const a = Float32Array.from({ length: m * k }, (_, i) => (i % 7) - 3);
    const b = Float32Array.from({ length: k * n }, (_, i) => (i % 5) - 2);
    const c: Case = { batches: 1, m, k, n, transposeA: false, transposeB: true, a, b };
    expect(firstBitDifference(runWasm(routine, c), referenceF32(c))).toBe(-1);
  });
});

describe('cpu backend matmul kernel', () => {
  it('is the WebAssembly kernel on this engine', () => {
    expect(cpuMatmulStatus().kind).toBe('wasm-simd');
    expect(cpuBackend().matmulKernel).toBe('wasm-simd');
  });

  it('names the kernel in the executor kind', () => {
    const f = compile((x: Tensor, y: Tensor) => matmul(x, y));
    f(normal(key(1), [3, 4]), normal(key(2), [4, 5]));
    expect(f.executorKind).toMatch(/^cpu\/fused-js\+wasm-simd-matmul(\+2-threads)?$/);
  });

  it('switches to the JavaScript kernel and back', () => {
    const a = normal(key(3), [2, 9, 17]);
    const b = normal(key(4), [2, 17, 5]);
    const wasm = matmul(a, b).data() as Float32Array;
    try {
      expect(setCpuMatmulKind('js').kind).toBe('js');
      const js = matmul(a, b).data() as Float32Array;
      for (let i = 0; i < js.length; i++) expect(js[i]).toBeCloseTo(wasm[i], 4);
    } finally {
      setCpuMatmulKind('wasm-simd');
    }
    expect(cpuMatmulStatus().kind).toBe('wasm-simd');
  });

  it('gives eager and compiled products the same bits', () => {
    const a = normal(key(5), [4, 33, 9]);
    const b = normal(key(6), [4, 9, 17]);
    const eager = matmul(a, b).data() as Float32Array;
    const compiled = compile((x: Tensor, y: Tensor) => matmul(x, y))(a, b).data() as Float32Array;
    expect(firstBitDifference(compiled, eager)).toBe(-1);
  });
});
