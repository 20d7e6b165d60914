/**
 * Runners carry plans to a gpu.js instance: in this thread (cpu, webasm, webgl2, headlessgl,
 * and webgpu in a browser), or in a worker thread (webgpu in Node, which makes its asynchronous
 * readback usable from the synchronous `Backend` interface).
 *
 * Outputs that kernels computed stay on the device as `RunnerDeviceData`, read back only when a
 * tensor's data is asked for. Passed to the same runner's next program, they are used there
 * without a round trip, so a training loop keeps its parameters on the device between steps.
 */
import type { DataArray, DType } from '../../core/dtype.js';
import type { DeviceData } from '../../core/tensor.js';
import { DeviceBuffer, DeviceBuffers, DEFAULT_DEVICE_BUDGET } from './device-buffers.js';
import { driveAsync, driveSync, executePlan, isOnDevice, readDevice, toDtype, type ExecutionContext, type RunResult, type SlotValue } from './executor.js';
import type { GpujsMode, Plan } from './plan.js';
import type { WebGPUWorker } from './worker-bridge.js';
import type { WorkerValue } from './worker-protocol.js';

/** A plan registered with a runner. */
export interface PreparedPlan {
  readonly plan: Plan;
  readonly id: number;
}

/** A tensor's elements held by a runner: a device buffer read as `dtype`. */
export class RunnerDeviceData implements DeviceData {
  constructor(readonly holder: Runner, readonly buffer: DeviceBuffer, readonly dtype: DType, readonly size: number) {}

  /** True while the elements are on the device (not evicted to a host copy). */
  get onDevice(): boolean {
    return this.buffer.host === undefined;
  }

  read(): DataArray {
    if (this.buffer.host !== undefined) return toDtype(this.buffer.host, this.dtype, this.size);
    this.checkAlive();
    return this.holder.read(this.buffer.ref, this.dtype, this.size);
  }

  async readAsync(): Promise<DataArray> {
    if (this.buffer.host !== undefined) return toDtype(this.buffer.host, this.dtype, this.size);
    this.checkAlive();
    return this.holder.readAsync(this.buffer.ref, this.dtype, this.size);
  }

  private checkAlive(): void {
    if (this.holder.destroyed) {
      throw new Error(
        `gpujs/${this.holder.mode}: cannot read a ${this.dtype} tensor of ${this.size} element${this.size === 1 ? '' : 's'} because its backend was destroyed; ` +
          'read the data (tensor.data() or await tensor.dataAsync()) before backend.destroy()',
      );
    }
  }
}

/** A program input for a runner: host data, or elements that this runner holds. */
export type RunnerInput = DataArray | RunnerDeviceData;
/** A program output from a runner. */
export type RunnerOutput = DataArray | RunnerDeviceData;

/** Floats copied between the host and the device since a runner started. */
export interface TransferCounts {
  uploadedFloats: number;
  readBackFloats: number;
}

/** Runs plans in one gpu.js mode. */
export interface Runner {
  readonly mode: GpujsMode;
  readonly transfers: TransferCounts;
  /** True after `destroy`: device buffers are gone. */
  readonly destroyed: boolean;
  /** The device buffers kept for tensors, under the runner's budget. */
  readonly buffers: DeviceBuffers;
  /** True when `run` can return results synchronously. */
  readonly synchronous: boolean;
  prepare(plan: Plan): PreparedPlan;
  /** Stops using a plan (called when its executable is garbage-collected). */
  forget(prepared: PreparedPlan): void;
  run(prepared: PreparedPlan, inputs: readonly RunnerInput[]): RunResult<RunnerOutput>;
  runAsync(prepared: PreparedPlan, inputs: readonly RunnerInput[]): Promise<RunResult<RunnerOutput>>;
  /** Reads a device buffer back as host data of `dtype`. */
  read(ref: unknown, dtype: DType, size: number): DataArray;
  readAsync(ref: unknown, dtype: DType, size: number): Promise<DataArray>;
  destroy(): Promise<void>;
}

