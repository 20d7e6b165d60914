/** The cpu backend: the reference implementation of every primitive and the default backend. */
export { cpuBackend } from './backend.js';
export { cpuKernels, pairwiseSum } from './kernels.js';
