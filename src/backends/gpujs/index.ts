/**
 * The gpujs backend: DSL programs lowered to gpu.js kernels in webgpu, webgl2, headlessgl,
 * webasm or cpu mode. Importing this module loads neither gpu.js nor a GPU API; they load when
 * a backend is created.
 */
export { gpujsBackend, dialectOf, type GpujsBackend, type GpujsBackendOptions, type GpujsExecutable } from './backend.js';
export type { TransferCounts } from './runner.js';
export { compileAsync, type AsyncCompiledFunction } from './compile-async.js';
export { probeGpujsModes, type ModeStatus } from './modes.js';
export { lowerGraph, MAX_ELEMENTS, MAX_FUSED_COST, MAX_FUSED_INPUTS } from './lower.js';
export { GPUJS_MODES, type GpujsMode, type Plan, type PlanStep, type KernelStep } from './plan.js';
export type { NodeWebGPUOptions, AdapterDescription } from './webgpu-node.js';
