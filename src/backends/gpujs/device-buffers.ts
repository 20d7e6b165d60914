/**
 * The device buffers that a runner keeps for tensors, under a size budget.
 *
 * A buffer is freed when its last tensor is garbage-collected. JavaScript's collector measures only
 * the small objects that name the buffers, not the device memory behind them, so it may run too
 * rarely to keep up with a training loop. When the kept buffers pass the budget, the
 * oldest ones are evicted: read back into host memory (unless already collected) and freed on the
 * device. An evicted buffer's tensors keep working from the host copy, so the budget bounds
 * device memory without changing any result.
 */

/** The runner operations that free and read back its device buffers. */
export interface BufferAccess {
  /** Frees the device buffer `ref`. */
  free(ref: unknown): void;
  /** Reads `size` floats of the device buffer `ref` back; undefined where reads are only asynchronous. */
  readFloats?: (ref: unknown, size: number) => Float32Array;
}

/** One device buffer of `size` floats, or its host copy once evicted. */
export class DeviceBuffer {
  /** The runner's reference to the buffer (a gpu.js result or a worker's buffer number); undefined once evicted. */
  ref: unknown;
  /** The buffer's floats, read back when it was evicted. */
  host: Float32Array | undefined;

  constructor(ref: unknown, readonly size: number) {
    this.ref = ref;
  }
}

interface Entry {
  readonly buffer: WeakRef<DeviceBuffer>;
  readonly ref: unknown;
  readonly size: number;
}

/** Default budget: 2^24 floats (64 MiB of float32) kept on the device for tensors. */
export const DEFAULT_DEVICE_BUDGET = 2 ** 24;

/** The buffers a runner keeps for tensors, oldest first. */
export class DeviceBuffers {
  private readonly entries = new Map<number, Entry>();
  private nextId = 0;
  private total = 0;
  private readonly registry = new FinalizationRegistry<number>((id) => this.drop(id));

  /** `budget` is the most floats kept before the oldest buffers are evicted (Infinity: never). */
  constructor(private readonly access: BufferAccess, readonly budget = DEFAULT_DEVICE_BUDGET) {
    if (!(budget >= 0)) throw new RangeError(`device buffer budget must be a number of floats >= 0, got ${budget}`);
  }

  /** Floats kept on the device for live tensors. */
  get keptFloats(): number {
    return this.total;
  }

  /** Starts tracking a new buffer, then evicts the oldest ones while the total passes the budget. */
  add(buffer: DeviceBuffer): void {
    const id = this.nextId++;
    this.entries.set(id, { buffer: new WeakRef(buffer), ref: buffer.ref, size: buffer.size });
    this.registry.register(buffer, id, buffer);
    this.total += buffer.size;
    // Without synchronous reads, buffers wait for collection whatever the budget.
    if (this.access.readFloats === undefined) return;
    while (this.total > this.budget && this.entries.size > 0) {
      const [oldest] = this.entries.keys();
      this.evict(oldest);
    }
  }

  /** Frees every buffer (when the runner stops); tensors that were not read lose their data. */
  clear(): void {
    for (const [id, entry] of this.entries) {
      this.registry.unregister(entry.buffer.deref() ?? {});
      this.entries.delete(id);
    }
    this.total = 0;
  }

  /** Reads a buffer back into its host copy and frees it on the device; a collected one is only freed. */
  private evict(id: number): void {
    const entry = this.entries.get(id)!;
    const buffer = entry.buffer.deref();
    if (buffer !== undefined) {
      buffer.host = this.access.readFloats!(entry.ref, entry.size);
      buffer.ref = undefined;
      this.registry.unregister(buffer);
    }
    this.forget(id);
  }

  /** Frees the buffer of a collected tensor. */
  private drop(id: number): void {
    if (this.entries.has(id)) this.forget(id);
  }

  private forget(id: number): void {
    const entry = this.entries.get(id)!;
    this.entries.delete(id);
    this.total -= entry.size;
    this.access.free(entry.ref);
  }
}
