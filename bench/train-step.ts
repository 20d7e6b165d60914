/**
 * Prints training steps per second and forward passes per second of the in-context Transformer
 * for named model configs. Where /usr/bin/python3 has torch, it also runs the PyTorch reference
 * step (`../shared/bench/torch_icl_step.py`) for the same configs in the same invocation and
 * prints the ratio icl-lab / PyTorch.
 *
 * A training step samples fresh data (x ~ N(0, I_d), w ~ N(0, I_d) per prompt, y = x.w), runs the
 * compiled loss, gradient and Adam (lr 1e-4) update, and reads the loss back. A forward pass
 * samples data and runs the compiled loss only. Each figure comes from one timed window after a
 * warm-up of at least 3 steps and 1.5 s, as the reference script times itself.
 *
 * `foreign` is the CPU (in cores) that other processes used during the timed window, read from
 * /proc/stat. Figures taken while it is above about 0.1 are slowed by other work; rerun them.
 *
 * Run: npx tsx bench/train-step.ts [--configs tiny-d5,tiny-d20,small-d20] [--seconds 8]
 *        [--modes train,eval] [--backend cpu] [--threads 1|2] [--no-reference] [--profile]
 * `--threads 2` starts the cpu backend's helper thread for matrix products.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  adam, compile, foldIn, key, matmul, normal, reshape, setBackend, split, valueAndGrad, type Backend, type Key, type Tensor,
} from '../src/index.js';
import { cpuBackend, cpuMatmulStatus, cpuProfile, setCpuProfiling, startCpuHelperThread } from '../src/backends/cpu/index.js';
import { initTransformer, transformerLoss, type TransformerConfig, type TransformerParams } from '../src/models/index.js';

/** A model config of the benchmark: the Transformer's sizes and the batch size. */
interface BenchConfig {
  readonly model: TransformerConfig;
  readonly batch: number;
}

/**
 * Model configs: those of the PyTorch reference script, by the same names, and `quickstart-d5`,
 * the size of the quickstart run (d 5, 16 points, 3 layers, width 64, 2 heads, batch 64).
 */
const CONFIGS: Readonly<Record<string, BenchConfig>> = {
  'tiny-d5': { model: { nLayer: 3, nEmbd: 64, nHead: 2, nDims: 5, nPoints: 11 }, batch: 64 },
  'quickstart-d5': { model: { nLayer: 3, nEmbd: 64, nHead: 2, nDims: 5, nPoints: 16 }, batch: 64 },
  'tiny-d20': { model: { nLayer: 3, nEmbd: 64, nHead: 2, nDims: 20, nPoints: 41 }, batch: 64 },
  'small-d20': { model: { nLayer: 6, nEmbd: 128, nHead: 4, nDims: 20, nPoints: 41 }, batch: 64 },
  'standard-d20': { model: { nLayer: 12, nEmbd: 256, nHead: 8, nDims: 20, nPoints: 41 }, batch: 64 },
};

/** Backends the benchmark can run, by the name `--backend` takes. */
const BACKENDS: Readonly<Record<string, () => Backend>> = {
  cpu: () => cpuBackend(),
};

type Mode = 'train' | 'eval';

const PYTHON = '/usr/bin/python3';
const REFERENCE_SCRIPT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../shared/bench/torch_icl_step.py');

function fail(message: string): never {
  console.error(`train-step: ${message}`);
  process.exit(2);
}

function parseArguments(argv: readonly string[]) {
  const values = new Map<string, string>();
  const flags = new Set<string>();
  const known = new Set(['configs', 'seconds', 'modes', 'backend', 'threads']);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--no-reference' || arg === '--profile' || arg === '--help') {
      flags.add(arg.slice(2));
      continue;
    }
    const name = arg.startsWith('--') ? arg.slice(2) : '';
    if (!known.has(name)) fail(`unknown argument ${JSON.stringify(arg)}; options are --configs, --seconds, --modes, --backend, --threads, --no-reference, --profile`);
    if (i + 1 >= argv.length) fail(`--${name} needs a value`);
    values.set(name, argv[++i]);
  }

  if (flags.has('help')) {
    console.log(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('*/')[0]);
    process.exit(0);
  }

  const configs = (values.get('configs') ?? 'tiny-d5,tiny-d20,small-d20').split(',');
  for (const name of configs) {
    if (!(name in CONFIGS)) fail(`unknown config ${JSON.stringify(name)}; known configs: ${Object.keys(CONFIGS).join(', ')}`);
  }
  const seconds = Number(values.get('seconds') ?? '8');
  if (!(seconds > 0)) fail(`--seconds must be a positive number of seconds, got ${JSON.stringify(values.get('seconds'))}`);

  const modes = (values.get('modes') ?? 'train,eval').split(',') as Mode[];
  for (const mode of modes) if (mode !== 'train' && mode !== 'eval') fail(`unknown mode ${JSON.stringify(mode)}; modes are train and eval`);
  const backend = values.get('backend') ?? 'cpu';
  if (!(backend in BACKENDS)) fail(`unknown backend ${JSON.stringify(backend)}; known backends: ${Object.keys(BACKENDS).join(', ')}`);
  const threads = values.get('threads') ?? '1';
  if (threads !== '1' && threads !== '2') fail(`--threads must be 1 or 2, got ${JSON.stringify(threads)}`);
  return { configs, seconds, modes, backend, threads: Number(threads), reference: !flags.has('no-reference'), profile: flags.has('profile') };
}

