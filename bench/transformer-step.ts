/**
 * Prints a table of the in-context Transformer's cost on the current backend: a compiled forward
 * pass, a compiled loss-and-gradient, and a compiled training step (gradient plus Adam), in ms
 * per call, with the number of equations in each compiled program. Each figure is the median of
 * `--repeats` timed calls (default 5) after one call that traces and compiles. The step is also
 * given in process CPU ms, which other programs on a busy machine inflate less than wall time.
 *
 * Run: npx tsx bench/transformer-step.ts [--points 11,16] [--repeats 5]
 * The model is tiny-d5 (3 layers, width 64, 2 heads, d 5, batch 64) at each prompt length.
 */
import os from 'node:os';
import { adam, compile, key, matmul, normal, reshape, split, valueAndGrad, type Tensor } from '../src/index.js';
import { applyTransformer, initTransformer, transformerLoss, type TransformerParams } from '../src/models/index.js';

function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && at + 1 < process.argv.length ? process.argv[at + 1] : fallback;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Returns the median wall and process CPU time of `repeats` calls in ms; the first call (tracing) is not timed. */
function timeCalls(call: () => void, repeats: number): { wall: number; cpu: number } {
  call();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    const startCpu = process.cpuUsage();
    call();
    const used = process.cpuUsage(startCpu);
    wall.push(performance.now() - start);
    cpu.push((used.user + used.system) / 1000);
  }
  return { wall: median(wall), cpu: median(cpu) };
}

const pointsList = option('points', '11,16').split(',').map(Number);
const repeats = Number(option('repeats', '5'));
const optimizer = adam({ lr: 1e-4 });
type AdamState = ReturnType<typeof optimizer.init<TransformerParams>>;

const rows: string[][] = [];
for (const points of pointsList) {
  const config = { nDims: 5, nPoints: points, nEmbd: 64, nLayer: 3, nHead: 2 };
  const [paramKey, xKey, wKey] = split(key(0), 3);
  const params = initTransformer(paramKey, config);
  const xs = normal(xKey, [64, points, 5]);
  const ys = reshape(matmul(xs, normal(wKey, [64, 5, 1])), [64, points]);
  const state = optimizer.init(params);

  const forward = compile((p: TransformerParams, x: Tensor, y: Tensor) => applyTransformer(p, x, y));
  const gradient = compile((p: TransformerParams, x: Tensor, y: Tensor) => valueAndGrad(transformerLoss)(p, x, y));
  const step = compile((p: TransformerParams, s: AdamState, x: Tensor, y: Tensor) => {
    const [loss, grads] = valueAndGrad(transformerLoss)(p, x, y);
    const [next, nextState] = optimizer.update(grads, s, p);
    return { loss, next, nextState };
  });

  const forwardMs = timeCalls(() => forward(params, xs, ys).data(), repeats);
  const gradientMs = timeCalls(() => gradient(params, xs, ys)[0].item(), repeats);
  const stepMs = timeCalls(() => step(params, state, xs, ys).loss.item(), repeats);
  const count = (equations: number) => String(equations);
  rows.push([
    `tiny-d5, n ${points}, batch 64`,
    forwardMs.wall.toFixed(0), count(forward.lower(params, xs, ys).equations.length),
    gradientMs.wall.toFixed(0), count(gradient.lower(params, xs, ys).equations.length),
    stepMs.wall.toFixed(0), stepMs.cpu.toFixed(0), count(step.lower(params, state, xs, ys).equations.length),
    (1000 / stepMs.wall).toFixed(2),
  ]);
}

const header = ['config', 'forward ms', 'eqs', 'loss+grad ms', 'eqs', 'step ms', 'step CPU ms', 'eqs', 'steps/s'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
console.log(line(header));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const r of rows) console.log(line(r));
console.log(`\nnode ${process.version}, ${process.platform}/${process.arch}, median of ${repeats} calls, load average ${os.loadavg()[0].toFixed(1)}`);
