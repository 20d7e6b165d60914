/**
 * Lowering of a graph to a gpujs plan. Elementwise and movement equations become expressions
 * that are fused into the kernel that consumes them. A value gets its own buffer (is
 * materialized) in four cases: it is a program output, or a loop kernel would recompute it, or
 * several equations use it and it costs arithmetic, or a fused kernel would grow past the
 * argument or size limits. Reductions, matmul, gather, scatter_add and random_bits always write
 * a buffer.
 */
import type { DataArray } from '../../core/dtype.js';
import type { Equation, Graph, Var } from '../../core/ir.js';
import type { Primitive, PrimitiveParams } from '../../core/primitives.js';
import { isBinary, isUnary } from '../../core/primitives.js';
import { formatShape, sizeOf, type Shape } from '../../core/shape.js';
import {
  aroundAxis, broadcastView, constantExpr, exprCost, exprInputs, sliceView, transposeView, viewExpr, type Expr,
} from './expr.js';
import { KernelWriter, type MathDialect } from './kernel-writer.js';
import {
  REDUCTION_BLOCK, writeGather, writeMatmul, writeReductionPass, writeScatterAdd, type ReductionPass,
} from './kernels.js';
import type { Plan, PlanOutput, PlanStep } from './plan.js';
import { emitThreefryUniform } from './threefry-kernel.js';

/** Settings of the lowering. */
export interface LowerOptions {
  readonly dialect: MathDialect;
}

/**
 * Buffers one fused kernel may read. WebGPU guarantees 8 storage buffers per shader stage; one
 * is the output, and two stay free for the specials and key arguments.
 */
export const MAX_FUSED_INPUTS = 5;
/** Arithmetic nodes one fused kernel may evaluate before its operands are materialized. */
export const MAX_FUSED_COST = 48;
/**
 * Kernel indexes are float32, exact for integers up to 2^24, so no tensor may have more elements.
 * NOTE: larger tensors would need 2-D dispatch with integer thread ids, which gpu.js does not offer on every mode.
 */
export const MAX_ELEMENTS = 2 ** 24;

class Lowering {
  readonly steps: PlanStep[] = [];
  readonly slotSizes: number[] = [];
  private readonly env = new Map<Var, Expr>();
  private readonly hostSlots = new Map<Var, number>();
  private readonly consumers = new Map<Var, number>();

  constructor(private readonly graph: Graph, private readonly options: LowerOptions) {
    for (const eq of graph.equations) for (const v of new Set(eq.inputs)) this.consumers.set(v, (this.consumers.get(v) ?? 0) + 1);
    for (const v of graph.outputs) this.consumers.set(v, (this.consumers.get(v) ?? 0) + 1);
  }

  newSlot(size: number): number {
    this.slotSizes.push(size);
    return this.slotSizes.length - 1;
  }

  writer(): KernelWriter {
    return new KernelWriter(this.options.dialect);
  }

  /** Appends a kernel step for a finished writer and returns its output slot. */
  kernel(w: KernelWriter, result: string, size: number, label: string): number {
    const output = this.newSlot(size);
    if (size > 0) this.steps.push({ kind: 'kernel', source: w.source(result), size, args: w.args, output, label });
    return output;
  }

  /** Gives `expr` (the value of a tensor of `shape`) a buffer, unless it already reads one in order. */
  materialize(expr: Expr, shape: Shape, label: string): Expr {
    if (expr.kind === 'read') return expr;
    const w = this.writer();
    const size = sizeOf(shape);
    const result = size > 0 ? w.value(expr, 'i') : '0.0';
    return { kind: 'read', slot: this.kernel(w, result, size, label) };
  }

  /** Materializes operands, most-reading first, until together they read at most MAX_FUSED_INPUTS buffers. */
  fitOperands(operands: Expr[], shapes: readonly Shape[], label: string): Expr[] {
    const result = [...operands];
    const count = () => new Set(result.flatMap((e) => [...exprInputs(e).slots])).size;
    while (count() > MAX_FUSED_INPUTS) {
      let widest = -1;
      let maxSlots = 1;
      result.forEach((e, k) => {
        const n = exprInputs(e).slots.size;
        if (n > maxSlots) {
          maxSlots = n;
          widest = k;
        }
      });
      if (widest < 0) break;
      result[widest] = this.materialize(result[widest], shapes[widest], label);
    }
    return result;
  }

