/**
 * Generates the WebAssembly SIMD module of the cpu backend's f32 matrix product. The module
 * exports `matmul(a, b, c, batches, m, k, n, transposeA, transposeB, scratch)` over byte
 * addresses of one imported memory, and computes C = op(A) op(B) for every batch.
 *
 * Method (the GotoBLAS layout): K is split into blocks of `kc`. Per block, the columns of op(B)
 * are packed into zero-padded panels `nr` wide, and per `mr` rows the block of op(A) is packed
 * into an `mr`-wide strip. A micro-kernel keeps an mr x nr tile of C in v128 locals and runs
 * the K loop innermost, with one f32x4 multiply and one f32x4 add per vector, no fused multiply-add.
 * Every element of C is therefore the float32 sum ((a0 b0 + a1 b1) + a2 b2) + ... in order of
 * k, rounded after each multiply and each add, whatever the tile sizes and the position of the
 * element: the same inputs always give the same bits. Partial tiles at the right and bottom
 * edges run the same micro-kernel on a scratch tile and copy the valid part.
 */
import { CodeBuilder, ModuleBuilder } from './emitter.js';

/** Tile sizes of the generated kernel. */
export interface MatmulTiling {
  /** Rows of C per micro-kernel tile. */
  readonly mr: number;
  /** Columns of C per micro-kernel tile; a multiple of 4. */
  readonly nr: number;
  /** Depth of a K block (elements). */
  readonly kc: number;
  /** K steps per iteration of the micro-kernel's unrolled loop. */
  readonly unroll: number;
}

/**
 * The tiling the backend uses: 5 x 8 tiles (10 accumulator vectors), K blocks of 256, no
 * unrolling. On Node 20 (V8 11.3) on a Zen 4 core it ran at about 40 GFLOP/s of CPU time at
 * [2048,64]x[64,192]; 6 x 8 tiles spill registers, and unrolling the K loop made V8's code slower.
 */
export const DEFAULT_TILING: MatmulTiling = { mr: 5, nr: 8, kc: 256, unroll: 1 };

/** Scratch bytes that `matmul` needs for an output `n` columns wide (packed B block, packed A strip, edge tile). */
export function matmulScratchBytes(tiling: MatmulTiling, n: number): number {
  const paddedN = Math.ceil(n / tiling.nr) * tiling.nr;
  return 4 * (tiling.kc * paddedN + tiling.mr * tiling.kc + tiling.mr * tiling.nr);
}

/** Pushes min(a, b) of two i32 locals. */
function pushMin(c: CodeBuilder, a: number, b: number): void {
  c.localGet(a).localGet(b).localGet(a).localGet(b).i32LtS().select();
}

/**
 * kernel(pa, pb, pc, ldc, kb, load): C[0..mr, 0..nr] (+)= A-strip x B-panel over kb steps.
 * pa: packed A strip (kb x mr), pb: packed B panel (kb x nr), pc: top-left of the C tile, ldc:
 * its row stride in bytes. With load = 0 the accumulators start at zero, otherwise from C.
 */
function emitMicroKernel(c: CodeBuilder, { mr, nr, unroll }: MatmulTiling): void {
  const [pa, pb, pc, ldc, kb, load] = [0, 1, 2, 3, 4, 5];
  const vectors = nr / 4;
  const acc: number[] = [];
  for (let i = 0; i < mr * vectors; i++) acc.push(c.local('v128'));
  const bv: number[] = [];
  for (let q = 0; q < vectors; q++) bv.push(c.local('v128'));
  const av = c.local('v128');
  const count = c.local('i32');

  const pushRow = (r: number): void => {
    c.localGet(pc);
    if (r > 0) c.localGet(ldc).i32Const(r).i32Mul().i32Add();
  };

  c.localGet(load).if();
  for (let r = 0; r < mr; r++) {
    for (let q = 0; q < vectors; q++) {
      pushRow(r);
      c.v128Load(16 * q).localSet(acc[r * vectors + q]);
    }
  }
  c.else();
  for (const a of acc) c.v128Zero().localSet(a);
  c.end();

  const emitSteps = (steps: number): void => {
    for (let u = 0; u < steps; u++) {
      for (let q = 0; q < vectors; q++) c.localGet(pb).v128Load(4 * (u * nr + 4 * q)).localSet(bv[q]);
      for (let r = 0; r < mr; r++) {
        c.localGet(pa).v128Load32Splat(4 * (u * mr + r)).localSet(av);
        for (let q = 0; q < vectors; q++) {
          const a = acc[r * vectors + q];
          c.localGet(a).localGet(av).localGet(bv[q]).f32x4Mul().f32x4Add().localSet(a);
        }
      }
    }
    c.localGet(pa).i32Const(4 * steps * mr).i32Add().localSet(pa);
    c.localGet(pb).i32Const(4 * steps * nr).i32Add().localSet(pb);
  };

  c.localGet(kb).localSet(count);
  if (unroll > 1) {
    c.block().localGet(count).i32Const(unroll).i32LtS().brIf(0);
    c.loop();
    emitSteps(unroll);
    c.localGet(count).i32Const(unroll).i32Sub().localTee(count).i32Const(unroll).i32GeS().brIf(0);
    c.end().end();
  }
  c.block().localGet(count).i32Eqz().brIf(0);
  c.loop();
  emitSteps(1);
  c.localGet(count).i32Const(1).i32Sub().localTee(count).brIf(0);
  c.end().end();

  for (let r = 0; r < mr; r++) {
    for (let q = 0; q < vectors; q++) {
      pushRow(r);
      c.localGet(acc[r * vectors + q]).v128Store(16 * q);
    }
  }
}

