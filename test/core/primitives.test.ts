/**
 * Every primitive through its public op, against a float64 reference written here, on random
 * shapes (rank 0-4, dims 1-3) with NumPy broadcasting. Inputs are float32 values, so the
 * reference computes from exactly the library's inputs, and results must agree to float32 rounding.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  abs, add, arange, broadcastTo, cast, concat, cos, div, equal, erf, exp, greater, greaterEqual, iota, key,
  keyFromWords, less, lessEqual, log, logicalAnd, logicalNot, logicalOr, matmul, max, maximum, mean, min, minimum, mul,
  neg, notEqual, ones, pad, pow, randomBitsTensor, reshape, rsqrt, scatterAdd, sigmoid, sign, sin,
  slice, softmax, sqrt, stopGradient, sub, sum, take, tanh, transpose, uniform, variance, where, zeros, type Tensor,
} from '../../src/index.js';
import {
  arrayArb, bool, broadcastShapesArb, expectClose, expectTensorClose, f32, float32, float32AwayFromZero, i32,
  refBroadcast, refBroadcastShapes, refErf, refThreefryBits, shapeArb, sizeOfShape, stridesOfShape, unravel,
  valuesArb, type RefArray,
} from './helpers.js';

const RUNS = { numRuns: 60 };

function tensorOf(ref: RefArray): Tensor {
  return f32(ref.data, ref.shape);
}

function mapRef(ref: RefArray, f: (x: number) => number): RefArray {
  return { data: ref.data.map(f), shape: ref.shape };
}

describe('unary primitives', () => {
  const cases: [string, (x: Tensor) => Tensor, (x: number) => number, fc.Arbitrary<number>][] = [
    ['neg', neg, (x) => -x, float32(-100, 100)],
    ['exp', exp, Math.exp, float32(-20, 20)],
    ['log', log, Math.log, float32(1e-3, 100)],
    ['sqrt', sqrt, Math.sqrt, float32(0, 100)],
    ['rsqrt', rsqrt, (x) => 1 / Math.sqrt(x), float32(1e-3, 100)],
    ['tanh', tanh, Math.tanh, float32(-10, 10)],
    ['sin', sin, Math.sin, float32(-10, 10)],
    ['cos', cos, Math.cos, float32(-10, 10)],
    ['abs', abs, Math.abs, float32(-100, 100)],
    ['sign', sign, Math.sign, fc.oneof(float32(-100, 100), fc.constant(0))],
    ['erf', erf, refErf, float32(-6, 6)],
    ['logistic', sigmoid, (x) => 1 / (1 + Math.exp(-x)), float32(-30, 30)],
  ];
  for (const [name, op, reference, domain] of cases) {
    it(`${name} matches reference`, () => {
      fc.assert(
        fc.property(arrayArb(domain), (x) => {
          expectTensorClose(op(tensorOf(x)), mapRef(x, reference), { rtol: 1e-6, atol: 1e-7 });
        }),
        RUNS,
      );
    });
  }

  it('logical_not matches reference', () => {
    fc.assert(
      fc.property(arrayArb(fc.integer({ min: 0, max: 1 })), (x) => {
        const out = logicalNot(bool(x.data, x.shape));
        expect(out.dtype).toBe('bool');
        expectTensorClose(out, mapRef(x, (v) => (v ? 0 : 1)));
      }),
      RUNS,
    );
  });

  it('neg, abs and sign on i32', () => {
    const x = i32([-3, 0, 5], [3]);
    expect(neg(x).toArray()).toEqual([3, 0, -5]);
    expect(abs(x).toArray()).toEqual([3, 0, 5]);
    expect(sign(x).toArray()).toEqual([-1, 0, 1]);
    expect(sign(x).dtype).toBe('i32');
  });

  it('erf relative error below 1e-6', () => {
    const points: number[] = [];
    for (let i = -6000; i <= 6000; i++) points.push(Math.fround(i / 1000));
    for (let e = -30; e <= -3; e++) points.push(Math.fround(10 ** e), Math.fround(-(10 ** e)), Math.fround(3.7 * 10 ** e));
    const out = erf(f32(points, [points.length])).data();
    const failures: string[] = [];
    points.forEach((x, i) => {
      if (x === 0) return;
      const expected = refErf(x);
      const relative = Math.abs(out[i] - expected) / Math.abs(expected);
      if (!(relative < 1e-6)) failures.push(`erf(${x}) = ${out[i]}, reference ${expected}`);
    });
    expect(failures.slice(0, 5)).toEqual([]);
  });

  it('erf at zero is zero', () => {
    expect(erf(f32([0], [1])).data()[0]).toBe(0);
  });
});

describe('binary primitives', () => {
  const binaryCase = (
    name: string,
    op: (a: Tensor, b: Tensor) => Tensor,
    reference: (a: number, b: number) => number,
    left: fc.Arbitrary<number>,
    right: fc.Arbitrary<number>,
  ) =>
    it(`${name} matches reference with broadcasting`, () => {
      fc.assert(
        fc.property(
          broadcastShapesArb(2).chain(([sa, sb]) =>
            fc.tuple(valuesArb(sizeOfShape(sa), left), valuesArb(sizeOfShape(sb), right)).map(([a, b]) => ({ sa, sb, a, b })),
          ),
          ({ sa, sb, a, b }) => {
            const shape = refBroadcastShapes(sa, sb);
            const ba = refBroadcast(a, sa, shape);
            const bb = refBroadcast(b, sb, shape);
            const expected = ba.map((x, i) => reference(x, bb[i]));
            expectTensorClose(op(f32(a, sa), f32(b, sb)), { data: expected, shape }, { rtol: 1e-6, atol: 1e-30 });
          },
        ),
        RUNS,
      );
    });

  const wide = float32(-100, 100);
  const small = fc.integer({ min: -2, max: 2 });
  binaryCase('add', add, (a, b) => a + b, wide, wide);
  binaryCase('sub', sub, (a, b) => a - b, wide, wide);
  binaryCase('mul', mul, (a, b) => a * b, wide, wide);
  binaryCase('div', div, (a, b) => a / b, wide, float32AwayFromZero(0.1, 10));
  binaryCase('pow', pow, Math.pow, float32(0.01, 10), float32(-3, 3));
  binaryCase('max', maximum, Math.max, wide, wide);
  binaryCase('min', minimum, Math.min, wide, wide);
  binaryCase('lt', less, (a, b) => Number(a < b), small, small);
  binaryCase('le', lessEqual, (a, b) => Number(a <= b), small, small);
  binaryCase('gt', greater, (a, b) => Number(a > b), small, small);
  binaryCase('ge', greaterEqual, (a, b) => Number(a >= b), small, small);
  binaryCase('eq', equal, (a, b) => Number(a === b), small, small);
  binaryCase('ne', notEqual, (a, b) => Number(a !== b), small, small);

  const logicalCase = (name: string, op: (a: Tensor, b: Tensor) => Tensor, reference: (a: number, b: number) => number) =>
    it(`${name} matches reference with broadcasting`, () => {
      fc.assert(
        fc.property(
          broadcastShapesArb(2).chain(([sa, sb]) =>
            fc
              .tuple(valuesArb(sizeOfShape(sa), fc.integer({ min: 0, max: 1 })), valuesArb(sizeOfShape(sb), fc.integer({ min: 0, max: 1 })))
              .map(([a, b]) => ({ sa, sb, a, b })),
          ),
          ({ sa, sb, a, b }) => {
            const shape = refBroadcastShapes(sa, sb);
            const ba = refBroadcast(a, sa, shape);
            const bb = refBroadcast(b, sb, shape);
            const out = op(bool(a, sa), bool(b, sb));
            expect(out.dtype).toBe('bool');
            expectTensorClose(out, { data: ba.map((x, i) => reference(x, bb[i])), shape });
          },
        ),
        RUNS,
      );
    });
  logicalCase('logical_and', logicalAnd, (a, b) => Number(a && b));
  logicalCase('logical_or', logicalOr, (a, b) => Number(a || b));

  it('comparisons return bool', () => {
    expect(less(f32([1], [1]), f32([2], [1])).dtype).toBe('bool');
    expect(equal(i32([1], [1]), i32([1], [1])).dtype).toBe('bool');
  });

  it('i32 arithmetic truncates division toward zero', () => {
    const a = i32([7, -7, 7, -7, 5], [5]);
    const b = i32([2, 2, -2, -2, 0], [5]);
    expect(div(a, b).toArray()).toEqual([3, -3, -3, 3, 0]);
    expect(add(a, b).toArray()).toEqual([9, -5, 5, -9, 5]);
    expect(mul(a, b).toArray()).toEqual([14, -14, -14, 14, 0]);
    expect(maximum(a, b).toArray()).toEqual([7, 2, 7, -2, 5]);
    expect(div(a, b).dtype).toBe('i32');
  });

  it('max and min propagate NaN', () => {
    const a = f32([NaN, 1, NaN], [3]);
    const b = f32([1, NaN, NaN], [3]);
    expect(Array.from(maximum(a, b).data()).every(Number.isNaN)).toBe(true);
    expect(Array.from(minimum(a, b).data()).every(Number.isNaN)).toBe(true);
  });

  it('numbers take the tensor dtype', () => {
    expect(add(i32([1], [1]), 2).dtype).toBe('i32');
    expect(add(2, f32([1], [1])).toArray()).toEqual([3]);
  });
});

describe('where', () => {
  it('matches reference with three-way broadcasting', () => {
    fc.assert(
      fc.property(
        broadcastShapesArb(3).chain(([sc, st, sf]) =>
          fc
            .tuple(
              valuesArb(sizeOfShape(sc), fc.integer({ min: 0, max: 1 })),
              valuesArb(sizeOfShape(st), float32(-10, 10)),
              valuesArb(sizeOfShape(sf), float32(-10, 10)),
            )
            .map(([c, t, f]) => ({ sc, st, sf, c, t, f })),
        ),
        ({ sc, st, sf, c, t, f }) => {
          const shape = refBroadcastShapes(sc, st, sf);
          const bc = refBroadcast(c, sc, shape);
          const bt = refBroadcast(t, st, shape);
          const bf = refBroadcast(f, sf, shape);
          const out = where(bool(c, sc), f32(t, st), f32(f, sf));
          expectTensorClose(out, { data: bc.map((v, i) => (v ? bt[i] : bf[i])), shape });
        },
      ),
      RUNS,
    );
  });

  it('passes NaN and Infinity through the taken branch', () => {
    const out = where(bool([1, 0], [2]), f32([NaN, NaN], [2]), f32([Infinity, Infinity], [2])).data();
    expect(out[0]).toBeNaN();
    expect(out[1]).toBe(Infinity);
  });
});

describe('cast', () => {
  it('f32 to i32 truncates toward zero', () => {
    fc.assert(
      fc.property(arrayArb(float32(-1000, 1000)), (x) => {
        const out = cast(tensorOf(x), 'i32');
        expect(out.dtype).toBe('i32');
        expectTensorClose(out, mapRef(x, (v) => Math.trunc(v) + 0));
      }),
      RUNS,
    );
  });

  it('i32 to f32 keeps values', () => {
    fc.assert(
      fc.property(arrayArb(fc.integer({ min: -(2 ** 24), max: 2 ** 24 })), (x) => {
        const out = cast(i32(x.data, x.shape), 'f32');
        expect(out.dtype).toBe('f32');
        expectTensorClose(out, x);
      }),
      RUNS,
    );
  });

  it('to bool is true for nonzero', () => {
    fc.assert(
      fc.property(arrayArb(fc.oneof(float32(-3, 3), fc.constant(0))), (x) => {
        expectTensorClose(cast(tensorOf(x), 'bool'), mapRef(x, (v) => (v !== 0 ? 1 : 0)));
        expectTensorClose(cast(i32(x.data.map(Math.trunc), x.shape), 'bool'), mapRef(x, (v) => (Math.trunc(v) !== 0 ? 1 : 0)));
      }),
      RUNS,
    );
  });

  it('bool to f32 gives 0 and 1', () => {
    expect(cast(bool([1, 0, 1], [3]), 'f32').toArray()).toEqual([1, 0, 1]);
  });
});

/** Reduces `x` over `axes` with `combine`, starting from `initial`, in float64. */
function refReduce(x: RefArray, axes: readonly number[], combine: (a: number, b: number) => number, initial: number): RefArray {
  const shape = x.shape.filter((_, i) => !axes.includes(i));
  const out = new Float64Array(sizeOfShape(shape)).fill(initial);
  for (let i = 0; i < x.data.length; i++) {
    const index = unravel(i, x.shape).filter((_, k) => !axes.includes(k));
    let flat = 0;
    for (let k = 0; k < shape.length; k++) flat = flat * shape[k] + index[k];
    out[flat] = combine(out[flat], x.data[i]);
  }
  return { data: out, shape };
}

