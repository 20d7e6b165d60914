/**
 * Generates WebAssembly versions of float32 sums over one contiguous block of axes, for compiled
 * programs. The input is viewed as [outer, count, inner], and each output is the pairwise float64
 * sum of its `count` terms with the tree of reduce.ts: halves down to runs of at most 16, each
 * added left to right from 0. So the results have the bits of the JavaScript kernel. The tree
 * depends only on `count`, a constant here, so it is unrolled at generation time.
 *
 * Column sums (inner > 1) run on four adjacent columns at once as two f64x2 vectors, each leaf a
 * loop over its rows; row sums (inner = 1) run one row at a time in scalar float64, unrolled.
 */
import { CodeBuilder, ModuleBuilder, SIMD } from './emitter.js';

/** Row sums longer than this keep the JavaScript kernel, which bounds the unrolled code. */
const MAX_UNROLLED_ROW = 512;
const LEAF = 16;
const HIGH_TO_LOW = [8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7];
const JOIN_LOW_HALVES = [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23];

/** A sum of the block [outer, count, inner] at byte address `source` into `target`. */
export interface SumLoop {
  readonly outer: number;
  readonly count: number;
  readonly inner: number;
  readonly source: number;
  readonly target: number;
}

/**
 * True when `buildSumModule` handles a sum of this block: four-column groups whose leaves are
 * loops, or rows short enough to unroll.
 */
export function isWasmSum(count: number, inner: number): boolean {
  return inner > 0 && (inner % 4 === 0 || count <= MAX_UNROLLED_ROW);
}

/** Locals per tree level, created on first use. */
class LevelLocals {
  private readonly locals = new Map<string, number>();
  constructor(private readonly c: CodeBuilder) {}

  get(name: string, level: number, type: 'f64' | 'v128'): number {
    const key = `${name}${level}`;
    let local = this.locals.get(key);
    if (local === undefined) {
      local = this.c.local(type);
      this.locals.set(key, local);
    }
    return local;
  }
}

/** Pushes the pairwise sum of the row terms [start, start + count), each pushed by `load(row)`. */
function emitScalarTree(c: CodeBuilder, levels: LevelLocals, start: number, count: number, level: number, load: (row: number) => void): void {
  if (count <= LEAF) {
    c.f64Const(0);
    for (let r = start; r < start + count; r++) {
      load(r);
      c.f64Add();
    }
    return;
  }
  const half = count >> 1;
  const left = levels.get('left', level, 'f64');
  const right = levels.get('right', level, 'f64');
  emitScalarTree(c, levels, start, half, level + 1, load);
  c.localSet(left);
  emitScalarTree(c, levels, start + half, count - half, level + 1, load);
  c.localSet(right);
  c.localGet(left).localGet(right).f64Add();
}

interface ColumnState {
  /** Sums of columns j, j + 1 (lo) and j + 2, j + 3 (hi). */
  readonly lo: number;
  readonly hi: number;
  readonly row: number;
  readonly pointer: number;
  readonly counter: number;
  /** Byte address of row 0 of the current four columns (a local). */
  readonly columns: number;
  readonly rowBytes: number;
  readonly source: number;
}