  run(): Plan {
    const { graph } = this;
    const leading = [...graph.constants.map((c) => c.variable), ...graph.inputs];
    const inputSlots = leading.map((v) => {
      checkSize(v);
      const slot = this.newSlot(sizeOf(v.aval.shape));
      this.hostSlots.set(v, slot);
      return slot;
    });
    leading.forEach((v, k) => this.env.set(v, { kind: 'read', slot: inputSlots[k] }));
    for (const c of graph.constants) {
      // The size check comes first, so that a larger constant kept on a device is not read back.
      const data: DataArray | null = c.value.size === 1 ? c.value.storage : null;
      if (data !== null) this.env.set(c.variable, constantExpr(data[0]));
    }
    for (const eq of graph.equations) {
      eq.outputs.forEach(checkSize);
      this.env.set(eq.outputs[0], this.lowerEquation(eq));
    }
    const outputs: PlanOutput[] = graph.outputs.map((v) => {
      const size = sizeOf(v.aval.shape);
      const host = this.hostSlots.get(v);
      if (host !== undefined) return { slot: host, dtype: v.aval.dtype, size };
      return { slot: this.slotOf(this.materialize(this.expr(v), v.aval.shape, `output ${describe(v)}`)), dtype: v.aval.dtype, size };
    });
    return { slotCount: this.slotSizes.length, slotSizes: this.slotSizes, inputSlots, steps: this.steps, releases: this.releases(outputs), outputs };
  }

  private slotOf(expr: Expr): number {
    if (expr.kind !== 'read') throw new Error('gpujs: internal error, a materialized expression does not read a buffer');
    return expr.slot;
  }

  private expr(v: Var): Expr {
    const e = this.env.get(v);
    if (e === undefined) throw new Error(`gpujs: internal error, variable ${describe(v)} is used before it is defined`);
    return e;
  }

  private lowerEquation(eq: Equation): Expr {
    const out = eq.outputs[0];
    const label = `${eq.primitive} ${eq.inputs.map(describe).join(', ')} -> ${describe(out)}`;
    if (sizeOf(out.aval.shape) === 0) return { kind: 'read', slot: this.newSlot(0) };
    const fused = this.fusedExpression(eq, label);
    if (fused !== undefined) {
      const many = (this.consumers.get(out) ?? 0) >= 2 && exprCost(fused) > 0;
      if (many || exprCost(fused) > MAX_FUSED_COST) return this.materialize(fused, out.aval.shape, label);
      return fused;
    }
    return this.loopKernel(eq, label);
  }

  /** Returns the expression of an elementwise or movement equation, or undefined for other primitives. */
  private fusedExpression(eq: Equation, label: string): Expr | undefined {
    const p = eq.primitive;
    const ins = eq.inputs;
    const shapes = ins.map((v) => v.aval.shape);
    const operands = () => this.fitOperands(ins.map((v) => this.expr(v)), shapes, label);
    if (isUnary(p) || isBinary(p) || p === 'where') {
      return { kind: 'map', op: p, dtype: ins[ins.length - 1].aval.dtype, args: operands() };
    }
    const x = ins.length > 0 ? this.expr(ins[0]) : undefined;
    const inSize = ins.length > 0 ? sizeOf(shapes[0]) : 0;
    switch (p) {
      case 'cast': {
        const to = (eq.params as PrimitiveParams['cast']).dtype;
        const from = ins[0].aval.dtype;
        if (to === 'bool') return { kind: 'map', op: 'cast-bool', dtype: from, args: [x!] };
        if (to === 'i32' && from === 'f32') return { kind: 'map', op: 'cast-i32', dtype: from, args: [x!] };
        return x!;
      }
      case 'stop_gradient':
      case 'reshape':
        return x!;
      case 'broadcast':
        return viewExpr(broadcastView(shapes[0], (eq.params as PrimitiveParams['broadcast']).shape), x!, inSize);
      case 'transpose':
        return viewExpr(transposeView(shapes[0], (eq.params as PrimitiveParams['transpose']).perm), x!, inSize);
      case 'slice': {
        const { starts, ends } = eq.params as PrimitiveParams['slice'];
        return viewExpr(sliceView(shapes[0], starts, ends), x!, inSize);
      }
      case 'pad': {
        const { low, value } = eq.params as PrimitiveParams['pad'];
        if (inSize === 0) return constantExpr(value);
        return { kind: 'pad', inShape: shapes[0], outShape: eq.outputs[0].aval.shape, low, value: constantExpr(value), arg: x! };
      }
      case 'concat':
        return this.concat(eq, label);
      case 'iota': {
        const { shape, axis } = eq.params as PrimitiveParams['iota'];
        return { kind: 'iota', shape, axis };
      }
      default:
        return undefined;
    }
  }

