/**
 * An instrumented device for the asynchronous readback tests: it wraps a gpu.js instance so that
 * every kernel result reads back through a fence. A fence delivers its data only after the test
 * signals it, and it records each time it is queried and signalled in a shared event log.
 */
import type { GpujsInstance, GpujsKernel } from '../../src/backends/gpujs/executor.js';

/** A readback fence that the test signals by hand. */
export class Fence {
  /** Times the fence was polled. */
  queries = 0;
  signaled = false;

  constructor(
    /** Issue order of the fence, from 0. */
    readonly id: number,
    /** The first element the readback delivers, to match fences with results. */
    readonly value: number,
    private readonly log: string[],
  ) {}

  /** Marks the work behind the fence as done. */
  signal(): void {
    this.signaled = true;
    this.log.push(`signal ${this.id}`);
  }

  /** Polls every millisecond until the fence is signalled, logging each query. */
  wait(): Promise<void> {
    return new Promise((resolve) => {
      const poll = () => {
        this.queries++;
        this.log.push(`query ${this.id}`);
        if (this.signaled) resolve();
        else setTimeout(poll, 1);
      };
      poll();
    });
  }
}

/** A kernel result held on the instrumented device. */
class FencedValue {
  constructor(readonly inner: unknown, private readonly issue: (data: ArrayLike<number>) => Fence) {}

  /** Reads the result back once its fence signals. */
  async toArray(): Promise<ArrayLike<number>> {
    const data = hostData(this.inner);
    await this.issue(data).wait();
    return data;
  }

  delete(): void {
    const handle = this.inner as { delete?: () => unknown };
    if (!ArrayBuffer.isView(this.inner) && typeof handle?.delete === 'function') handle.delete();
  }
}

function hostData(value: unknown): ArrayLike<number> {
  if (ArrayBuffer.isView(value)) return (value as Float32Array).slice();
  return (value as { toArray(): ArrayLike<number> }).toArray();
}

/** The instrumented device: the wrapped gpu.js instance, its fences in issue order and the event log. */
export interface FencedGpu {
  readonly gpu: GpujsInstance;
  readonly fences: Fence[];
  readonly log: string[];
}

/**
 * Wraps `inner` so that kernel results read back through fences. Kernels still compute on
 * `inner`, and results passed to later kernels are unwrapped first.
 */
export function fencedGpu(inner: GpujsInstance): FencedGpu {
  const fences: Fence[] = [];
  const log: string[] = [];
  const issue = (data: ArrayLike<number>): Fence => {
    const fence = new Fence(fences.length, data[0], log);
    fences.push(fence);
    return fence;
  };
  const unwrap = (arg: unknown) => (arg instanceof FencedValue ? arg.inner : arg);
  const gpu: GpujsInstance = {
    createKernel(source, settings) {
      const kernel = inner.createKernel(source, settings);
      const wrapped = ((...args: unknown[]) => new FencedValue(kernel(...args.map(unwrap)), issue)) as GpujsKernel;
      Object.defineProperty(wrapped, 'kernel', { get: () => kernel.kernel });
      Object.defineProperty(wrapped, 'destroy', { value: (removeCanvas?: boolean) => kernel.destroy?.(removeCanvas) });
      return wrapped;
    },
    destroy: () => inner.destroy(),
  };
  return { gpu, fences, log };
}
