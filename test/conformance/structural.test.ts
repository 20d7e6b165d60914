/**
 * Conformance of the primitives that are not elementwise (reductions, matmul, reshape,
 * transpose, broadcast, slice, pad, concat, gather, scatter_add, iota, random_bits) on every
 * backend and mode against the cpu backend, eager and compiled.
 */
import fc from 'fast-check';
import { afterAll, expect, it } from 'vitest';
import {
  add, arange, broadcastTo, cast, compile, concat, iota, key, keyFromWords, keyTensor, matmul, max, min, normal, pad,
  randomBitsTensor, reshape, scatterAdd, slice, sum, take, transpose, uniform, zeros, type Tensor,
} from '../../src/index.js';
import { closeTargets, describeTargets, expectSameTensor, loadTargets, on, type Target, type Tolerance } from './targets.js';
import { broadcastShapesArb, f32, float32, i32, refBroadcastShapes, shapeArb, sizeOfShape, valuesArb } from './values.js';

const targets = await loadTargets();
afterAll(() => closeTargets(targets));

const EXACT: Tolerance = { rtol: 0, atol: 0 };

/** Checks `op` on the target, eager and compiled, against the cpu backend. */
function checkOp(target: Target, inputs: Tensor[], op: (...xs: Tensor[]) => Tensor, tol: Tolerance = EXACT): void {
  const expected = op(...inputs);
  expectSameTensor(on(target.backend!, () => op(...inputs)), expected, tol);
  const compiled = compile(op);
  expectSameTensor(on(target.backend!, () => compiled(...inputs)), expected, tol);
  expect(compiled.executorKind).toMatch(target.executorKind);
}

/** Tolerance of a sum: float32 summation orders differ, so the bound scales with sum |x|. */
function sumTolerance(values: ArrayLike<number>): Tolerance {
  let scale = 0;
  for (let k = 0; k < values.length; k++) scale += Math.abs(values[k]);
  return { rtol: 1e-6, atol: 1e-6 * scale + 1e-30 };
}

const arrayArb = (minRank: number, maxRank: number, maxDim = 4) =>
  shapeArb(minRank, maxRank, 1, maxDim).chain((shape) => valuesArb(sizeOfShape(shape), float32(-10, 10)).map((values) => ({ shape, values })));

const withAxes = arrayArb(0, 4).chain((x) => fc.subarray(x.shape.map((_, k) => k)).map((axes) => ({ ...x, axes })));

