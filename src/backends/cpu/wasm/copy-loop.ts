/**
 * Generates WebAssembly strided copies of 4-byte elements (f32, i32) for the movement primitives
 * of compiled programs: transpose and slice (strided source, contiguous target) and pad (fill,
 * then a contiguous source into a strided target). Shapes and strides are constants, so the copy
 * is a nest of counted loops. An innermost run that is contiguous on both sides moves four
 * elements per v128 load and store.
 */
import { stridesOf, type Shape } from '../../../core/shape.js';
import { CodeBuilder, ModuleBuilder, SIMD } from './emitter.js';

/**
 * One copy: element `index` of `shape` moves from byte address source + 4 sum(index * sourceStrides)
 * to target + 4 sum(index * targetStrides).
 */
export interface StridedCopy {
  readonly shape: readonly number[];
  readonly source: number;
  readonly sourceStrides: readonly number[];
  readonly target: number;
  readonly targetStrides: readonly number[];
  /** First fill `count` elements from byte address `base` with an f32 or i32 value. */
  readonly fill?: { readonly base: number; readonly value: number; readonly count: number; readonly integer: boolean };
}

/** Drops size-1 axes and merges neighbours that are contiguous on both sides. */
function simplify(copy: StridedCopy): { shape: number[]; from: number[]; to: number[] } {
  const shape: number[] = [];
  const from: number[] = [];
  const to: number[] = [];
  copy.shape.forEach((d, axis) => {
    if (d === 1) return;
    const last = shape.length - 1;
    if (last >= 0 && from[last] === copy.sourceStrides[axis] * d && to[last] === copy.targetStrides[axis] * d) {
      shape[last] *= d;
      from[last] = copy.sourceStrides[axis];
      to[last] = copy.targetStrides[axis];
    } else {
      shape.push(d);
      from.push(copy.sourceStrides[axis]);
      to.push(copy.targetStrides[axis]);
    }
  });
  return { shape, from, to };
}

/** Emits `count` 4-byte stores of `value` from the byte address `base` (v128 stores, then the tail). */
function emitFill(c: CodeBuilder, base: number, count: number, value: number, integer: boolean): void {
  const pointer = c.local('i32');
  const vectors = Math.floor(count / 4);
  if (integer) c.v128ConstI32([value, value, value, value]);
  else c.v128ConstF32(value);
  const splat = c.local('v128');
  c.localSet(splat);
  c.forRange(pointer, (d) => d.i32Const(0), (d) => d.i32Const(16 * vectors), 16, () => {
    c.localGet(pointer).localGet(splat).simdMemory(SIMD.v128Store, 2, base);
  });
  for (let e = 4 * vectors; e < count; e++) c.i32Const(0).localGet(splat).simdMemoryLane(SIMD.v128Store32Lane, 2, base + 4 * e, 0);
}

