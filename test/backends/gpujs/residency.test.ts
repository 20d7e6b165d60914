/**
 * Program outputs that stay on the device: they are read back only when their data is asked
 * for, go into the next program of the same backend without a copy, and read back correctly
 * as every dtype, also where two outputs or an output and an input share one device buffer.
 * Runs in the modes whose kernel results are device buffers (webgpu, headlessgl).
 */
import { existsSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { add, cast, compile, cpuBackend, greater, mul, setBackend, sum, tensor, type Tensor } from '../../../src/index.js';
import { gpujsBackend, type GpujsBackend } from '../../../src/backends/gpujs/index.js';

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
if (process.env.VK_ICD_FILENAMES === undefined && existsSync(SWIFTSHADER_ICD)) process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;

const backends = new Map<string, GpujsBackend | string>();
for (const mode of ['webgpu', 'headlessgl'] as const) {
  try {
    backends.set(mode, await gpujsBackend({ mode }));
  } catch (error) {
    backends.set(mode, (error as Error).message);
  }
}
afterAll(async () => {
  setBackend(cpuBackend());
  for (const b of backends.values()) if (typeof b !== 'string') await b.destroy();
});

/** Runs `fn` with `backend` selected. */
function on<T>(backend: GpujsBackend, fn: () => T): T {
  setBackend(backend);
  try {
    return fn();
  } finally {
    setBackend(cpuBackend());
  }
}

for (const [mode, entry] of backends) {
  const skip = typeof entry === 'string' ? entry : undefined;
  describe.skipIf(skip !== undefined)(`gpujs/${mode}${skip ? ` (skipped: ${skip})` : ''}`, () => {
    const backend = entry as GpujsBackend;

    it('keeps outputs until their data is read', () => {
      const double = compile((x: Tensor) => mul(x, 2));
      const before = backend.transfers;
      const y = on(backend, () => double(tensor([1, 2, 3])));
      expect(y.device).toBeDefined();
      expect(backend.transfers.readBackFloats).toBe(before.readBackFloats);
      expect(y.toArray()).toEqual([2, 4, 6]);
      expect(backend.transfers.readBackFloats).toBe(before.readBackFloats + 3);
      expect(y.toArray()).toEqual([2, 4, 6]);
      expect(backend.transfers.readBackFloats).toBe(before.readBackFloats + 3);
    });

    it('feeds outputs to the next program without a copy', () => {
      const double = compile((x: Tensor) => mul(x, 2));
      const x = tensor([1, 2, 3, 4]);
      let y = on(backend, () => double(x));
      const before = backend.transfers;
      for (let k = 0; k < 5; k++) y = on(backend, () => double(y));
      expect(backend.transfers).toEqual(before);
      expect(y.toArray()).toEqual([64, 128, 192, 256]);
    });

    it('reads bool, i32 and shared outputs as their dtypes', () => {
      const f = compile((x: Tensor) => {
        const positive = greater(x, 0);
        return [positive, cast(positive, 'i32'), cast(positive, 'f32'), x];
      });
      const x = on(backend, () => compile((t: Tensor) => add(t, 0.5))(tensor([-2, 1, -1, 3])));
      const [positive, asInt, asFloat, same] = on(backend, () => f(x));
      expect(positive.dtype).toBe('bool');
      expect(positive.toArray()).toEqual([false, true, false, true]);
      expect(asInt.data()).toEqual(Int32Array.from([0, 1, 0, 1]));
      expect(asFloat.data()).toEqual(Float32Array.from([0, 1, 0, 1]));
      expect(same.toArray()).toEqual([-1.5, 1.5, -0.5, 3.5]);
    });

    it('reads a device tensor back for the cpu backend', () => {
      const y = on(backend, () => compile((x: Tensor) => mul(x, 3))(tensor([1, 2])));
      expect(sum(y).item()).toBe(9);
    });

    it('reads asynchronously with dataAsync', async () => {
      const y = on(backend, () => compile((x: Tensor) => add(x, 1))(tensor([1, 2])));
      expect(Array.from(await y.dataAsync())).toEqual([2, 3]);
    });

    it('rejects a read after destroy with the fix', async () => {
      const own = await gpujsBackend({ mode: backend.mode });
      const y = on(own, () => compile((x: Tensor) => mul(x, 5))(tensor([1, 2])));
      await own.destroy();
      expect(() => y.data()).toThrow(/backend that holds it was destroyed; read the data .* before backend\.destroy\(\)/);
    });
  });
}
