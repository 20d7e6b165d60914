/**
 * Shared helpers of the core tests: fast-check arbitraries for shapes and float32 data, float64
 * reference implementations of broadcasting and indexing, and tolerance checks.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import { fromData, key, normal64, uniform64, type Tensor } from '../../src/index.js';

/** A float64 reference array: row-major data and its shape. */
export interface RefArray {
  readonly data: Float64Array;
  readonly shape: readonly number[];
}

export function sizeOfShape(shape: readonly number[]): number {
  return shape.reduce((n, d) => n * d, 1);
}

export function stridesOfShape(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let stride = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = stride;
    stride *= shape[i];
  }
  return strides;
}

/** Converts a flat index into a multi-index of `shape`. */
export function unravel(index: number, shape: readonly number[]): number[] {
  const out = new Array<number>(shape.length);
  let rest = index;
  for (let i = shape.length - 1; i >= 0; i--) {
    out[i] = rest % shape[i];
    rest = Math.floor(rest / shape[i]);
  }
  return out;
}

/** Converts a multi-index into a flat index of `shape`. */
export function ravel(index: readonly number[], shape: readonly number[]): number {
  let flat = 0;
  for (let i = 0; i < shape.length; i++) flat = flat * shape[i] + index[i];
  return flat;
}

/** Computes the NumPy broadcast of shapes, independently of the library. */
export function refBroadcastShapes(...shapes: (readonly number[])[]): number[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    let d = 1;
    for (const s of shapes) {
      const k = s.length - rank + i;
      if (k >= 0 && s[k] !== 1) d = s[k];
    }
    out.push(d);
  }
  return out;
}

/** Reads `data` (of shape `from`) broadcast to `to` (NumPy rules). */
export function refBroadcast(data: ArrayLike<number>, from: readonly number[], to: readonly number[]): Float64Array {
  const out = new Float64Array(sizeOfShape(to));
  const offset = to.length - from.length;
  for (let i = 0; i < out.length; i++) {
    const index = unravel(i, to);
    const source = from.map((d, k) => (d === 1 ? 0 : index[k + offset]));
    out[i] = data[ravel(source, from)];
  }
  return out;
}

/** Sums `data` (of shape `full`) over the axes that broadcasting from `small` added or expanded. */
export function refUnbroadcast(data: ArrayLike<number>, full: readonly number[], small: readonly number[]): Float64Array {
  const out = new Float64Array(sizeOfShape(small));
  const offset = full.length - small.length;
  for (let i = 0; i < data.length; i++) {
    const index = unravel(i, full);
    const target = small.map((d, k) => (d === 1 ? 0 : index[k + offset]));
    out[ravel(target, small)] += data[i];
  }
  return out;
}

/** Creates a float32 tensor of `values` in `shape`. */
export function f32(values: ArrayLike<number>, shape: readonly number[]): Tensor {
  return fromData(Float32Array.from(values as ArrayLike<number>), shape);
}

/** Creates an int32 tensor of `values` in `shape`. */
export function i32(values: ArrayLike<number>, shape: readonly number[]): Tensor {
  return fromData(Int32Array.from(values as ArrayLike<number>), shape);
}

/** Creates a bool tensor of `values` (0/1) in `shape`. */
export function bool(values: ArrayLike<number>, shape: readonly number[]): Tensor {
  return fromData(Uint8Array.from(values as ArrayLike<number>), shape);
}

/** Generates float32 values in [min, max] (bounds rounded to float32), never NaN or infinite. */
export function float32(min: number, max: number): fc.Arbitrary<number> {
  return fc.float({ min: Math.fround(min), max: Math.fround(max), noNaN: true, noDefaultInfinity: true });
}

/** Generates float32 values with min <= |x| <= max and either sign. */
export function float32AwayFromZero(min: number, max: number): fc.Arbitrary<number> {
  return fc.tuple(float32(min, max), fc.boolean()).map(([x, negative]) => (negative ? -x : x));
}

/** Generates a shape of rank in [minRank, maxRank] with dims in [minDim, maxDim]. */
export function shapeArb(minRank = 0, maxRank = 4, minDim = 1, maxDim = 3): fc.Arbitrary<number[]> {
  return fc.array(fc.integer({ min: minDim, max: maxDim }), { minLength: minRank, maxLength: maxRank });
}

/** Generates `count` values drawn from `element`. */
export function valuesArb<T>(count: number, element: fc.Arbitrary<T>): fc.Arbitrary<T[]> {
  return fc.array(element, { minLength: count, maxLength: count });
}

/** Generates a shape with float32 data drawn from `element`. */
export function arrayArb(element: fc.Arbitrary<number>, shape: fc.Arbitrary<number[]> = shapeArb()): fc.Arbitrary<RefArray> {
  return shape.chain((s) => valuesArb(sizeOfShape(s), element).map((v) => ({ data: Float64Array.from(v), shape: s })));
}

/**
 * Generates shapes that broadcast together: per operand, a suffix of a common shape with some
 * dims replaced by 1.
 */
