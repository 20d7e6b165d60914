/** Messages between the main thread and the worker thread that runs WebGPU in Node. */
import type { DataArray, DType } from '../../core/dtype.js';
import type { Plan } from './plan.js';
import type { AdapterDescription, NodeWebGPUOptions } from './webgpu-node.js';

/** A program input or output: host data, or a buffer that stays in the worker, by number. */
export type WorkerValue = DataArray | { readonly deviceId: number };

/** A request to the worker. The response to a `sync` request comes on the synchronous port. */
export type WorkerRequest =
  | { readonly id: number; readonly sync: boolean; readonly type: 'init'; readonly options: NodeWebGPUOptions }
  | { readonly id: number; readonly sync: boolean; readonly type: 'plan'; readonly planId: number; readonly plan: Plan }
  | {
      readonly id: number; readonly sync: boolean; readonly type: 'run'; readonly planId: number; readonly inputs: readonly WorkerValue[];
      /** Buffers to free first: their tensors are gone. */
      readonly release: readonly number[];
    }
  | {
      readonly id: number; readonly sync: boolean; readonly type: 'read'; readonly deviceId: number; readonly dtype: DType; readonly size: number;
      readonly release: readonly number[];
    }
  | { readonly id: number; readonly sync: boolean; readonly type: 'forget'; readonly planId: number }
  | { readonly id: number; readonly sync: boolean; readonly type: 'destroy' };

/** The result of each successful request, by request type. */
export interface WorkerResults {
  init: AdapterDescription;
  plan: null;
  run: { readonly outputs: WorkerValue[]; readonly degraded: readonly string[]; readonly uploaded: number; readonly readBack: number };
  read: DataArray;
  forget: null;
  destroy: null;
}

/** The worker's response to one request. */
export type WorkerResponse =
  | { readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly id: number; readonly ok: false; readonly error: { readonly name: string; readonly message: string } };

/** The ports and flag that the main thread passes to the worker at start. */
export interface WorkerSetup {
  readonly syncPort: import('node:worker_threads').MessagePort;
  readonly asyncPort: import('node:worker_threads').MessagePort;
  /** One Int32 that the worker sets to 1 after posting a synchronous response. */
  readonly flag: SharedArrayBuffer;
}
