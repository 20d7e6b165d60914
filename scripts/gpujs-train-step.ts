/**
 * Prints the time of a compiled training step of the in-context Transformer (loss, gradients and
 * Adam update in one program) on the cpu backend and on every gpujs mode that runs here. For
 * each it gives the first call (trace, lowering, kernel builds and run), the steps per second
 * after it, and the number of kernels the gpujs plan launches per step.
 *
 * Run: npx tsx scripts/gpujs-train-step.ts [--config tiny-d5|micro] [--seconds 3]
 * WebGPU in Node needs a driver; without a GPU, set VK_ICD_FILENAMES to SwiftShader's ICD
 * (see scripts/setup-webgpu.sh). Emulated WebGPU measures correctness work, not GPU speed.
 */
import { adam, compile, cpuBackend, foldIn, key, normal, setBackend, valueAndGrad, type Backend, type Tensor } from '../src/index.js';
import { gpujsBackend, GPUJS_MODES, type GpujsBackend } from '../src/backends/gpujs/index.js';
import { initTransformer, transformerLoss, type TransformerConfig, type TransformerParams } from '../src/models/transformer.js';

const CONFIGS: Record<string, { model: TransformerConfig; batch: number }> = {
  micro: { model: { nLayer: 1, nEmbd: 16, nHead: 2, nDims: 3, nPoints: 5 }, batch: 8 },
  'tiny-d5': { model: { nLayer: 3, nEmbd: 64, nHead: 2, nDims: 5, nPoints: 11 }, batch: 64 },
};

function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && at + 1 < process.argv.length ? process.argv[at + 1] : fallback;
}

const configName = option('config', 'tiny-d5');
const seconds = Number(option('seconds', '3'));
const chosen = CONFIGS[configName];
if (chosen === undefined) {
  console.error(`gpujs-train-step: unknown --config ${configName}; use one of ${Object.keys(CONFIGS).join(', ')}`);
  process.exit(2);
}

/** Times one backend and returns a table row. */
function measure(name: string, backend: Backend): string[] {
  setBackend(backend);
  try {
    const { model, batch } = chosen;
    const optimizer = adam({ lr: 1e-4 });
    let params = initTransformer(key(0), model);
    let state = optimizer.init(params);
    const step = compile((p: TransformerParams, s: typeof state, xs: Tensor, ys: Tensor) => {
      const [loss, grads] = valueAndGrad(transformerLoss)(p, xs, ys);
      const [nextParams, nextState] = optimizer.update(grads, s, p);
      return [loss, nextParams, nextState] as const;
    });
    const data = (k: number) => {
      const xs = normal(foldIn(key(1), k), [batch, model.nPoints, model.nDims]);
      return { xs, ys: normal(foldIn(key(2), k), [batch, model.nPoints]) };
    };
    const run = (k: number) => {
      const { xs, ys } = data(k);
      const [loss, nextParams, nextState] = step(params, state, xs, ys);
      loss.item();
      params = nextParams;
      state = nextState;
    };
    const first = performance.now();
    run(0);
    const firstMs = performance.now() - first;
    let steps = 0;
    const start = performance.now();
    while (performance.now() - start < seconds * 1000) run(++steps);
    const perSecond = steps / ((performance.now() - start) / 1000);
    const kernels = 'compile' in backend && name.startsWith('gpujs')
      ? String((backend as GpujsBackend).compile(step.lower(params, state, data(0).xs, data(0).ys)).plan.steps.filter((s) => s.kind === 'kernel').length)
      : '-';
    return [name, step.executorKind ?? '?', firstMs.toFixed(0), perSecond.toFixed(2), kernels];
  } finally {
    setBackend(cpuBackend());
  }
}

const rows: string[][] = [measure('cpu', cpuBackend())];
const skipped: string[] = [];
for (const mode of GPUJS_MODES) {
  let backend: GpujsBackend;
  try {
    backend = await gpujsBackend({ mode });
  } catch (error) {
    skipped.push(`gpujs/${mode}: ${(error as Error).message}`);
    continue;
  }
  rows.push(measure(`gpujs/${mode}`, backend));
  await backend.destroy();
}

const header = ['backend', 'executor', 'first call ms', 'steps/s', 'kernels/step'];
console.log(`training step, config ${configName} (batch ${chosen.batch}), ${seconds} s per backend`);
console.log(`| ${header.join(' | ')} |\n|${header.map(() => '---').join('|')}|`);
for (const row of rows) console.log(`| ${row.join(' | ')} |`);
for (const line of skipped) console.log(`skipped ${line}`);
