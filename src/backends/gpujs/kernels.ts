/**
 * Kernel bodies for the primitives that do not fuse: reductions (blocked, with Kahan summation),
 * batched matmul, gather and scatter_add. Each function writes one kernel with a KernelWriter;
 * operands are expressions, so cheap producers (views, elementwise chains read once) are read
 * in place.
 */
import { sizeOf, stridesOf, type Shape } from '../../core/shape.js';
import type { Expr } from './expr.js';
import { formatLiteral, isFiniteCode, type KernelWriter } from './kernel-writer.js';

/** Elements that one thread of a reduction reads; longer reductions take several passes. */
export const REDUCTION_BLOCK = 256;

/** One pass of a reduction: its operand, the axes it reduces, and the partial results per output element. */
export interface ReductionPass {
  readonly op: 'sum' | 'max';
  readonly operand: Expr;
  readonly inShape: Shape;
  readonly axes: readonly number[];
  /** Partial results per output element: 1 for the last pass. */
  readonly partials: number;
}

/**
 * Writes one reduction pass. Thread `i` reduces block `i % partials` of output element
 * `floor(i / partials)`. Sums are Kahan-compensated, with a plain sum returned instead when the
 * compensated one is not finite (an Infinity or NaN input makes the compensation NaN). The max
 * propagates NaN where the device compares NaN as IEEE does.
 */
export function writeReductionPass(w: KernelWriter, pass: ReductionPass): string {
  const { inShape, axes, partials } = pass;
  const strides = stridesOf(inShape);
  const keptAxes = inShape.map((_, k) => k).filter((k) => !axes.includes(k));
  const keptView = { shape: keptAxes.map((k) => inShape[k]), strides: keptAxes.map((k) => strides[k]), offset: 0 };
  const reducedView = { shape: axes.map((k) => inShape[k]), strides: axes.map((k) => strides[k]), offset: 0 };
  const length = sizeOf(reducedView.shape);
  const block = partials === 1 ? length : REDUCTION_BLOCK;
  const ragged = partials * block !== length;

  const { quotient: outer, remainder: part } = w.divide('i', partials);
  const base = w.viewIndex(keptView, outer);
  const sum = pass.op === 'sum';
  const accumulator = w.fresh('s');
  const compensation = w.fresh('k');
  const plain = w.fresh('p');
  if (sum) {
    w.emit(`let ${accumulator} = 0.0;`);
    w.emit(`let ${compensation} = 0.0;`);
    w.emit(`let ${plain} = 0.0;`);
  } else {
    w.emit(`let ${accumulator} = ${w.special(-Infinity)};`);
  }
  const loop = w.fresh('q');
  const body = w.scoped(() => {
    const position = partials === 1 ? loop : w.let(`${part} * ${formatLiteral(block)} + ${loop}`, 'r');
    const clamped = ragged ? w.let(`Math.min(${position}, ${formatLiteral(length - 1)})`, 'r') : position;
    const offset = w.viewIndex(reducedView, clamped);
    let index = base;
    if (base === '0') index = offset;
    else if (offset !== '0') index = w.let(`${base} + ${offset}`, 'j');
    const x = w.value(pass.operand, index);
    const valid = ragged ? `${position} < ${formatLiteral(length)}` : undefined;
    if (sum) {
      const term = valid ? w.let(`${valid} ? ${x} : 0.0`) : x;
      const y = w.let(`${term} - ${compensation}`);
      const t = w.let(`${accumulator} + ${y}`);
      w.emit(`${compensation} = (${t} - ${accumulator}) - ${y};`);
      w.emit(`${accumulator} = ${t};`);
      w.emit(`${plain} = ${plain} + ${term};`);
    } else {
      // A NaN element wins and stays: no comparison with a NaN accumulator is true.
      const next = `${x} > ${accumulator} ? ${x} : (${x} == ${x} ? ${accumulator} : ${x})`;
      w.emit(`${accumulator} = ${valid ? `${valid} ? (${next}) : ${accumulator}` : next};`);
    }
  });
  w.emit(`for (let ${loop} = 0; ${loop} < ${block}; ${loop}++) {`);
  body.forEach((line) => w.emit(`  ${line}`));
  w.emit('}');
  return sum ? w.let(`${isFiniteCode(accumulator)} ? ${accumulator} : ${plain}`) : accumulator;
}

