/**
 * Prints training steps per second and forward passes per second of the in-context Transformer
 * for named model configs, on one or more backends side by side: the cpu backend and the gpujs
 * modes. Where /usr/bin/python3 has torch, it also runs the PyTorch reference step
 * (`../shared/bench/torch_icl_step.py`) for the same configs in the same invocation and prints
 * the ratio icl-lab / PyTorch.
 *
 * A training step samples fresh data (x ~ N(0, I_d), w ~ N(0, I_d) per prompt, y = x.w) with
 * eager operations on the backend being measured, runs the compiled loss, gradient and Adam
 * (lr 1e-4) update, and reads the loss back. A forward pass samples data and runs the compiled
 * loss only. `first loss` is the loss of the first call, the same parameters and batch on every
 * backend, so the column checks that the backends agree.
 *
 * Timing: on the cpu backend each figure is one timed window of at least 5 steps and --seconds,
 * after a warm-up of at least 3 steps and 1.5 s, as the reference script times itself. On a
 * gpujs backend the first call (trace, lowering, kernel builds) is the warm-up, and the timed
 * window is at least 2 steps and --seconds, because emulated WebGPU takes about 20 s per tiny-d5
 * step. Every figure of the first config runs. After that, a gpujs backend skips each figure
 * that would take it past its --gpujs-budget. That time is an estimate: the previous figure's
 * time scaled by the ratio of the models' multiply-add counts.
 *
 * `floats in / out per train step` is what a gpujs backend copied to the device and back per
 * timed training step: the batch and small constants in, the loss out, while parameters and
 * optimizer state stay on the device. The webasm and cpu modes compute in JavaScript arrays, so
 * they read nothing back but take every input, parameters included, as a host array on each
 * step. headlessgl needs an X display: run the bench under `xvfb-run -a`.
 *
 * `foreign` is the CPU (in cores) that other processes used during the timed windows, read from
 * /proc/stat. Figures taken while it is above about 0.1 are slowed by other work; rerun them.
 *
 * Run: npx tsx bench/train-step.ts [--configs tiny-d5,tiny-d20,small-d20] [--seconds 8]
 *        [--modes train,eval] [--backend cpu|gpujs/MODE[,...]|all] [--gpujs-budget 60]
 *        [--threads 1|2] [--no-reference] [--profile]
 * `--backend all` runs cpu and every gpujs mode (webgpu, webgl2, headlessgl, webasm, cpu) and
 * lists the modes that cannot run here with the reason. WebGPU in Node needs a driver; without a
 * GPU, set VK_ICD_FILENAMES to SwiftShader's ICD (see scripts/setup-webgpu.sh).
 * `--threads 2` starts the cpu backend's helper thread for matrix products.
 * `--profile` prints where the cpu backend's programs spend their time.
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
import { dialectOf, lowerGraph, type GpujsBackend } from '../src/backends/gpujs/index.js';
import type { Graph } from '../src/core/ir.js';
import { BACKEND_NAMES, BackendUnavailableError, createBackend, describeBackend, destroyBackend } from '../src/experiment/index.js';
import { initTransformer, transformerLoss, type TransformerConfig, type TransformerParams } from '../src/models/index.js';

/** A model config of the benchmark: the Transformer's sizes and the batch size. */
interface BenchConfig {
  readonly model: TransformerConfig;
  readonly batch: number;
}

/**
 * Model configs. The `-d5` and `-d20` names are those of the PyTorch reference script, and
 * `quickstart-d5` is the size of the quickstart run (d 5, 16 points, 3 layers, width 64, 2 heads,
 * batch 64). `micro` (1 layer, width 16, batch 8) is small enough for emulated WebGPU.
 */
const CONFIGS: Readonly<Record<string, BenchConfig>> = {
  micro: { model: { nLayer: 1, nEmbd: 16, nHead: 2, nDims: 3, nPoints: 5 }, batch: 8 },
  'tiny-d5': { model: { nLayer: 3, nEmbd: 64, nHead: 2, nDims: 5, nPoints: 11 }, batch: 64 },
  'quickstart-d5': { model: { nLayer: 3, nEmbd: 64, nHead: 2, nDims: 5, nPoints: 16 }, batch: 64 },
  'tiny-d20': { model: { nLayer: 3, nEmbd: 64, nHead: 2, nDims: 20, nPoints: 41 }, batch: 64 },
  'small-d20': { model: { nLayer: 6, nEmbd: 128, nHead: 4, nDims: 20, nPoints: 41 }, batch: 64 },
  'standard-d20': { model: { nLayer: 12, nEmbd: 256, nHead: 8, nDims: 20, nPoints: 41 }, batch: 64 },
};

