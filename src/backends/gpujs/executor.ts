/**
 * Runs a plan on one gpu.js instance in pipeline mode. Every kernel returns a device-resident
 * result (a WebGPU buffer, a WebGL texture, or a plain array on cpu and webasm) that feeds the
 * next kernels directly. Only program outputs and index checks are read back.
 *
 * The executor is a generator that yields each kernel result and readback. A synchronous driver
 * passes the values straight back and an asynchronous driver awaits them, so one implementation
 * serves both the synchronous modes and WebGPU.
 */
import { allocate, dtypeOfArray, type DataArray, type DType } from '../../core/dtype.js';
import { threefryBits } from '../../core/threefry.js';
import type { GpujsMode, KernelArgument, KernelStep, Plan } from './plan.js';
import { keyHalves } from './threefry-kernel.js';

/** The parts of a gpu.js kernel this executor uses. */
export interface GpujsKernel {
  (...args: unknown[]): unknown;
  /** The built kernel; its constructor names the mode that runs it. */
  readonly kernel?: { readonly constructor: { readonly mode?: string }; readonly fallbackReason?: string | null };
  destroy?(removeCanvasReference?: boolean): unknown;
}

/** The parts of a gpu.js `GPU` instance this executor uses. */
export interface GpujsInstance {
  createKernel(source: string, settings: Record<string, unknown>): GpujsKernel;
  destroy(): unknown;
}

/** gpu.js's GL kernel classes all report the mode `gpu`; their class names tell them apart. */
const GL_KERNEL_MODES: Record<string, string> = { WebGL2Kernel: 'webgl2', WebGLKernel: 'webgl', HeadlessGLKernel: 'headlessgl' };

/** Returns the mode that runs a built gpu.js kernel (`webgl` for a GL kernel of unknown class). */
function actualMode(kernel: GpujsKernel): string | undefined {
  const built = kernel.kernel?.constructor;
  if (built?.mode !== 'gpu') return built?.mode;
  return GL_KERNEL_MODES[(built as { name?: string }).name ?? ''] ?? 'webgl';
}

/** Kernels kept per context; the least recently used ones are destroyed beyond this count. */
export const KERNEL_CACHE_SIZE = 512;

/** A gpu.js instance with its kernel cache. */
export class ExecutionContext {
  private readonly kernels = new Map<string, GpujsKernel>();
  /** Kernels that gpu.js ran in another mode than requested, with the reason it gave. */
  readonly degraded = new Map<string, string>();

  constructor(readonly mode: GpujsMode, readonly gpu: GpujsInstance) {}

  /**
   * Returns the cached kernel for a step, building it on first use. gpu.js fixes a kernel's
   * argument types and sizes at its first call, so the key contains each argument's size and kind
   * (`a` for a host array, `d` for a device-resident result).
   */
  kernelFor(step: KernelStep, args: readonly unknown[], argumentSizes: readonly number[]): [GpujsKernel, boolean] {
    const kinds = args.map((a, k) => `${ArrayBuffer.isView(a) ? 'a' : 'd'}${argumentSizes[k]}`).join(',');
    const key = `${step.size}|${kinds}|${step.source}`;
    const known = this.kernels.get(key);
    if (known !== undefined) {
      this.kernels.delete(key);
      this.kernels.set(key, known);
      return [known, false];
    }
    const kernel = this.gpu.createKernel(step.source, {
      output: [step.size],
      pipeline: true,
      immutable: true,
      precision: 'single',
      tactic: 'precision',
      dynamicOutput: false,
      dynamicArguments: false,
    });
    this.kernels.set(key, kernel);
    if (this.kernels.size > KERNEL_CACHE_SIZE) {
      const [oldestKey, oldest] = this.kernels.entries().next().value as [string, GpujsKernel];
      this.kernels.delete(oldestKey);
      oldest.destroy?.();
    }
    return [kernel, true];
  }

  /** Records the mode a freshly built kernel actually runs in. */
  noteBuilt(step: KernelStep, kernel: GpujsKernel): void {
    const actual = actualMode(kernel);
    if (actual !== undefined && actual !== this.mode) {
      const reason = kernel.kernel?.fallbackReason ?? 'gpu.js gave no reason';
      this.degraded.set(step.label, `${actual}: ${reason}`);
    }
  }

  destroy(): void {
    for (const kernel of this.kernels.values()) kernel.destroy?.();
    this.kernels.clear();
    this.gpu.destroy();
  }
}

/** The result of a run: the outputs, and the kernels that ran in another mode than requested. */
export interface RunResult {
  readonly outputs: DataArray[];
  readonly degraded: readonly string[];
}

const SPECIALS = Float32Array.from([Infinity, -Infinity, NaN]);

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

function release(value: unknown): void {
  if (typeof value === 'object' && value !== null && !ArrayBuffer.isView(value)) {
    const handle = value as { delete?: () => unknown };
    if (typeof handle.delete === 'function') {
      const done = handle.delete();
      if (isThenable(done)) done.then(undefined, () => undefined);
    }
  }
}

/** Reads a device value back: `toArray()` of a WebGPU buffer or WebGL texture, or the array itself. */
function readBack(value: unknown): unknown {
  if (ArrayBuffer.isView(value)) return value;
  const handle = value as { toArray?: () => unknown };
  if (typeof handle.toArray === 'function') return handle.toArray();
  throw new Error(`gpujs: cannot read back a kernel result of type ${Object.prototype.toString.call(value)}`);
}

function toFloat32(data: ArrayLike<number>): Float32Array {
  return data instanceof Float32Array ? data : Float32Array.from(data);
}

