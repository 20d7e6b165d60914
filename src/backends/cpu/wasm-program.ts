/**
 * The WebAssembly side of a compiled cpu program. It selects the planned steps that run as
 * generated WebAssembly: products, SIMD elementwise groups, contiguous sums and strided copies. It
 * lays out the program's memory: planned buffers, staged copies of the program inputs and outputs
 * those steps touch, matmul scratch, and the exp and tanh tables. And it builds those steps.
 */
import type { DataArray, DType } from '../../core/dtype.js';
import type { Equation, Var } from '../../core/ir.js';
import type { PrimitiveParams } from '../../core/primitives.js';
import { sizeOf } from '../../core/shape.js';
import type { PlannedStep, ProgramPlan } from './plan.js';
import { contiguousBlock } from './reduce.js';
import { buildCopyModule, padCopy, sliceCopy, transposeCopy, type StridedCopy } from './wasm/copy-loop.js';
import { MAX_PAGES } from './wasm/emitter.js';
import type { HelperThread } from './wasm/helper-thread.js';
import { bindMatmul, DEFAULT_TILING, matmulScratchBytes, type MatmulInMemory } from './wasm/matmul-runtime.js';
import { MATH_TABLE_BYTES, writeMathTables, type MathTableAddresses } from './wasm/math-tables.js';
import { buildSumModule, isWasmSum } from './wasm/reduce-loop.js';
import { buildSimdModule, isSimdGroup } from './wasm/simd-loop.js';

/** A step of a compiled program. */
export interface Step {
  readonly run: (slots: DataArray[]) => void;
  /** A description of the computation, for profiles. */
  readonly label: string;
}

type KernelStep = Extract<PlannedStep, { kind: 'kernel' }>;
type FusedStep = Extract<PlannedStep, { kind: 'fused' }>;

/** The planned steps that run as WebAssembly, and what they need from the memory. */
export interface WasmSelection {
  readonly products: readonly KernelStep[];
  readonly simdGroups: readonly FusedStep[];
  readonly sums: readonly { step: KernelStep; block: [number, number, number] }[];
  readonly copies: readonly KernelStep[];
  /** Roots that WebAssembly steps read or write (they must live in the memory). */
  readonly touched: ReadonlySet<Var>;
  /** Matmul scratch of one thread. */
  readonly scratchBytes: number;
}

/** True for transposes, slices and pads of 4-byte elements, which run as generated strided copies. */
function isWasmCopy(eq: Equation): boolean {
  const dtype = eq.outputs[0].aval.dtype;
  return (eq.primitive === 'transpose' || eq.primitive === 'slice' || eq.primitive === 'pad') && (dtype === 'f32' || dtype === 'i32');
}

/** Chooses the steps of `plan` that have WebAssembly forms. */
export function selectWasmSteps(plan: ProgramPlan, rootOf: (v: Var) => Var): WasmSelection {
  const products: KernelStep[] = [];
  const simdGroups: FusedStep[] = [];
  const sums: { step: KernelStep; block: [number, number, number] }[] = [];
  const copies: KernelStep[] = [];
  const touched = new Set<Var>();
  let scratchBytes = 0;
  for (const step of plan.steps) {
    if (step.kind === 'fused') {
      if (!isSimdGroup(step.members)) continue;
      simdGroups.push(step);
      const own = new Set(step.members.map((eq) => eq.outputs[0]));
      for (const eq of step.members) {
        for (const v of eq.inputs) if (!own.has(rootOf(v))) touched.add(rootOf(v));
        if (plan.slotOf.has(eq.outputs[0])) touched.add(eq.outputs[0]);
      }
      continue;
    }
    const eq = step.equation;
    const input = eq.inputs[0];
    if (eq.primitive === 'matmul') {
      products.push(step);
      for (const v of [...eq.inputs, ...eq.outputs]) touched.add(rootOf(v));
      scratchBytes = Math.max(scratchBytes, matmulScratchBytes(DEFAULT_TILING, eq.outputs[0].aval.shape.at(-1)!));
    } else if (eq.primitive === 'reduce_sum') {
      const block = contiguousBlock(input.aval.shape, (eq.params as PrimitiveParams['reduce_sum']).axes);
      if (input.aval.dtype !== 'f32' || block === null || !isWasmSum(block[1], block[2])) continue;
      sums.push({ step, block });
      touched.add(rootOf(input)).add(eq.outputs[0]);
    } else if (isWasmCopy(eq)) {
      copies.push(step);
      touched.add(rootOf(input)).add(eq.outputs[0]);
    }
  }
  return { products, simdGroups, sums, copies, touched, scratchBytes };
}

