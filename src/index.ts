/**
 * icl-lab: in-context learning of function classes on a pure-functional tensor DSL.
 * Importing this entry point selects the cpu backend; call `setBackend` to choose another.
 * The DSL is exported flat; the research layers come as namespaces (`tasks`, `curricula`,
 * `baselines`, `models`, `testing`, `evaluation`, `report`, `train`, `experiment`) because some of their names (`decisionTree`, `Schedule`) exist in two layers.
 */
import { cpuBackend } from './backends/cpu/index.js';
import { setBackend } from './core/backend.js';

setBackend(cpuBackend());

export * from './core/index.js';
export { cpuBackend } from './backends/cpu/index.js';
export * as tasks from './tasks/index.js';
export * as curricula from './curricula/index.js';
export * as baselines from './models/baselines/index.js';
export * as testing from './testing/arbitraries.js';
export * as evaluation from './eval/index.js';
export * as report from './report/index.js';
export * as models from './models/index.js';
export * as train from './train/index.js';
export * as experiment from './experiment/index.js';
export { gpujsBackend, compileAsync, probeGpujsModes, type GpujsBackend, type GpujsMode } from './backends/gpujs/index.js';