/** Emits the copy as the body of a function without parameters. */
function emitCopy(c: CodeBuilder, copy: StridedCopy): void {
  if (copy.fill !== undefined) emitFill(c, copy.fill.base, copy.fill.count, copy.fill.value, copy.fill.integer);
  if (copy.shape.some((d) => d === 0)) return;
  const { shape, from, to } = simplify(copy);
  const rank = shape.length;
  if (rank === 0) {
    c.i32Const(0).i32Const(0).f32Load(copy.source).f32Store(copy.target);
    return;
  }
  const sourcePointers = shape.map(() => c.local('i32'));
  const targetPointers = shape.map(() => c.local('i32'));
  const counters = shape.map(() => c.local('i32'));
  const inner = shape[rank - 1];
  const contiguous = from[rank - 1] === 1 && to[rank - 1] === 1;

  const emitLevel = (axis: number): void => {
    const [source, target] = [sourcePointers[axis], targetPointers[axis]];
    if (axis === rank - 1) {
      if (contiguous) {
        const vectors = Math.floor(inner / 4);
        // Runs up to 64 elements are unrolled; longer runs loop over vectors.
        if (vectors <= 16) {
          for (let v = 0; v < vectors; v++) c.localGet(target).localGet(source).simdMemory(SIMD.v128Load, 2, copy.source + 16 * v).simdMemory(SIMD.v128Store, 2, copy.target + 16 * v);
        } else {
          c.forRange(counters[axis], (d) => d.i32Const(0), (d) => d.i32Const(vectors), 1, () => {
            c.localGet(target).localGet(source).simdMemory(SIMD.v128Load, 2, copy.source).simdMemory(SIMD.v128Store, 2, copy.target);
            c.localGet(source).i32Const(16).i32Add().localSet(source);
            c.localGet(target).i32Const(16).i32Add().localSet(target);
          });
          c.localGet(source).i32Const(-16 * vectors).i32Add().localSet(source);
          c.localGet(target).i32Const(-16 * vectors).i32Add().localSet(target);
        }
        for (let e = 4 * vectors; e < inner; e++) c.localGet(target).localGet(source).f32Load(copy.source + 4 * e).f32Store(copy.target + 4 * e);
        return;
      }
      c.forRange(counters[axis], (d) => d.i32Const(0), (d) => d.i32Const(inner), 1, () => {
        c.localGet(target).localGet(source).f32Load(copy.source).f32Store(copy.target);
        c.localGet(source).i32Const(4 * from[axis]).i32Add().localSet(source);
        c.localGet(target).i32Const(4 * to[axis]).i32Add().localSet(target);
      });
      return;
    }
    const [nextSource, nextTarget] = [sourcePointers[axis + 1], targetPointers[axis + 1]];
    c.forRange(counters[axis], (d) => d.i32Const(0), (d) => d.i32Const(shape[axis]), 1, () => {
      c.localGet(source).localSet(nextSource).localGet(target).localSet(nextTarget);
      emitLevel(axis + 1);
      c.localGet(source).i32Const(4 * from[axis]).i32Add().localSet(source);
      c.localGet(target).i32Const(4 * to[axis]).i32Add().localSet(target);
    });
  };
  c.i32Const(0).localSet(sourcePointers[0]).i32Const(0).localSet(targetPointers[0]);
  emitLevel(0);
}

/** Builds one module with a function `c<k>` per copy over an imported memory (shared or not). */
export function buildCopyModule(copies: readonly StridedCopy[], shared = false): Uint8Array<ArrayBuffer> {
  const module = new ModuleBuilder(1, shared);
  copies.forEach((copy, k) => {
    const { code } = module.addFunction([], [], `c${k}`);
    emitCopy(code, copy);
  });
  return module.build();
}

/** Describes a transpose of `shape` by `perm` (output axis i is input axis perm[i]) as a copy. */
export function transposeCopy(shape: Shape, perm: readonly number[], source: number, target: number): StridedCopy {
  const strides = stridesOf(shape);
  const outShape = perm.map((p) => shape[p]);
  return { shape: outShape, source, sourceStrides: perm.map((p) => strides[p]), target, targetStrides: stridesOf(outShape) };
}

/** Describes the slice [starts, ends) of `shape` as a copy. */
export function sliceCopy(shape: Shape, starts: readonly number[], ends: readonly number[], source: number, target: number): StridedCopy {
  const strides = stridesOf(shape);
  const offset = starts.reduce((sum, s, axis) => sum + s * strides[axis], 0);
  const outShape = ends.map((e, axis) => e - starts[axis]);
  return { shape: outShape, source: source + 4 * offset, sourceStrides: strides, target, targetStrides: stridesOf(outShape) };
}

/** Describes a pad of `shape` into `outShape` at offsets `low`, filled with `value`, as a fill and a copy. */
export function padCopy(shape: Shape, outShape: Shape, low: readonly number[], value: number, integer: boolean, source: number, target: number): StridedCopy {
  const strides = stridesOf(outShape);
  const offset = low.reduce((sum, l, axis) => sum + l * strides[axis], 0);
  const count = outShape.reduce((p, d) => p * d, 1);
  return { shape, source, sourceStrides: stridesOf(shape), target: target + 4 * offset, targetStrides: strides, fill: { base: target, value, count, integer } };
}
