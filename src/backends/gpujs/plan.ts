/**
 * A gpujs program as plain data: numbered buffer slots, the kernels that fill them (as gpu.js
 * source strings), host steps and index checks. A plan contains no functions or gpu.js objects, so
 * it can be posted to the worker thread that runs WebGPU in Node.
 */
import type { DType } from '../../core/dtype.js';

/** The gpu.js modes this backend can run in, fastest kind first. */
export type GpujsMode = 'webgpu' | 'webgl2' | 'headlessgl' | 'webasm' | 'cpu';

export const GPUJS_MODES: readonly GpujsMode[] = ['webgpu', 'webgl2', 'headlessgl', 'webasm', 'cpu'];

/** An argument of a kernel step. */
export type KernelArgument =
  /** The contents of a slot, as a flat float32 array. */
  | { readonly kind: 'slot'; readonly slot: number }
  /** The float32 array [Infinity, -Infinity, NaN], for kernels that need non-finite values. */
  | { readonly kind: 'specials' }
  /** The 16-bit halves of a Threefry key held in a slot: [k0 hi, k0 lo, k1 hi, k1 lo, k2 hi, k2 lo]. */
  | { readonly kind: 'key-halves'; readonly slot: number };

/** One gpu.js kernel call that writes `size` floats into slot `output`. */
export interface KernelStep {
  readonly kind: 'kernel';
  /** The kernel's source, a string that starts with `function`. */
  readonly source: string;
  readonly size: number;
  readonly args: readonly KernelArgument[];
  readonly output: number;
  /** A description of the kernel's work for error messages, e.g. `reduce_sum f32[4,5] -> f32[4]`. */
  readonly label: string;
}

/** Threefry-2x32 words computed on the host, because int32 words above 2^24 do not survive float32 storage. */
export interface HostRandomBitsStep {
  readonly kind: 'random-bits-i32';
  readonly key: number;
  readonly count: number;
  readonly output: number;
}

/** Checks that every index in a slot lies in [0, size), as the cpu backend does, and throws a RangeError otherwise. */
export interface IndexCheckStep {
  readonly kind: 'check-indices';
  readonly slot: number;
  readonly count: number;
  readonly size: number;
  readonly op: 'gather' | 'scatter_add';
  readonly axis: number;
}

export type PlanStep = KernelStep | HostRandomBitsStep | IndexCheckStep;

/** The slot of a program output, with its dtype and size. */
export interface PlanOutput {
  readonly slot: number;
  readonly dtype: DType;
  readonly size: number;
}

/** A lowered program. */
export interface Plan {
  readonly slotCount: number;
  /** Number of elements of each slot. */
  readonly slotSizes: readonly number[];
  /** The slot of each executable input (graph constants first, then graph inputs). */
  readonly inputSlots: readonly number[];
  readonly steps: readonly PlanStep[];
  /** For each step, the slots whose device buffers can be released after it. */
  readonly releases: readonly (readonly number[])[];
  readonly outputs: readonly PlanOutput[];
}
