/**
 * Index maps of broadcasts: which element of a source of shape `from` the element at flat index i
 * of its broadcast to shape `to` reads (NumPy rules). Output axes are merged into runs that all
 * keep the source's extent or all expand it, so a map has at most a few div/mod terms.
 */
import type { Shape } from '../../core/shape.js';

/** A run of adjacent output axes that either all keep the source's extent or all expand size-1 axes. */
export interface BroadcastRun {
  /** True for axes that expand size-1 source axes (every index reads the same source element). */
  readonly expanded: boolean;
  /** Product of the run's output sizes. */
  readonly size: number;
}

/** A kept run's contribution to the source index: ((i / period) % size) * stride. */
export interface BroadcastTerm {
  /** Product of the sizes of all runs after this one (1 for the innermost run). */
  readonly period: number;
  readonly size: number;
  /** Product of the sizes of the kept runs after this one. */
  readonly stride: number;
  /** True for the outermost run, where the modulo is not needed. */
  readonly outermost: boolean;
}

/** Merges the output axes of a broadcast into runs, dropping size-1 output axes. */
export function broadcastRuns(from: Shape, to: Shape): BroadcastRun[] {
  const offset = to.length - from.length;
  const runs: { expanded: boolean; size: number }[] = [];
  for (let axis = 0; axis < to.length; axis++) {
    if (to[axis] === 1) continue;
    const expanded = axis < offset || from[axis - offset] === 1;
    const last = runs[runs.length - 1];
    if (last !== undefined && last.expanded === expanded) last.size *= to[axis];
    else runs.push({ expanded, size: to[axis] });
  }
  return runs;
}

/** Returns the terms whose sum is the source index (empty when every element reads index 0). */
export function broadcastTerms(from: Shape, to: Shape): BroadcastTerm[] {
  const runs = broadcastRuns(from, to);
  const terms: BroadcastTerm[] = [];
  runs.forEach((run, r) => {
    if (run.expanded) return;
    const after = runs.slice(r + 1);
    terms.push({
      period: after.reduce((p, x) => p * x.size, 1),
      size: run.size,
      stride: after.reduce((p, x) => (x.expanded ? p : p * x.size), 1),
      outermost: r === 0,
    });
  });
  return terms;
}

/**
 * Returns the source index expression, in the loop index `i`, of element i of `from` broadcast
 * to `to`, or null when every element reads index 0.
 */
export function broadcastIndexExpression(from: Shape, to: Shape): string | null {
  const terms = broadcastTerms(from, to).map((t) => {
    let index = t.period === 1 ? 'i' : `((i / ${t.period}) | 0)`;
    if (!t.outermost) index = `(${index} % ${t.size})`;
    return t.stride === 1 ? index : `${index} * ${t.stride}`;
  });
  return terms.length === 0 ? null : terms.join(' + ');
}