/**
 * packA(src, dst, kb, rows, rowStride, colStride): dst[p * mr + r] = op(A)[r, p] for p < kb,
 * read at src + r * rowStride + p * colStride, and 0 for r >= rows.
 */
function emitPackA(c: CodeBuilder, { mr }: MatmulTiling): void {
  const [src, dst, kb, rows, rowStride, colStride] = [0, 1, 2, 3, 4, 5];
  const p = c.local('i32');
  const from = c.local('i32');
  const to = c.local('i32');
  const contiguous = mr % 4 === 0;

  c.localGet(src).localSet(from).localGet(dst).localSet(to);
  if (contiguous) {
    // Transposed A with a full strip: the mr values of one step are adjacent in memory.
    c.localGet(rowStride).i32Const(4).i32Eq().localGet(rows).i32Const(mr).i32Eq().i32And().if();
    c.forRange(p, (b) => b.i32Const(0), (b) => b.localGet(kb), 1, (b) => {
      for (let q = 0; q < mr / 4; q++) b.localGet(to).localGet(from).v128Load(16 * q).v128Store(16 * q);
      b.localGet(from).localGet(colStride).i32Add().localSet(from);
      b.localGet(to).i32Const(4 * mr).i32Add().localSet(to);
    });
    c.else();
  }
  c.forRange(p, (b) => b.i32Const(0), (b) => b.localGet(kb), 1, (b) => {
    for (let r = 0; r < mr; r++) {
      b.i32Const(r).localGet(rows).i32LtS().if();
      b.localGet(to).localGet(from);
      if (r > 0) b.localGet(rowStride).i32Const(r).i32Mul().i32Add();
      b.f32Load(0).f32Store(4 * r);
      b.else().localGet(to).f32Const(0).f32Store(4 * r).end();
    }
    b.localGet(from).localGet(colStride).i32Add().localSet(from);
    b.localGet(to).i32Const(4 * mr).i32Add().localSet(to);
  });
  if (contiguous) c.end();
}

/**
 * packB(src, dst, kb, n, rowStride, colStride): for each panel of nr columns starting at j0,
 * dst[(j0 * kb) + p * nr + jj] = op(B)[p, j0 + jj], read at src + p * rowStride + j * colStride,
 * and 0 for columns j >= n.
 */