const arrayWithAxes = (element: fc.Arbitrary<number>) =>
  arrayArb(element, shapeArb(0, 4, 1, 4)).chain((x) =>
    fc.subarray(x.shape.map((_, i) => i)).map((axes) => ({ x, axes })),
  );

describe('reductions', () => {
  it('reduce_sum matches reference', () => {
    fc.assert(
      fc.property(arrayWithAxes(float32(-100, 100)), ({ x, axes }) => {
        const expected = refReduce(x, axes, (a, b) => a + b, 0);
        const scale = x.data.reduce((s, v) => s + Math.abs(v), 0);
        expectTensorClose(sum(tensorOf(x), axes), expected, { rtol: 1e-6, atol: 1e-6 * scale });
      }),
      RUNS,
    );
  });

  it('reduce_sum with keepdims', () => {
    fc.assert(
      fc.property(arrayWithAxes(float32(-100, 100)), ({ x, axes }) => {
        const expected = refReduce(x, axes, (a, b) => a + b, 0);
        const keptShape = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
        const scale = x.data.reduce((s, v) => s + Math.abs(v), 0);
        expectTensorClose(sum(tensorOf(x), axes, { keepdims: true }), { data: expected.data, shape: keptShape }, { rtol: 1e-6, atol: 1e-6 * scale });
      }),
      RUNS,
    );
  });

  it('reduce_max matches reference', () => {
    fc.assert(
      fc.property(arrayWithAxes(float32(-100, 100)), ({ x, axes }) => {
        expectTensorClose(max(tensorOf(x), axes), refReduce(x, axes, Math.max, -Infinity));
      }),
      RUNS,
    );
  });

  it('min matches reference', () => {
    fc.assert(
      fc.property(arrayWithAxes(float32(-100, 100)), ({ x, axes }) => {
        expectTensorClose(min(tensorOf(x), axes), refReduce(x, axes, Math.min, Infinity));
      }),
      RUNS,
    );
  });

  it('mean of i32 is not truncated', () => {
    const x = i32([1, 2, 4, 4], [2, 2]);
    const m = mean(x, 1);
    expect(m.dtype).toBe('f32');
    expect(m.toArray()).toEqual([1.5, 4]);
    expect(variance(x).item()).toBe(1.6875);
  });

  it('reduce_max propagates NaN', () => {
    expect(max(f32([1, NaN, 3], [3])).item()).toBeNaN();
  });

  it('sum of float32 0..9999 is exact', () => {
    expect(sum(cast(arange(10000), 'f32')).item()).toBe(49995000);
  });

  it('sum of ones(n) is n for n = 1..100', () => {
    const wrong: number[] = [];
    for (let n = 1; n <= 100; n++) if (sum(ones([n])).item() !== n) wrong.push(n);
    expect(wrong).toEqual([]);
  });

  it('softmax rows sum to 1', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100 }).chain((n) => valuesArb(n, float32(-20, 20))),
        (row) => {
          const total = sum(softmax(f32(row, [row.length]))).item();
          expect(Math.abs(total - 1)).toBeLessThanOrEqual(1e-6);
        },
      ),
      RUNS,
    );
  });
});

