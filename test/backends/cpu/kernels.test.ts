/**
 * The cpu kernels that write into a target: pairwise sums over any axes against a sum of the
 * gathered terms with the same tree, and the strided movement kernels against index-by-index
 * references, on random shapes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { padInto, sliceInto, transposeInto } from '../../../src/backends/cpu/movement-kernels.js';
import { pairwiseSum, reduceMaxInto, reduceSumInto } from '../../../src/backends/cpu/reduce.js';

function sizeOf(shape: readonly number[]): number {
  return shape.reduce((p, d) => p * d, 1);
}

function unravel(index: number, shape: readonly number[]): number[] {
  const out = new Array<number>(shape.length);
  let rest = index;
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    out[axis] = rest % shape[axis];
    rest = Math.floor(rest / shape[axis]);
  }
  return out;
}

function ravel(index: readonly number[], shape: readonly number[]): number {
  return index.reduce((flat, v, axis) => flat * shape[axis] + v, 0);
}

/** Values whose float32 sum depends on the order of additions (exact +-2^60 terms among small ones). */
function cancellingValues(seed: number, size: number): Float32Array {
  let state = seed >>> 0;
  return Float32Array.from({ length: size }, () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    const u = state / 2 ** 32;
    if (u > 0.9) return 2 ** 60;
    if (u < 0.1) return -(2 ** 60);
    return Math.fround(u * 10 - 5);
  });
}

const shapeWithAxesArb = fc
  .array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 4 })
  .chain((shape) =>
    fc.record({
      shape: fc.constant(shape),
      axes: fc.subarray(shape.map((_, i) => i), { minLength: 1 }),
      seed: fc.integer({ min: 0, max: 10000 }),
    }),
  );

describe('reduceSumInto', () => {
  it('equals the pairwise sum of each output terms in row-major order', () => {
    fc.assert(
      fc.property(shapeWithAxesArb, ({ shape, axes, seed }) => {
        const data = cancellingValues(seed, sizeOf(shape));
        const keptAxes = shape.map((_, i) => i).filter((i) => !axes.includes(i));
        const outShape = keptAxes.map((i) => shape[i]);
        const target = new Float32Array(sizeOf(outShape));
        reduceSumInto(data, shape, axes, target);
        const terms: number[][] = Array.from({ length: target.length }, () => []);
        for (let i = 0; i < data.length; i++) {
          const index = unravel(i, shape);
          terms[ravel(keptAxes.map((a) => index[a]), outShape)].push(data[i]);
        }
        terms.forEach((list, o) => expect(Object.is(target[o], Math.fround(pairwiseSum(list, 0, list.length, 1)))).toBe(true));
      }),
      { numRuns: 300 },
    );
  });

  it('long row sum matches column tree', () => {
    const rows = 100;
    const data = cancellingValues(7, rows * 3);
    const target = new Float32Array(3);
    reduceSumInto(data, [rows, 3], [0], target);
    for (let j = 0; j < 3; j++) expect(target[j]).toBe(Math.fround(pairwiseSum(data, j, rows, 3)));
  });

  it('gives 0 for an empty reduced axis and -Infinity for an empty max', () => {
    const target = Float32Array.from([5, 5]);
    reduceSumInto(new Float32Array(0), [2, 0], [1], target);
    expect(Array.from(target)).toEqual([0, 0]);
    reduceMaxInto(new Float32Array(0), [2, 0], [1], target);
    expect(Array.from(target)).toEqual([-Infinity, -Infinity]);
  });
});

describe('reduceMaxInto', () => {
  it('keeps the first of 0 and -0 and propagates NaN', () => {
    const target = new Float32Array(3);
    reduceMaxInto(Float32Array.from([-0, 0, 0, 0, -0, NaN]), [2, 3], [0], target);
    expect(Object.is(target[0], -0)).toBe(true);
    expect(Object.is(target[1], 0)).toBe(true);
    expect(Number.isNaN(target[2])).toBe(true);
  });
});

describe('movement kernels', () => {
  const permutedArb = fc
    .array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 5 })
    .chain((shape) => fc.record({ shape: fc.constant(shape), perm: fc.shuffledSubarray(shape.map((_, i) => i), { minLength: shape.length, maxLength: shape.length }) }));

  it('transposeInto moves every element to its permuted index', () => {
    fc.assert(
      fc.property(permutedArb, ({ shape, perm }) => {
        const data = Float32Array.from({ length: sizeOf(shape) }, (_, i) => i);
        const outShape = perm.map((p) => shape[p]);
        const target = new Float32Array(data.length);
        transposeInto(data, shape, perm, target);
        for (let i = 0; i < target.length; i++) {
          const index = unravel(i, outShape);
          const source = new Array<number>(shape.length);
          perm.forEach((p, k) => (source[p] = index[k]));
          expect(target[i]).toBe(data[ravel(source, shape)]);
        }
      }),
      { numRuns: 200 },
    );
  });

  const boxArb = fc
    .array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 4 })
    .chain((shape) =>
      fc.record({
        shape: fc.constant(shape),
        box: fc.tuple(...shape.map((d) => fc.tuple(fc.integer({ min: 0, max: d }), fc.integer({ min: 0, max: d })).map(([a, b]) => [Math.min(a, b), Math.max(a, b)] as const))),
        low: fc.tuple(...shape.map(() => fc.integer({ min: 0, max: 2 }))),
        high: fc.tuple(...shape.map(() => fc.integer({ min: 0, max: 2 }))),
      }),
    );

  it('sliceInto and padInto agree with index-by-index copies', () => {
    fc.assert(
      fc.property(boxArb, ({ shape, box, low, high }) => {
        const data = Float32Array.from({ length: sizeOf(shape) }, (_, i) => i + 1);
        const starts = box.map(([s]) => s);
        const ends = box.map(([, e]) => e);
        const sliceShape = ends.map((e, a) => e - starts[a]);
        const sliced = new Float32Array(sizeOf(sliceShape)).fill(-1);
        sliceInto(data, shape, starts, ends, sliced);
        for (let i = 0; i < sliced.length; i++) {
          const index = unravel(i, sliceShape);
          expect(sliced[i]).toBe(data[ravel(index.map((v, a) => v + starts[a]), shape)]);
        }
        const padShape = shape.map((d, a) => d + low[a] + high[a]);
        const padded = new Float32Array(sizeOf(padShape)).fill(-1);
        padInto(data, shape, padShape, low, 0.5, padded);
        for (let i = 0; i < padded.length; i++) {
          const index = unravel(i, padShape);
          const inside = index.every((v, a) => v >= low[a] && v < low[a] + shape[a]);
          expect(padded[i]).toBe(inside ? data[ravel(index.map((v, a) => v - low[a]), shape)] : 0.5);
        }
      }),
      { numRuns: 200 },
    );
  });
});