let nextPlanId = 0;

/**
 * Wraps a run's outputs: host arrays pass through, and device references become tensor data of
 * the output's dtype. A reference that is an input's (a program output that is one of its inputs)
 * or that two outputs share gets one `DeviceBuffer`, so it is freed once, after its last tensor.
 * New buffers then join the runner's budget, which may evict older ones.
 */
function adoptOutputs(runner: Runner, plan: Plan, inputs: readonly RunnerInput[], result: RunResult<DataArray | { readonly ref: unknown }>): RunResult<RunnerOutput> {
  runner.transfers.uploadedFloats += result.uploaded;
  runner.transfers.readBackFloats += result.readBack;
  const buffers = new Map<unknown, DeviceBuffer>();
  for (const input of inputs) if (input instanceof RunnerDeviceData && input.onDevice) buffers.set(input.buffer.ref, input.buffer);
  const created: DeviceBuffer[] = [];
  const outputs = result.outputs.map((output, k) => {
    if (ArrayBuffer.isView(output)) return output;
    let buffer = buffers.get(output.ref);
    if (buffer === undefined) {
      buffer = new DeviceBuffer(output.ref, plan.outputs[k].size);
      buffers.set(output.ref, buffer);
      created.push(buffer);
    }
    return new RunnerDeviceData(runner, buffer, plan.outputs[k].dtype, plan.outputs[k].size);
  });
  for (const buffer of created) runner.buffers.add(buffer);
  return { ...result, outputs };
}

/** Runs plans on a gpu.js instance in the calling thread. */
export class LocalRunner implements Runner {
  readonly synchronous: boolean;
  readonly transfers: TransferCounts = { uploadedFloats: 0, readBackFloats: 0 };
  destroyed = false;
  readonly buffers: DeviceBuffers;

  /** `budget`: floats kept on the device for tensors before the oldest are evicted to host copies. */
  constructor(readonly context: ExecutionContext, budget = DEFAULT_DEVICE_BUDGET) {
    this.synchronous = context.mode !== 'webgpu';
    this.buffers = new DeviceBuffers(
      {
        free: (handle) => {
          if (!this.destroyed) this.context.release(handle);
        },
        // Asynchronous modes cannot read back inside a run, so their buffers wait for collection.
        readFloats: this.synchronous ? (handle, size) => this.read(handle, 'f32', size) as Float32Array : undefined,
      },
      budget,
    );
  }

  get mode(): GpujsMode {
    return this.context.mode;
  }

  prepare(plan: Plan): PreparedPlan {
    return { plan, id: nextPlanId++ };
  }

  forget(): void {}

  private slotValues(inputs: readonly RunnerInput[]): SlotValue[] {
    return inputs.map((input) => (input instanceof RunnerDeviceData ? { onDevice: input.buffer.ref } : input));
  }

  private adopt(prepared: PreparedPlan, inputs: readonly RunnerInput[], result: RunResult<SlotValue>): RunResult<RunnerOutput> {
    const outputs = result.outputs.map((o) => (isOnDevice(o) ? { ref: o.onDevice } : o));
    return adoptOutputs(this, prepared.plan, inputs, { ...result, outputs });
  }

  run(prepared: PreparedPlan, inputs: readonly RunnerInput[]): RunResult<RunnerOutput> {
    const result = driveSync(this.mode, executePlan(this.context, prepared.plan, this.slotValues(inputs), true));
    return this.adopt(prepared, inputs, result);
  }

  async runAsync(prepared: PreparedPlan, inputs: readonly RunnerInput[]): Promise<RunResult<RunnerOutput>> {
    const result = await driveAsync(executePlan(this.context, prepared.plan, this.slotValues(inputs), true));
    return this.adopt(prepared, inputs, result);
  }

