/**
 * Availability of the gpu.js modes in this environment, and the runner for a mode. A mode counts
 * as available only after a small kernel has run in it and gpu.js reports that mode as the one
 * that ran, because gpu.js may otherwise fall back to another mode without failing.
 */
import { ExecutionContext, runAsync } from './executor.js';
import { createGpu, loadGpujs } from './gpujs-module.js';
import type { GpujsMode, Plan } from './plan.js';
import { LocalRunner, WorkerRunner, type Runner } from './runner.js';
import type { NodeWebGPUOptions } from './webgpu-node.js';

/** Whether a mode can run here, and what runs it or why it cannot. */
export interface ModeStatus {
  readonly mode: GpujsMode;
  readonly available: boolean;
  /** For an available mode, what executes kernels; otherwise the reason and the fix. */
  readonly detail: string;
  /** True when the device is a CPU rasterizer (SwiftShader, llvmpipe), which is slower than webasm. */
  readonly software: boolean;
}

/** An available mode's runner with its status. */
export interface StartedMode {
  readonly runner: Runner;
  readonly status: ModeStatus;
}

/** True in Node (and not in a browser). */
export const IN_NODE = typeof process !== 'undefined' && typeof process.versions === 'object' && typeof process.versions.node === 'string';

const AVAILABLE_DETAIL: Record<Exclude<GpujsMode, 'webgpu'>, string> = {
  cpu: 'gpu.js cpu mode: kernels transpiled to JavaScript',
  webasm: 'gpu.js webasm mode: kernels compiled to WebAssembly with f32x4 SIMD, one thread (synchronous calls)',
  webgl2: 'gpu.js webgl2 mode: kernels as GLSL ES 3.00 fragment shaders',
  headlessgl: 'gpu.js headlessgl mode: kernels as GLSL through headless-gl',
};

/** Adds [1, 2] and [3, 4] in one kernel; a mode passes when the result is [4, 6]. */
const SMOKE_PLAN: Plan = {
  slotCount: 3,
  slotSizes: [2, 2, 2],
  inputSlots: [0, 1],
  steps: [{
    kind: 'kernel',
    source: 'function (a0, a1) {\n  const i = this.thread.x;\n  return a0[i] + a1[i];\n}',
    size: 2,
    args: [{ kind: 'slot', slot: 0 }, { kind: 'slot', slot: 1 }],
    output: 2,
    label: 'mode check: add f32[2], f32[2] -> f32[2]',
  }],
  releases: [[]],
  outputs: [{ slot: 2, dtype: 'f32', size: 2 }],
};
const SMOKE_INPUTS = [Float32Array.from([1, 2]), Float32Array.from([3, 4])];

function unavailable(mode: GpujsMode, detail: string): ModeStatus {
  return { mode, available: false, detail, software: false };
}

/** Runs the smoke plan and returns why it failed, or undefined when the mode works. */
async function smokeTest(context: ExecutionContext): Promise<string | undefined> {
  try {
    const result = await runAsync(context, SMOKE_PLAN, SMOKE_INPUTS);
    if (result.degraded.length > 0) return `gpu.js did not run the test kernel in ${context.mode} mode (${result.degraded.join('; ')})`;
    const [sum] = result.outputs;
    if (sum[0] !== 4 || sum[1] !== 6) return `the test kernel returned [${Array.from(sum).join(', ')}] instead of [4, 6]`;
    return undefined;
  } catch (error) {
    return `the test kernel failed: ${(error as Error).message.split('\n')[0]}`;
  }
}

/** Returns why gpu.js reports a local mode as unsupported, with the fix. */
async function unsupportedReason(mode: Exclude<GpujsMode, 'webgpu'>): Promise<string> {
  switch (mode) {
    case 'cpu':
      return 'gpu.js reports no cpu mode';
    case 'webasm':
      return 'this JavaScript engine offers no WebAssembly';
    case 'webgl2':
      return IN_NODE ? 'WebGL2 exists only in browsers; run the program in a page to use it' : 'this browser offers no WebGL2 context';
    case 'headlessgl': {
      if (!IN_NODE) return 'headlessgl runs only in Node';
      // The specifier is a variable so that browser bundlers leave this Node-only module out.
      const helperModule = './headless-gl.js';
      const { headlessGlProblem } = (await import(/* @vite-ignore */ helperModule)) as typeof import('./headless-gl.js');
      return headlessGlProblem() ?? 'gpu.js found no headless-gl context';
    }
  }
}

async function startLocal(mode: Exclude<GpujsMode, 'webgpu'>, budget: number | undefined): Promise<StartedMode | ModeStatus> {
  let GPU;
  try {
    GPU = await loadGpujs();
  } catch (error) {
    return unavailable(mode, `gpu.js failed to load: ${(error as Error).message}`);
  }
  const supported = { cpu: true, webasm: GPU.isWebAssemblySupported, webgl2: GPU.isWebGL2Supported, headlessgl: GPU.isHeadlessGLSupported }[mode];
  if (!supported) return unavailable(mode, await unsupportedReason(mode));
  const context = new ExecutionContext(mode, await createGpu(mode));
  const failure = await smokeTest(context);
  if (failure !== undefined) {
    context.destroy();
    return unavailable(mode, failure);
  }
  return { runner: new LocalRunner(context, budget), status: { mode, available: true, detail: AVAILABLE_DETAIL[mode], software: false } };
}