/** Computes C[b, i, j] = sum_p op(A)[b, i, p] op(B)[b, p, j] in float64 over broadcast batch dims. */
function refMatmul(a: RefArray, b: RefArray, transposeA: boolean, transposeB: boolean): RefArray {
  const ra = a.shape.length;
  const rb = b.shape.length;
  const [m, k] = transposeA ? [a.shape[ra - 1], a.shape[ra - 2]] : [a.shape[ra - 2], a.shape[ra - 1]];
  const n = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
  const batch = refBroadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const A = refBroadcast(a.data, a.shape, [...batch, ...a.shape.slice(-2)]);
  const B = refBroadcast(b.data, b.shape, [...batch, ...b.shape.slice(-2)]);
  const out = new Float64Array(sizeOfShape(batch) * m * n);
  for (let t = 0; t < sizeOfShape(batch); t++) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let total = 0;
        for (let p = 0; p < k; p++) {
          const av = transposeA ? A[t * m * k + p * m + i] : A[t * m * k + i * k + p];
          const bv = transposeB ? B[t * k * n + j * k + p] : B[t * k * n + p * n + j];
          total += av * bv;
        }
        out[t * m * n + i * n + j] = total;
      }
    }
  }
  return { data: out, shape: [...batch, m, n] };
}

describe('matmul', () => {
  const matmulArb = fc
    .record({
      batches: broadcastShapesArb(2, 2),
      m: fc.integer({ min: 1, max: 5 }),
      k: fc.integer({ min: 1, max: 5 }),
      n: fc.integer({ min: 1, max: 5 }),
      transposeA: fc.boolean(),
      transposeB: fc.boolean(),
    })
    .chain(({ batches: [ba, bb], m, k, n, transposeA, transposeB }) => {
      const sa = [...ba, ...(transposeA ? [k, m] : [m, k])];
      const sb = [...bb, ...(transposeB ? [n, k] : [k, n])];
      return fc
        .tuple(valuesArb(sizeOfShape(sa), float32(-10, 10)), valuesArb(sizeOfShape(sb), float32(-10, 10)))
        .map(([a, b]) => ({ a: { data: Float64Array.from(a), shape: sa }, b: { data: Float64Array.from(b), shape: sb }, transposeA, transposeB }));
    });

  it('matches reference for all transpose flags and batch broadcasting', () => {
    fc.assert(
      fc.property(matmulArb, ({ a, b, transposeA, transposeB }) => {
        const expected = refMatmul(a, b, transposeA, transposeB);
        const out = matmul(tensorOf(a), tensorOf(b), { transposeA, transposeB });
        expectTensorClose(out, expected, { rtol: 1e-6, atol: 1e-4 });
      }),
      { numRuns: 100 },
    );
  });

  for (const transposeA of [false, true]) {
    for (const transposeB of [false, true]) {
      it(`batched ${transposeA ? 'Aᵀ' : 'A'} x ${transposeB ? 'Bᵀ' : 'B'} matches reference`, () => {
        const a = { data: Float64Array.from({ length: 2 * 3 * 4 }, (_, i) => Math.fround(Math.sin(i + 1))), shape: transposeA ? [2, 4, 3] : [2, 3, 4] };
        const b = { data: Float64Array.from({ length: 2 * 4 * 5 }, (_, i) => Math.fround(Math.cos(i))), shape: transposeB ? [2, 5, 4] : [2, 4, 5] };
        const out = matmul(tensorOf(a), tensorOf(b), { transposeA, transposeB });
        expect(out.shape).toEqual([2, 3, 5]);
        expectTensorClose(out, refMatmul(a, b, transposeA, transposeB), { rtol: 1e-6, atol: 1e-6 });
      });
    }
  }

  it('3-D times 2-D matches reference', () => {
    const a = { data: Float64Array.from({ length: 24 }, (_, i) => i - 12), shape: [2, 3, 4] };
    const b = { data: Float64Array.from({ length: 20 }, (_, i) => (i % 7) - 3), shape: [4, 5] };
    expectTensorClose(matmul(tensorOf(a), tensorOf(b)), refMatmul(a, b, false, false));
    const bt = { data: Float64Array.from({ length: 20 }, (_, i) => (i % 5) - 2), shape: [5, 4] };
    expectTensorClose(matmul(tensorOf(a), tensorOf(bt), { transposeB: true }), refMatmul(a, bt, false, true));
  });
});