  read(ref: unknown, dtype: DType, size: number): DataArray {
    const data = driveSync(this.mode, readDevice(ref, dtype, size));
    this.transfers.readBackFloats += size;
    return data;
  }

  async readAsync(ref: unknown, dtype: DType, size: number): Promise<DataArray> {
    const data = await driveAsync(readDevice(ref, dtype, size));
    this.transfers.readBackFloats += size;
    return data;
  }

  async destroy(): Promise<void> {
    this.destroyed = true;
    this.buffers.clear();
    this.context.destroy();
  }
}

/** Runs plans in webgpu mode on a worker thread (Node); device buffers stay in the worker, named by number. */
export class WorkerRunner implements Runner {
  readonly mode: GpujsMode = 'webgpu';
  readonly synchronous = true;
  readonly transfers: TransferCounts = { uploadedFloats: 0, readBackFloats: 0 };
  destroyed = false;
  /** Buffers whose tensors are gone, freed in the worker with the next request. */
  private released: number[] = [];
  readonly buffers: DeviceBuffers;

  /** `budget`: floats kept on the device for tensors before the oldest are evicted to host copies. */
  constructor(readonly worker: WebGPUWorker, budget = DEFAULT_DEVICE_BUDGET) {
    this.buffers = new DeviceBuffers(
      { free: (id) => this.released.push(id as number), readFloats: (id, size) => this.read(id, 'f32', size) as Float32Array },
      budget,
    );
  }

  prepare(plan: Plan): PreparedPlan {
    const prepared = { plan, id: nextPlanId++ };
    this.worker.requestAsync({ type: 'plan', planId: prepared.id, plan }).catch(() => undefined);
    return prepared;
  }

  forget(prepared: PreparedPlan): void {
    this.worker.requestAsync({ type: 'forget', planId: prepared.id }).catch(() => undefined);
  }

  private takeReleased(): number[] {
    const ids = this.released;
    this.released = [];
    return ids;
  }

  private request(prepared: PreparedPlan, inputs: readonly RunnerInput[]) {
    const values: WorkerValue[] = inputs.map((input) => (input instanceof RunnerDeviceData ? { deviceId: input.buffer.ref as number } : input));
    return { type: 'run' as const, planId: prepared.id, inputs: values, release: this.takeReleased() };
  }

  private adopt(prepared: PreparedPlan, inputs: readonly RunnerInput[], result: RunResult<WorkerValue>): RunResult<RunnerOutput> {
    const outputs = result.outputs.map((o) => (ArrayBuffer.isView(o) ? o : { ref: o.deviceId }));
    return adoptOutputs(this, prepared.plan, inputs, { ...result, outputs });
  }

  run(prepared: PreparedPlan, inputs: readonly RunnerInput[]): RunResult<RunnerOutput> {
    return this.adopt(prepared, inputs, this.worker.requestSync(this.request(prepared, inputs)));
  }

  async runAsync(prepared: PreparedPlan, inputs: readonly RunnerInput[]): Promise<RunResult<RunnerOutput>> {
    return this.adopt(prepared, inputs, await this.worker.requestAsync(this.request(prepared, inputs)));
  }

  read(ref: unknown, dtype: DType, size: number): DataArray {
    const data = this.worker.requestSync({ type: 'read', deviceId: ref as number, dtype, size, release: this.takeReleased() });
    this.transfers.readBackFloats += size;
    return data;
  }

  async readAsync(ref: unknown, dtype: DType, size: number): Promise<DataArray> {
    const data = await this.worker.requestAsync({ type: 'read', deviceId: ref as number, dtype, size, release: this.takeReleased() });
    this.transfers.readBackFloats += size;
    return data;
  }

  async destroy(): Promise<void> {
    this.destroyed = true;
    this.buffers.clear();
    await this.worker.requestAsync({ type: 'destroy' }).catch(() => undefined);
    await this.worker.terminate();
  }
}