/** Machine-wide busy CPU seconds since boot from /proc/stat, or null where it is unreadable. */
function machineBusySeconds(): number | null {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number);
    const [user, nice, system, , , irq, softirq, steal] = fields;
    // /proc/stat counts USER_HZ ticks, 100 per second on x86-64 and arm64 Linux.
    return (user + nice + system + irq + softirq + steal) / 100;
  } catch {
    return null;
  }
}

function processCpuSeconds(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
}

/** Samples a regression batch: xs [batch, n, d], ys = xs . w with one w ~ N(0, I) per prompt. */
function sampleBatch(k: Key, config: BenchConfig): { xs: Tensor; ys: Tensor } {
  const [xKey, wKey] = split(k);
  const { nPoints, nDims } = config.model;
  const xs = normal(xKey, [config.batch, nPoints, nDims]);
  const w = normal(wKey, [config.batch, nDims, 1]);
  return { xs, ys: reshape(matmul(xs, w), [config.batch, nPoints]) };
}

interface Timing {
  readonly stepsPerSecond: number;
  readonly msPerStep: number;
  readonly steps: number;
  readonly firstCallSeconds: number;
  readonly lastLoss: number;
  readonly foreignCores: number | null;
  readonly executorKind: string;
}

/** Times `step` (which returns the loss) after a warm-up, for at least `seconds` and 5 steps. */
function timeSteps(step: (index: number) => number, seconds: number, executorKind: () => string): Timing {
  const firstStart = performance.now();
  step(0);
  const firstCallSeconds = (performance.now() - firstStart) / 1000;
  let index = 1;
  const warmStart = performance.now();
  for (let warm = 0; warm < 3 || performance.now() - warmStart < 1500; warm++) step(index++);

  const busyStart = machineBusySeconds();
  const cpuStart = processCpuSeconds();
  const start = performance.now();
  let steps = 0;
  let lastLoss = NaN;
  while (steps < 5 || performance.now() - start < seconds * 1000) {
    lastLoss = step(index++);
    steps++;
  }
  const elapsed = (performance.now() - start) / 1000;
  const busyEnd = machineBusySeconds();
  const own = processCpuSeconds() - cpuStart;
  const foreignCores = busyStart === null || busyEnd === null ? null : Math.max(0, (busyEnd - busyStart - own) / elapsed);
  return { stepsPerSecond: steps / elapsed, msPerStep: (1000 * elapsed) / steps, steps, firstCallSeconds, lastLoss, foreignCores, executorKind: executorKind() };
}

const optimizer = adam({ lr: 1e-4 });
type AdamState = ReturnType<typeof optimizer.init<TransformerParams>>;

/** Times icl-lab's training step or forward pass for one config. */
function timeIclLab(name: string, mode: Mode, seconds: number): Timing {
  const config = CONFIGS[name];
  const [paramKey, dataKey] = split(key(0));
  let params = initTransformer(paramKey, config.model);
  if (mode === 'eval') {
    const forward = compile((p: TransformerParams, xs: Tensor, ys: Tensor) => transformerLoss(p, xs, ys));
    return timeSteps((i) => {
      const { xs, ys } = sampleBatch(foldIn(dataKey, i), config);
      return forward(params, xs, ys).item();
    }, seconds, () => forward.executorKind ?? 'unknown');
  }
  let state: AdamState = optimizer.init(params);
  const train = compile((p: TransformerParams, s: AdamState, xs: Tensor, ys: Tensor) => {
    const [loss, grads] = valueAndGrad(transformerLoss)(p, xs, ys);
    const [next, nextState] = optimizer.update(grads, s, p);
    return { loss, next, nextState };
  });
  return timeSteps((i) => {
    const { xs, ys } = sampleBatch(foldIn(dataKey, i), config);
    const result = train(params, state, xs, ys);
    params = result.next;
    state = result.nextState;
    return result.loss.item();
  }, seconds, () => train.executorKind ?? 'unknown');
}

interface ReferenceResult {
  readonly stepsPerSecond: number;
  readonly foreignCores: number;
  readonly torch: string;
}