export function broadcastShapesArb(operands: number, maxRank = 4, maxDim = 3): fc.Arbitrary<number[][]> {
  return shapeArb(0, maxRank, 1, maxDim).chain((full) =>
    fc.tuple(
      ...Array.from({ length: operands }, () =>
        fc.tuple(fc.integer({ min: 0, max: full.length }), valuesArb(full.length, fc.boolean())).map(([drop, ones]) =>
          full.slice(drop).map((d, i) => (ones[i + drop] ? 1 : d)),
        ),
      ),
    ),
  );
}

/** Options of `expectClose`: |actual - expected| <= atol + rtol |expected|. */
export interface Tolerance {
  rtol?: number;
  atol?: number;
}

/**
 * Checks every element of `actual` against `expected` and reports the first few mismatches with
 * their indices. Equal infinities and NaN in both places count as matches.
 */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: Tolerance = {}): void {
  const rtol = tolerance.rtol ?? 1e-6;
  const atol = tolerance.atol ?? 1e-12;
  expect(actual.length).toBe(expected.length);
  const mismatches: string[] = [];
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (Number.isNaN(e) && Number.isNaN(a)) continue;
    if (a === e) continue;
    if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) mismatches.push(`[${i}] got ${a}, expected ${e}`);
    if (mismatches.length >= 5) break;
  }
  expect(mismatches).toEqual([]);
}

/** Checks a tensor's shape, then its values (see `expectClose`). */
export function expectTensorClose(actual: Tensor, expected: RefArray, tolerance: Tolerance = {}): void {
  expect(actual.shape).toEqual(expected.shape);
  expectClose(actual.data(), expected.data, tolerance);
}

/** Checks that no element is NaN. A failure shows the index of the first NaN. */
export function expectNoNaN(values: ArrayLike<number>): void {
  const index = Array.from(values).findIndex((v) => Number.isNaN(v));
  expect(index).toBe(-1);
}

/**
 * Computes Threefry-2x32 (20 rounds) on unsigned words, written independently of the library.
 * prng.test.ts checks it against the published known-answer vectors.
 */
export function refThreefry2x32(k0: number, k1: number, c0: number, c1: number): [number, number] {
  const rotations = [13, 15, 26, 6, 17, 29, 16, 24];
  const ks = [k0 >>> 0, k1 >>> 0, (k0 ^ k1 ^ 0x1bd11bda) >>> 0];
  let x0 = (c0 + ks[0]) >>> 0;
  let x1 = (c1 + ks[1]) >>> 0;
  for (let round = 0; round < 20; round++) {
    const r = rotations[round % 8];
    x0 = (x0 + x1) >>> 0;
    x1 = ((x1 << r) | (x1 >>> (32 - r))) >>> 0;
    x1 = (x1 ^ x0) >>> 0;
    if (round % 4 === 3) {
      const s = (round + 1) / 4;
      x0 = (x0 + ks[s % 3]) >>> 0;
      x1 = (x1 + ks[(s + 1) % 3] + s) >>> 0;
    }
  }
  return [x0, x1];
}

/**
 * Generates `count` words with the counter layout of JAX's `threefry_2x32`. The counters
 * 0..count-1, padded with one 0 when count is odd, are split into two halves and hashed pairwise.
 * The first words of all pairs come before the second words.
 */
export function refThreefryBits(k0: number, k1: number, count: number): number[] {
  const counters = Array.from({ length: count }, (_, i) => i);
  if (count % 2 === 1) counters.push(0);
  const half = counters.length / 2;
  const first: number[] = [];
  const second: number[] = [];
  for (let i = 0; i < half; i++) {
    const [a, b] = refThreefry2x32(k0, k1, counters[i], counters[i + half]);
    first.push(a);
    second.push(b);
  }
  return [...first, ...second].slice(0, count);
}

/** Computes the error function in float64: Maclaurin series below 3, continued fraction for erfc above. */
export function refErf(x: number): number {
  const ax = Math.abs(x);
  if (ax < 3) {
    let term = x;
    let total = x;
    for (let n = 1; n < 200; n++) {
      term *= (-x * x) / n;
      const next = term / (2 * n + 1);
      total += next;
      if (Math.abs(next) < 1e-18 * Math.abs(total)) break;
    }
    return (2 / Math.sqrt(Math.PI)) * total;
  }
  // erfc(x) = exp(-x^2) / sqrt(pi) * 1 / (x + (1/2) / (x + 1 / (x + (3/2) / (x + ...)))), evaluated backwards.
  let fraction = ax;
  for (let n = 60; n >= 1; n--) fraction = ax + n / 2 / fraction;
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / fraction;
  return x > 0 ? 1 - erfc : erfc - 1;
}

/** Creates a float32 tensor of uniform values in [lo, hi) from the host PRNG with `seed`. */
export function uniformTensor(seed: number, shape: readonly number[], lo = -1, hi = 1): Tensor {
  const u = uniform64(key(seed), sizeOfShape(shape));
  return f32(u.map((v) => lo + (hi - lo) * v), shape);
}

/** Creates a float32 tensor of normal values with standard deviation `scale` from the host PRNG with `seed`. */
export function normalTensor(seed: number, shape: readonly number[], scale = 1): Tensor {
  return f32(normal64(key(seed), sizeOfShape(shape)).map((v) => v * scale), shape);
}