describe('movement primitives', () => {
  it('reshape keeps row-major order', () => {
    fc.assert(
      fc.property(
        arrayArb(float32(-10, 10), shapeArb(0, 4, 1, 4)).chain((x) =>
          fc.shuffledSubarray([...x.shape], { minLength: x.shape.length, maxLength: x.shape.length }).map((target) => ({ x, target })),
        ),
        ({ x, target }) => {
          const out = reshape(tensorOf(x), [...target, 1]);
          expectTensorClose(out, { data: x.data, shape: [...target, 1] });
          expectTensorClose(reshape(out, [-1]), { data: x.data, shape: [x.data.length] });
        },
      ),
      RUNS,
    );
  });

  it('transpose matches reference', () => {
    fc.assert(
      fc.property(
        arrayArb(float32(-10, 10), shapeArb(0, 4, 1, 4)).chain((x) => {
          const axes = x.shape.map((_, i) => i);
          return fc.shuffledSubarray(axes, { minLength: axes.length, maxLength: axes.length }).map((perm) => ({ x, perm }));
        }),
        ({ x, perm }) => {
          const shape = perm.map((p) => x.shape[p]);
          const inStrides = stridesOfShape(x.shape);
          const expected = new Float64Array(x.data.length);
          for (let i = 0; i < expected.length; i++) {
            const index = unravel(i, shape);
            expected[i] = x.data[index.reduce((s, v, k) => s + v * inStrides[perm[k]], 0)];
          }
          expectTensorClose(transpose(tensorOf(x), perm), { data: expected, shape });
        },
      ),
      RUNS,
    );
  });

  it('broadcast matches reference', () => {
    fc.assert(
      fc.property(
        shapeArb(0, 4).chain((full) =>
          fc
            .tuple(fc.integer({ min: 0, max: full.length }), valuesArb(full.length, fc.boolean()))
            .map(([drop, ones]) => ({ full, small: full.slice(drop).map((d, i) => (ones[i + drop] ? 1 : d)) })),
        ).chain(({ full, small }) => valuesArb(sizeOfShape(small), float32(-10, 10)).map((v) => ({ full, small, v }))),
        ({ full, small, v }) => {
          expectTensorClose(broadcastTo(f32(v, small), full), { data: refBroadcast(v, small, full), shape: full });
        },
      ),
      RUNS,
    );
  });

  it('slice matches reference', () => {
    fc.assert(
      fc.property(
        arrayArb(float32(-10, 10), shapeArb(0, 4, 1, 4)).chain((x) =>
          fc
            .tuple(...x.shape.map((d) => fc.tuple(fc.integer({ min: 0, max: d }), fc.integer({ min: 0, max: d }))))
            .map((ranges) => ({ x, starts: ranges.map(([a, b]) => Math.min(a, b)), ends: ranges.map(([a, b]) => Math.max(a, b)) })),
        ),
        ({ x, starts, ends }) => {
          const shape = starts.map((s, i) => ends[i] - s);
          const expected = new Float64Array(sizeOfShape(shape));
          for (let i = 0; i < expected.length; i++) {
            const index = unravel(i, shape).map((v, k) => v + starts[k]);
            expected[i] = x.data[index.reduce((s, v, k) => s * x.shape[k] + v, 0)];
          }
          expectTensorClose(slice(tensorOf(x), starts, ends), { data: expected, shape });
        },
      ),
      RUNS,
    );
  });

  it('pad matches reference', () => {
    fc.assert(
      fc.property(
        arrayArb(float32(-10, 10), shapeArb(0, 4, 1, 3)).chain((x) =>
          fc
            .tuple(valuesArb(x.shape.length, fc.integer({ min: 0, max: 2 })), valuesArb(x.shape.length, fc.integer({ min: 0, max: 2 })), float32(-5, 5))
            .map(([low, high, value]) => ({ x, low, high, value })),
        ),
        ({ x, low, high, value }) => {
          const shape = x.shape.map((d, i) => d + low[i] + high[i]);
          const expected = new Float64Array(sizeOfShape(shape));
          for (let i = 0; i < expected.length; i++) {
            const index = unravel(i, shape).map((v, k) => v - low[k]);
            const inside = index.every((v, k) => v >= 0 && v < x.shape[k]);
            expected[i] = inside ? x.data[index.reduce((s, v, k) => s * x.shape[k] + v, 0)] : value;
          }
          const widths = low.map((l, i) => [l, high[i]] as const);
          expectTensorClose(pad(tensorOf(x), widths, value), { data: expected, shape });
        },
      ),
      RUNS,
    );
  });

  it('concat matches reference', () => {
    fc.assert(
      fc.property(
        shapeArb(1, 4, 1, 3).chain((base) =>
          fc
            .record({ axis: fc.integer({ min: 0, max: base.length - 1 }), sizes: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 2, maxLength: 4 }) })
            .chain(({ axis, sizes }) => {
              const shapes = sizes.map((s) => base.map((d, i) => (i === axis ? s : d)));
              return fc
                .tuple(...shapes.map((s) => valuesArb(sizeOfShape(s), float32(-10, 10))))
                .map((values) => ({ axis, parts: values.map((v, i) => ({ data: Float64Array.from(v), shape: shapes[i] })) }));
            }),
        ),
        ({ axis, parts }) => {
          const shape = parts[0].shape.map((d, i) => (i === axis ? parts.reduce((s, p) => s + p.shape[axis], 0) : d));
          const expected = new Float64Array(sizeOfShape(shape));
          for (let i = 0; i < expected.length; i++) {
            const index = unravel(i, shape);
            let position = index[axis];
            let part = 0;
            while (position >= parts[part].shape[axis]) position -= parts[part++].shape[axis];
            const source = index.map((v, k) => (k === axis ? position : v));
            expected[i] = parts[part].data[source.reduce((s, v, k) => s * parts[part].shape[k] + v, 0)];
          }
          expectTensorClose(concat(parts.map(tensorOf), axis), { data: expected, shape });
        },
      ),
      RUNS,
    );
  });

  const gatherArb = arrayArb(float32(-10, 10), shapeArb(1, 3, 1, 4)).chain((x) =>
    fc.integer({ min: 0, max: x.shape.length - 1 }).chain((axis) =>
      shapeArb(0, 2, 1, 4).chain((indexShape) =>
        valuesArb(sizeOfShape(indexShape), fc.integer({ min: 0, max: x.shape[axis] - 1 })).map((indices) => ({ x, axis, indexShape, indices })),
      ),
    ),
  );

  it('gather matches reference', () => {
    fc.assert(
      fc.property(gatherArb, ({ x, axis, indexShape, indices }) => {
        const shape = [...x.shape.slice(0, axis), ...indexShape, ...x.shape.slice(axis + 1)];
        const expected = new Float64Array(sizeOfShape(shape));
        for (let i = 0; i < expected.length; i++) {
          const index = unravel(i, shape);
          const where = ravelIndex(index.slice(axis, axis + indexShape.length), indexShape);
          const source = [...index.slice(0, axis), indices[where], ...index.slice(axis + indexShape.length)];
          expected[i] = x.data[source.reduce((s, v, k) => s * x.shape[k] + v, 0)];
        }
        expectTensorClose(take(tensorOf(x), i32(indices, indexShape), axis), { data: expected, shape });
      }),
      RUNS,
    );
  });

  it('gather rejects an out-of-range index', () => {
    expect(() => take(f32([1, 2, 3], [3]), [3])).toThrow(/index 3 is out of range/);
  });

  it('scatter_add matches reference', () => {
    fc.assert(
      fc.property(
        gatherArb.chain(({ x, axis, indexShape, indices }) => {
          const shape = [...x.shape.slice(0, axis), ...indexShape, ...x.shape.slice(axis + 1)];
          return valuesArb(sizeOfShape(shape), float32(-10, 10)).map((updates) => ({ size: x.shape[axis], axis, indexShape, indices, updates, shape }));
        }),
        ({ size, axis, indexShape, indices, updates, shape }) => {
          const outShape = [...shape.slice(0, axis), size, ...shape.slice(axis + indexShape.length)];
          const expected = new Float64Array(sizeOfShape(outShape));
          for (let i = 0; i < updates.length; i++) {
            const index = unravel(i, shape);
            const where = ravelIndex(index.slice(axis, axis + indexShape.length), indexShape);
            const target = [...index.slice(0, axis), indices[where], ...index.slice(axis + indexShape.length)];
            expected[target.reduce((s, v, k) => s * outShape[k] + v, 0)] += updates[i];
          }
          const out = scatterAdd(f32(updates, shape), i32(indices, indexShape), axis, size);
          expectTensorClose(out, { data: expected, shape: outShape }, { rtol: 1e-6, atol: 1e-5 });
        },
      ),
      RUNS,
    );
  });

  it('stop_gradient passes values through', () => {
    fc.assert(
      fc.property(arrayArb(float32(-10, 10)), (x) => {
        expectTensorClose(stopGradient(tensorOf(x)), x);
      }),
      RUNS,
    );
  });

  it('zero-size operands', () => {
    expect(concat([zeros([2, 0]), f32([1, 2], [2, 1])], 1).toArray()).toEqual([[1], [2]]);
    expect(sum(zeros([0, 3]), 0).toArray()).toEqual([0, 0, 0]);
    expect(matmul(zeros([2, 0]), zeros([0, 3])).toArray()).toEqual([[0, 0, 0], [0, 0, 0]]);
  });
});