/** Leaves in `lo`, `hi` the pairwise sums over rows [start, start + count) of four columns. */
function emitColumnTree(c: CodeBuilder, levels: LevelLocals, s: ColumnState, start: number, count: number, level: number): void {
  if (count <= LEAF) {
    c.v128ConstF64(0).localTee(s.lo).localSet(s.hi);
    c.localGet(s.columns).i32Const(start * s.rowBytes).i32Add().localSet(s.pointer);
    c.forRange(s.counter, (d) => d.i32Const(0), (d) => d.i32Const(count), 1, () => {
      c.localGet(s.pointer).simdMemory(SIMD.v128Load, 2, s.source).localSet(s.row);
      c.localGet(s.lo).localGet(s.row).simdOp(SIMD.f64x2PromoteLowF32x4).simdOp(SIMD.f64x2Add).localSet(s.lo);
      c.localGet(s.hi).localGet(s.row).localGet(s.row).shuffle(HIGH_TO_LOW).simdOp(SIMD.f64x2PromoteLowF32x4).simdOp(SIMD.f64x2Add).localSet(s.hi);
      c.localGet(s.pointer).i32Const(s.rowBytes).i32Add().localSet(s.pointer);
    });
    return;
  }
  const half = count >> 1;
  const leftLo = levels.get('leftLo', level, 'v128');
  const leftHi = levels.get('leftHi', level, 'v128');
  emitColumnTree(c, levels, s, start, half, level + 1);
  c.localGet(s.lo).localSet(leftLo).localGet(s.hi).localSet(leftHi);
  emitColumnTree(c, levels, s, start + half, count - half, level + 1);
  c.localGet(leftLo).localGet(s.lo).simdOp(SIMD.f64x2Add).localSet(s.lo);
  c.localGet(leftHi).localGet(s.hi).simdOp(SIMD.f64x2Add).localSet(s.hi);
}

/** Emits the sum as the body of a function without parameters. */
function emitSumLoop(c: CodeBuilder, loop: SumLoop): void {
  const { outer, count, inner, source, target } = loop;
  const levels = new LevelLocals(c);
  const o = c.local('i32');
  const base = c.local('i32');
  const out = c.local('i32');

  if (inner === 1) {
    c.forRange(o, (d) => d.i32Const(0), (d) => d.i32Const(outer), 1, () => {
      c.localGet(o).i32Const(4 * count).i32Mul().localSet(base);
      c.localGet(o).i32Const(2).i32Shl();
      emitScalarTree(c, levels, 0, count, 0, (r) => c.localGet(base).f32Load(source + 4 * r).f64PromoteF32());
      c.f32DemoteF64().f32Store(target);
    });
    return;
  }

  const state: ColumnState = {
    lo: c.local('v128'), hi: c.local('v128'), row: c.local('v128'), pointer: c.local('i32'), counter: c.local('i32'),
    columns: c.local('i32'), rowBytes: 4 * inner, source,
  };
  const j = c.local('i32');
  const fullColumns = inner - (inner % 4);
  c.forRange(o, (d) => d.i32Const(0), (d) => d.i32Const(outer), 1, () => {
    c.localGet(o).i32Const(4 * count * inner).i32Mul().localSet(base);
    c.localGet(o).i32Const(4 * inner).i32Mul().localSet(out);
    if (fullColumns > 0) {
      c.forRange(j, (d) => d.i32Const(0), (d) => d.i32Const(4 * fullColumns), 16, () => {
        c.localGet(base).localGet(j).i32Add().localSet(state.columns);
        emitColumnTree(c, levels, state, 0, count, 0);
        c.localGet(out).localGet(j).i32Add();
        c.localGet(state.lo).simdOp(SIMD.f32x4DemoteF64x2Zero).localGet(state.hi).simdOp(SIMD.f32x4DemoteF64x2Zero);
        c.shuffle(JOIN_LOW_HALVES).simdMemory(SIMD.v128Store, 2, target);
      });
    }
    // The last inner % 4 columns one at a time in scalar float64; the tree is unrolled only for short columns.
    for (let column = fullColumns; column < inner; column++) {
      c.localGet(out);
      emitScalarTree(c, levels, 0, count, 0, (r) => c.localGet(base).f32Load(source + 4 * (r * inner + column)).f64PromoteF32());
      c.f32DemoteF64().f32Store(target + 4 * column);
    }
  });
}

/** Builds one module with a function `s<k>` per sum over an imported memory (shared or not). */
export function buildSumModule(loops: readonly SumLoop[], shared = false): Uint8Array<ArrayBuffer> {
  const module = new ModuleBuilder(1, shared);
  loops.forEach((loop, k) => {
    const { code } = module.addFunction([], [], `s${k}`);
    emitSumLoop(code, loop);
  });
  return module.build();
}