interface AdapterInfoLike {
  readonly vendor?: string;
  readonly architecture?: string;
  readonly description?: string;
  readonly isFallbackAdapter?: boolean;
}

/** Starts webgpu mode in a browser, on `navigator.gpu`. */
async function startBrowserWebGPU(budget: number | undefined): Promise<StartedMode | ModeStatus> {
  const gpu = (globalThis as { navigator?: { gpu?: { requestAdapter(): Promise<{ info?: AdapterInfoLike } | null> } } }).navigator?.gpu;
  if (gpu === undefined) return unavailable('webgpu', 'navigator.gpu is missing: this browser offers no WebGPU');
  const adapter = await gpu.requestAdapter();
  if (adapter === null) {
    return unavailable('webgpu', 'navigator.gpu.requestAdapter() returned null (Chromium blocklists CPU adapters unless started with --enable-unsafe-webgpu)');
  }
  const info = adapter.info ?? {};
  const text = [info.vendor, info.architecture, info.description].filter(Boolean).join(' ');
  const software = info.isFallbackAdapter === true || /swiftshader|llvmpipe|lavapipe|softpipe/i.test(text);
  const context = new ExecutionContext('webgpu', await createGpu('webgpu'));
  const failure = await smokeTest(context);
  if (failure !== undefined) {
    context.destroy();
    return unavailable('webgpu', failure);
  }
  const detail = `gpu.js webgpu mode on navigator.gpu, adapter ${text || 'without a description'}${software ? ' (software)' : ''}`;
  return { runner: new LocalRunner(context, budget), status: { mode: 'webgpu', available: true, detail, software } };
}

/** Starts webgpu mode in Node, on a worker thread that loads the webgpu package (Dawn). */
async function startNodeWebGPU(options: NodeWebGPUOptions, budget: number | undefined): Promise<StartedMode | ModeStatus> {
  // The specifier is a variable so that browser bundlers leave this Node-only module out.
  const bridgeModule = './worker-bridge.js';
  const { WebGPUWorker } = (await import(/* @vite-ignore */ bridgeModule)) as typeof import('./worker-bridge.js');
  const worker = WebGPUWorker.start();
  let adapter;
  try {
    adapter = await worker.requestAsync({ type: 'init', options });
  } catch (error) {
    await worker.terminate();
    return unavailable('webgpu', (error as Error).message);
  }
  const runner = new WorkerRunner(worker, budget);
  const prepared = runner.prepare(SMOKE_PLAN);
  try {
    const result = await runner.runAsync(prepared, SMOKE_INPUTS);
    const [output] = result.outputs;
    const sum = ArrayBuffer.isView(output) ? output : await output.readAsync();
    if (result.degraded.length > 0 || sum[0] !== 4 || sum[1] !== 6) throw new Error(`the test kernel returned [${Array.from(sum).join(', ')}] ${result.degraded.join('; ')}`);
  } catch (error) {
    await runner.destroy();
    return unavailable('webgpu', `WebGPU adapter found but ${(error as Error).message.split('\n')[0]}`);
  }
  runner.forget(prepared);
  const name = [adapter.vendor, adapter.architecture, adapter.description].filter(Boolean).join(' ');
  const flags = adapter.dawnFlags.length > 0 ? ` with ${adapter.dawnFlags.join(', ')}` : '';
  const detail = `gpu.js webgpu mode on Dawn (webgpu npm package${flags}, ${adapter.featureLevel} feature level) in a worker thread, adapter ${name}${adapter.software ? ' (software)' : ''}`;
  return { runner, status: { mode: 'webgpu', available: true, detail, software: adapter.software } };
}

/** Starts a mode, or returns its status with the reason it is unavailable. */
export async function startMode(mode: GpujsMode, options: { webgpu?: NodeWebGPUOptions; deviceBudget?: number } = {}): Promise<StartedMode | ModeStatus> {
  if (mode !== 'webgpu') return startLocal(mode, options.deviceBudget);
  return IN_NODE ? startNodeWebGPU(options.webgpu ?? {}, options.deviceBudget) : startBrowserWebGPU(options.deviceBudget);
}

/** Returns true when `startMode` succeeded. */
export function isStarted(value: StartedMode | ModeStatus): value is StartedMode {
  return 'runner' in value;
}

/**
 * Reports for every gpu.js mode whether it runs here, starting and stopping each one.
 *
 * @example (await probeGpujsModes()).filter((s) => s.available).map((s) => s.mode) // ['webasm', 'cpu'] in Node without a GPU
 */
export async function probeGpujsModes(options: { webgpu?: NodeWebGPUOptions } = {}): Promise<ModeStatus[]> {
  const statuses: ModeStatus[] = [];
  for (const mode of ['webgpu', 'webgl2', 'headlessgl', 'webasm', 'cpu'] as const) {
    const started = await startMode(mode, options);
    if (isStarted(started)) {
      await started.runner.destroy();
      statuses.push(started.status);
    } else {
      statuses.push(started);
    }
  }
  return statuses;
}