/** Returns why the PyTorch reference cannot run here, or null when it can. */
function referenceUnavailable(): string | null {
  if (!existsSync(PYTHON)) return `${PYTHON} is missing`;
  if (!existsSync(REFERENCE_SCRIPT)) return `${REFERENCE_SCRIPT} is missing`;
  const probe = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.status !== 0) return `${PYTHON} cannot import torch (install python3-torch and libopenblas0-pthread)`;
  return null;
}

/** Runs the PyTorch reference for one config and mode, with the fair OpenMP setting for 2 cores. */
function runReference(name: string, mode: Mode, seconds: number): ReferenceResult | string {
  const { model, batch } = CONFIGS[name];
  const sizes = [
    '--n_layer', model.nLayer, '--n_embd', model.nEmbd, '--n_head', model.nHead, '--n_dims', model.nDims, '--n_points', model.nPoints, '--batch', batch,
  ].map(String);
  const result = spawnSync(PYTHON, [REFERENCE_SCRIPT, ...sizes, '--mode', mode, '--min-seconds', String(seconds)], {
    encoding: 'utf8',
    env: { ...process.env, OMP_WAIT_POLICY: 'PASSIVE' },
  });
  if (result.status !== 0) return `exit ${result.status}: ${(result.stderr ?? '').trim().split('\n').pop() ?? ''}`;
  const line = result.stdout.trim().split('\n').pop() ?? '';
  try {
    const parsed = JSON.parse(line) as { steps_per_s: number; foreign_cores: number; torch: string };
    return { stepsPerSecond: parsed.steps_per_s, foreignCores: parsed.foreign_cores, torch: parsed.torch };
  } catch {
    return `unreadable output ${JSON.stringify(line.slice(0, 80))}`;
  }
}

function printTable(header: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: readonly string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const row of rows) console.log(line(row));
}

function printProfile(title: string): void {
  const entries = cpuProfile(true);
  const total = entries.reduce((sum, e) => sum + e.cpuMilliseconds, 0);
  console.log(`\nprofile of ${title} (process CPU ms, all timed steps)`);
  printTable(
    ['step', 'calls', 'CPU ms', 'share'],
    entries.slice(0, 25).map((e) => [e.label.length > 110 ? `${e.label.slice(0, 107)}...` : e.label, String(e.calls), e.cpuMilliseconds.toFixed(1), `${((100 * e.cpuMilliseconds) / total).toFixed(1)}%`]),
  );
}

async function main(): Promise<void> {
  const options = parseArguments(process.argv.slice(2));
  setBackend(BACKENDS[options.backend]());
  if (options.threads === 2) {
    if (options.backend !== 'cpu') fail(`--threads 2 applies to the cpu backend, not ${options.backend}`);
    await startCpuHelperThread();
  }
  const unavailable = options.reference ? referenceUnavailable() : 'skipped with --no-reference';
  const rows: string[][] = [];
  const kinds = new Set<string>();
  for (const name of options.configs) {
    for (const mode of options.modes) {
      setCpuProfiling(options.profile);
      const ours = timeIclLab(name, mode, options.seconds);
      if (options.profile) printProfile(`${name} ${mode}`);
      setCpuProfiling(false);
      kinds.add(ours.executorKind);
      const reference = unavailable === null ? runReference(name, mode, options.seconds) : unavailable;
      const referenceCells = typeof reference === 'string'
        ? ['-', '-', '-']
        : [reference.stepsPerSecond.toFixed(2), (ours.stepsPerSecond / reference.stepsPerSecond).toFixed(2), reference.foreignCores.toFixed(2)];
      rows.push([
        name, mode === 'train' ? 'train steps/s' : 'forward passes/s', ours.stepsPerSecond.toFixed(2), ours.msPerStep.toFixed(1),
        ours.firstCallSeconds.toFixed(1), ours.lastLoss.toFixed(3), ours.foreignCores === null ? '-' : ours.foreignCores.toFixed(2), ...referenceCells,
      ]);
      if (typeof reference === 'string' && unavailable === null) console.error(`train-step: PyTorch reference for ${name} ${mode} failed: ${reference}`);
    }
  }
  printTable(
    ['config', 'figure', 'icl-lab', 'ms', 'first call s', 'last loss', 'foreign', 'PyTorch', 'ratio', 'PyTorch foreign'],
    rows,
  );
  const matmul = cpuMatmulStatus();
  console.log(
    `\nicl-lab: backend ${options.backend}, executor ${[...kinds].join(', ')}` +
      (options.backend === 'cpu' ? `, matmul ${matmul.kind}${matmul.reason === undefined ? '' : ` (${matmul.reason})`}` : '') +
      `; node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`,
  );
  console.log(unavailable === null ? `PyTorch: ${REFERENCE_SCRIPT}, OMP_WAIT_POLICY=PASSIVE, ratio = icl-lab / PyTorch` : `PyTorch reference not run: ${unavailable}`);
}

await main();