  /** Builds a concat expression that reads at most MAX_FUSED_INPUTS buffers, joining longer lists in groups first. */
  private concat(eq: Equation, label: string): Expr {
    const { axis } = eq.params as PrimitiveParams['concat'];
    let parts = eq.inputs.filter((v) => v.aval.shape[axis] > 0).map((v) => ({ shape: v.aval.shape, arg: this.expr(v) }));
    if (parts.length === 1) return parts[0].arg;
    const joined = (group: typeof parts): { shape: Shape; arg: Expr } => {
      const shape = [...group[0].shape];
      shape[axis] = group.reduce((n, part) => n + part.shape[axis], 0);
      return { shape, arg: { kind: 'concat', axis, outShape: shape, parts: group } };
    };
    for (;;) {
      const reads = new Set(parts.flatMap((part) => [...exprInputs(part.arg).slots]));
      if (reads.size <= MAX_FUSED_INPUTS) return joined(parts).arg;
      parts = parts.map((part) => ({ shape: part.shape, arg: this.materialize(part.arg, part.shape, label) }));
      if (parts.length <= MAX_FUSED_INPUTS) return joined(parts).arg;
      const groups: (typeof parts)[] = [];
      for (let k = 0; k < parts.length; k += MAX_FUSED_INPUTS) groups.push(parts.slice(k, k + MAX_FUSED_INPUTS));
      parts = groups.map((group) => {
        if (group.length === 1) return group[0];
        const whole = joined(group);
        return { shape: whole.shape, arg: this.materialize(whole.arg, whole.shape, label) };
      });
    }
  }

  /** Lowers a primitive that needs loops over its operands to kernels, returning a read of its result. */
  private loopKernel(eq: Equation, label: string): Expr {
    const p: Primitive = eq.primitive;
    const out = eq.outputs[0];
    const outSize = sizeOf(out.aval.shape);
    switch (p) {
      case 'reduce_sum':
      case 'reduce_max':
        return this.reduce(p === 'reduce_sum' ? 'sum' : 'max', eq, label);
      case 'matmul':
        return this.matmul(eq, label);
      case 'gather':
      case 'scatter_add':
        return this.indexed(eq, label);
      case 'random_bits': {
        const keyVar = eq.inputs[0];
        const key = this.hostSlots.get(keyVar);
        if (key === undefined) {
          throw new Error(
            `random_bits: the gpujs backend needs the key ${describe(keyVar)} as a program input or constant, because ` +
              'int32 key words above 2^24 do not survive float32 device buffers; pass the key (keyTensor(k)) as an argument of the compiled function',
          );
        }
        if ((eq.params as PrimitiveParams['random_bits']).dtype === 'i32') {
          const output = this.newSlot(outSize);
          this.steps.push({ kind: 'random-bits-i32', key, count: outSize, output });
          return { kind: 'read', slot: output };
        }
        const w = this.writer();
        const result = emitThreefryUniform(w, w.keyHalves(key), 'i', outSize);
        return { kind: 'read', slot: this.kernel(w, result, outSize, label) };
      }
      default:
        throw new Error(`gpujs: no lowering for primitive ${p} (${label})`);
    }
  }

  private reduce(op: 'sum' | 'max', eq: Equation, label: string): Expr {
    const { axes } = eq.params as PrimitiveParams['reduce_sum'];
    const inShape = eq.inputs[0].aval.shape;
    const outShape = eq.outputs[0].aval.shape;
    const length = sizeOf(axes.map((a) => inShape[a]));
    if (length === 0) return this.materialize(constantExpr(op === 'sum' ? 0 : -Infinity), outShape, label);
    let pass: ReductionPass = { op, operand: this.expr(eq.inputs[0]), inShape, axes, partials: Math.ceil(length / REDUCTION_BLOCK) };
    const outer = sizeOf(outShape);
    for (;;) {
      const w = this.writer();
      const result = writeReductionPass(w, pass);
      const slot = this.kernel(w, result, outer * pass.partials, label);
      if (pass.partials === 1) return { kind: 'read', slot };
      const partials = Math.ceil(pass.partials / REDUCTION_BLOCK);
      pass = { op, operand: { kind: 'read', slot }, inShape: [outer, pass.partials], axes: [1], partials };
    }
  }

