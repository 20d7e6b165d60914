/**
 * Runners carry plans to a gpu.js instance: in this thread (cpu, webasm, webgl2, headlessgl,
 * and webgpu in a browser), or in a worker thread (webgpu in Node, which makes its asynchronous
 * readback usable from the synchronous `Backend` interface).
 */
import type { DataArray } from '../../core/dtype.js';
import { ExecutionContext, runAsync, runSync, type RunResult } from './executor.js';
import type { GpujsMode, Plan } from './plan.js';
import type { WebGPUWorker } from './worker-bridge.js';

/** A plan registered with a runner. */
export interface PreparedPlan {
  readonly plan: Plan;
  readonly id: number;
}

/** Runs plans in one gpu.js mode. */
export interface Runner {
  readonly mode: GpujsMode;
  /** True when `run` can return results synchronously. */
  readonly synchronous: boolean;
  prepare(plan: Plan): PreparedPlan;
  /** Stops using a plan (called when its executable is garbage-collected). */
  forget(prepared: PreparedPlan): void;
  run(prepared: PreparedPlan, inputs: readonly DataArray[]): RunResult;
  runAsync(prepared: PreparedPlan, inputs: readonly DataArray[]): Promise<RunResult>;
  destroy(): Promise<void>;
}

let nextPlanId = 0;

/** Runs plans on a gpu.js instance in the calling thread. */
export class LocalRunner implements Runner {
  readonly synchronous: boolean;

  constructor(readonly context: ExecutionContext) {
    this.synchronous = context.mode !== 'webgpu';
  }

  get mode(): GpujsMode {
    return this.context.mode;
  }

  prepare(plan: Plan): PreparedPlan {
    return { plan, id: nextPlanId++ };
  }

  forget(): void {}

  run(prepared: PreparedPlan, inputs: readonly DataArray[]): RunResult {
    return runSync(this.context, prepared.plan, inputs);
  }

  runAsync(prepared: PreparedPlan, inputs: readonly DataArray[]): Promise<RunResult> {
    return runAsync(this.context, prepared.plan, inputs);
  }

  async destroy(): Promise<void> {
    this.context.destroy();
  }
}

/** Runs plans in webgpu mode on a worker thread (Node). */
export class WorkerRunner implements Runner {
  readonly mode: GpujsMode = 'webgpu';
  readonly synchronous = true;

  constructor(readonly worker: WebGPUWorker) {}

  prepare(plan: Plan): PreparedPlan {
    const prepared = { plan, id: nextPlanId++ };
    this.worker.requestAsync({ type: 'plan', planId: prepared.id, plan }).catch(() => undefined);
    return prepared;
  }

  forget(prepared: PreparedPlan): void {
    this.worker.requestAsync({ type: 'forget', planId: prepared.id }).catch(() => undefined);
  }

  run(prepared: PreparedPlan, inputs: readonly DataArray[]): RunResult {
    return this.worker.requestSync({ type: 'run', planId: prepared.id, inputs });
  }

  runAsync(prepared: PreparedPlan, inputs: readonly DataArray[]): Promise<RunResult> {
    return this.worker.requestAsync({ type: 'run', planId: prepared.id, inputs });
  }

  async destroy(): Promise<void> {
    await this.worker.requestAsync({ type: 'destroy' }).catch(() => undefined);
    await this.worker.terminate();
  }
}