/** Storage of a program in a WebAssembly memory. */
export interface MemoryLayout {
  readonly memory: WebAssembly.Memory;
  /** True for a shared memory, which the helper thread also runs products on. */
  readonly shared: boolean;
  readonly matmul: MatmulInMemory;
  /** Byte address of every root that a WebAssembly step reads or writes. */
  readonly addressOf: ReadonlyMap<Var, number>;
  readonly scratch: number;
  /** Scratch of the helper thread's share of a product. */
  readonly helperScratch: number;
  readonly tables: MathTableAddresses;
  /** Program inputs copied into the memory before each run: slot, view. */
  readonly stagedInputs: readonly { slot: number; view: DataArray }[];
  /** Slots of program outputs that live in the memory and are copied out after each run. */
  readonly stagedOutputs: ReadonlySet<number>;
}

/** Bytes reserved after every buffer, so SIMD loops may read or write a partial last vector. */
const PADDING = 16;

function padded(bytes: number): number {
  return Math.ceil(bytes / 16) * 16 + PADDING;
}

function bytesOf(v: Var): number {
  return sizeOf(v.aval.shape) * (v.aval.dtype === 'bool' ? 1 : 4);
}

/** Creates a typed view of `length` elements of `dtype` at `byteOffset`. */
export function arrayView(dtype: DType, buffer: ArrayBufferLike, byteOffset: number, length: number): DataArray {
  switch (dtype) {
    case 'f32': return new Float32Array(buffer, byteOffset, length);
    case 'i32': return new Int32Array(buffer, byteOffset, length);
    case 'bool': return new Uint8Array(buffer, byteOffset, length);
  }
}

/**
 * Places the plan's buffers, staged copies of the program inputs and outputs that WebAssembly
 * steps touch, and the matmul scratch in one memory, and points the slots of those values at
 * views of it. Returns null when the program needs more than a 32-bit memory can address (4 GiB).
 */
export function layOutMemory(plan: ProgramPlan, selection: WasmSelection, shared: boolean, slots: DataArray[], slotOf: (v: Var) => number): MemoryLayout | null {
  let offset = MATH_TABLE_BYTES;
  const bufferOffsets = plan.bufferBytes.map((bytes) => {
    const at = offset;
    offset += padded(bytes);
    return at;
  });
  const stagedOffsets = new Map<Var, number>();
  for (const r of selection.touched) {
    if (plan.storage.get(r)?.kind === 'arena') continue;
    stagedOffsets.set(r, offset);
    offset += padded(bytesOf(r));
  }
  const scratch = offset;
  offset += padded(selection.scratchBytes);
  const helperScratch = offset;
  if (shared) offset += padded(selection.scratchBytes);

  const pages = Math.max(1, Math.ceil(offset / 65536));
  if (pages > MAX_PAGES) return null;
  const memory = shared ? new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true }) : new WebAssembly.Memory({ initial: pages });
  const tables = writeMathTables(memory, 0);
  const addressOf = new Map<Var, number>();
  for (const [v, where] of plan.storage) {
    if (where.kind !== 'arena') continue;
    addressOf.set(v, bufferOffsets[where.buffer]);
    slots[slotOf(v)] = arrayView(v.aval.dtype, memory.buffer, bufferOffsets[where.buffer], sizeOf(v.aval.shape));
  }
  const stagedInputs: { slot: number; view: DataArray }[] = [];
  const stagedOutputs = new Set<number>();
  for (const [r, at] of stagedOffsets) {
    addressOf.set(r, at);
    const view = arrayView(r.aval.dtype, memory.buffer, at, sizeOf(r.aval.shape));
    if (plan.storage.get(r)?.kind === 'input') stagedInputs.push({ slot: slotOf(r), view });
    else {
      slots[slotOf(r)] = view;
      stagedOutputs.add(slotOf(r));
    }
  }
  return { memory, shared, matmul: bindMatmul(memory, shared), addressOf, scratch, helperScratch, tables, stagedInputs, stagedOutputs };
}

/** Writes an equation as a profile label: primitive, operand types, parameters. */
export function describeStep(eq: Equation): string {
  const shapes = eq.inputs.map((v) => `${v.aval.dtype}[${v.aval.shape.join(',')}]`).join(' ');
  const params = Object.entries(eq.params).map(([name, value]) => `${name}=${Array.isArray(value) ? `[${value.join(',')}]` : String(value)}`);
  return [eq.primitive, shapes, ...params].join(' ');
}

/** Products below this many flops run on one thread: waking the helper costs tens of microseconds. */
const PARALLEL_FLOPS = 2e6;

/** The helper thread and this program's id in it. */
export interface HelperBinding {
  readonly thread: HelperThread;
  readonly program: number;
}

