/**
 * Node-only helpers for gpu.js's headlessgl mode, which runs kernels through the gl npm package
 * (headless-gl, a native addon).
 */
import { createRequire, Module } from 'node:module';

/**
 * Keeps gpu.js in a worker thread from loading headless-gl. Its native addon is not
 * context-aware, so Node loads it in one thread per process only: had the webgpu worker loaded
 * it, the main thread's headlessgl mode would find no `gl`. Call before `loadGpujs` in workers.
 */
export function withoutHeadlessGl(): void {
  let path: string;
  try {
    path = createRequire(createRequire(import.meta.url).resolve('gpu.js')).resolve('gl');
  } catch {
    return; // gl is not installed: nothing to keep out.
  }
  const stub = new Module(path);
  stub.loaded = true;
  stub.exports = undefined;
  createRequire(import.meta.url).cache[path] = stub;
}

/** The tools and headers that building headless-gl's native addon needs. */
const BUILD_TOOLS = 'a C++ compiler, python3 and the X11 headers (Debian: g++ make python3 pkg-config libx11-dev libxi-dev libxext-dev)';

/** Returns why headless-gl cannot create a context here, with the fix, or undefined when it can. */
export function headlessGlProblem(): string | undefined {
  const fromGpujs = createRequire(createRequire(import.meta.url).resolve('gpu.js'));
  let createContext: unknown;
  try {
    createContext = fromGpujs('gl');
  } catch (error) {
    const message = (error as Error).message.split('\n')[0];
    if ((error as { code?: string }).code === 'MODULE_NOT_FOUND' && message.includes("'gl'")) {
      return `the gl npm package (headless-gl) is not installed: its install script builds a native addon, which needs ${BUILD_TOOLS}; install them and run npm ci again`;
    }
    // A missing addon (its install script could not build it) or one built for another Node
    // version fails here. The first line of the bindings package's message ends in "Tried:".
    const reason = message.replace(/\s*Tried:\s*$/, '');
    return `the gl npm package (headless-gl) failed to load (${reason}); when its native addon is missing or was built for another Node version, install ${BUILD_TOOLS} and run npm rebuild gl`;
  }
  if (typeof createContext !== 'function') return 'the gl npm package is loaded by another thread of this process (its addon loads in one thread only)';
  if ((createContext as (w: number, h: number) => unknown)(1, 1) == null) {
    return process.env.DISPLAY
      ? `headless-gl created no context on the X display ${process.env.DISPLAY}: check that an X server runs there, or run under xvfb-run -a (Debian: xvfb)`
      : 'headless-gl created no context: on Linux it needs an X display, so run under xvfb-run (Debian: xvfb) or set DISPLAY';
  }
  return undefined;
}
