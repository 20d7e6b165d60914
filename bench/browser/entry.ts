/**
 * The browser page's script: trains the tiny Transformer on the gpujs backend in a chosen mode
 * (webgpu by default) with `compileAsync`, because WebGPU reads results back only asynchronously
 * in a page, or on the cpu backend with `compile`. Eager operations (parameter initialisation)
 * run on the cpu backend, which loads in a browser because it imports Node's worker module only
 * when `startCpuHelperThread` is called. It exposes `runTraining`, `runCpuTraining` and
 * `runPrimitiveCases` on `window` for the Playwright check and, with `?run` in the address,
 * trains once and prints the result (`?run&mode=cpu-backend` trains on the cpu backend).
 */
import { compile, setBackend } from '../../src/core/index.js';
import { cpuBackend } from '../../src/backends/cpu/index.js';
import { compileAsync, gpujsBackend, type GpujsMode } from '../../src/backends/gpujs/index.js';
import { runCases, type CaseOutput } from './primitive-check.js';
import { initialState, parameterValues, parameterValuesAsync, regressionBatch, trainStep } from './tiny-training.js';

/** The result of one training run in the page. */
export interface BrowserRunResult {
  readonly mode: GpujsMode;
  readonly report: string;
  readonly executorKind: string | undefined;
  readonly losses: number[];
  readonly params: number[][];
  /** Mean wall time of the steps after the first, in milliseconds. */
  readonly stepMs: number;
}

/** The result of one training run on the cpu backend in the page. */
export interface CpuRunResult {
  readonly executorKind: string | undefined;
  readonly losses: number[];
  readonly params: number[][];
  /** Mean wall time of the steps after the first, in milliseconds. */
  readonly stepMs: number;
}

/** Trains for `steps` steps in `mode` and returns the loss curve and final parameters. */
export async function runTraining(options: { mode?: GpujsMode; steps?: number } = {}): Promise<BrowserRunResult> {
  setBackend(cpuBackend());
  const backend = await gpujsBackend({ mode: options.mode ?? 'webgpu' });
  try {
    const step = compileAsync(trainStep, backend);
    const { xs, ys } = regressionBatch();
    let { params, optimizer } = initialState();
    const losses: number[] = [];
    let started = 0;
    const steps = options.steps ?? 10;
    for (let k = 0; k < steps; k++) {
      if (k === 1) started = performance.now();
      const [loss, nextParams, nextState] = await step(params, optimizer, xs, ys);
      // Outputs stay on the GPU; only the loss is read back, without blocking.
      losses.push((await loss.dataAsync())[0]);
      params = nextParams;
      optimizer = nextState;
    }
    const stepMs = steps > 1 ? (performance.now() - started) / (steps - 1) : NaN;
    return { mode: backend.mode, report: backend.report, executorKind: step.executorKind, losses, params: await parameterValuesAsync(params), stepMs };
  } finally {
    await backend.destroy();
  }
}

/** Trains for `steps` steps on the cpu backend, compiled as in Node, and returns the loss curve and final parameters. */
export function runCpuTraining(steps = 10): CpuRunResult {
  setBackend(cpuBackend());
  const step = compile(trainStep);
  const { xs, ys } = regressionBatch();
  let { params, optimizer } = initialState();
  const losses: number[] = [];
  let started = 0;
  for (let k = 0; k < steps; k++) {
    if (k === 1) started = performance.now();
    const [loss, nextParams, nextState] = step(params, optimizer, xs, ys);
    losses.push(loss.item());
    params = nextParams;
    optimizer = nextState;
  }
  const stepMs = steps > 1 ? (performance.now() - started) / (steps - 1) : NaN;
  return { executorKind: step.executorKind, losses, params: parameterValues(params), stepMs };
}

/** Runs every primitive case in `mode` and returns the results. */
export async function runPrimitiveCases(mode: GpujsMode): Promise<CaseOutput[]> {
  const backend = await gpujsBackend({ mode });
  try {
    return await runCases(backend);
  } finally {
    await backend.destroy();
  }
}

Object.assign(globalThis, { runTraining, runCpuTraining, runPrimitiveCases });

if (typeof location !== 'undefined' && new URLSearchParams(location.search).has('run')) {
  const mode = new URLSearchParams(location.search).get('mode') ?? 'webgpu';
  const output = document.getElementById('output')!;
  const run = mode === 'cpu-backend' ? Promise.resolve().then(() => runCpuTraining()) : runTraining({ mode: mode as GpujsMode });
  run.then(
    (result) => (output.textContent = JSON.stringify({ ...result, params: `${result.params.length} tensors` }, null, 2)),
    (error: Error) => (output.textContent = `failed: ${error.message}`),
  );
}