type Mode = 'train' | 'eval';

/** Timing rules of one backend's figures (see the file header). */
interface TimingPolicy {
  readonly warmupSteps: number;
  readonly warmupMs: number;
  readonly minSteps: number;
  readonly seconds: number;
  /** Seconds the backend may spend on all its figures; Infinity for no limit. */
  readonly budgetSeconds: number;
}

const PYTHON = '/usr/bin/python3';
// The team's shared folder holds the reference scripts; ICL_LAB_SHARED points to it from a clone elsewhere.
const SHARED_DIR = process.env['ICL_LAB_SHARED'] ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../shared');
const REFERENCE_SCRIPT = path.join(SHARED_DIR, 'bench/torch_icl_step.py');

function fail(message: string): never {
  console.error(`train-step: ${message}`);
  process.exit(2);
}

type Options = ReturnType<typeof parseArguments>;

function parseArguments(argv: readonly string[]) {
  const values = new Map<string, string>();
  const flags = new Set<string>();
  const known = new Set(['configs', 'seconds', 'modes', 'backend', 'gpujs-budget', 'threads']);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--no-reference' || arg === '--profile' || arg === '--help') {
      flags.add(arg.slice(2));
      continue;
    }
    const name = arg.startsWith('--') ? arg.slice(2) : '';
    if (!known.has(name)) {
      fail(`unknown argument ${JSON.stringify(arg)}; options are --configs, --seconds, --modes, --backend, --gpujs-budget, --threads, --no-reference, --profile`);
    }
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
  const gpujsBudget = Number(values.get('gpujs-budget') ?? '60');
  if (!(gpujsBudget > 0)) fail(`--gpujs-budget must be a positive number of seconds, got ${JSON.stringify(values.get('gpujs-budget'))}`);

  const modes = (values.get('modes') ?? 'train,eval').split(',') as Mode[];
  for (const mode of modes) if (mode !== 'train' && mode !== 'eval') fail(`unknown mode ${JSON.stringify(mode)}; modes are train and eval`);
  const backends = parseBackends(values.get('backend') ?? 'cpu');
  const threads = values.get('threads') ?? '1';
  if (threads !== '1' && threads !== '2') fail(`--threads must be 1 or 2, got ${JSON.stringify(threads)}`);
  if (threads === '2' && !backends.includes('cpu')) fail('--threads 2 applies to the cpu backend; add cpu to --backend');
  return { configs, seconds, gpujsBudget, modes, backends, threads: Number(threads), reference: !flags.has('no-reference'), profile: flags.has('profile') };
}

/** Parses `--backend`: a comma-separated list of backend names, or `all`. */
function parseBackends(text: string): string[] {
  const names = text.split(',').flatMap((name) => (name === 'all' ? BACKEND_NAMES : [name]));
  for (const name of names) {
    if (!BACKEND_NAMES.includes(name)) fail(`unknown backend ${JSON.stringify(name)}; known backends: ${BACKEND_NAMES.join(', ')}, or all`);
  }
  return [...new Set(names)];
}

/** Returns how figures on the backend `name` are timed. */
function timingPolicy(name: string, options: Options): TimingPolicy {
  if (name === 'cpu') return { warmupSteps: 3, warmupMs: 1500, minSteps: 5, seconds: options.seconds, budgetSeconds: Infinity };
  return { warmupSteps: 0, warmupMs: 0, minSteps: 2, seconds: options.seconds, budgetSeconds: options.gpujsBudget };
}

/**
 * Estimates the multiply-adds of one figure's step: per layer and prompt, 12 E^2 per token
 * (attention projections and the 4E MLP) plus 2 T^2 E for the attention products, over
 * T = 2 n tokens; a training step counts as 3 forward passes.
 */
