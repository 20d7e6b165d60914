/**
 * Program outputs that stay on the device. They are read back only when their data is requested,
 * and go into the next program of the same backend without a copy. They read back correctly as
 * every dtype, also where two outputs or an output and an input share one device buffer.
 * Device tensors also work as eager operands, constants, pytree leaves, inputs of grad, and
 * operands of other backends; garbage collection frees the buffers of collected tensors only.
 * Runs in the modes whose kernel results are device buffers (webgpu, headlessgl).
 */
import { existsSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, describe, expect, it } from 'vitest';
import {
  add, cast, checkGrads, compile, cpuBackend, decodeSafetensors, encodeSafetensors, exp, greater, matmul, mul, reshape, setBackend, sum, tensor,
  valueAndGrad, zeros, type Tensor,
} from '../../../src/index.js';
import { gpujsBackend, type GpujsBackend } from '../../../src/backends/gpujs/index.js';
import { RunnerDeviceData } from '../../../src/backends/gpujs/runner.js';

setFlagsFromString('--expose-gc');
/** V8's garbage collector, exposed by the flag above. */
const collectGarbage = runInNewContext('gc') as () => void;

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

/** Collects garbage and lets finalizers run, `rounds` times or until `done()` holds. */
async function collect(rounds: number, done: () => boolean = () => false): Promise<void> {
  for (let k = 0; k < rounds && !done(); k++) {
    collectGarbage();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Returns the device data of a tensor that a gpujs program returned. */
function deviceOf(t: Tensor): RunnerDeviceData {
  if (!(t.device instanceof RunnerDeviceData)) throw new Error(`expected a tensor held on a gpujs device, got ${t.toString()}`);
  return t.device;
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
      expect(() => y.data()).toThrow(/because its backend was destroyed; read the data .* before backend\.destroy\(\)/);
    });

    it('rejects a run after destroy with the fix', async () => {
      const own = await gpujsBackend({ mode: backend.mode });
      const double = compile((x: Tensor) => mul(x, 2));
      expect(on(own, () => double(tensor([1])).toArray())).toEqual([2]);
      await own.destroy();
      const fix = /gpujs\/\w+: cannot run a program because its backend was destroyed; create a new backend with gpujsBackend\(\)/;
      expect(() => on(own, () => double(tensor([1])))).toThrow(fix);
      expect(() => on(own, () => add(tensor([1]), 1))).toThrow(fix);
    });

    it('chains eager operations on the device', () => {
      const x = tensor([[1, 2, 3], [4, 5, 6]]);
      const expected = sum(exp(mul(mul(add(x, 1), add(x, 1)), 0.01))).item();
      const before = backend.transfers;
      const [a, b, c, total] = on(backend, () => {
        const a = add(x, 1);
        const b = mul(a, a);
        const c = exp(mul(b, 0.01));
        return [a, b, c, sum(c)];
      });
      for (const t of [a, b, c, total]) expect(t.device).toBeDefined();
      expect(backend.transfers.readBackFloats).toBe(before.readBackFloats);
      expect(total.item()).toBeCloseTo(expected, 4);
    });

    it('reads device tensors for other backends', async () => {
      const other = await gpujsBackend({ mode: backend.mode });
      try {
        const y = on(backend, () => mul(tensor([1, 2, 3]), 2));
        const onOther = on(other, () => add(y, 1));
        expect(deviceOf(onOther).holder).not.toBe(deviceOf(y).holder);
        expect(onOther.toArray()).toEqual([3, 5, 7]);
        expect(add(y, 1).toArray()).toEqual([3, 5, 7]);
      } finally {
        await other.destroy();
      }
    });

    it('differentiates at device inputs', () => {
      const wHost = tensor([0.5, -1, 2]);
      const w = on(backend, () => add(wHost, 0));
      const f = (v: Tensor): Tensor => sum(exp(mul(v, 0.3)));
      const [value, gradient] = valueAndGrad(f)(wHost);
      const [deviceValue, deviceGradient] = on(backend, () => valueAndGrad(f)(w));
      expect(deviceValue.item()).toBeCloseTo(value.item(), 5);
      Array.from(deviceGradient.data()).forEach((g, i) => expect(g).toBeCloseTo(gradient.data()[i], 5));
      expect(() => on(backend, () => checkGrads(f, [w]))).not.toThrow();
    });

    it('uses closed-over device tensors as constants', () => {
      const w = on(backend, () => mul(tensor([1, 2, 3]), 2));
      const s = on(backend, () => mul(tensor(3), 1));
      const f = compile((x: Tensor) => mul(add(x, w), s));
      expect(on(backend, () => f(tensor([1, 1, 1]))).toArray()).toEqual([9, 15, 21]);
      expect(on(backend, () => f(tensor([0, 0, 0]))).toArray()).toEqual([6, 12, 18]);
    });

    it('runs pytrees of device tensors', () => {
      const a = on(backend, () => add(tensor([1, 2]), 0));
      const b = on(backend, () => mul(tensor([[1, 2], [3, 4]]), 1));
      const f = compile((p: { a: Tensor; rest: [Tensor, Tensor] }) => ({ a: add(p.a, 1), rest: [p.rest[0], matmul(p.rest[1], reshape(p.a, [2, 1]))] as const }));
      const out = on(backend, () => f({ a, rest: [a, b] }));
      expect(out.a.toArray()).toEqual([2, 3]);
      expect(out.rest[0].toArray()).toEqual([1, 2]);
      expect(deviceOf(out.rest[0]).buffer).toBe(deviceOf(a).buffer);
      expect(out.rest[1].toArray()).toEqual([[5], [11]]);
    });

    it('encodes device tensors as safetensors', () => {
      const w = on(backend, () => mul(tensor([[1, 2], [3, 4]]), 0.5));
      const n = on(backend, () => cast(mul(tensor([1.5, -2.5]), 2), 'i32'));
      const { tensors } = decodeSafetensors(encodeSafetensors({ w, n }));
      expect(tensors.w.toArray()).toEqual([[0.5, 1], [1.5, 2]]);
      expect(tensors.n.dtype).toBe('i32');
      expect(tensors.n.toArray()).toEqual([3, -5]);
    });

    it('handles empty tensors and scalars', () => {
      const empty = on(backend, () => add(zeros([0, 3]), 1));
      const [doubled, columns] = on(backend, () => compile((x: Tensor) => [mul(x, 2), sum(x, 0)])(empty));
      expect(doubled.shape).toEqual([0, 3]);
      expect(columns.toArray()).toEqual([0, 0, 0]);
      const s = on(backend, () => add(tensor(2), 1));
      expect(s.device).toBeDefined();
      expect(on(backend, () => mul(s, s)).item()).toBe(9);
    });

    it('keeps buffers of live tensors through garbage collection', async () => {
      const step = compile((p: { w: Tensor; b: Tensor }) => ({ w: add(mul(p.w, 0.5), 1), b: add(p.b, p.w) }));
      let p = on(backend, () => ({ w: add(tensor([1, 2, 3, 4]), 0), b: add(tensor([0, 0, 0, 0]), 0) }));
      let w = [1, 2, 3, 4];
      let b = [0, 0, 0, 0];
      const snapshots: { p: typeof p; w: number[]; b: number[] }[] = [];
      for (let k = 0; k < 60; k++) {
        p = on(backend, () => step(p));
        b = b.map((v, i) => v + w[i]);
        w = w.map((v) => v * 0.5 + 1);
        if (k % 15 === 0) snapshots.push({ p, w, b });
        if (k % 5 === 0) await collect(1);
      }
      await collect(3);
      on(backend, () => add(tensor([1]), 1)).data();
      for (const entry of [...snapshots, { p, w, b }]) {
        Array.from(entry.p.w.data()).forEach((v, i) => expect(v).toBeCloseTo(entry.w[i], 5));
        Array.from(entry.p.b.data()).forEach((v, i) => expect(v).toBeCloseTo(entry.b[i], 4));
      }
    });

    it('frees the buffer of a collected tensor', async () => {
      const holder = deviceOf(on(backend, () => mul(tensor([1]), 1))).holder;
      /** Returns the device reference of a tensor that nothing refers to after the call. */
      const dropped = (): unknown => deviceOf(on(backend, () => mul(tensor([1, 2]), 3))).buffer.ref;
      const ref = dropped();
      if (backend.mode === 'webgpu') {
        // The worker frees collected buffers with the next request, so reading this one fails there.
        let message = '';
        await collect(200, () => {
          try {
            holder.read(ref, 'f32', 2);
            return false;
          } catch (error) {
            message = (error as Error).message;
            return true;
          }
        });
        expect(message).toMatch(/device buffer \d+ was read after it was freed/);
      } else {
        const texture = ref as { _deleted?: boolean };
        await collect(200, () => texture._deleted === true);
        expect(texture._deleted).toBe(true);
      }
    });

    it('evicts the oldest buffers past the device budget', async () => {
      // A budget of 10 floats has room for two outputs of 4, so older ones move to host copies.
      const small = await gpujsBackend({ mode: backend.mode, deviceBudget: 10 });
      try {
        const double = compile((x: Tensor) => mul(x, 2));
        const chain = [on(small, () => double(tensor([1, 2, 3, 4])))];
        for (let k = 0; k < 5; k++) chain.push(on(small, () => double(chain[k])));
        expect(small.deviceFloats).toBeLessThanOrEqual(10);
        expect(small.transfers.readBackFloats).toBeGreaterThanOrEqual(4 * 4);
        chain.forEach((t, k) => expect(t.toArray()).toEqual([1, 2, 3, 4].map((v) => v * 2 ** (k + 1))));
        // An evicted tensor goes into the next program as host data.
        expect(on(small, () => double(chain[0])).toArray()).toEqual([4, 8, 12, 16]);
        await small.destroy();
        expect(chain[0].toArray()).toEqual([2, 4, 6, 8]);
      } finally {
        await small.destroy();
      }
    });

    it('rejects a negative device budget', async () => {
      await expect(gpujsBackend({ mode: backend.mode, deviceBudget: -1 })).rejects.toThrow(/deviceBudget must be a number of floats >= 0 \(or Infinity\), got -1/);
    });
  });
}
