/** Argument checks shared by the layer constructors. */

/** Throws unless `value` is a positive integer, naming the layer and the argument. */
export function checkPositiveInteger(layer: string, name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`${layer}: ${name} must be a positive integer, got ${value}`);
  }
}

/** Formats a shape as the core error messages do, e.g. `[64,22,5]`. */
export function showShape(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}