function relativeCost(config: BenchConfig, mode: Mode): number {
  const { nLayer, nEmbd, nPoints } = config.model;
  const tokens = 2 * nPoints;
  const forward = config.batch * nLayer * (12 * tokens * nEmbd * nEmbd + 2 * tokens * tokens * nEmbd);
  return mode === 'train' ? 3 * forward : forward;
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
  readonly steps: number;
  readonly firstCallSeconds: number;
  readonly firstLoss: number;
  readonly foreignCores: number | null;
  readonly executorKind: string;
  /** Kernels per step of the gpujs plan, or undefined on the cpu backend. */
  readonly kernels: number | undefined;
  /** Floats copied to the device and back per timed step on a gpujs backend. */
  readonly transfers?: { readonly uploaded: number; readonly readBack: number };
}

/** Returns the gpujs backend's transfer counters, or undefined on another backend. */
function transfersOf(backend: Backend): { uploadedFloats: number; readBackFloats: number } | undefined {
  return (backend as Partial<GpujsBackend>).transfers;
}

/** Times `step` (which returns the loss) under `policy`: first call, warm-up, then the timed window. */
function timeSteps(step: (index: number) => number, policy: TimingPolicy, backend: Backend): Omit<Timing, 'executorKind' | 'kernels'> {
  const firstStart = performance.now();
  const firstLoss = step(0);
  const firstCallSeconds = (performance.now() - firstStart) / 1000;
  let index = 1;
  const warmStart = performance.now();
  for (let warm = 0; warm < policy.warmupSteps || performance.now() - warmStart < policy.warmupMs; warm++) step(index++);

  const busyStart = machineBusySeconds();
  const cpuStart = processCpuSeconds();
  const transfersStart = transfersOf(backend);
  const start = performance.now();
  let steps = 0;
  while (steps < policy.minSteps || performance.now() - start < policy.seconds * 1000) {
    step(index++);
    steps++;
  }
  const elapsed = (performance.now() - start) / 1000;
  const busyEnd = machineBusySeconds();
  // process.cpuUsage counts every thread of the process, the gpujs WebGPU worker included.
  const own = processCpuSeconds() - cpuStart;
  const foreignCores = busyStart === null || busyEnd === null ? null : Math.max(0, (busyEnd - busyStart - own) / elapsed);
  const transfersEnd = transfersOf(backend);
  const transfers =
    transfersStart === undefined || transfersEnd === undefined
      ? undefined
      : { uploaded: (transfersEnd.uploadedFloats - transfersStart.uploadedFloats) / steps, readBack: (transfersEnd.readBackFloats - transfersStart.readBackFloats) / steps };
  return { stepsPerSecond: steps / elapsed, steps, firstCallSeconds, firstLoss, foreignCores, transfers };
}

/** Counts the kernels that the gpujs backend launches for `graph`, or undefined on another backend. */
function countKernels(backend: Backend, graph: Graph): number | undefined {
  const mode = (backend as Partial<GpujsBackend>).mode;
  if (mode === undefined) return undefined;
  return lowerGraph(graph, { dialect: dialectOf(mode) }).steps.filter((s) => s.kind === 'kernel').length;
}

const optimizer = adam({ lr: 1e-4 });
type AdamState = ReturnType<typeof optimizer.init<TransformerParams>>;

