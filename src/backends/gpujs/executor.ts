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

/** Kernels kept per context by default. Beyond this count the least recently used one leaves the cache. */
export const KERNEL_CACHE_SIZE = 512;

/**
 * A gpu.js instance with its kernel cache. Destroying a gpu.js 2.24 GL kernel deletes its output
 * textures and the framebuffers that read them back. So a kernel that leaves the cache is
 * destroyed only after every device result it returned was released.
 */
export class ExecutionContext {
  private readonly kernels = new Map<string, GpujsKernel>();
  /** The kernel that returned each device result that is not released yet. */
  private readonly producers = new WeakMap<object, GpujsKernel>();
  /** Number of unreleased device results per kernel. */
  private readonly liveResults = new Map<GpujsKernel, number>();
  /** Kernels out of the cache that wait for their last result to be released. */
  private readonly retired = new Set<GpujsKernel>();
  /** Kernels that gpu.js ran in another mode than requested, with the reason it gave. */
  readonly degraded = new Map<string, string>();

  /** `kernelCacheSize` is the number of kernels kept before the least recently used one leaves the cache. */
  constructor(readonly mode: GpujsMode, readonly gpu: GpujsInstance, readonly kernelCacheSize = KERNEL_CACHE_SIZE) {}

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
    if (this.kernels.size > this.kernelCacheSize) {
      const [oldestKey, oldest] = this.kernels.entries().next().value as [string, GpujsKernel];
      this.kernels.delete(oldestKey);
      if ((this.liveResults.get(oldest) ?? 0) > 0) this.retired.add(oldest);
      else oldest.destroy?.();
    }
    return [kernel, true];
  }

  /** Number of kernels out of the cache whose results are still in use. */
  get retiredKernels(): number {
    return this.retired.size;
  }

  /** Records a result that `kernel` returned. A device result keeps the kernel alive until its `release`. */
  adopt(kernel: GpujsKernel, result: unknown): void {
    if (typeof result !== 'object' || result === null || ArrayBuffer.isView(result) || this.producers.has(result)) return;
    this.producers.set(result, kernel);
    this.liveResults.set(kernel, (this.liveResults.get(kernel) ?? 0) + 1);
  }

  /** Frees a device result (a no-op for host arrays), then its kernel if that left the cache and this was its last result. */
  release(value: unknown): void {
    freeResult(value);
    if (typeof value !== 'object' || value === null) return;
    const kernel = this.producers.get(value);
    if (kernel === undefined) return;
    this.producers.delete(value);
    const left = (this.liveResults.get(kernel) ?? 1) - 1;
    if (left > 0) {
      this.liveResults.set(kernel, left);
      return;
    }
    this.liveResults.delete(kernel);
    if (this.retired.delete(kernel)) kernel.destroy?.();
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
    for (const kernel of [...this.kernels.values(), ...this.retired]) kernel.destroy?.();
    this.kernels.clear();
    this.retired.clear();
    this.liveResults.clear();
    this.gpu.destroy();
  }
}

/** A kernel result that stays on the device: a WebGPU buffer or WebGL texture handle. */
export interface OnDevice {
  readonly onDevice: unknown;
}

/** A program input or output: host data, or a kernel result kept on the device. */
export type SlotValue = DataArray | OnDevice;

export function isOnDevice(value: SlotValue): value is OnDevice {
  return !ArrayBuffer.isView(value);
}

/** The result of a run: the outputs, and the kernels that ran in another mode than requested. */
export interface RunResult<T = DataArray> {
  readonly outputs: T[];
  readonly degraded: readonly string[];
  /** Floats copied from the host to the device, and back, during the run. */
  readonly uploaded: number;
  readonly readBack: number;
}

