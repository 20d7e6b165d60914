/**
 * The backends an experiment can name, by name. Selecting one makes it the backend of every
 * eager operation and compiled program that follows.
 */
import { cpuBackend } from '../backends/cpu/index.js';
import { setBackend, type Backend } from '../core/backend.js';

// NOTE: only the cpu backend exists so far; a gpu.js entry joins this table when its backend lands.
const FACTORIES: Readonly<Record<string, () => Backend>> = { cpu: cpuBackend };

/** Names accepted by `selectBackend` and by the `backend` field of a config. */
export const BACKEND_NAMES: readonly string[] = Object.freeze(Object.keys(FACTORIES));

/**
 * Makes the named backend current and returns it. An unknown name is an error listing the known ones.
 *
 * @example selectBackend('cpu').name // 'cpu'
 */
export function selectBackend(name: string): Backend {
  const factory = FACTORIES[name];
  if (factory === undefined) {
    throw new RangeError(`unknown backend '${name}'; known backends: ${BACKEND_NAMES.join(', ')}`);
  }
  const backend = factory();
  setBackend(backend);
  return backend;
}
