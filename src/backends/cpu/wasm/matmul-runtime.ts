/**
 * Runs the generated WebAssembly SIMD matmul. Eager products use one instance and one memory per
 * process, grown on demand and never shrunk: operands are copied into the memory and the product
 * is copied out. Compiled programs bind their own instance to their own memory, where operands
 * already live (`bindMatmul`). Where the engine lacks WebAssembly or its SIMD instructions,
 * `loadWasmMatmul` returns null with the reason, and the backend uses its JavaScript kernel.
 */
import { buildMatmulModule, DEFAULT_TILING, matmulScratchBytes, type MatmulTiling } from './matmul-module.js';

export { DEFAULT_TILING, matmulScratchBytes };

const PAGE_BYTES = 65536;

/** A matrix-product routine over float32 row-major operands, batched over equal-shape blocks. */
export type MatmulRoutine = (
  A: Float32Array, B: Float32Array, out: Float32Array,
  batches: number, m: number, k: number, n: number,
  transposeA: boolean, transposeB: boolean,
) => void;

/**
 * The module's export: rows [rowBegin, rowEnd) of C = op(A) op(B) for `batches` blocks at byte
 * addresses a, b, c of the bound memory, with `matmulScratchBytes(tiling, n)` bytes of scratch at
 * `scratch`. transposeA and transposeB are 0 or 1.
 */
export type MatmulInMemory = (
  a: number, b: number, c: number, batches: number, m: number, k: number, n: number, transposeA: number, transposeB: number,
  scratch: number, rowBegin: number, rowEnd: number,
) => void;

interface MatmulExports {
  matmul: MatmulInMemory;
}

const modules = new Map<string, WebAssembly.Module>();

/** Compiles (once per tiling and memory kind) the matmul module; throws when the engine rejects it. */
export function matmulModule(tiling: MatmulTiling, shared = false): WebAssembly.Module {
  const cacheKey = `${JSON.stringify(tiling)}|${shared}`;
  let module = modules.get(cacheKey);
  if (module === undefined) {
    module = new WebAssembly.Module(buildMatmulModule(tiling, shared));
    modules.set(cacheKey, module);
  }
  return module;
}

/**
 * Instantiates the default-tiling matmul on `memory` (shared or not) and returns its export, for
 * programs whose operands live in that memory.
 */
export function bindMatmul(memory: WebAssembly.Memory, shared = false): MatmulInMemory {
  const instance = new WebAssembly.Instance(matmulModule(DEFAULT_TILING, shared), { env: { memory } });
  return (instance.exports as unknown as MatmulExports).matmul;
}

function alignTo16(bytes: number): number {
  return Math.ceil(bytes / 16) * 16;
}

/**
 * Instantiates the matmul module for `tiling` and returns a routine with the contract of
 * `MatmulRoutine`. Throws when the engine cannot compile the module.
 */
export function instantiateWasmMatmul(tiling: MatmulTiling = DEFAULT_TILING): MatmulRoutine {
  const memory = new WebAssembly.Memory({ initial: 1 });
  const exports = new WebAssembly.Instance(matmulModule(tiling), { env: { memory } }).exports as unknown as MatmulExports;
  let view = new Float32Array(memory.buffer);

  return (A, B, out, batches, m, k, n, transposeA, transposeB) => {
    const outSize = batches * m * n;
    if (outSize === 0) return;
    if (k === 0) {
      out.fill(0, 0, outSize);
      return;
    }
    const aBytes = alignTo16(4 * batches * m * k);
    const bBytes = alignTo16(4 * batches * k * n);
    const cBytes = alignTo16(4 * outSize);
    const total = aBytes + bBytes + cBytes + matmulScratchBytes(tiling, n);
    if (total > 2 ** 31) {
      throw new RangeError(`matmul: operands [${batches}, ${m}, ${k}] x [${batches}, ${k}, ${n}] need ${total} bytes of WebAssembly memory, more than 2 GiB; split the batch`);
    }
    if (total > memory.buffer.byteLength) {
      memory.grow(Math.ceil((total - memory.buffer.byteLength) / PAGE_BYTES));
      view = new Float32Array(memory.buffer);
    }
    view.set(A.subarray(0, batches * m * k), 0);
    view.set(B.subarray(0, batches * k * n), aBytes / 4);
    const cOffset = aBytes + bBytes;
    exports.matmul(0, aBytes, cOffset, batches, m, k, n, transposeA ? 1 : 0, transposeB ? 1 : 0, cOffset + cBytes, 0, m);
    out.set(view.subarray(cOffset / 4, cOffset / 4 + outSize));
  };
}

/** The routine, or the reason it is unavailable. */
export type WasmMatmulStatus = { readonly routine: MatmulRoutine; readonly reason?: undefined } | { readonly routine: null; readonly reason: string };

/**
 * Instantiates the default-tiling routine, or returns null with the reason when the engine has
 * no WebAssembly or rejects the SIMD instructions.
 */
export function loadWasmMatmul(): WasmMatmulStatus {
  if (typeof WebAssembly !== 'object') return { routine: null, reason: 'this JavaScript engine has no WebAssembly' };
  try {
    return { routine: instantiateWasmMatmul(DEFAULT_TILING) };
  } catch (error) {
    return { routine: null, reason: `the WebAssembly SIMD module failed to compile: ${(error as Error).message}` };
  }
}
