/**
 * The gpujs backend as a whole: mode selection and its report, rejection of unavailable modes
 * with their reasons, detection of kernels that gpu.js ran in another mode, asynchronous runs,
 * and importing the library on a machine without WebGPU.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { add, compile, exp, mul, setBackend, cpuBackend, sum, tensor, type Tensor } from '../../../src/index.js';
import { gpujsBackend, probeGpujsModes, type GpujsBackend } from '../../../src/backends/gpujs/index.js';
import { ExecutionContext, runSync, type GpujsInstance, type GpujsKernel } from '../../../src/backends/gpujs/executor.js';
import type { Plan } from '../../../src/backends/gpujs/plan.js';

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
if (process.env.VK_ICD_FILENAMES === undefined && existsSync(SWIFTSHADER_ICD)) process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;

const root = fileURLToPath(new URL('../../..', import.meta.url));
/** True when the gl npm package's native addon was built (it needs build tools at install time). */
const GL_INSTALLED = existsSync(new URL('../../../node_modules/gl/build/Release/webgl.node', import.meta.url));

const created: GpujsBackend[] = [];
async function make(mode: Parameters<typeof gpujsBackend>[0]): Promise<GpujsBackend> {
  const backend = await gpujsBackend(mode);
  created.push(backend);
  return backend;
}
afterAll(async () => {
  setBackend(cpuBackend());
  for (const b of created) await b.destroy();
});

describe('explicit modes', () => {
  it('webasm runs and reports itself', async () => {
    const backend = await make({ mode: 'webasm' });
    expect(backend.name).toBe('gpujs/webasm');
    expect(backend.mode).toBe('webasm');
    expect(backend.synchronous).toBe(true);
    expect(backend.report).toMatch(/^gpujs\/webasm \(requested webasm\); webasm runs: gpu\.js webasm mode/);
    setBackend(backend);
    const f = compile((x: Tensor) => sum(exp(x)));
    expect(f(tensor([0, 0])).item()).toBe(2);
    expect(f.executorKind).toBe('gpujs/webasm/pipeline');
    expect(add(tensor([1, 2]), 1).toArray()).toEqual([2, 3]);
    setBackend(cpuBackend());
  });

  it('cpu mode runs and reports itself', async () => {
    const backend = await make({ mode: 'cpu' });
    expect(backend.name).toBe('gpujs/cpu');
    const out = backend.compile(compile((x: Tensor) => mul(x, 3)).lower(tensor([1, 2]))).run([tensor(3), tensor([1, 2])]);
    expect(out[0].toArray()).toEqual([3, 6]);
  });

  it('headlessgl without an X display is rejected with the fix', () => {
    const script = `
      import { gpujsBackend } from './src/backends/gpujs/index.js';
      const error = await gpujsBackend({ mode: 'headlessgl' }).then(() => 'started', (e) => e.message);
      console.log(JSON.stringify(error));
    `;
    const env = { ...process.env };
    delete env.DISPLAY;
    const run = spawnSync(process.execPath, ['--import', 'tsx/esm', '--input-type=module', '-e', script], { cwd: root, env, encoding: 'utf8', timeout: 50_000 });
    expect(run.status, run.stderr).toBe(0);
    const message = JSON.parse(run.stdout.trim().split('\n').pop()!);
    if (GL_INSTALLED) expect(message).toMatch(/mode headlessgl is unavailable: headless-gl created no context: on Linux it needs an X display, so run under xvfb-run/);
    else expect(message).toMatch(/mode headlessgl is unavailable: the gl npm package \(headless-gl\) is not installed: .* run npm ci again/);
  });

  /**
   * Returns the message of a headlessgl request in a fresh process with `env`. `failGl` makes
   * loading the gl package fail there with that error (code and message), as a missing package
   * or an unbuilt addon would, without touching node_modules.
   */
  function headlessglError(env: NodeJS.ProcessEnv, failGl?: { code?: string; message: string }): string {
    const script = `
      const Module = (await import('node:module')).default;
      const failGl = ${JSON.stringify(failGl ?? null)};
      const load = Module._load;
      Module._load = function (request, ...rest) {
        if (failGl !== null && request === 'gl') throw Object.assign(new Error(failGl.message), failGl.code ? { code: failGl.code } : {});
        return load.call(this, request, ...rest);
      };
      const { gpujsBackend } = await import('./src/backends/gpujs/index.js');
      const error = await gpujsBackend({ mode: 'headlessgl' }).then(() => 'started', (e) => e.message);
      console.log(JSON.stringify(error));
    `;
    const run = spawnSync(process.execPath, ['--import', 'tsx/esm', '--input-type=module', '-e', script], { cwd: root, env, encoding: 'utf8', timeout: 50_000 });
    expect(run.status, run.stderr).toBe(0);
    return JSON.parse(run.stdout.trim().split('\n').pop()!) as string;
  }

  it('headlessgl without the gl package names the install', () => {
    const message = headlessglError(process.env, { code: 'MODULE_NOT_FOUND', message: "Cannot find module 'gl'\nRequire stack:\n- gpu.js" });
    expect(message).toMatch(/mode headlessgl is unavailable: the gl npm package \(headless-gl\) is not installed: .*libx11-dev.* run npm ci again$/);
  });

  it('headlessgl with an unbuilt gl addon names the rebuild', () => {
    const bindings = 'Could not locate the bindings file. Tried:\n → node_modules/gl/build/Release/webgl.node';
    const message = headlessglError(process.env, { message: bindings });
    expect(message).toMatch(/the gl npm package \(headless-gl\) failed to load \(Could not locate the bindings file\.\); .* run npm rebuild gl$/);
  });

  it.skipIf(!GL_INSTALLED)('headlessgl on a display without an X server names the fix', () => {
    const message = headlessglError({ ...process.env, DISPLAY: ':987' });
    expect(message).toMatch(/headless-gl created no context on the X display :987: check that an X server runs there, or run under xvfb-run -a/);
  });

  it.skipIf(!GL_INSTALLED || process.env.DISPLAY === undefined)('headlessgl starts after the webgpu worker has loaded gpu.js', async () => {
    // headless-gl's addon loads in one thread per process, so the webgpu worker must not load it.
    const webgpu = await gpujsBackend({ mode: 'webgpu' }).catch(() => undefined);
    const headless = await make({ mode: 'headlessgl' });
    await webgpu?.destroy();
    expect(headless.report).toMatch(/^gpujs\/headlessgl \(requested headlessgl\); headlessgl runs: /);
    setBackend(headless);
    const [one, e] = compile((x: Tensor) => mul(exp(x), 2))(tensor([0, 1])).toArray() as number[];
    expect(one).toBe(2);
    expect(e).toBeCloseTo(2 * Math.E, 5);
  });

  it('webgl2 is rejected outside a browser', async () => {
    await expect(gpujsBackend({ mode: 'webgl2' })).rejects.toThrow(/mode webgl2 is unavailable: WebGL2 exists only in browsers/);
  });

  it('an unknown mode is rejected with the valid ones', async () => {
    await expect(gpujsBackend({ mode: 'metal' as never })).rejects.toThrow(/unknown mode "metal"; use one of webgpu, webgl2, headlessgl, webasm, cpu or auto/);
  });
});