const SPECIALS = Float32Array.from([Infinity, -Infinity, NaN]);

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/** Frees a kernel result: `delete()` of a WebGPU buffer or WebGL texture, a no-op for host arrays. */
function freeResult(value: unknown): void {
  if (typeof value === 'object' && value !== null && !ArrayBuffer.isView(value)) {
    const handle = value as { delete?: () => unknown };
    if (typeof handle.delete === 'function') {
      const done = handle.delete();
      if (isThenable(done)) done.then(undefined, () => undefined);
    }
  }
}

/** Reads a device value back: `toArray()` of a WebGPU buffer or WebGL texture, or the array itself. */
export function readBackValue(value: unknown): unknown {
  if (ArrayBuffer.isView(value)) return value;
  const handle = value as { toArray?: () => unknown };
  if (typeof handle.toArray === 'function') return handle.toArray();
  throw new Error(`gpujs: cannot read back a kernel result of type ${Object.prototype.toString.call(value)}`);
}

function toFloat32(data: ArrayLike<number>): Float32Array {
  return data instanceof Float32Array ? data : Float32Array.from(data);
}

/** Converts float32 kernel results to the storage of `dtype`. */
export function toDtype(data: ArrayLike<number>, dtype: DType, size: number): DataArray {
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
 * Runs `plan` on `inputs` (constants then arguments, host arrays in their own dtypes or values
 * kept on the device). Yields kernel results and readbacks, which may be promises; the driver
 * must send back their values.
 *
 * With `keep`, outputs that kernels computed stay on the device (`OnDevice`) instead of being
 * read back. Device inputs belong to the caller: the run never frees them.
 */
export function* executePlan(context: ExecutionContext, plan: Plan, inputs: readonly SlotValue[], keep = false): Generator<unknown, RunResult<SlotValue>, unknown> {
  if (inputs.length !== plan.inputSlots.length) {
    throw new Error(`gpujs program: expected ${plan.inputSlots.length} inputs (constants and arguments), got ${inputs.length}`);
  }
  const host: (ArrayLike<number> | undefined)[] = new Array(plan.slotCount);
  const device: unknown[] = new Array(plan.slotCount);
  const uploads: (Float32Array | undefined)[] = new Array(plan.slotCount);
  let uploaded = 0;
  let readBack = 0;
  /** Reads a device value back, counting the floats. */
  const read = (slot: number): unknown => {
    // Kernel results of the webasm and cpu modes are JavaScript arrays already: nothing to copy.
    if (!ArrayBuffer.isView(device[slot])) readBack += plan.slotSizes[slot];
    return readBackValue(device[slot]);
  };
  const borrowed = new Set<number>();
  const keptOnDevice = new Set<unknown>();
  plan.inputSlots.forEach((slot, k) => {
    const input = inputs[k];
    if (isOnDevice(input)) {
      device[slot] = input.onDevice;
      borrowed.add(slot);
    } else {
      host[slot] = input;
    }
  });
  plan.slotSizes.forEach((size, slot) => {
    if (size === 0 && host[slot] === undefined) host[slot] = new Float32Array(0);
  });
  const degraded = new Set<string>();

  const argumentOf = (slot: number): unknown => {
    if (device[slot] !== undefined) return device[slot];
    const data = host[slot];
    if (data === undefined) throw new Error(`gpujs: internal error, slot ${slot} is read before it is written`);
    if (uploads[slot] === undefined) {
      uploads[slot] = toFloat32(data);
      uploaded += data.length;
    }
    return uploads[slot];
  };

  /** Host data of a slot, read back from the device when only the device has it. */
  function* hostOf(slot: number): Generator<unknown, ArrayLike<number>, unknown> {
    host[slot] ??= (yield read(slot)) as ArrayLike<number>;
    return host[slot]!;
  }

  try {
    for (let s = 0; s < plan.steps.length; s++) {
      const step = plan.steps[s];
      if (step.kind === 'kernel') {
        const args: unknown[] = [];
        for (const arg of step.args) {
          if (arg.kind === 'specials') args.push(SPECIALS);
          else if (arg.kind === 'key-halves') args.push(keyHalves(yield* hostOf(arg.slot)));
          else args.push(argumentOf(arg.slot));
        }
        const sizes = step.args.map((arg) => argumentSize(plan, arg));
        const [kernel, fresh] = context.kernelFor(step, args, sizes);
        let result: unknown;
        try {
          result = yield kernel(...args);
        } catch (error) {
          throw new Error(`gpujs/${context.mode}: kernel for ${step.label} failed: ${(error as Error).message}\n${step.source}`, { cause: error });
        }
        context.adopt(kernel, result);
        if (fresh) context.noteBuilt(step, kernel);
        const note = context.degraded.get(step.label);
        if (note !== undefined) degraded.add(`${step.label} ran on ${note}`);
        device[step.output] = result;
      } else if (step.kind === 'random-bits-i32') {
        const key = yield* hostOf(step.key);
        const bits = threefryBits(key[0] >>> 0, key[1] >>> 0, step.count);
        host[step.output] = new Int32Array(bits.buffer, bits.byteOffset, step.count);
      } else {
        checkIndices(yield* hostOf(step.slot), step);
      }
      for (const slot of plan.releases[s]) {
        if (borrowed.has(slot)) continue;
        context.release(device[slot]);
        device[slot] = undefined;
        uploads[slot] = undefined;
      }
    }
    const outputs: SlotValue[] = [];
    for (const output of plan.outputs) {
      const known = host[output.slot];
      // A host array passes through when its storage type is the output's. A cast that needs no
      // kernel (bool or i32 to f32) still gets storage of the new dtype.
      if (known !== undefined && dtypeOfArray(known as DataArray) === output.dtype) {
        outputs.push(known as DataArray);
        continue;
      }
      const value = device[output.slot];
      if (known === undefined && keep && !ArrayBuffer.isView(value)) {
        keptOnDevice.add(value);
        outputs.push({ onDevice: value });
        continue;
      }
      const data = known ?? ((yield read(output.slot)) as ArrayLike<number>);
      outputs.push(toDtype(data, output.dtype, output.size));
    }
    return { outputs, degraded: [...degraded], uploaded, readBack };
  } finally {
    device.forEach((value, slot) => {
      if (value !== undefined && !borrowed.has(slot) && !keptOnDevice.has(value)) context.release(value);
    });
  }
}

/** Narrows the result of a run without `keep`, whose outputs are all host arrays. */
function hostOutputs(result: RunResult<SlotValue>): RunResult {
  return result as RunResult;
}

/** Drives a generator synchronously; throws if the mode returns promises. */
export function driveSync<T>(mode: GpujsMode, run: Generator<unknown, T, unknown>): T {
  let step = run.next();
  while (!step.done) {
    if (isThenable(step.value)) {
      run.return(undefined as never);
      throw new Error(
        `gpujs/${mode}: this mode reads results back asynchronously, so it cannot run a program or read a result synchronously; ` +
          'use runAsync, compileAsync or tensor.dataAsync()',
      );
    }
    step = run.next(step.value);
  }
  return step.value;
}

/** Drives a generator, awaiting every kernel result and readback. */
export async function driveAsync<T>(run: Generator<unknown, T, unknown>): Promise<T> {
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

/** Runs a plan synchronously with host inputs and reads every output back. */
export function runSync(context: ExecutionContext, plan: Plan, inputs: readonly DataArray[]): RunResult {
  return hostOutputs(driveSync(context.mode, executePlan(context, plan, inputs)));
}

/** Runs a plan with host inputs, awaiting every kernel result, and reads every output back. */
export async function runAsync(context: ExecutionContext, plan: Plan, inputs: readonly DataArray[]): Promise<RunResult> {
  return hostOutputs(await driveAsync(executePlan(context, plan, inputs)));
}

/** Reads one device value back as host data of `dtype`. */
export function* readDevice(value: unknown, dtype: DType, size: number): Generator<unknown, DataArray, unknown> {
  return toDtype((yield readBackValue(value)) as ArrayLike<number>, dtype, size);
}
