/**
 * Loads gpu.js on demand, so that importing icl-lab never loads it (or touches a GPU API), and
 * creates `GPU` instances for a mode.
 */
import type { GpujsInstance } from './executor.js';
import type { GpujsMode } from './plan.js';

/** The static feature probes and constructor of gpu.js's `GPU` class. */
export interface GpujsClass {
  new (settings: { mode: string }): GpujsInstance;
  readonly isWebGL2Supported: boolean;
  readonly isHeadlessGLSupported: boolean;
  readonly isWebAssemblySupported: boolean;
  readonly isWebGPUSupported: boolean;
}

let loaded: Promise<GpujsClass> | undefined;

/** Imports gpu.js once and returns its `GPU` class. */
export function loadGpujs(): Promise<GpujsClass> {
  loaded ??= import('gpu.js').then((module: unknown) => {
    const namespace = module as { GPU?: GpujsClass; default?: { GPU?: GpujsClass } };
    const gpu = namespace.GPU ?? namespace.default?.GPU;
    if (gpu === undefined) throw new Error('gpu.js loaded but exports no GPU class; install gpu.js 2.24');
    return gpu;
  });
  return loaded;
}

/** Creates a gpu.js instance that runs every kernel in `mode`. */
export async function createGpu(mode: GpujsMode): Promise<GpujsInstance> {
  const GPU = await loadGpujs();
  return new GPU({ mode });
}
