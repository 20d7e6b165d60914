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

/** Returns why headless-gl cannot create a context here, with the fix, or undefined when it can. */
export function headlessGlProblem(): string | undefined {
  const fromGpujs = createRequire(createRequire(import.meta.url).resolve('gpu.js'));
  let createContext: unknown;
  try {
    createContext = fromGpujs('gl');
  } catch (error) {
    const message = (error as Error).message.split('\n')[0];
    if ((error as { code?: string }).code === 'MODULE_NOT_FOUND' && message.includes("'gl'")) {
      return 'the gl npm package (headless-gl) is not installed: its install script builds a native addon, which needs a C++ compiler, python3 and the X11 headers (Debian: g++ make python3 pkg-config libx11-dev libxi-dev libxext-dev); install them and run npm ci again';
    }
    return `the gl npm package (headless-gl) failed to load: ${message}`;
  }
  if (typeof createContext !== 'function') return 'the gl npm package is loaded by another thread of this process (its addon loads in one thread only)';
  if ((createContext as (w: number, h: number) => unknown)(1, 1) == null) {
    return process.env.DISPLAY
      ? `headless-gl created no context on the X display ${process.env.DISPLAY}`
      : 'headless-gl created no context: on Linux it needs an X display, so run under xvfb-run (Debian: xvfb) or set DISPLAY';
  }
  return undefined;
}
