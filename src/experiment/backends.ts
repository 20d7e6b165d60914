/**
 * The backends an experiment can name: `cpu` and one `gpujs/<mode>` per gpu.js mode. Loading
 * one makes it the backend of every eager operation and compiled program that follows. A gpujs
 * backend is created asynchronously (its mode is probed with a test kernel), once per process
 * and name, and an unavailable mode is rejected with the reason and the fix.
 */
import { cpuBackend } from '../backends/cpu/index.js';
import { GPUJS_MODES, gpujsBackend, type GpujsBackend, type GpujsMode } from '../backends/gpujs/index.js';
import { setBackend, type Backend } from '../core/backend.js';

const GPUJS_PREFIX = 'gpujs/';

/**
 * Names accepted by `loadBackend`, by `--backend` and by the `backend` field of a config:
 * `cpu`, then `gpujs/webgpu`, `gpujs/webgl2`, `gpujs/headlessgl`, `gpujs/webasm` and `gpujs/cpu`.
 * The `auto` mode of `gpujsBackend` is not among them: the mode it picks depends on the
 * machine, so the config hash would not identify the numbers of a run.
 */
export const BACKEND_NAMES: readonly string[] = Object.freeze(['cpu', ...GPUJS_MODES.map((mode) => `${GPUJS_PREFIX}${mode}`)]);

/** The fix for each gpu.js mode, appended to the reason the mode is unavailable. */
const GPUJS_FIXES: Readonly<Record<GpujsMode, string>> = {
  webgpu:
    'Install a GPU driver that Dawn (the webgpu npm package) can use; on a machine without a GPU, ' +
    "run scripts/setup-webgpu.sh and set VK_ICD_FILENAMES to SwiftShader's ICD (emulated and slow)",
  webgl2: 'Use it from a browser page (bench/browser bundles one)',
  headlessgl: 'See the gpujs headlessgl notes in docs/FEATURES.md',
  webasm: 'Use a JavaScript engine with WebAssembly SIMD, such as Node 20',
  cpu: 'Reinstall the gpu.js npm package',
};

/** Error for a named backend that cannot run here. Its message contains the reason and the fix. */
export class BackendUnavailableError extends Error {
  /** The requested backend name, for example `gpujs/webgl2`. */
  readonly backend: string;
  /** The reason it cannot run here. */
  readonly reason: string;

  constructor(backend: string, reason: string, fix: string) {
    super(`backend '${backend}' is unavailable here: ${reason}. ${fix}, or choose another backend (cpu runs everywhere).`);
    this.name = 'BackendUnavailableError';
    this.backend = backend;
    this.reason = reason;
  }
}

/** Returns the gpu.js mode of a `gpujs/<mode>` name, or undefined for any other name. */
function gpujsModeOf(name: string): GpujsMode | undefined {
  if (!name.startsWith(GPUJS_PREFIX)) return undefined;
  const mode = name.slice(GPUJS_PREFIX.length);
  return (GPUJS_MODES as readonly string[]).includes(mode) ? (mode as GpujsMode) : undefined;
}

function unknownBackend(name: string): RangeError {
  return new RangeError(`unknown backend '${name}'; known backends: ${BACKEND_NAMES.join(', ')}`);
}

/**
 * Creates a new backend by name without selecting it. The caller owns it and stops it with
 * `destroyBackend` when done. Rejects with `BackendUnavailableError` when the gpu.js
 * mode cannot run here (for example `gpujs/webgl2` in Node), and with a RangeError for an
 * unknown name. A gpujs backend whose programs run only asynchronously (webgpu in a browser)
 * is rejected too, because the training loop reads losses synchronously.
 *
 * @example const backend = await createBackend('gpujs/webasm'); // backend.name === 'gpujs/webasm'
 */
export async function createBackend(name: string): Promise<Backend> {
  if (name === 'cpu') return cpuBackend();
  const mode = gpujsModeOf(name);
  if (mode === undefined) throw unknownBackend(name);

  let backend: GpujsBackend;
  try {
    backend = await gpujsBackend({ mode });
  } catch (error) {
    const message = (error as Error).message.replace(/^gpujsBackend: mode \w+ is unavailable: /, '');
    throw new BackendUnavailableError(name, message, GPUJS_FIXES[mode]);
  }
  if (!backend.synchronous) {
    await backend.destroy();
    throw new BackendUnavailableError(
      name,
      'its programs return results only asynchronously in this environment',
      'Run the experiment in Node, or drive the backend yourself with compileAsync',
    );
  }
  return backend;
}