function ravelIndex(index: readonly number[], shape: readonly number[]): number {
  return index.reduce((s, v, k) => s * shape[k] + v, 0);
}

describe('iota', () => {
  it('counts along its axis', () => {
    fc.assert(
      fc.property(
        shapeArb(1, 4, 1, 4).chain((shape) => fc.integer({ min: 0, max: shape.length - 1 }).map((axis) => ({ shape, axis }))),
        ({ shape, axis }) => {
          const expected = Float64Array.from({ length: sizeOfShape(shape) }, (_, i) => unravel(i, shape)[axis]);
          const out = iota(shape, axis);
          expect(out.dtype).toBe('i32');
          expectTensorClose(out, { data: expected, shape });
        },
      ),
      RUNS,
    );
  });

  it('f32 iota', () => {
    expect(iota([2, 3], 1, 'f32').toArray()).toEqual([[0, 1, 2], [0, 1, 2]]);
  });
});

describe('random_bits', () => {
  const word = fc.integer({ min: 0, max: 0xffffffff });

  it('i32 words match the Threefry reference', () => {
    fc.assert(
      fc.property(word, word, shapeArb(0, 3, 1, 5), (k0, k1, shape) => {
        const count = sizeOfShape(shape);
        const expected = refThreefryBits(k0, k1, count).map((w) => w | 0);
        const out = randomBitsTensor(keyFromWords(k0, k1), shape);
        expect(out.dtype).toBe('i32');
        expectTensorClose(out, { data: Float64Array.from(expected), shape });
      }),
      RUNS,
    );
  });

  it('f32 uniforms use the top 23 bits', () => {
    fc.assert(
      fc.property(word, word, shapeArb(0, 3, 1, 5), (k0, k1, shape) => {
        const expected = refThreefryBits(k0, k1, sizeOfShape(shape)).map((w) => Math.floor(w / 512) / 2 ** 23);
        expectTensorClose(uniform(keyFromWords(k0, k1), shape), { data: Float64Array.from(expected), shape }, { rtol: 0, atol: 0 });
      }),
      RUNS,
    );
  });

  it('same key gives same bits', () => {
    const a = randomBitsTensor(key(7), [5]).data();
    const b = randomBitsTensor(key(7), [5]).data();
    expect(Array.from(a)).toEqual(Array.from(b));
  });
});

