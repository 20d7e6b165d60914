/**
 * Kernels that leave an execution context's cache. Destroying a gpu.js GL kernel deletes its output
 * textures and the framebuffers that read them back. So a kernel must stay alive while a result it
 * returned is in use, as a tensor's device data or as an intermediate of the running program.
 * A stand-in gpu.js checks this for random sequences of runs and releases, and headless-gl checks
 * it on real textures where it runs.
 */
import { fc, test as fcTest } from '@fast-check/vitest';
import { afterAll, describe, expect, it } from 'vitest';
import { driveSync, ExecutionContext, executePlan, isOnDevice, readDevice, type GpujsInstance, type GpujsKernel, type SlotValue } from '../../../src/backends/gpujs/executor.js';
import { createGpu } from '../../../src/backends/gpujs/gpujs-module.js';
import type { Plan } from '../../../src/backends/gpujs/plan.js';

const SIZE = 3;

/** Builds a one-kernel plan whose output is its input times `factor`. */
function timesPlan(factor: number): Plan {
  return {
    slotCount: 2,
    slotSizes: [SIZE, SIZE],
    inputSlots: [0],
    steps: [{
      kind: 'kernel',
      source: `function (a0) {\n  return a0[this.thread.x] * ${factor};\n}`,
      size: SIZE,
      args: [{ kind: 'slot', slot: 0 }],
      output: 1,
      label: `times ${factor}`,
    }],
    releases: [[]],
    outputs: [{ slot: 1, dtype: 'f32', size: SIZE }],
  };
}

/**
 * A three-kernel plan, x * 2 + x * 3: with a cache of one kernel, building the second and third
 * kernels evicts the first two while their results still wait for the third.
 */
const SUM_PLAN: Plan = {
  slotCount: 4,
  slotSizes: [SIZE, SIZE, SIZE, SIZE],
  inputSlots: [0],
  steps: [
    { kind: 'kernel', source: 'function (a0) {\n  return a0[this.thread.x] * 2;\n}', size: SIZE, args: [{ kind: 'slot', slot: 0 }], output: 1, label: 'times 2' },
    { kind: 'kernel', source: 'function (a0) {\n  return a0[this.thread.x] * 3;\n}', size: SIZE, args: [{ kind: 'slot', slot: 0 }], output: 2, label: 'times 3' },
    {
      kind: 'kernel',
      source: 'function (a0, a1) {\n  const i = this.thread.x;\n  return (a0[i] + a1[i]) * 1;\n}',
      size: SIZE,
      args: [{ kind: 'slot', slot: 1 }, { kind: 'slot', slot: 2 }],
      output: 3,
      label: 'add',
    },
  ],
  releases: [[], [], [1, 2]],
  outputs: [{ slot: 3, dtype: 'f32', size: SIZE }],
};

/** A result of the stand-in gpu.js: unreadable once deleted or once its kernel is destroyed, like a GL texture. */
class StandInResult {
  deleted = false;

  constructor(readonly values: Float32Array, private readonly producer: { destroyed: boolean }) {}

  toArray(): Float32Array {
    if (this.deleted) throw new Error('stand-in gpu.js: read of a deleted result');
    if (this.producer.destroyed) throw new Error('stand-in gpu.js: read of a result whose kernel was destroyed');
    return this.values;
  }

  delete(): void {
    if (this.deleted) throw new Error('stand-in gpu.js: result deleted twice');
    this.deleted = true;
  }
}

/** A gpu.js stand-in: a kernel adds its arguments elementwise and multiplies by the factor at the end of its source. */
class StandInGpu implements GpujsInstance {
  built = 0;
  destroyed = 0;

  createKernel(source: string): GpujsKernel {
    const factor = Number(/\* (\d+);\n}$/.exec(source)?.[1]);
    if (!Number.isFinite(factor)) throw new Error(`stand-in gpu.js: no factor at the end of ${source}`);
    const state = { destroyed: false };
    const kernel = ((...args: unknown[]) => {
      if (state.destroyed) throw new Error('stand-in gpu.js: call of a destroyed kernel');
      const values = new Float32Array(SIZE);
      for (const arg of args) {
        const data = arg instanceof StandInResult ? arg.toArray() : (arg as Float32Array);
        for (let i = 0; i < SIZE; i++) values[i] += data[i];
      }
      return new StandInResult(values.map((v) => v * factor), state);
    }) as GpujsKernel;
    kernel.destroy = () => {
      if (state.destroyed) throw new Error('stand-in gpu.js: kernel destroyed twice');
      state.destroyed = true;
      this.destroyed++;
    };
    this.built++;
    return kernel;
  }

  destroy(): void {}
}

/** Runs a plan that keeps its outputs on the device and returns the first output. */
function runKept(context: ExecutionContext, plan: Plan, input: SlotValue): SlotValue {
  return driveSync(context.mode, executePlan(context, plan, [input], true)).outputs[0];
}

