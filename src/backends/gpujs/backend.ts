/**
 * The gpujs backend: lowers graphs to gpu.js kernels and runs them in one mode (webgpu, webgl2,
 * headlessgl, webasm or cpu). Eager operations run as one-equation programs. Every executable
 * reports the mode that actually ran its kernels in `executorKind`, and the backend reports why
 * faster modes were not used.
 */
import type { Backend, Executable } from '../../core/backend.js';
import type { DataArray } from '../../core/dtype.js';
import { Trace, type Aval, type Graph } from '../../core/ir.js';
import type { Primitive, PrimitiveParams } from '../../core/primitives.js';
import { formatShape } from '../../core/shape.js';
import { Tensor } from '../../core/tensor.js';
import type { MathDialect } from './kernel-writer.js';
import { lowerGraph } from './lower.js';
import { isStarted, startMode, type ModeStatus } from './modes.js';
import { GPUJS_MODES, type GpujsMode, type Plan } from './plan.js';
import { RunnerDeviceData, type PreparedPlan, type Runner, type RunnerInput, type RunnerOutput, type TransferCounts } from './runner.js';
import type { NodeWebGPUOptions } from './webgpu-node.js';

/** Options of `gpujsBackend`. */
export interface GpujsBackendOptions {
  /**
   * The mode to run in, or `auto` (the default) for the first available of webgpu, webgl2,
   * headlessgl, webasm and cpu, where a WebGPU adapter that is a CPU rasterizer is passed over
   * because webasm is faster than it.
   */
  readonly mode?: GpujsMode | 'auto';
  /** Options for finding a WebGPU adapter in Node. */
  readonly webgpu?: NodeWebGPUOptions;
  /**
   * Floats that program outputs may keep on the device for live tensors (default 2^24, 64 MiB
   * of float32). Past it, the oldest buffers are read back to host copies and freed, so device
   * memory stays bounded between garbage collections; results do not change.
   */
  readonly deviceBudget?: number;
}

/** A compiled program on the gpujs backend. */
export interface GpujsExecutable extends Executable {
  /** Runs the program and resolves with its outputs; works in every mode, including webgpu in a browser. */
  runAsync(inputs: readonly Tensor[]): Promise<Tensor[]>;
  /** The lowered program (kernels as gpu.js source). */
  readonly plan: Plan;
  /** Kernels of the last run that gpu.js ran in another mode than requested, with its reason. */
  readonly degraded: readonly string[];
}

/** The gpujs backend, with the mode it runs in and why. */
export interface GpujsBackend extends Backend {
  /** `gpujs/<mode>`. */
  readonly name: string;
  /** The mode that runs every kernel. */
  readonly mode: GpujsMode;
  readonly requestedMode: GpujsMode | 'auto';
  /** The status of each mode that was tried, in the order tried. */
  readonly statuses: readonly ModeStatus[];
  /** One line: the mode that runs, on what, and why each faster mode was not used. */
  readonly report: string;
  /**
   * True when programs can run synchronously (`Executable.run`, eager operations). False only
   * for webgpu in a browser, where results come back asynchronously: use `runAsync` or `compileAsync`.
   */
  readonly synchronous: boolean;
  compile(graph: Graph): GpujsExecutable;
  /**
   * Floats copied from the host to the device and back since the backend started. Program
   * outputs stay on the device until their data is read, so a training step that feeds its
   * outputs to the next step copies only its batch in and its loss out.
   */
  readonly transfers: Readonly<TransferCounts>;
  /** Floats that device buffers hold for tensors now, at most `deviceBudget`; eviction reads count in `transfers`. */
  readonly deviceFloats: number;
  /** Stops the mode's worker thread or gpu.js instance; the backend cannot run programs afterwards. */
  destroy(): Promise<void>;
}

/** The mode check for `auto` skips a software WebGPU adapter with this reason. */
const SOFTWARE_SKIP = 'its adapter is a CPU rasterizer, slower than the webasm mode';