/** Times icl-lab's training step or forward pass for one config on the current backend. */
function timeIclLab(backend: Backend, name: string, mode: Mode, policy: TimingPolicy): Timing {
  const config = CONFIGS[name];
  const [paramKey, dataKey] = split(key(0));
  let params = initTransformer(paramKey, config.model);
  if (mode === 'eval') {
    const forward = compile((p: TransformerParams, xs: Tensor, ys: Tensor) => transformerLoss(p, xs, ys));
    const timing = timeSteps((i) => {
      const { xs, ys } = sampleBatch(foldIn(dataKey, i), config);
      return forward(params, xs, ys).item();
    }, policy, backend);
    const sample = sampleBatch(foldIn(dataKey, 0), config);
    return { ...timing, executorKind: forward.executorKind ?? 'unknown', kernels: countKernels(backend, forward.lower(params, sample.xs, sample.ys)) };
  }
  let state: AdamState = optimizer.init(params);
  const initialParams = params;
  const initialState = state;
  const train = compile((p: TransformerParams, s: AdamState, xs: Tensor, ys: Tensor) => {
    const [loss, grads] = valueAndGrad(transformerLoss)(p, xs, ys);
    const [next, nextState] = optimizer.update(grads, s, p);
    return { loss, next, nextState };
  });
  const timing = timeSteps((i) => {
    const { xs, ys } = sampleBatch(foldIn(dataKey, i), config);
    const result = train(params, state, xs, ys);
    params = result.next;
    state = result.nextState;
    return result.loss.item();
  }, policy, backend);
  const sample = sampleBatch(foldIn(dataKey, 0), config);
  return { ...timing, executorKind: train.executorKind ?? 'unknown', kernels: countKernels(backend, train.lower(initialParams, initialState, sample.xs, sample.ys)) };
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

/** One figure of one backend: its timing, or why it was skipped. */
type Figure = Timing | { readonly skipped: string };

/** The figures of one backend, by config and then mode. */
interface BackendResult {
  readonly name: string;
  readonly report: string;
  readonly figures: ReadonlyMap<string, ReadonlyMap<Mode, Figure>>;
}

/** Creates the backend `name`, times every config and mode on it under its policy, and destroys it. */
async function measureBackend(name: string, options: Options): Promise<BackendResult | BackendUnavailableError> {
  let backend: Backend;
  try {
    backend = await createBackend(name);
  } catch (error) {
    if (error instanceof BackendUnavailableError) return error;
    throw error;
  }
  const policy = timingPolicy(name, options);
  const figures = new Map<string, Map<Mode, Figure>>();
  let spent = 0;
  let previous: { cost: number; seconds: number } | undefined;
  setBackend(backend);
  try {
    for (const config of options.configs) {
      const byMode = new Map<Mode, Figure>();
      figures.set(config, byMode);
      for (const mode of options.modes) {
        const cost = relativeCost(CONFIGS[config], mode);
        const estimate = previous === undefined ? 0 : (previous.seconds * cost) / previous.cost;
        if (config !== options.configs[0] && spent + estimate > policy.budgetSeconds) {
          byMode.set(mode, { skipped: `${name} ${config} ${mode}: skipped, an estimated ${estimate.toFixed(0)} s would pass the ${policy.budgetSeconds} s budget (${spent.toFixed(0)} s spent)` });
          continue;
        }
        const profiling = options.profile && name === 'cpu';
        setCpuProfiling(profiling);
        const started = performance.now();
        byMode.set(mode, timeIclLab(backend, config, mode, policy));
        const seconds = (performance.now() - started) / 1000;
        if (profiling) printProfile(`${config} ${mode}`);
        setCpuProfiling(false);
        spent += seconds;
        previous = { cost, seconds };
      }
    }
  } finally {
    setBackend(cpuBackend());
    await destroyBackend(backend);
  }
  return { name, report: describeBackend(backend), figures };
}

/** Formats a rate or ratio with 2 decimals, or 2 significant digits below 1 so that slow backends keep their digits. */
function formatRate(value: number): string {
  return value >= 1 ? value.toFixed(2) : value.toPrecision(2);
}

/** Formats one figure's cells: steps per second and first call in ms, or dashes. */
function figureCells(figure: Figure | undefined): [string, string] {
  if (figure === undefined) return ['', ''];
  if ('skipped' in figure) return ['skipped', '-'];
  return [formatRate(figure.stepsPerSecond), (1000 * figure.firstCallSeconds).toFixed(0)];
}

function ratioCell(figure: Figure | undefined, reference: ReferenceResult | string | undefined): string {
  if (figure === undefined || 'skipped' in figure || reference === undefined || typeof reference === 'string') return '-';
  return formatRate(figure.stepsPerSecond / reference.stepsPerSecond);
}

/** Builds the table row of one backend at one config. */
function backendRow(config: string, result: BackendResult, references: ReadonlyMap<string, Reference>): string[] {
  const byMode = result.figures.get(config)!;
  const train = byMode.get('train');
  const forward = byMode.get('eval');
  const timed = [train, forward].filter((f): f is Timing => f !== undefined && !('skipped' in f));
  const executors = [...new Set(timed.map((t) => t.executorKind))].join(', ');
  const kernels = [train, forward].map((f) => (f === undefined || 'skipped' in f || f.kernels === undefined ? '-' : String(f.kernels))).join(' / ');
  const foreign = timed.flatMap((t) => (t.foreignCores === null ? [] : [t.foreignCores]));
  const transfers = train === undefined || 'skipped' in train || train.transfers === undefined ? '-' : `${Math.round(train.transfers.uploaded)} / ${Math.round(train.transfers.readBack)}`;
  return [
    config,
    result.name,
    executors || '-',
    ...figureCells(train),
    ...figureCells(forward),
    kernels,
    transfers,
    timed.length === 0 ? '-' : timed[0].firstLoss.toFixed(4),
    foreign.length === 0 ? '-' : Math.max(...foreign).toFixed(2),
    ratioCell(train, references.get(config)?.train),
    ratioCell(forward, references.get(config)?.eval),
  ];
}

/** The PyTorch results of one config, by mode. */
interface Reference {
  readonly train?: ReferenceResult | string;
  readonly eval?: ReferenceResult | string;
}

function referenceRow(config: string, reference: Reference): string[] {
  const cell = (result: ReferenceResult | string | undefined): string => {
    if (result === undefined) return '';
    if (typeof result === 'string') return 'failed';
    return formatRate(result.stepsPerSecond);
  };
  const results = [reference.train, reference.eval].filter((r): r is ReferenceResult => r !== undefined && typeof r !== 'string');
  const torch = results[0]?.torch ?? '';
  return [
    config, `PyTorch ${torch}`.trim(), 'reference script', cell(reference.train), '-', cell(reference.eval), '-', '-', '-', '-',
    results.length === 0 ? '-' : Math.max(...results.map((r) => r.foreignCores)).toFixed(2), '1.00', '1.00',
  ];
}

async function main(): Promise<void> {
  const options = parseArguments(process.argv.slice(2));
  if (options.threads === 2) await startCpuHelperThread();

  const results: BackendResult[] = [];
  const unavailable: BackendUnavailableError[] = [];
  for (const name of options.backends) {
    const result = await measureBackend(name, options);
    if (result instanceof BackendUnavailableError) unavailable.push(result);
    else results.push(result);
  }

  const missingReference = options.reference ? referenceUnavailable() : 'skipped with --no-reference';
  const references = new Map<string, Reference>();
  if (missingReference === null) {
    for (const config of options.configs) {
      const reference: { train?: ReferenceResult | string; eval?: ReferenceResult | string } = {};
      for (const mode of options.modes) {
        reference[mode] = runReference(config, mode, options.seconds);
        const outcome = reference[mode];
        if (typeof outcome === 'string') console.error(`train-step: PyTorch reference for ${config} ${mode} failed: ${outcome}`);
      }
      references.set(config, reference);
    }
  }

  const rows: string[][] = [];
  for (const config of options.configs) {
    for (const result of results) rows.push(backendRow(config, result, references));
    const reference = references.get(config);
    if (reference !== undefined) rows.push(referenceRow(config, reference));
  }
  console.log(`\ntraining steps and forward passes per second; --seconds ${options.seconds}, --gpujs-budget ${options.gpujsBudget} s per gpujs backend`);
  printTable(
    ['config', 'backend', 'executor', 'train steps/s', 'train first call ms', 'forward passes/s', 'forward first call ms', 'kernels train / forward', 'floats in / out per train step', 'first loss', 'foreign', 'train vs PyTorch', 'forward vs PyTorch'],
    rows,
  );

  console.log('\ntiming: cpu figures are timed over at least 5 steps and --seconds after a warm-up of 3 steps and 1.5 s;');
  console.log('gpujs figures over at least 2 steps and --seconds after the first call, which builds the kernels.');
  console.log('A gpujs backend runs every figure of the first config, then skips each figure whose estimated time would pass --gpujs-budget.');
  const allFigures = results.flatMap((result) => [...result.figures.values()].flatMap((byMode) => [...byMode.values()]));
  for (const figure of allFigures) if ('skipped' in figure) console.log(figure.skipped);
  for (const result of results) if (result.report !== result.name) console.log(`${result.name}: ${result.report}`);
  for (const error of unavailable) console.log(`${error.backend}: unavailable: ${error.reason}`);

  if (options.backends.includes('cpu')) {
    const status = cpuMatmulStatus();
    console.log(`cpu: matmul ${status.kind}${status.reason === undefined ? '' : ` (${status.reason})`}${options.threads === 2 ? ', helper thread on' : ''}`);
  }
  console.log(`node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(missingReference === null ? `PyTorch: ${REFERENCE_SCRIPT}, OMP_WAIT_POLICY=PASSIVE, ratio = icl-lab / PyTorch` : `PyTorch reference not run: ${missingReference}`);
}

await main();