function emitPackB(c: CodeBuilder, { nr }: MatmulTiling): void {
  const [src, dst, kb, n, rowStride, colStride] = [0, 1, 2, 3, 4, 5];
  const j0 = c.local('i32');
  const p = c.local('i32');
  const cols = c.local('i32');
  const from = c.local('i32');
  const to = c.local('i32');
  const remaining = c.local('i32');

  c.localGet(dst).localSet(to);
  c.forRange(j0, (b) => b.i32Const(0), (b) => b.localGet(n), nr, (b) => {
    b.localGet(n).localGet(j0).i32Sub().localSet(remaining);
    b.i32Const(nr).localSet(cols);
    pushMin(b, cols, remaining);
    b.localSet(cols);
    b.localGet(src).localGet(j0).localGet(colStride).i32Mul().i32Add().localSet(from);
    b.localGet(colStride).i32Const(4).i32Eq().localGet(cols).i32Const(nr).i32Eq().i32And().if();
    b.forRange(p, (d) => d.i32Const(0), (d) => d.localGet(kb), 1, (d) => {
      for (let q = 0; q < nr / 4; q++) d.localGet(to).localGet(from).v128Load(16 * q).v128Store(16 * q);
      d.localGet(from).localGet(rowStride).i32Add().localSet(from);
      d.localGet(to).i32Const(4 * nr).i32Add().localSet(to);
    });
    b.else();
    b.forRange(p, (d) => d.i32Const(0), (d) => d.localGet(kb), 1, (d) => {
      for (let jj = 0; jj < nr; jj++) {
        d.i32Const(jj).localGet(cols).i32LtS().if();
        d.localGet(to).localGet(from);
        if (jj > 0) d.localGet(colStride).i32Const(jj).i32Mul().i32Add();
        d.f32Load(0).f32Store(4 * jj);
        d.else().localGet(to).f32Const(0).f32Store(4 * jj).end();
      }
      d.localGet(from).localGet(rowStride).i32Add().localSet(from);
      d.localGet(to).i32Const(4 * nr).i32Add().localSet(to);
    });
    b.end();
  });
}

/** copyRect(src, srcStride, dst, dstStride, rows, cols): copies a rows x cols block of f32. */
function emitCopyRect(c: CodeBuilder): void {
  const [src, srcStride, dst, dstStride, rows, cols] = [0, 1, 2, 3, 4, 5];
  const r = c.local('i32');
  const j = c.local('i32');
  c.forRange(r, (b) => b.i32Const(0), (b) => b.localGet(rows), 1, (b) => {
    b.forRange(j, (d) => d.i32Const(0), (d) => d.localGet(cols), 1, (d) => {
      d.localGet(dst).localGet(j).i32Const(2).i32Shl().i32Add();
      d.localGet(src).localGet(j).i32Const(2).i32Shl().i32Add().f32Load(0);
      d.f32Store(0);
    });
    b.localGet(src).localGet(srcStride).i32Add().localSet(src);
    b.localGet(dst).localGet(dstStride).i32Add().localSet(dst);
  });
}

interface Callees {
  readonly kernel: number;
  readonly packA: number;
  readonly packB: number;
  readonly copyRect: number;
}