/** Returns the math dialect that keeps a mode's results within float32 rounding of the cpu backend. */
export function dialectOf(mode: GpujsMode): MathDialect {
  return mode === 'cpu' || mode === 'webasm' ? 'native' : 'shader';
}

const forgotten = new FinalizationRegistry<{ runner: Runner; prepared: PreparedPlan }>(({ runner, prepared }) => runner.forget(prepared));

class PlanExecutable implements GpujsExecutable {
  private lastDegraded: readonly string[] = [];
  private readonly prepared: PreparedPlan;

  constructor(private readonly runner: Runner, readonly plan: Plan, private readonly outputs: readonly Aval[]) {
    this.prepared = runner.prepare(plan);
    forgotten.register(this, { runner, prepared: this.prepared });
  }

  get degraded(): readonly string[] {
    return this.lastDegraded;
  }

  get executorKind(): string {
    const base = `gpujs/${this.runner.mode}/pipeline`;
    if (this.lastDegraded.length === 0) return base;
    return `${base} with ${this.lastDegraded.length} kernel(s) degraded: ${this.lastDegraded[0]}`;
  }

  private wrap(outputs: readonly RunnerOutput[], degraded: readonly string[]): Tensor[] {
    this.lastDegraded = degraded;
    return outputs.map((data, k) => new Tensor(this.outputs[k].shape, this.outputs[k].dtype, data, null));
  }

  /**
   * Passes tensors whose data this runner keeps on its device as device buffers, and every other
   * tensor as host data. Throws when the backend was destroyed.
   */
  private inputsOf(inputs: readonly Tensor[]): RunnerInput[] {
    if (this.runner.destroyed) {
      throw new Error(
        `gpujs/${this.runner.mode}: cannot run a program because its backend was destroyed; ` +
          'create a new backend with gpujsBackend() and select it with setBackend()',
      );
    }
    return inputs.map((t) => (t.device instanceof RunnerDeviceData && t.device.holder === this.runner && t.device.onDevice ? t.device : t.concrete('gpujs program')));
  }

  run(inputs: readonly Tensor[]): Tensor[] {
    if (!this.runner.synchronous) {
      throw new Error(
        `gpujs/${this.runner.mode}: results come back asynchronously here, so programs cannot run synchronously; ` +
          'use compileAsync(fn, backend) or executable.runAsync(inputs), and a synchronous backend for eager operations',
      );
    }
    const result = this.runner.run(this.prepared, this.inputsOf(inputs));
    return this.wrap(result.outputs, result.degraded);
  }

  async runAsync(inputs: readonly Tensor[]): Promise<Tensor[]> {
    const result = await this.runner.runAsync(this.prepared, this.inputsOf(inputs));
    return this.wrap(result.outputs, result.degraded);
  }
}

/** Returns a key for parameters that keeps NaN, the infinities and -0 apart (JSON writes them as null or 0). */
function paramsKey(params: object): string {
  return JSON.stringify(params, (_name, value: unknown) =>
    typeof value === 'number' && (!Number.isFinite(value) || Object.is(value, -0)) ? `number:${Object.is(value, -0) ? '-0' : value}` : value,
  );
}

/** Builds the one-equation graph that eager execution of a primitive runs. */
function equationGraph(primitive: Primitive, params: object, inputs: readonly Aval[], outputs: readonly Aval[]): Graph {
  const trace = new Trace();
  const inputVars = inputs.map((a) => trace.newVar(a));
  const outputVars = outputs.map((a) => trace.newVar(a));
  return {
    inputs: inputVars,
    constants: [],
    equations: [{ primitive, params: params as PrimitiveParams[Primitive], inputs: inputVars, outputs: outputVars }],
    outputs: outputVars,
  };
}

class GpujsBackendImpl implements GpujsBackend {
  readonly name: string;
  readonly synchronous: boolean;
  private readonly eager = new Map<string, PlanExecutable>();

