/**
 * The worker thread that runs the webgpu mode in Node. WebGPU reads results back only
 * asynchronously, so the main thread posts a request and blocks on a shared flag (Atomics.wait)
 * while this thread runs the plan. That gives the synchronous `Backend` interface on top of an
 * asynchronous device. Requests run one at a time, in the order they arrive.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ExecutionContext, runAsync } from './executor.js';
import { createGpu } from './gpujs-module.js';
import { withoutHeadlessGl } from './headless-gl.js';
import type { Plan } from './plan.js';
import { installNodeWebGPU } from './webgpu-node.js';
import type { WorkerRequest, WorkerResponse, WorkerSetup } from './worker-protocol.js';

const setup = workerData as WorkerSetup;
const flag = new Int32Array(setup.flag);
const plans = new Map<number, Plan>();
let context: ExecutionContext | undefined;
let queue: Promise<void> = Promise.resolve();

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
      return runAsync(context, plan, request.inputs);
    }
    case 'destroy':
      context?.destroy();
      context = undefined;
      plans.clear();
      return null;
  }
}

function transferables(value: unknown): ArrayBuffer[] {
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