  private matmul(eq: Equation, label: string): Expr {
    const { transposeA, transposeB } = eq.params as PrimitiveParams['matmul'];
    const [a, b] = eq.inputs.map((v) => v.aval.shape);
    const outShape = eq.outputs[0].aval.shape;
    const r = outShape.length;
    const k = transposeA ? a[r - 2] : a[r - 1];
    if (k === 0) return this.materialize(constantExpr(0), outShape, label);
    // Each operand element is read n (or m) times, so arithmetic producers are materialized first.
    const operands = eq.inputs.map((v) => {
      const e = this.expr(v);
      return exprCost(e) > 0 ? this.materialize(e, v.aval.shape, label) : e;
    });
    const [x, y] = this.fitOperands(operands, [a, b], label);
    const w = this.writer();
    const shape = { batches: sizeOf(outShape.slice(0, r - 2)), m: outShape[r - 2], k, n: outShape[r - 1], transposeA, transposeB };
    const result = writeMatmul(w, x, y, shape);
    return { kind: 'read', slot: this.kernel(w, result, sizeOf(outShape), label) };
  }

  private indexed(eq: Equation, label: string): Expr {
    const [source, indicesVar] = eq.inputs;
    const { axis } = eq.params as PrimitiveParams['gather'];
    const indices = this.materialize(this.expr(indicesVar), indicesVar.aval.shape, label);
    const indexSlot = this.slotOf(indices);
    const count = sizeOf(indicesVar.aval.shape);
    const outShape = eq.outputs[0].aval.shape;
    if (eq.primitive === 'gather') {
      const [outer, size, inner] = aroundAxis(source.aval.shape, axis);
      this.steps.push({ kind: 'check-indices', slot: indexSlot, count, size, op: 'gather', axis });
      const [x, idx] = this.fitOperands([this.expr(source), indices], [source.aval.shape, indicesVar.aval.shape], label);
      const w = this.writer();
      const result = writeGather(w, x, idx, { outer, count, inner, size });
      return { kind: 'read', slot: this.kernel(w, result, sizeOf(outShape), label) };
    }
    const { size } = eq.params as PrimitiveParams['scatter_add'];
    const outer = sizeOf(source.aval.shape.slice(0, axis));
    const inner = count === 0 || outer === 0 ? 1 : sizeOf(source.aval.shape) / (outer * count);
    if (count === 0) return this.materialize(constantExpr(0), outShape, label);
    this.steps.push({ kind: 'check-indices', slot: indexSlot, count, size, op: 'scatter_add', axis });
    const updatesExpr = this.expr(source);
    const updates = exprCost(updatesExpr) > 0 ? this.materialize(updatesExpr, source.aval.shape, label) : updatesExpr;
    const [u, idx] = this.fitOperands([updates, indices], [source.aval.shape, indicesVar.aval.shape], label);
    const w = this.writer();
    const result = writeScatterAdd(w, u, idx, { outer, count, inner, size });
    return { kind: 'read', slot: this.kernel(w, result, sizeOf(outShape), label) };
  }

  /** For each step, the slots read for the last time there (outputs are never released). */
  private releases(outputs: readonly PlanOutput[]): number[][] {
    const keep = new Set(outputs.map((o) => o.slot));
    const last = new Map<number, number>();
    this.steps.forEach((step, s) => {
      const reads =
        step.kind === 'kernel'
          ? step.args.flatMap((a) => (a.kind === 'specials' ? [] : [a.slot]))
          : step.kind === 'random-bits-i32'
            ? [step.key]
            : [step.slot];
      for (const slot of reads) last.set(slot, s);
    });
    const result: number[][] = this.steps.map(() => []);
    for (const [slot, s] of last) if (!keep.has(slot)) result[s].push(slot);
    return result;
  }
}

function describe(v: Var): string {
  return `${v.aval.dtype}${formatShape(v.aval.shape)}`;
}

function checkSize(v: Var): void {
  if (sizeOf(v.aval.shape) > MAX_ELEMENTS) {
    throw new Error(
      `gpujs: tensor ${describe(v)} has ${sizeOf(v.aval.shape)} elements, more than the ${MAX_ELEMENTS} (2^24) that ` +
        'float32 kernel indexes address exactly; split the computation into smaller tensors or use the cpu backend',
    );
  }
}

/** Lowers a graph to a plan of gpu.js kernels. */
export function lowerGraph(graph: Graph, options: LowerOptions): Plan {
  return new Lowering(graph, options).run();
}
