/**
 * Reduction kernels. Sums are pairwise in float64: the terms of one output are split in halves
 * recursively down to runs of at most 16, which are added left to right from 0. The tree depends
 * only on the number of terms, not on where the reduced axes lie in memory. So a reduction over
 * leading axes (a bias gradient) runs row by row over contiguous memory and still gives the bits
 * of a reduction over the last axis.
 */
import type { DataArray } from '../../core/dtype.js';
import { sizeOf, type Shape } from '../../core/shape.js';
import { transposeInto } from './movement-kernels.js';

const LEAF = 16;

/** Pairwise sum of data[start], data[start + stride], ... (count terms) in float64. */
export function pairwiseSum(data: ArrayLike<number>, start: number, count: number, stride: number): number {
  if (count <= LEAF) {
    let total = 0;
    for (let i = 0; i < count; i++) total += data[start + i * stride];
    return total;
  }
  const half = count >> 1;
  return pairwiseSum(data, start, half, stride) + pairwiseSum(data, start + half * stride, count - half, stride);
}

/**
 * Writes into sums[0 .. width) the pairwise sums of `count` rows of `width` contiguous values
 * starting at data[start] (row stride `width`), with the tree of `pairwiseSum` for every
 * column. `scratch` stores the right halves: width * (depth + 1) values, depth the recursion depth.
 */
function pairwiseRows(data: ArrayLike<number>, start: number, count: number, width: number, sums: Float64Array, sumsOffset: number, scratch: Float64Array, level: number): void {
  if (count <= LEAF) {
    for (let j = 0; j < width; j++) sums[sumsOffset + j] = 0;
    for (let r = 0; r < count; r++) {
      const row = start + r * width;
      for (let j = 0; j < width; j++) sums[sumsOffset + j] += data[row + j];
    }
    return;
  }
  const half = count >> 1;
  pairwiseRows(data, start, half, width, sums, sumsOffset, scratch, level + 1);
  const right = level * width;
  pairwiseRows(data, start + half * width, count - half, width, scratch, right, scratch, level + 1);
  for (let j = 0; j < width; j++) sums[sumsOffset + j] += scratch[right + j];
}

/** Recursion depth of `pairwiseRows` for `count` rows. */
function pairwiseDepth(count: number): number {
  let depth = 0;
  for (let c = count; c > LEAF; c -= c >> 1) depth++;
  return depth;
}

/**
 * Splits `shape` around the reduced axes when they are adjacent: [outer, reduced, inner] element
 * counts, or null when the reduced axes are not one contiguous block.
 */
export function contiguousBlock(shape: Shape, axes: readonly number[]): [number, number, number] | null {
  for (let i = 1; i < axes.length; i++) if (axes[i] !== axes[i - 1] + 1) return null;
  const first = axes[0];
  const last = axes[axes.length - 1];
  return [sizeOf(shape.slice(0, first)), sizeOf(shape.slice(first, last + 1)), sizeOf(shape.slice(last + 1))];
}

/** Moves the reduced axes last, so each output element reduces one contiguous run. */
function reducedLast(data: DataArray, shape: Shape, axes: readonly number[]): DataArray {
  const keptAxes = shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const perm = [...keptAxes, ...axes];
  const moved = new (data.constructor as new (n: number) => DataArray)(data.length);
  transposeInto(data, shape, perm, moved);
  return moved;
}

/** Sums `data` (of `shape`) over the sorted, distinct `axes` into `target`. */
export function reduceSumInto(data: DataArray, shape: Shape, axes: readonly number[], target: DataArray): void {
  const block = contiguousBlock(shape, axes);
  const [outer, count, inner] = block ?? [target.length, sizeOf(axes.map((a) => shape[a])), 1];
  const source = block === null ? reducedLast(data, shape, axes) : data;
  if (inner === 1) {
    for (let o = 0; o < outer; o++) target[o] = pairwiseSum(source, o * count, count, 1);
    return;
  }
  const sums = new Float64Array(inner);
  const scratch = new Float64Array(inner * (pairwiseDepth(count) + 1));
  for (let o = 0; o < outer; o++) {
    pairwiseRows(source, o * count * inner, count, inner, sums, 0, scratch, 0);
    const base = o * inner;
    for (let j = 0; j < inner; j++) target[base + j] = sums[j];
  }
}

/**
 * Takes the maximum of `data` over `axes` into `target`, scanning each output's terms in
 * row-major order: NaN wins, and between 0 and -0 the first one seen wins.
 */
export function reduceMaxInto(data: DataArray, shape: Shape, axes: readonly number[], target: DataArray): void {
  const block = contiguousBlock(shape, axes);
  const [outer, count, inner] = block ?? [target.length, sizeOf(axes.map((a) => shape[a])), 1];
  const source = block === null ? reducedLast(data, shape, axes) : data;
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      let best = -Infinity;
      let index = o * count * inner + j;
      for (let r = 0; r < count; r++, index += inner) {
        const v = source[index];
        if (v > best || v !== v) best = v;
        if (best !== best) break;
      }
      target[o * inner + j] = best;
    }
  }
}
