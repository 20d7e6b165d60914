/**
 * icl-lab: in-context learning of function classes on a pure-functional tensor DSL.
 * Importing this entry point selects the cpu backend; call `setBackend` to choose another.
 */
import { cpuBackend } from './backends/cpu/index.js';
import { setBackend } from './core/backend.js';

setBackend(cpuBackend());

export * from './core/index.js';
export { cpuBackend } from './backends/cpu/index.js';
