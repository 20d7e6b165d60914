/**
 * The worker thread that runs the webgpu mode in Node. WebGPU reads results back only
 * asynchronously, so the main thread posts a request and blocks on a shared flag (Atomics.wait)
 * while this thread runs the plan. That gives the synchronous `Backend` interface on top of an
 * asynchronous device. Requests run one at a time, in the order they arrive.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { driveAsync, ExecutionContext, executePlan, isOnDevice, readDevice, type SlotValue } from './executor.js';
import { createGpu } from './gpujs-module.js';
import { withoutHeadlessGl } from './headless-gl.js';
import type { Plan } from './plan.js';
import { installNodeWebGPU } from './webgpu-node.js';
import type { WorkerRequest, WorkerResponse, WorkerSetup, WorkerValue } from './worker-protocol.js';

const setup = workerData as WorkerSetup;
const flag = new Int32Array(setup.flag);
const plans = new Map<number, Plan>();
let context: ExecutionContext | undefined;
let queue: Promise<void> = Promise.resolve();
/** Kernel results kept for the main thread's tensors, by number, and the number of each. */
const buffers = new Map<number, unknown>();
const idOfBuffer = new Map<unknown, number>();
let nextBufferId = 1;

function freeBuffers(ids: readonly number[]): void {
  for (const id of ids) {
    const buffer = buffers.get(id);
    buffers.delete(id);
    idOfBuffer.delete(buffer);
    context?.release(buffer);
  }
}

function bufferOf(id: number): unknown {
  if (!buffers.has(id)) throw new Error(`gpujs worker: internal error, device buffer ${id} was read after it was freed`);
  return buffers.get(id);
}

function keep(value: SlotValue): WorkerValue {
  if (!isOnDevice(value)) return value;
  let id = idOfBuffer.get(value.onDevice);
  if (id === undefined) {
    id = nextBufferId++;
    buffers.set(id, value.onDevice);
    idOfBuffer.set(value.onDevice, id);
  }
  return { deviceId: id };
}

async function handle(request: WorkerRequest): Promise<unknown> {
  switch (request.type) {
    case 'init': {
      withoutHeadlessGl();
      const adapter = await installNodeWebGPU(request.options);
      context = new ExecutionContext('webgpu', await createGpu('webgpu'));
      return adapter;
    }
    case 'plan':
      plans.set(request.planId, request.plan);
      return null;
    case 'forget':
      plans.delete(request.planId);
      return null;
    case 'run': {
      const plan = plans.get(request.planId);
      if (plan === undefined || context === undefined) throw new Error(`gpujs worker: program ${request.planId} is not registered`);
      freeBuffers(request.release);
      const inputs = request.inputs.map((v): SlotValue => (ArrayBuffer.isView(v) ? v : { onDevice: bufferOf(v.deviceId) }));
      const result = await driveAsync(executePlan(context, plan, inputs, true));
      return { ...result, outputs: result.outputs.map(keep) };
    }
    case 'read':
      freeBuffers(request.release);
      return driveAsync(readDevice(bufferOf(request.deviceId), request.dtype, request.size));
    case 'destroy':
      freeBuffers([...buffers.keys()]);
      context?.destroy();
      context = undefined;
      plans.clear();
      return null;
  }
}

function transferables(value: unknown): ArrayBuffer[] {
  if (ArrayBuffer.isView(value)) return value.buffer instanceof ArrayBuffer ? [value.buffer] : [];
  if (typeof value !== 'object' || value === null || !('outputs' in value)) return [];
  const buffers = new Set<ArrayBuffer>();
  for (const output of (value as { outputs: ArrayBufferView[] }).outputs) {
    if (output.buffer instanceof ArrayBuffer) buffers.add(output.buffer);
  }
  return [...buffers];
}

function respond(request: WorkerRequest, response: WorkerResponse): void {
  const transfer = response.ok ? transferables(response.value) : [];
  if (request.sync) {
    setup.syncPort.postMessage(response, transfer);
    Atomics.store(flag, 0, 1);
    Atomics.notify(flag, 0);
  } else {
    setup.asyncPort.postMessage(response, transfer);
  }
}

parentPort!.on('message', (request: WorkerRequest) => {
  queue = queue.then(async () => {
    try {
      respond(request, { id: request.id, ok: true, value: await handle(request) });
    } catch (error) {
      const e = error instanceof Error ? error : new Error(String(error));
      respond(request, { id: request.id, ok: false, error: { name: e.name, message: e.message } });
    }
  });
});