/** Operands and sizes of a batched matmul with [batches, m, n] output. */
export interface MatmulShape {
  readonly batches: number;
  readonly m: number;
  readonly k: number;
  readonly n: number;
  readonly transposeA: boolean;
  readonly transposeB: boolean;
}

/** Writes C[b, r, c] = sum_p op(A)[b, r, p] op(B)[b, p, c], accumulated in float32. */
export function writeMatmul(w: KernelWriter, a: Expr, b: Expr, s: MatmulShape): string {
  const { m, k, n } = s;
  const batch = s.batches === 1 ? '0.0' : w.divide('i', m * n).quotient;
  const { quotient: rows, remainder: column } = w.divide('i', n);
  const row = m === 1 ? '0.0' : w.divide(rows, m).remainder;
  const baseA = w.let(`${batch} * ${formatLiteral(m * k)}`, 'c');
  const baseB = w.let(`${batch} * ${formatLiteral(k * n)}`, 'c');
  const total = w.fresh('s');
  w.emit(`let ${total} = 0.0;`);
  const loop = w.fresh('q');
  const body = w.scoped(() => {
    const indexA = w.let(s.transposeA ? `${baseA} + ${loop} * ${formatLiteral(m)} + ${row}` : `${baseA} + ${row} * ${formatLiteral(k)} + ${loop}`, 'j');
    const indexB = w.let(s.transposeB ? `${baseB} + ${column} * ${formatLiteral(k)} + ${loop}` : `${baseB} + ${loop} * ${formatLiteral(n)} + ${column}`, 'j');
    w.emit(`${total} = ${total} + ${w.value(a, indexA)} * ${w.value(b, indexB)};`);
  });
  w.emit(`for (let ${loop} = 0; ${loop} < ${k}; ${loop}++) {`);
  body.forEach((line) => w.emit(`  ${line}`));
  w.emit('}');
  return total;
}

/** Sizes of a gather or scatter_add around its axis. */
export interface IndexedShape {
  readonly outer: number;
  /** Number of indices. */
  readonly count: number;
  readonly inner: number;
  /** Size of the indexed axis of the gathered or scattered-into tensor. */
  readonly size: number;
}

/** Writes out[o, j, t] = x[o, indices[j], t]. */
export function writeGather(w: KernelWriter, x: Expr, indices: Expr, s: IndexedShape): string {
  const outer = s.outer === 1 ? '0.0' : w.divide('i', s.count * s.inner).quotient;
  const { quotient: positions, remainder: within } = w.divide('i', s.inner);
  const position = s.count === 1 ? '0.0' : w.divide(positions, s.count).remainder;
  const index = w.value(indices, position);
  const source = w.let(`(${outer} * ${formatLiteral(s.size)} + ${index}) * ${formatLiteral(s.inner)} + ${within}`, 'j');
  return w.value(x, source);
}

/** Writes out[o, v, t] = sum over j with indices[j] = v of updates[o, j, t], in order of j. */
export function writeScatterAdd(w: KernelWriter, updates: Expr, indices: Expr, s: IndexedShape): string {
  const outer = s.outer === 1 ? '0.0' : w.divide('i', s.size * s.inner).quotient;
  const { quotient: targets, remainder: within } = w.divide('i', s.inner);
  const target = s.size === 1 ? '0.0' : w.divide(targets, s.size).remainder;
  const total = w.fresh('s');
  w.emit(`let ${total} = 0.0;`);
  const loop = w.fresh('q');
  const body = w.scoped(() => {
    const index = w.value(indices, loop);
    const source = w.let(`(${outer} * ${formatLiteral(s.count)} + ${loop}) * ${formatLiteral(s.inner)} + ${within}`, 'j');
    const update = w.value(updates, source);
    w.emit(`${total} = ${total} + (${index} == ${target} ? ${update} : 0.0);`);
  });
  w.emit(`for (let ${loop} = 0; ${loop} < ${s.count}; ${loop}++) {`);
  body.forEach((line) => w.emit(`  ${line}`));
  w.emit('}');
  return total;
}