  constructor(
    private readonly runner: Runner,
    readonly requestedMode: GpujsMode | 'auto',
    readonly statuses: readonly ModeStatus[],
    readonly report: string,
  ) {
    this.name = `gpujs/${runner.mode}`;
    this.synchronous = runner.synchronous;
  }

  get mode(): GpujsMode {
    return this.runner.mode;
  }

  get transfers(): Readonly<TransferCounts> {
    return { ...this.runner.transfers };
  }

  get deviceFloats(): number {
    return this.runner.buffers.keptFloats;
  }

  compile(graph: Graph): GpujsExecutable {
    const plan = lowerGraph(graph, { dialect: dialectOf(this.mode) });
    return new PlanExecutable(this.runner, plan, graph.outputs.map((v) => v.aval));
  }

  execute<P extends Primitive>(primitive: P, inputs: readonly Tensor[], params: PrimitiveParams[P], outputs: readonly Aval[]): Tensor[] {
    const avals = inputs.map((t) => `${t.dtype}${formatShape(t.shape)}`).join(';');
    const key = `${primitive}|${paramsKey(params)}|${avals}`;
    let executable = this.eager.get(key);
    if (executable === undefined) {
      const graph = equationGraph(primitive, params, inputs, outputs);
      executable = new PlanExecutable(this.runner, lowerGraph(graph, { dialect: dialectOf(this.mode) }), outputs);
      this.eager.set(key, executable);
    }
    return executable.run(inputs);
  }

  async destroy(): Promise<void> {
    this.eager.clear();
    await this.runner.destroy();
  }
}

function describeStatus(status: ModeStatus, used: boolean): string {
  if (used) return `${status.mode} runs: ${status.detail}`;
  if (status.available && status.software) return `${status.mode} passed over: ${SOFTWARE_SKIP} (${status.detail})`;
  return `${status.mode} unavailable: ${status.detail}`;
}

/**
 * Creates the gpujs backend in a mode. Rejects with the reason when an explicitly requested mode
 * is unavailable; `auto` falls back mode by mode and reports why in `report`.
 *
 * @example
 * const backend = await gpujsBackend({ mode: 'webasm' });
 * setBackend(backend);
 * compile((x: Tensor) => mul(x, 2))(tensor([1, 2])); // [2, 4], executorKind 'gpujs/webasm/pipeline'
 */
export async function gpujsBackend(options: GpujsBackendOptions = {}): Promise<GpujsBackend> {
  const requested = options.mode ?? 'auto';
  if (requested !== 'auto' && !GPUJS_MODES.includes(requested)) {
    throw new Error(`gpujsBackend: unknown mode ${JSON.stringify(requested)}; use one of ${GPUJS_MODES.join(', ')} or auto`);
  }
  if (options.deviceBudget !== undefined && !(options.deviceBudget >= 0)) {
    throw new RangeError(`gpujsBackend: deviceBudget must be a number of floats >= 0 (or Infinity), got ${options.deviceBudget}`);
  }
  const order = requested === 'auto' ? GPUJS_MODES : [requested];
  const statuses: ModeStatus[] = [];
  for (const mode of order) {
    const started = await startMode(mode, options);
    if (!isStarted(started)) {
      statuses.push(started);
      continue;
    }
    statuses.push(started.status);
    if (requested === 'auto' && started.status.software && mode === 'webgpu') {
      await started.runner.destroy();
      continue;
    }
    const report = [`gpujs/${mode} (requested ${requested})`, ...statuses.map((s) => describeStatus(s, s === started.status))].join('; ');
    return new GpujsBackendImpl(started.runner, requested, statuses, report);
  }
  if (requested !== 'auto') throw new Error(`gpujsBackend: mode ${requested} is unavailable: ${statuses[0].detail}`);
  throw new Error(`gpujsBackend: no gpu.js mode is available: ${statuses.map((s) => describeStatus(s, false)).join('; ')}`);
}