/** Emits the exported driver, which loops over batches, K blocks, row strips and column panels. */
function emitDriver(c: CodeBuilder, tiling: MatmulTiling, f: Callees): void {
  const { mr, nr, kc } = tiling;
  const [a, b, cc, batches, m, k, n, transposeA, transposeB, scratch, rowBegin, rowEnd] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
  const local = () => c.local('i32');
  const [batch, p0, kb, i0, j0, rows, cols, tile, cPtr] = [local(), local(), local(), local(), local(), local(), local(), local(), local()];
  const [aRow, aCol, bRow, bCol, packedA, paddedN, remaining, ldc] = [local(), local(), local(), local(), local(), local(), local(), local()];

  // Byte strides of op(A)[i, p] and op(B)[p, j] in the stored operands.
  c.i32Const(4).localGet(k).i32Const(2).i32Shl().localGet(transposeA).select().localSet(aRow);
  c.localGet(m).i32Const(2).i32Shl().i32Const(4).localGet(transposeA).select().localSet(aCol);
  c.i32Const(4).localGet(n).i32Const(2).i32Shl().localGet(transposeB).select().localSet(bRow);
  c.localGet(k).i32Const(2).i32Shl().i32Const(4).localGet(transposeB).select().localSet(bCol);
  // paddedN = ceil(n / nr) * nr, computed by counting panels (nr is not always a power of two).
  c.i32Const(0).localSet(paddedN);
  c.forRange(j0, (d) => d.i32Const(0), (d) => d.localGet(n), nr, (d) => {
    d.localGet(paddedN).i32Const(nr).i32Add().localSet(paddedN);
  });
  c.localGet(scratch).localGet(paddedN).i32Const(4 * kc).i32Mul().i32Add().localSet(packedA);
  c.localGet(packedA).i32Const(4 * mr * kc).i32Add().localSet(tile);
  c.localGet(n).i32Const(2).i32Shl().localSet(ldc);

  c.forRange(batch, (d) => d.i32Const(0), (d) => d.localGet(batches), 1, (d) => {
    d.forRange(p0, (e) => e.i32Const(0), (e) => e.localGet(k), kc, (e) => {
      e.localGet(k).localGet(p0).i32Sub().localSet(remaining);
      e.i32Const(kc).localSet(kb);
      pushMin(e, kb, remaining);
      e.localSet(kb);
      // packB(b + p0 * bRow, scratch, kb, n, bRow, bCol)
      e.localGet(b).localGet(p0).localGet(bRow).i32Mul().i32Add();
      e.localGet(scratch).localGet(kb).localGet(n).localGet(bRow).localGet(bCol).call(f.packB);
      e.forRange(i0, (g) => g.localGet(rowBegin), (g) => g.localGet(rowEnd), mr, (g) => {
        g.localGet(rowEnd).localGet(i0).i32Sub().localSet(remaining);
        g.i32Const(mr).localSet(rows);
        pushMin(g, rows, remaining);
        g.localSet(rows);
        // packA(a + i0 * aRow + p0 * aCol, packedA, kb, rows, aRow, aCol)
        g.localGet(a).localGet(i0).localGet(aRow).i32Mul().i32Add().localGet(p0).localGet(aCol).i32Mul().i32Add();
        g.localGet(packedA).localGet(kb).localGet(rows).localGet(aRow).localGet(aCol).call(f.packA);
        g.forRange(j0, (h) => h.i32Const(0), (h) => h.localGet(n), nr, (h) => {
          h.localGet(n).localGet(j0).i32Sub().localSet(remaining);
          h.i32Const(nr).localSet(cols);
          pushMin(h, cols, remaining);
          h.localSet(cols);
          h.localGet(cc).localGet(i0).localGet(n).i32Mul().localGet(j0).i32Add().i32Const(2).i32Shl().i32Add().localSet(cPtr);
          h.localGet(rows).i32Const(mr).i32Eq().localGet(cols).i32Const(nr).i32Eq().i32And().if();
          // kernel(packedA, scratch + j0 * kb * 4, cPtr, ldc, kb, p0 != 0)
          h.localGet(packedA).localGet(scratch).localGet(j0).localGet(kb).i32Mul().i32Const(2).i32Shl().i32Add();
          h.localGet(cPtr).localGet(ldc).localGet(kb).localGet(p0).call(f.kernel);
          h.else();
          h.localGet(p0).if();
          h.localGet(cPtr).localGet(ldc).localGet(tile).i32Const(4 * nr).localGet(rows).localGet(cols).call(f.copyRect);
          h.end();
          h.localGet(packedA).localGet(scratch).localGet(j0).localGet(kb).i32Mul().i32Const(2).i32Shl().i32Add();
          h.localGet(tile).i32Const(4 * nr).localGet(kb).localGet(p0).call(f.kernel);
          h.localGet(tile).i32Const(4 * nr).localGet(cPtr).localGet(ldc).localGet(rows).localGet(cols).call(f.copyRect);
          h.end();
        });
      });
    });
    d.localGet(a).localGet(m).localGet(k).i32Mul().i32Const(2).i32Shl().i32Add().localSet(a);
    d.localGet(b).localGet(k).localGet(n).i32Mul().i32Const(2).i32Shl().i32Add().localSet(b);
    d.localGet(cc).localGet(m).localGet(n).i32Mul().i32Const(2).i32Shl().i32Add().localSet(cc);
  });
}

/** Encodes the matmul module for `tiling`. */
export function buildMatmulModule(tiling: MatmulTiling = DEFAULT_TILING, shared = false): Uint8Array<ArrayBuffer> {
  if (tiling.nr % 4 !== 0 || tiling.nr <= 0 || tiling.mr <= 0 || tiling.kc <= 0 || tiling.unroll <= 0) {
    throw new Error(`buildMatmulModule: invalid tiling ${JSON.stringify(tiling)}; nr must be a positive multiple of 4 and the rest positive`);
  }
  const module = new ModuleBuilder(1, shared);
  const i32x6 = ['i32', 'i32', 'i32', 'i32', 'i32', 'i32'] as const;
  const kernel = module.addFunction(i32x6, []);
  const packA = module.addFunction(i32x6, []);
  const packB = module.addFunction(i32x6, []);
  const copyRect = module.addFunction(i32x6, []);
  const driver = module.addFunction([...i32x6, ...i32x6], [], 'matmul');
  emitMicroKernel(kernel.code, tiling);
  emitPackA(packA.code, tiling);
  emitPackB(packB.code, tiling);
  emitCopyRect(copyRect.code);
  emitDriver(driver.code, tiling, { kernel: kernel.index, packA: packA.index, packB: packB.index, copyRect: copyRect.index });
  return module.build();
}