describe('auto mode', () => {
  it('says why each faster mode was not used', async () => {
    const backend = await make({ mode: 'auto' });
    const order = ['webgpu', 'webgl2', 'headlessgl', 'webasm', 'cpu'];
    const tried = backend.statuses.map((s) => s.mode);
    expect(tried).toEqual(order.slice(0, order.indexOf(backend.mode) + 1));
    for (const status of backend.statuses.slice(0, -1)) {
      expect(status.available === false || status.software).toBe(true);
      expect(backend.report).toContain(`${status.mode} ${status.available ? 'passed over' : 'unavailable'}: `);
    }
    expect(backend.report).toContain(`${backend.mode} runs: `);
  });

  it('probe lists every mode with a reason or a description', async () => {
    const statuses = await probeGpujsModes();
    expect(statuses.map((s) => s.mode)).toEqual(['webgpu', 'webgl2', 'headlessgl', 'webasm', 'cpu']);
    expect(statuses.find((s) => s.mode === 'cpu')?.available).toBe(true);
    for (const s of statuses) expect(s.detail.length).toBeGreaterThan(10);
  });
});

describe('executor', () => {
  const plan: Plan = {
    slotCount: 2,
    slotSizes: [2, 2],
    inputSlots: [0],
    steps: [{ kind: 'kernel', source: 'function (a0) {\n  return a0[this.thread.x];\n}', size: 2, args: [{ kind: 'slot', slot: 0 }], output: 1, label: 'copy f32[2] -> f32[2]' }],
    releases: [[]],
    outputs: [{ slot: 1, dtype: 'f32', size: 2 }],
  };

  /** Returns a gpu.js stand-in whose kernels report cpu mode, as gpu.js kernels do after a fallback. */
  function fallingBackGpu(): GpujsInstance {
    return {
      createKernel: () => {
        const kernel = ((a: Float32Array) => Float32Array.from(a)) as unknown as GpujsKernel;
        Object.defineProperty(kernel, 'kernel', { value: { constructor: { mode: 'cpu' }, fallbackReason: 'kernel maps are not supported' } });
        return kernel;
      },
      destroy: () => undefined,
    };
  }

  it('reports kernels that gpu.js ran in another mode', () => {
    const context = new ExecutionContext('webasm', fallingBackGpu());
    const result = runSync(context, plan, [Float32Array.from([1, 2])]);
    expect(Array.from(result.outputs[0])).toEqual([1, 2]);
    expect(result.degraded).toEqual(['copy f32[2] -> f32[2] ran on cpu: kernel maps are not supported']);
  });

  it('rejects a program with the wrong number of inputs', () => {
    const context = new ExecutionContext('webasm', fallingBackGpu());
    expect(() => runSync(context, plan, [])).toThrow(/expected 1 inputs \(constants and arguments\), got 0/);
  });

  it('runAsync gives the same results as run', async () => {
    const backend = await make({ mode: 'webasm' });
    const graph = compile((x: Tensor) => exp(x)).lower(tensor([0, 1]));
    const executable = backend.compile(graph);
    const inputs = [tensor([0, 1])];
    expect((await executable.runAsync(inputs))[0].toArray()).toEqual(executable.run(inputs)[0].toArray());
  });
});