/** Converts float32 kernel results to the storage of `dtype`. */
function toDtype(data: ArrayLike<number>, dtype: DType, size: number): DataArray {
  const out = allocate(dtype, size);
  if (dtype === 'bool') for (let k = 0; k < size; k++) out[k] = data[k] !== 0 ? 1 : 0;
  else for (let k = 0; k < size; k++) out[k] = data[k];
  return out;
}

/** Returns the number of floats a kernel argument passes. */
function argumentSize(plan: Plan, arg: KernelArgument): number {
  if (arg.kind === 'slot') return plan.slotSizes[arg.slot];
  return arg.kind === 'specials' ? SPECIALS.length : 6;
}

function checkIndices(data: ArrayLike<number>, step: { count: number; size: number; op: string; axis: number }): void {
  for (let k = 0; k < step.count; k++) {
    const index = data[k];
    if (!(index >= 0 && index < step.size)) {
      throw new RangeError(`${step.op}: index ${index} is out of range for axis ${step.axis} of size ${step.size}`);
    }
  }
}

/**
 * Runs `plan` on `inputs` (constants then arguments, in their own dtypes). Yields kernel results
 * and readbacks, which may be promises; the driver must send back their values.
 */
export function* executePlan(context: ExecutionContext, plan: Plan, inputs: readonly DataArray[]): Generator<unknown, RunResult, unknown> {
  if (inputs.length !== plan.inputSlots.length) {
    throw new Error(`gpujs program: expected ${plan.inputSlots.length} inputs (constants and arguments), got ${inputs.length}`);
  }
  const host: (ArrayLike<number> | undefined)[] = new Array(plan.slotCount);
  const device: unknown[] = new Array(plan.slotCount);
  const uploads: (Float32Array | undefined)[] = new Array(plan.slotCount);
  plan.inputSlots.forEach((slot, k) => (host[slot] = inputs[k]));
  plan.slotSizes.forEach((size, slot) => {
    if (size === 0 && host[slot] === undefined) host[slot] = new Float32Array(0);
  });
  const degraded = new Set<string>();

  const argumentOf = (slot: number): unknown => {
    if (device[slot] !== undefined) return device[slot];
    const data = host[slot];
    if (data === undefined) throw new Error(`gpujs: internal error, slot ${slot} is read before it is written`);
    uploads[slot] ??= toFloat32(data);
    return uploads[slot];
  };

  try {
    for (let s = 0; s < plan.steps.length; s++) {
      const step = plan.steps[s];
      if (step.kind === 'kernel') {
        const args = step.args.map((arg) => {
          if (arg.kind === 'specials') return SPECIALS;
          if (arg.kind === 'key-halves') return keyHalves(host[arg.slot]!);
          return argumentOf(arg.slot);
        });
        const sizes = step.args.map((arg) => argumentSize(plan, arg));
        const [kernel, fresh] = context.kernelFor(step, args, sizes);
        let result: unknown;
        try {
          result = yield kernel(...args);
        } catch (error) {
          throw new Error(`gpujs/${context.mode}: kernel for ${step.label} failed: ${(error as Error).message}\n${step.source}`, { cause: error });
        }
        if (fresh) context.noteBuilt(step, kernel);
        const note = context.degraded.get(step.label);
        if (note !== undefined) degraded.add(`${step.label} ran on ${note}`);
        device[step.output] = result;
      } else if (step.kind === 'random-bits-i32') {
        const key = host[step.key]!;
        const bits = threefryBits(key[0] >>> 0, key[1] >>> 0, step.count);
        host[step.output] = new Int32Array(bits.buffer, bits.byteOffset, step.count);
      } else {
        const data = host[step.slot] ?? ((yield readBack(device[step.slot])) as ArrayLike<number>);
        checkIndices(data, step);
      }
      for (const slot of plan.releases[s]) {
        release(device[slot]);
        device[slot] = undefined;
        uploads[slot] = undefined;
      }
    }
    const outputs: DataArray[] = [];
    for (const output of plan.outputs) {
      const known = host[output.slot];
      // A host array passes through when its storage type is the output's. A cast that needs no
      // kernel (bool or i32 to f32) still gets storage of the new dtype.
      if (known !== undefined && dtypeOfArray(known as DataArray) === output.dtype) {
        outputs.push(known as DataArray);
        continue;
      }
      const data = known ?? ((yield readBack(device[output.slot])) as ArrayLike<number>);
      outputs.push(toDtype(data, output.dtype, output.size));
    }
    return { outputs, degraded: [...degraded] };
  } finally {
    for (const value of device) if (value !== undefined) release(value);
  }
}

/** Drives the executor synchronously; throws if the mode returns promises. */
export function runSync(context: ExecutionContext, plan: Plan, inputs: readonly DataArray[]): RunResult {
  const run = executePlan(context, plan, inputs);
  let step = run.next();
  while (!step.done) {
    if (isThenable(step.value)) {
      run.return(undefined as never);
      throw new Error(
        `gpujs/${context.mode}: this mode reads results back asynchronously, so it cannot run a program synchronously; ` +
          'use runAsync or compileAsync',
      );
    }
    step = run.next(step.value);
  }
  return step.value;
}

/** Drives the executor, awaiting every kernel result and readback. */
export async function runAsync(context: ExecutionContext, plan: Plan, inputs: readonly DataArray[]): Promise<RunResult> {
  const run = executePlan(context, plan, inputs);
  let step = run.next();
  while (!step.done) {
    let value: unknown;
    try {
      value = await step.value;
    } catch (error) {
      step = run.throw(error);
      continue;
    }
    step = run.next(value);
  }
  return step.value;
}