/** Reads an output back, from the device or as it is. */
function read(context: ExecutionContext, output: SlotValue): number[] {
  return Array.from(isOnDevice(output) ? driveSync(context.mode, readDevice(output.onDevice, 'f32', SIZE)) : output);
}

const X = Float32Array.from([1, -2, 0.5]);

/** One step of a random sequence: run a plan on the host input or on a live output, or release a live output. */
type Command = { kind: 'run'; factor: number; source: number | null } | { kind: 'release'; index: number };

const commandArbitrary: fc.Arbitrary<Command> = fc.oneof(
  fc.record({ kind: fc.constant('run' as const), factor: fc.integer({ min: 2, max: 6 }), source: fc.option(fc.nat(), { nil: null }) }),
  fc.record({ kind: fc.constant('release' as const), index: fc.nat() }),
);

describe('kernel eviction with a stand-in gpu.js', () => {
  fcTest.prop([fc.integer({ min: 1, max: 3 }), fc.array(commandArbitrary, { maxLength: 40 })])(
    'live results stay readable and every kernel is destroyed once',
    (cacheSize, commands) => {
      const gpu = new StandInGpu();
      const context = new ExecutionContext('headlessgl', gpu, cacheSize);
      const live: { output: SlotValue; expected: number[] }[] = [];
      for (const command of commands) {
        if (command.kind === 'run') {
          const from = command.source === null || live.length === 0 ? undefined : live[command.source % live.length];
          const output = runKept(context, timesPlan(command.factor), from?.output ?? X);
          const expected = (from?.expected ?? Array.from(X)).map((v) => Math.fround(v * command.factor));
          live.push({ output, expected });
        } else if (live.length > 0) {
          const [released] = live.splice(command.index % live.length, 1);
          context.release(isOnDevice(released.output) ? released.output.onDevice : released.output);
        }
      }
      for (const { output, expected } of live) expect(read(context, output)).toEqual(expected);

      for (const { output } of live) context.release(isOnDevice(output) ? output.onDevice : output);
      expect(context.retiredKernels).toBe(0);
      expect(gpu.destroyed).toBe(Math.max(0, gpu.built - cacheSize));
      context.destroy();
      expect(gpu.destroyed).toBe(gpu.built);
    },
  );

  it('keeps kernels evicted during a run until it ends', () => {
    const gpu = new StandInGpu();
    const context = new ExecutionContext('headlessgl', gpu, 1);
    const output = runKept(context, SUM_PLAN, X);
    expect(read(context, output)).toEqual(Array.from(X).map((v) => v * 2 + v * 3));
    expect(context.retiredKernels).toBe(0);
    expect(gpu.destroyed).toBe(2);
  });

  it('destroys retired kernels with the context', () => {
    const gpu = new StandInGpu();
    const context = new ExecutionContext('headlessgl', gpu, 1);
    runKept(context, timesPlan(2), X);
    runKept(context, timesPlan(3), X);
    expect(context.retiredKernels).toBe(1);
    expect(gpu.destroyed).toBe(0);
    context.destroy();
    expect(gpu.destroyed).toBe(2);
  });
});

let headless: ExecutionContext | string;
try {
  headless = new ExecutionContext('headlessgl', await createGpu('headlessgl'), 1);
  const probe = runKept(headless, timesPlan(1), X);
  if (!isOnDevice(probe)) headless = 'gpu.js returned host data in headlessgl mode (no GL context here)';
} catch (error) {
  headless = (error as Error).message.split('\n')[0];
}
afterAll(() => {
  if (typeof headless !== 'string') headless.destroy();
});

const skip = typeof headless === 'string' ? headless : undefined;
describe.skipIf(skip !== undefined)(`kernel eviction on headless-gl${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const context = headless as ExecutionContext;

  it('keeps textures of evicted kernels readable', () => {
    const first = runKept(context, timesPlan(2), X);
    const chained = runKept(context, timesPlan(3), first);
    for (let factor = 4; factor <= 6; factor++) runKept(context, timesPlan(factor), X);
    expect(read(context, first)).toEqual([2, -4, 1]);
    expect(read(context, chained)).toEqual([6, -12, 3]);
    expect(read(context, runKept(context, timesPlan(5), first))).toEqual([10, -20, 5]);
  });

  it('keeps kernels evicted during a run until it ends', () => {
    expect(read(context, runKept(context, SUM_PLAN, X))).toEqual([5, -10, 2.5]);
  });

  it('destroys an evicted kernel after its last texture is released', () => {
    const retiredOutput = runKept(context, timesPlan(7), X);
    runKept(context, timesPlan(8), X);
    const retired = context.retiredKernels;
    expect(retired).toBeGreaterThan(0);
    expect(isOnDevice(retiredOutput)).toBe(true);
    context.release((retiredOutput as { onDevice: unknown }).onDevice);
    expect(context.retiredKernels).toBe(retired - 1);
  });
});
