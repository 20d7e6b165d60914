/**
 * Chooses the cpu backend's matmul routine once per process: the generated WebAssembly SIMD
 * kernel where the engine supports it, else the JavaScript kernel. The environment variable
 * ICL_LAB_CPU_MATMUL=js forces the JavaScript kernel and ICL_LAB_CPU_MATMUL=wasm requires the
 * WebAssembly one (an error when it cannot load). The two kernels round differently: WebAssembly
 * accumulates in float32, JavaScript in float64, so bit-for-bit reproduction needs the same kernel.
 */
import { matmulInto } from './matmul.js';
import { loadWasmMatmul, type MatmulRoutine } from './wasm/matmul-runtime.js';

/** The matmul kernels of the cpu backend. */
export type CpuMatmulKind = 'wasm-simd' | 'js';

/** The routine in use, its kind, and why the WebAssembly kernel is not in use when it is not. */
export interface CpuMatmulStatus {
  readonly kind: CpuMatmulKind;
  readonly routine: MatmulRoutine;
  /** The reason the JavaScript kernel runs, or undefined when the WebAssembly kernel runs. */
  readonly reason?: string;
}

const ENV_NAME = 'ICL_LAB_CPU_MATMUL';

let active: CpuMatmulStatus | undefined;

function requestedKind(): string | undefined {
  const env = typeof process === 'object' ? process.env?.[ENV_NAME] : undefined;
  return env === undefined || env === '' ? undefined : env;
}

function choose(request: string | undefined): CpuMatmulStatus {
  if (request !== undefined && request !== 'wasm' && request !== 'js') {
    throw new Error(`${ENV_NAME}=${request} is invalid; use 'wasm' (WebAssembly SIMD) or 'js' (JavaScript), or leave it unset`);
  }
  if (request === 'js') return { kind: 'js', routine: matmulInto, reason: `${ENV_NAME}=js requests it` };
  const wasm = loadWasmMatmul();
  if (wasm.routine !== null) return { kind: 'wasm-simd', routine: wasm.routine };
  if (request === 'wasm') throw new Error(`${ENV_NAME}=wasm, but ${wasm.reason}; unset it to use the JavaScript kernel`);
  return { kind: 'js', routine: matmulInto, reason: wasm.reason };
}

/** Returns the matmul routine in use, choosing it on the first call. */
export function activeMatmul(): CpuMatmulStatus {
  active ??= choose(requestedKind());
  return active;
}

/**
 * Selects the matmul kernel for the rest of the process, so tests and benchmarks can compare the
 * two. Throws when `kind` is 'wasm-simd' and the engine cannot run it. A compiled program keeps
 * the kernel that was active when it was compiled.
 *
 * @example setCpuMatmulKind('js'); // later products use the JavaScript kernel
 */
export function setCpuMatmulKind(kind: CpuMatmulKind): CpuMatmulStatus {
  active = choose(kind === 'js' ? 'js' : 'wasm');
  return active;
}
