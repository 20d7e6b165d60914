/**
 * Plans a graph for the cpu backend. The plan records which equations run as fused elementwise
 * loops and which as kernels, which values are only views of others, and which preallocated
 * buffer stores each intermediate value. A run then allocates nothing but the program's outputs.
 *
 * Fusion: equations are read in program order. An elementwise equation or a broadcast joins the
 * open group of its element count; a group closes when something outside it reads one of its
 * values (a kernel, or a group of another size), so every group runs after all its inputs exist.
 * A reshape, or a broadcast that keeps the element count, is a view: it gets no step and shares
 * the storage of its operand (its root).
 *
 * Buffers: every value written by a step and read by a later one gets a buffer, reused once its
 * last reader has run; a step's output never shares a buffer with that step's operands. Values
 * that the program returns get fresh arrays on every run, because returned tensors are immutable.
 */
import { sizeOf } from '../../core/shape.js';
import type { Equation, Graph, Var } from '../../core/ir.js';
import { isFusable } from './fused-loop.js';

/** A step of a planned program. */
export type PlannedStep =
  | { readonly kind: 'kernel'; readonly equation: Equation }
  | { readonly kind: 'fused'; readonly members: readonly Equation[]; readonly size: number };

/** The storage of a root value. */
export type Storage =
  /** A program input or captured constant, at this slot. */
  | { readonly kind: 'input' }
  /** A program output: a new array on every run. */
  | { readonly kind: 'fresh' }
  /** An intermediate in buffer `buffer` of the program's arena. */
  | { readonly kind: 'arena'; readonly buffer: number }
  /** Computed and consumed inside one fused loop: no storage. */
  | { readonly kind: 'none' };

/** A planned program. */
export interface ProgramPlan {
  readonly steps: readonly PlannedStep[];
  /** The root of every variable: itself, or the value whose storage it views. */
  readonly rootOf: ReadonlyMap<Var, Var>;
  /** The slot index of every root with storage. */
  readonly slotOf: ReadonlyMap<Var, number>;
  readonly storage: ReadonlyMap<Var, Storage>;
  /** Byte size of each arena buffer. */
  readonly bufferBytes: readonly number[];
  readonly slotCount: number;
}

interface OpenGroup {
  readonly members: Equation[];
  readonly size: number;
  open: boolean;
}

function isView(eq: Equation): boolean {
  if (eq.primitive === 'reshape') return true;
  return eq.primitive === 'broadcast' && sizeOf(eq.inputs[0].aval.shape) === sizeOf(eq.outputs[0].aval.shape);
}

function bytesPerElement(v: Var): number {
  return v.aval.dtype === 'bool' ? 1 : 4;
}

/** Plans `graph` (see the module comment). */
export function planProgram(graph: Graph): ProgramPlan {
  const rootOf = new Map<Var, Var>();
  const leading = [...graph.constants.map((c) => c.variable), ...graph.inputs];
  for (const v of leading) rootOf.set(v, v);
  const root = (v: Var): Var => rootOf.get(v) ?? v;

  const groupOf = new Map<Var, OpenGroup>();
  const open = new Map<number, OpenGroup>();
  const ordered: (Equation | OpenGroup)[] = [];
  const flush = (group: OpenGroup): void => {
    if (!group.open) return;
    group.open = false;
    open.delete(group.size);
    ordered.push(group);
  };

  for (const eq of graph.equations) {
    const out = eq.outputs[0];
    if (isView(eq)) {
      rootOf.set(out, root(eq.inputs[0]));
      continue;
    }
    rootOf.set(out, out);
    const size = sizeOf(out.aval.shape);
    const fusable = isFusable(eq);
    for (const v of eq.inputs) {
      const producer = groupOf.get(root(v));
      if (producer?.open && !(fusable && producer.size === size && eq.primitive !== 'broadcast')) flush(producer);
    }
    if (!fusable) {
      ordered.push(eq);
      continue;
    }
    let group = open.get(size);
    if (group === undefined) {
      group = { members: [], size, open: true };
      open.set(size, group);
    }
    group.members.push(eq);
    groupOf.set(out, group);
  }
  for (const group of [...open.values()]) flush(group);

  const steps: PlannedStep[] = ordered.map((item) =>
    'members' in item ? { kind: 'fused', members: item.members, size: item.size } : { kind: 'kernel', equation: item },
  );

  // Which roots a step writes and reads, and the last step that reads each root.
  const outputs = new Set(graph.outputs.map(root));
  const written = new Set<Var>();
  const lastRead = new Map<Var, number>();
  const readsOf: Var[][] = steps.map(() => []);
  steps.forEach((step, index) => {
    const members = step.kind === 'kernel' ? [step.equation] : step.members;
    const own = step.kind === 'fused' ? new Set(step.members.map((eq) => eq.outputs[0])) : new Set<Var>();
    for (const eq of members) {
      for (const v of eq.inputs) {
        const r = root(v);
        if (own.has(r)) continue;
        written.add(r);
        lastRead.set(r, index);
        readsOf[index].push(r);
      }
    }
    if (step.kind === 'kernel') written.add(step.equation.outputs[0]);
  });
  for (const r of outputs) written.add(r);

  // Slots: inputs first, then every written root in step order.
  const slotOf = new Map<Var, number>();
  leading.forEach((v, i) => slotOf.set(v, i));
  const storage = new Map<Var, Storage>();
  for (const v of leading) storage.set(v, { kind: 'input' });

  const bufferBytes: number[] = [];
  const free: number[] = [];
  const bufferOf = new Map<Var, number>();
  const acquire = (bytes: number): number => {
    let best = -1;
    for (let k = 0; k < free.length; k++) {
      const candidate = free[k];
      if (bufferBytes[candidate] >= bytes && (best < 0 || bufferBytes[candidate] < bufferBytes[free[best]])) best = k;
    }
    if (best < 0 && free.length > 0) {
      // No free buffer is large enough: grow the largest one rather than adding another.
      best = 0;
      for (let k = 1; k < free.length; k++) if (bufferBytes[free[k]] > bufferBytes[free[best]]) best = k;
    }
    if (best < 0) {
      bufferBytes.push(bytes);
      return bufferBytes.length - 1;
    }
    const buffer = free[best];
    free.splice(best, 1);
    bufferBytes[buffer] = Math.max(bufferBytes[buffer], bytes);
    return buffer;
  };

  steps.forEach((step, index) => {
    const defined = step.kind === 'kernel' ? [step.equation.outputs[0]] : step.members.map((eq) => eq.outputs[0]);
    for (const v of defined) {
      if (!written.has(v)) {
        storage.set(v, { kind: 'none' });
        continue;
      }
      slotOf.set(v, slotOf.size);
      if (outputs.has(v)) {
        storage.set(v, { kind: 'fresh' });
        continue;
      }
      const buffer = acquire(sizeOf(v.aval.shape) * bytesPerElement(v));
      bufferOf.set(v, buffer);
      storage.set(v, { kind: 'arena', buffer });
    }
    for (const r of readsOf[index]) {
      const buffer = bufferOf.get(r);
      if (buffer !== undefined && lastRead.get(r) === index && !free.includes(buffer)) free.push(buffer);
    }
  });

  return { steps, rootOf, slotOf, storage, bufferBytes, slotCount: slotOf.size };
}
