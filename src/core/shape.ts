/** Shape arithmetic: sizes, strides, NumPy broadcasting and axis normalisation. */

export type Shape = readonly number[];

/** Number of elements of a shape (1 for a scalar). */
export function sizeOf(shape: Shape): number {
  let size = 1;
  for (const d of shape) size *= d;
  return size;
}

/** Row-major strides of a shape, in elements. */
export function stridesOf(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let stride = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = stride;
    stride *= shape[i];
  }
  return strides;
}

export function shapesEqual(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function formatShape(shape: Shape): string {
  return `[${shape.join(',')}]`;
}

/**
 * Returns the NumPy broadcast of several shapes, or throws naming the op and every operand
 * shape, e.g. `add: shapes [2,3] and [4] cannot be broadcast together`.
 */
export function broadcastShapes(op: string, ...shapes: Shape[]): number[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (const shape of shapes) {
    const offset = rank - shape.length;
    for (let i = 0; i < shape.length; i++) {
      const d = shape[i];
      const o = out[offset + i];
      if (d === o || d === 1) continue;
      if (o === 1) {
        out[offset + i] = d;
        continue;
      }
      const list = shapes.map(formatShape).join(' and ');
      throw new Error(
        `${op}: shapes ${list} cannot be broadcast together (axis ${i - shape.length} has sizes ${o} and ${d}); ` +
          'make the sizes equal or 1, for example with reshape',
      );
    }
  }
  return out;
}

/** Normalises a possibly negative axis for a tensor of rank `rank`, or throws naming the op. */
export function normalizeAxis(op: string, axis: number, rank: number): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= Math.max(rank, 1)) {
    throw new RangeError(`${op}: axis ${axis} is out of range for a tensor of rank ${rank}`);
  }
  return axis < 0 ? axis + rank : axis;
}

/** Normalises a list of axes (all axes when undefined), sorted and without duplicates. */
export function normalizeAxes(op: string, axes: number | readonly number[] | undefined, rank: number): number[] {
  if (axes === undefined) return Array.from({ length: rank }, (_, i) => i);
  const list = typeof axes === 'number' ? [axes] : axes;
  const normalized = list.map((a) => normalizeAxis(op, a, rank));
  const unique = [...new Set(normalized)].sort((a, b) => a - b);
  if (unique.length !== normalized.length) {
    throw new RangeError(`${op}: axes ${JSON.stringify(list)} repeat an axis`);
  }
  return unique;
}

/** Checks that a shape is a list of non-negative integers. */
export function checkShape(op: string, shape: Shape): void {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) {
      throw new RangeError(`${op}: shape ${formatShape(shape)} must contain non-negative integers`);
    }
  }
}