describeTargets(targets, (target) => {
  const runs = { numRuns: target.numRuns };

  it('reduce_sum over any axes matches cpu', () => {
    fc.assert(fc.property(withAxes, ({ shape, values, axes }) => checkOp(target, [f32(values, shape)], (x) => sum(x, axes), sumTolerance(values))), runs);
  });

  it('reduce_sum with keepdims matches cpu', () => {
    fc.assert(fc.property(withAxes, ({ shape, values, axes }) => checkOp(target, [f32(values, shape)], (x) => sum(x, axes, { keepdims: true }), sumTolerance(values))), runs);
  });

  it('reduce_max and min match cpu', () => {
    fc.assert(
      fc.property(withAxes, ({ shape, values, axes }) => {
        checkOp(target, [f32(values, shape)], (x) => max(x, axes));
        checkOp(target, [f32(values, shape)], (x) => min(x, axes));
      }),
      runs,
    );
  });

  it('long reductions over several passes match cpu', () => {
    const lengths = fc.integer({ min: 257, max: 70_000 });
    fc.assert(
      fc.property(lengths, fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 1000 }), (n, rows, seed) => {
        const values = Float32Array.from({ length: rows * n }, (_, k) => Math.fround(Math.sin(k * 12.9898 + seed) * 100));
        const x = f32(values, [rows, n]);
        checkOp(target, [x], (t) => sum(t, [1]), sumTolerance(values));
        checkOp(target, [x], (t) => max(t, [1]));
        checkOp(target, [x], (t) => sum(t, [0]), sumTolerance(values));
      }),
      { numRuns: 4 },
    );
  });

  it('sum of 0..69999 is correctly rounded', () => {
    const x = cast(arange(70_000), 'f32');
    expect(on(target.backend!, () => sum(x)).item()).toBe(Math.fround((69_999 * 70_000) / 2));
  });

  it('reduce_max propagates NaN and handles -Infinity rows', () => {
    checkOp(target, [f32([1, NaN, 3, -Infinity, -Infinity, -Infinity], [2, 3])], (x) => max(x, [1]));
  });

  it('matmul with transpose flags and batch broadcasting matches cpu', () => {
    const matmulArb = fc
      .record({
        batches: broadcastShapesArb(2, 2, 3),
        m: fc.integer({ min: 1, max: 6 }),
        k: fc.integer({ min: 1, max: 6 }),
        n: fc.integer({ min: 1, max: 6 }),
        transposeA: fc.boolean(),
        transposeB: fc.boolean(),
      })
      .chain(({ batches: [ba, bb], m, k, n, transposeA, transposeB }) => {
        const sa = [...ba, ...(transposeA ? [k, m] : [m, k])];
        const sb = [...bb, ...(transposeB ? [n, k] : [k, n])];
        return fc
          .tuple(valuesArb(sizeOfShape(sa), float32(-10, 10)), valuesArb(sizeOfShape(sb), float32(-10, 10)))
          .map(([a, b]) => ({ a, b, sa, sb, transposeA, transposeB, k }));
      });
    fc.assert(
      fc.property(matmulArb, ({ a, b, sa, sb, transposeA, transposeB, k }) => {
        checkOp(target, [f32(a, sa), f32(b, sb)], (x, y) => matmul(x, y, { transposeA, transposeB }), { rtol: 1e-5, atol: 1e-5 * k * 100 });
      }),
      runs,
    );
  });

  it('matmul with a long inner dimension matches cpu', () => {
    const a = f32(Float32Array.from({ length: 3 * 300 }, (_, k) => Math.fround(Math.cos(k))), [3, 300]);
    const b = f32(Float32Array.from({ length: 300 * 2 }, (_, k) => Math.fround(Math.sin(k))), [300, 2]);
    checkOp(target, [a, b], (x, y) => matmul(x, y), { rtol: 1e-5, atol: 1e-4 });
  });

  it('reshape and transpose match cpu', () => {
    const permArb = arrayArb(0, 4).chain((x) => fc.shuffledSubarray(x.shape.map((_, k) => k), { minLength: x.shape.length, maxLength: x.shape.length }).map((perm) => ({ ...x, perm })));
    fc.assert(
      fc.property(permArb, ({ shape, values, perm }) => {
        checkOp(target, [f32(values, shape)], (x) => transpose(x, perm));
        checkOp(target, [f32(values, shape)], (x) => reshape(transpose(x, perm), [-1]));
      }),
      runs,
    );
  });

  it('broadcast matches cpu', () => {
    fc.assert(
      fc.property(
        broadcastShapesArb(2, 4, 3).chain(([small, other]) => valuesArb(sizeOfShape(small), float32(-10, 10)).map((values) => ({ small, other, values }))),
        ({ small, other, values }) => {
          const full = refBroadcastShapes(small, other);
          checkOp(target, [f32(values, small)], (x) => broadcastTo(x, full));
        },
      ),
      runs,
    );
  });

  it('slice and pad match cpu', () => {
    const sliceArb = arrayArb(1, 4).chain((x) =>
      fc
        .tuple(
          fc.tuple(...x.shape.map((d) => fc.tuple(fc.integer({ min: 0, max: d }), fc.integer({ min: 0, max: d })))),
          valuesArb(x.shape.length, fc.integer({ min: 0, max: 2 })),
          valuesArb(x.shape.length, fc.integer({ min: 0, max: 2 })),
          fc.oneof(float32(-5, 5), fc.constant(-Infinity)),
        )
        .map(([ranges, low, high, value]) => ({ ...x, starts: ranges.map(([a, b]) => Math.min(a, b)), ends: ranges.map(([a, b]) => Math.max(a, b)), low, high, value })),
    );
    fc.assert(
      fc.property(sliceArb, ({ shape, values, starts, ends, low, high, value }) => {
        checkOp(target, [f32(values, shape)], (x) => slice(x, starts, ends));
        checkOp(target, [f32(values, shape)], (x) => pad(x, low.map((l, k) => [l, high[k]] as const), value));
        checkOp(target, [f32(values, shape)], (x) => pad(slice(x, starts, ends), low.map((l, k) => [l, high[k]] as const), value));
      }),
      runs,
    );
  });

  it('concat of up to 9 parts matches cpu', () => {
    const concatArb = shapeArb(1, 3, 1, 3).chain((base) =>
      fc.record({ axis: fc.integer({ min: 0, max: base.length - 1 }), sizes: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 2, maxLength: 9 }) }).chain(({ axis, sizes }) => {
        const shapes = sizes.map((s) => base.map((d, k) => (k === axis ? s : d)));
        return fc.tuple(...shapes.map((s) => valuesArb(sizeOfShape(s), float32(-10, 10)))).map((parts) => ({ axis, parts: parts.map((v, k) => f32(v, shapes[k])) }));
      }),
    );
    fc.assert(fc.property(concatArb, ({ axis, parts }) => checkOp(target, parts, (...xs) => concat(xs, axis))), runs);
  });

  const gatherArb = arrayArb(1, 3).chain((x) =>
    fc.integer({ min: 0, max: x.shape.length - 1 }).chain((axis) =>
      shapeArb(0, 2, 1, 4).chain((indexShape) =>
        valuesArb(sizeOfShape(indexShape), fc.integer({ min: 0, max: x.shape[axis] - 1 })).map((indices) => ({ ...x, axis, indexShape, indices })),
      ),
    ),
  );

  it('gather matches cpu', () => {
    fc.assert(fc.property(gatherArb, ({ shape, values, axis, indexShape, indices }) => checkOp(target, [f32(values, shape), i32(indices, indexShape)], (x, idx) => take(x, idx, axis))), runs);
  });

  it('gather of computed indices matches cpu', () => {
    const x = f32([10, 11, 12, 13, 14], [5]);
    checkOp(target, [x, i32([0, 1, 2], [3])], (t, idx) => take(t, cast(sum(reshape(idx, [3, 1]), [1]), 'i32')));
  });

  it('gather rejects an out-of-range index', () => {
    const x = f32([1, 2, 3], [3]);
    expect(() => on(target.backend!, () => take(x, [3]))).toThrow(/gather: index 3 is out of range for axis 0 of size 3/);
    const computed = compile((t: Tensor, idx: Tensor) => take(t, add(idx, 1)));
    expect(() => on(target.backend!, () => computed(x, i32([1, 2], [2])))).toThrow(RangeError);
  });

  it('scatter_add matches cpu', () => {
    fc.assert(
      fc.property(
        gatherArb.chain((g) => {
          const shape = [...g.shape.slice(0, g.axis), ...g.indexShape, ...g.shape.slice(g.axis + 1)];
          return valuesArb(sizeOfShape(shape), float32(-10, 10)).map((updates) => ({ ...g, updates, updateShape: shape }));
        }),
        ({ shape, axis, indexShape, indices, updates, updateShape }) => {
          checkOp(target, [f32(updates, updateShape), i32(indices, indexShape)], (u, idx) => scatterAdd(u, idx, axis, shape[axis]), { rtol: 1e-6, atol: 1e-5 });
        },
      ),
      runs,
    );
  });

  it('iota matches cpu', () => {
    fc.assert(
      fc.property(shapeArb(1, 4, 1, 4).chain((shape) => fc.integer({ min: 0, max: shape.length - 1 }).map((axis) => ({ shape, axis }))), ({ shape, axis }) => {
        checkOp(target, [], () => iota(shape, axis));
        checkOp(target, [], () => iota(shape, axis, 'f32'));
      }),
      runs,
    );
  });

  it('random_bits words and uniforms are bit-exact', () => {
    const word = fc.integer({ min: 0, max: 0xffffffff });
    fc.assert(
      fc.property(word, word, shapeArb(0, 3, 1, 5), (k0, k1, shape) => {
        const k = keyFromWords(k0, k1);
        checkOp(target, [keyTensor(k)], (kt) => randomBitsTensor(kt, shape));
        checkOp(target, [keyTensor(k)], (kt) => uniform(kt, shape));
      }),
      runs,
    );
  });

  it('normal draws match cpu', () => {
    checkOp(target, [keyTensor(key(11))], (kt) => normal(kt, [7, 5]), { rtol: 4e-6, atol: 1e-6 });
  });

  it('zero-size operands match cpu', () => {
    checkOp(target, [zeros([2, 0]), f32([1, 2], [2, 1])], (a, b) => concat([a, b], 1));
    checkOp(target, [zeros([0, 3])], (x) => sum(x, 0));
    checkOp(target, [zeros([0, 3])], (x) => max(x, 0));
    checkOp(target, [zeros([2, 0]), zeros([0, 3])], (a, b) => matmul(a, b));
  });
});