describe('webgpu in Node', () => {
  it('runs synchronously through its worker without touching this thread', async () => {
    let backend: GpujsBackend;
    try {
      backend = await make({ mode: 'webgpu' });
    } catch (error) {
      expect((error as Error).message).toMatch(/mode webgpu is unavailable: /);
      return;
    }
    expect(backend.synchronous).toBe(true);
    expect(backend.report).toMatch(/webgpu runs: gpu\.js webgpu mode on Dawn .* in a worker thread, adapter /);
    const f = compile((x: Tensor) => mul(x, 2));
    setBackend(backend);
    expect(f(tensor([1, 2])).toArray()).toEqual([2, 4]);
    setBackend(cpuBackend());
    expect(f.executorKind).toBe('gpujs/webgpu/pipeline');
    expect((globalThis as { navigator?: unknown }).navigator).toBeUndefined();
  });
});

describe('import without WebGPU', () => {
  it('imports, reports the missing adapter and falls back', () => {
    const script = `
      const before = Object.keys((await import('node:module')).createRequire(import.meta.url).cache).some((k) => k.includes('gpu.js'));
      const lib = await import('./src/index.ts');
      const gpujs = await import('./src/backends/gpujs/index.ts');
      const loaded = Object.keys((await import('node:module')).createRequire(import.meta.url).cache).some((k) => k.includes('gpu.js'));
      let webgpu = 'created';
      try { await gpujs.gpujsBackend({ mode: 'webgpu' }); } catch (e) { webgpu = e.message; }
      const auto = await gpujs.gpujsBackend();
      lib.setBackend(auto);
      const sum = lib.add(lib.tensor([1, 2]), 1).toArray();
      const after = Object.keys((await import('node:module')).createRequire(import.meta.url).cache).some((k) => k.includes('gpu.js'));
      console.log(JSON.stringify({ before, loaded, after, navigator: typeof globalThis.navigator, webgpu, mode: auto.mode, report: auto.report, sum }));
      await auto.destroy();
    `;
    const env = { ...process.env };
    delete env.VK_ICD_FILENAMES;
    delete env.EGL_PLATFORM;
    delete env.DISPLAY; // and no X display for headless-gl, so auto falls back to webasm
    const run = spawnSync(process.execPath, ['--import', 'tsx/esm', '--input-type=module', '-e', script], { cwd: root, env, encoding: 'utf8', timeout: 50_000 });
    expect(run.status, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout.trim().split('\n').pop()!);
    expect(result.before).toBe(false);
    expect(result.loaded).toBe(false);
    expect(result.after).toBe(true);
    expect(result.navigator).toBe('undefined');
    expect(result.webgpu).toMatch(/mode webgpu is unavailable: no WebGPU adapter .* VK_ICD_FILENAMES/);
    expect(result.mode).toBe('webasm');
    expect(result.report).toMatch(/webgpu unavailable: no WebGPU adapter/);
    expect(result.sum).toEqual([2, 3]);
  });
});