function matmulStep(eq: Equation<'matmul'>, layout: MemoryLayout, rootOf: (v: Var) => Var, slotOf: (v: Var) => number, helper: HelperBinding | undefined): Step {
  const [a, b] = eq.inputs;
  const out = eq.outputs[0];
  const r = out.aval.shape.length;
  const m = out.aval.shape[r - 2];
  const n = out.aval.shape[r - 1];
  const { transposeA, transposeB } = eq.params;
  const k = transposeA ? a.aval.shape[r - 2] : a.aval.shape[r - 1];
  const batches = sizeOf(out.aval.shape.slice(0, r - 2));
  const [addressA, addressB, addressC] = [a, b, out].map((v) => layout.addressOf.get(rootOf(v))!);
  const outSlot = slotOf(out);
  const [tA, tB] = [transposeA ? 1 : 0, transposeB ? 1 : 0];
  const label = describeStep(eq);

  if (k === 0 || batches * m * n === 0) return { label, run: (slots) => slots[outSlot].fill(0) };
  if (helper === undefined || 2 * batches * m * n * k < PARALLEL_FLOPS || (batches === 1 && m < 2 * DEFAULT_TILING.mr)) {
    return { label, run: () => layout.matmul(addressA, addressB, addressC, batches, m, k, n, tA, tB, layout.scratch, 0, m) };
  }

  const { thread, program } = helper;
  if (batches >= 2) {
    // The helper takes the second half of the batches.
    const half = batches >> 1;
    const [a2, b2, c2] = [addressA + 4 * half * m * k, addressB + 4 * half * k * n, addressC + 4 * half * m * n];
    return {
      label: `${label} (2 threads)`,
      run: () => {
        thread.start(program, a2, b2, c2, batches - half, m, k, n, tA, tB, layout.helperScratch, 0, m);
        layout.matmul(addressA, addressB, addressC, half, m, k, n, tA, tB, layout.scratch, 0, m);
        thread.finish();
      },
    };
  }
  // The helper takes the rows from `split` on; `split` is a whole number of micro-kernel tiles.
  const split = DEFAULT_TILING.mr * Math.round(m / 2 / DEFAULT_TILING.mr);
  return {
    label: `${label} (2 threads)`,
    run: () => {
      thread.start(program, addressA, addressB, addressC, 1, m, k, n, tA, tB, layout.helperScratch, split, m);
      layout.matmul(addressA, addressB, addressC, 1, m, k, n, tA, tB, layout.scratch, 0, split);
      thread.finish();
    },
  };
}

function copyOf(eq: Equation, source: number, target: number): StridedCopy {
  const shape = eq.inputs[0].aval.shape;
  switch (eq.primitive) {
    case 'transpose':
      return transposeCopy(shape, (eq.params as PrimitiveParams['transpose']).perm, source, target);
    case 'slice': {
      const { starts, ends } = eq.params as PrimitiveParams['slice'];
      return sliceCopy(shape, starts, ends, source, target);
    }
    default: {
      const { low, value } = eq.params as PrimitiveParams['pad'];
      return padCopy(shape, eq.outputs[0].aval.shape, low, value, eq.outputs[0].aval.dtype === 'i32', source, target);
    }
  }
}

/** Instantiates generated module bytes on a program's memory and returns the exported functions by name. */
function instantiate(bytes: Uint8Array<ArrayBuffer>, memory: WebAssembly.Memory): Record<string, () => void> {
  return new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports as Record<string, () => void>;
}

/** Generates, compiles and instantiates the selected steps on the program's memory. */
export function buildWasmSteps(
  plan: ProgramPlan, selection: WasmSelection, layout: MemoryLayout, rootOf: (v: Var) => Var, slotOf: (v: Var) => number, helper: HelperBinding | undefined,
): Map<PlannedStep, Step> {
  const steps = new Map<PlannedStep, Step>();
  const addressOf = (v: Var): number => layout.addressOf.get(rootOf(v))!;
  for (const step of selection.products) steps.set(step, matmulStep(step.equation as Equation<'matmul'>, layout, rootOf, slotOf, helper));

  if (selection.simdGroups.length > 0) {
    const context = { rootOf, addressOf, isWritten: (v: Var) => plan.slotOf.has(v), tables: layout.tables };
    const loops = instantiate(buildSimdModule(selection.simdGroups, context, 1, layout.shared), layout.memory);
    selection.simdGroups.forEach((step, k) => {
      const run = loops[`g${k}`];
      steps.set(step, { run: () => run(), label: `simd[${step.members.map((eq) => eq.primitive).join(',')}] x${step.size}` });
    });
  }
  if (selection.sums.length > 0) {
    const loops = selection.sums.map(({ step, block: [outer, count, inner] }) => ({
      outer, count, inner, source: addressOf(step.equation.inputs[0]), target: addressOf(step.equation.outputs[0]),
    }));
    const sums = instantiate(buildSumModule(loops, layout.shared), layout.memory);
    selection.sums.forEach(({ step }, k) => {
      const run = sums[`s${k}`];
      steps.set(step, { run: () => run(), label: `${describeStep(step.equation)} (wasm)` });
    });
  }
  if (selection.copies.length > 0) {
    const copies = instantiate(
      buildCopyModule(selection.copies.map((step) => copyOf(step.equation, addressOf(step.equation.inputs[0]), addressOf(step.equation.outputs[0]))), layout.shared),
      layout.memory,
    );
    selection.copies.forEach((step, k) => {
      const run = copies[`c${k}`];
      steps.set(step, { run: () => run(), label: `${describeStep(step.equation)} (wasm)` });
    });
  }
  return steps;
}