/**
 * Stops a backend that `createBackend` returned: the worker thread or gpu.js instance of a gpujs
 * backend. A cpu backend has nothing to stop.
 *
 * @example const backend = await createBackend('gpujs/cpu'); try { ... } finally { await destroyBackend(backend); }
 */
export async function destroyBackend(backend: Backend): Promise<void> {
  const destroy = (backend as Partial<GpujsBackend>).destroy;
  if (typeof destroy === 'function') await destroy.call(backend);
}

/** gpujs backends created by `loadBackend`, by name; each starts a gpu.js instance or a worker thread, so it is made once. */
const loaded = new Map<string, Promise<Backend>>();
/** The backends of `loaded` that have finished starting, for the synchronous `selectBackend`. */
const readyBackends = new Map<string, Backend>();

/**
 * Makes the named backend current and resolves with it. `cpu` is created afresh on each call,
 * like `selectBackend`. A gpujs backend is created on the first call for its name and reused
 * afterwards, until `closeBackends`. Rejects like `createBackend`, before anything runs.
 *
 * @example const backend = await loadBackend('gpujs/cpu'); // compile() now builds gpu.js kernels
 */
export async function loadBackend(name: string): Promise<Backend> {
  if (name === 'cpu') return selectBackend(name);
  if (gpujsModeOf(name) === undefined) throw unknownBackend(name);

  let pending = loaded.get(name);
  if (pending === undefined) {
    pending = createBackend(name);
    loaded.set(name, pending);
    // A failed creation is not kept, so a later call probes the mode again.
    const created = pending;
    created.catch(() => {
      if (loaded.get(name) === created) loaded.delete(name);
    });
  }
  const backend = await pending;
  // When closeBackends ran while this call waited, that backend is destroyed, so start a new one.
  if (loaded.get(name) !== pending) return loadBackend(name);
  readyBackends.set(name, backend);
  setBackend(backend);
  return backend;
}

/**
 * Makes the named backend current synchronously and returns it. This works for `cpu` and for a
 * gpujs backend that `loadBackend` has already created in this process. Any other gpujs name
 * throws an error that points to `loadBackend`. An unknown name throws a RangeError that lists
 * the known ones.
 *
 * @example selectBackend('cpu').name // 'cpu'
 */
export function selectBackend(name: string): Backend {
  if (name === 'cpu') {
    const backend = cpuBackend();
    setBackend(backend);
    return backend;
  }
  if (gpujsModeOf(name) === undefined) throw unknownBackend(name);
  const ready = readyBackends.get(name);
  if (ready === undefined) {
    throw new Error(`backend '${name}' is created asynchronously; call 'await loadBackend(${JSON.stringify(name)})' before selecting it`);
  }
  setBackend(ready);
  return ready;
}

/**
 * Destroys the gpujs backends that `loadBackend` created (stopping their worker threads and
 * gpu.js instances) and selects a fresh cpu backend. Later `loadBackend` calls create new ones.
 *
 * @example await closeBackends(); // e.g. in a test's afterAll
 */
export async function closeBackends(): Promise<void> {
  const pending = [...loaded.values()];
  loaded.clear();
  readyBackends.clear();
  for (const result of await Promise.allSettled(pending)) {
    if (result.status === 'fulfilled') await destroyBackend(result.value);
  }
  setBackend(cpuBackend());
}

/**
 * Describes a backend in one line. For a gpujs backend the line names the mode that runs, its
 * device and why each faster mode was not used. Any other backend is described by its name.
 *
 * @example describeBackend(await createBackend('gpujs/cpu')) // 'gpujs/cpu (requested cpu); cpu runs: gpu.js cpu mode: ...'
 */
export function describeBackend(backend: Backend): string {
  const report = (backend as Partial<GpujsBackend>).report;
  return typeof report === 'string' ? report : backend.name;
}
