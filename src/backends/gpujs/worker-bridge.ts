/**
 * The main-thread side of the WebGPU worker (Node only). A synchronous request posts a message
 * and blocks in Atomics.wait until the worker sets a shared flag, then takes the response with
 * receiveMessageOnPort. An asynchronous request receives its response as an ordinary message.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type { WorkerRequest, WorkerResponse, WorkerResults, WorkerSetup } from './worker-protocol.js';

/** How long a synchronous request may take before it fails, in milliseconds. */
export const SYNC_TIMEOUT_MS = 600_000;

type RequestBody = WorkerRequest extends infer R ? (R extends WorkerRequest ? Omit<R, 'id' | 'sync'> : never) : never;

function rebuildError(error: { name: string; message: string }): Error {
  const rebuilt = error.name === 'RangeError' ? new RangeError(error.message) : new Error(error.message);
  if (error.name !== 'RangeError' && error.name !== 'Error') rebuilt.name = error.name;
  return rebuilt;
}

/** A worker thread that runs gpu.js in webgpu mode. */
export class WebGPUWorker {
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private exited: Error | undefined;

  private constructor(
    private readonly worker: Worker,
    private readonly syncPort: MessagePort,
    private readonly asyncPort: MessagePort,
    private readonly flag: Int32Array,
  ) {
    asyncPort.on('message', (response: WorkerResponse) => this.settle(response));
    asyncPort.unref();
    worker.unref();
    worker.on('error', (error) => this.fail(error));
    worker.on('exit', (code) => this.fail(new Error(`the gpujs WebGPU worker exited with code ${code}`)));
  }

  /**
   * Starts the worker thread. Compiled sources start `worker.js`; TypeScript sources (tests,
   * tsx) start a bootstrap that registers tsx's loader in the worker and then imports `worker.ts`.
   */
  static start(): WebGPUWorker {
    const moduleUrl = import.meta.url;
    const sync = new MessageChannel();
    const async = new MessageChannel();
    const flag = new SharedArrayBuffer(4);
    const setup: WorkerSetup = { syncPort: sync.port2, asyncPort: async.port2, flag };
    const options = { workerData: setup, transferList: [sync.port2, async.port2] };
    let worker: Worker;
    if (moduleUrl.endsWith('.ts')) {
      const tsxApi = new URL('./api/index.mjs', pathToFileURL(createRequire(moduleUrl).resolve('tsx/esm'))).href;
      const entry = new URL('./worker.ts', moduleUrl).href;
      const bootstrap = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`;
      worker = new Worker(bootstrap, { ...options, eval: true });
    } else {
      worker = new Worker(new URL('./worker.js', moduleUrl), options);
    }
    return new WebGPUWorker(worker, sync.port1, async.port1, new Int32Array(flag));
  }

  private settle(response: WorkerResponse): void {
    const waiter = this.pending.get(response.id);
    if (waiter === undefined) return;
    this.pending.delete(response.id);
    if (this.pending.size === 0) this.asyncPort.unref();
    if (response.ok) waiter.resolve(response.value);
    else waiter.reject(rebuildError(response.error));
  }

  private fail(error: Error): void {
    this.exited ??= error;
    for (const waiter of this.pending.values()) waiter.reject(error);
    this.pending.clear();
  }

  /** Sends a request and waits for its response without returning to the event loop. */
  requestSync<T extends keyof WorkerResults>(body: RequestBody & { type: T }): WorkerResults[T] {
    if (this.exited) throw this.exited;
    const request = { ...body, id: this.nextId++, sync: true } as WorkerRequest;
    Atomics.store(this.flag, 0, 0);
    this.worker.postMessage(request);
    const started = Date.now();
    while (Atomics.wait(this.flag, 0, 0, 1000) === 'timed-out') {
      if (Date.now() - started > SYNC_TIMEOUT_MS) {
        throw new Error(`gpujs/webgpu: the worker timed out on a ${body.type} request after ${SYNC_TIMEOUT_MS / 1000} s`);
      }
    }
    const received = receiveMessageOnPort(this.syncPort);
    if (received === undefined) throw new Error('gpujs/webgpu: the worker set its flag but posted no response');
    const response = received.message as WorkerResponse;
    if (!response.ok) throw rebuildError(response.error);
    return response.value as WorkerResults[T];
  }

  /** Sends a request and resolves with its response. */
  requestAsync<T extends keyof WorkerResults>(body: RequestBody & { type: T }): Promise<WorkerResults[T]> {
    if (this.exited) return Promise.reject(this.exited);
    const request = { ...body, id: this.nextId++, sync: false } as WorkerRequest;
    return new Promise<WorkerResults[T]>((resolve, reject) => {
      this.pending.set(request.id, { resolve: resolve as (value: unknown) => void, reject });
      this.asyncPort.ref();
      this.worker.postMessage(request);
    });
  }

  /** Stops the worker thread. */
  async terminate(): Promise<void> {
    this.exited ??= new Error('the gpujs WebGPU worker was terminated');
    await this.worker.terminate();
  }
}
