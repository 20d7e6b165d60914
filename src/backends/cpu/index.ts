/** The cpu backend: the reference implementation of every primitive and the default backend. */
export { cpuBackend, type CpuBackend } from './backend.js';
export { cpuKernels, pairwiseSum } from './kernels.js';
export { activeMatmul as cpuMatmulStatus, setCpuMatmulKind, type CpuMatmulKind, type CpuMatmulStatus } from './matmul-dispatch.js';
export { cpuProfile, setCpuProfiling, type ProfileEntry } from './profile.js';
export { startCpuHelperThread } from './wasm/helper-thread.js';
