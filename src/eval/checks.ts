/**
 * Argument checks shared by the evaluation functions. Each error names the function, the
 * argument, the value received and a valid alternative.
 */

/**
 * Throws a RangeError unless `value` is an integer >= `min`.
 *
 * @example checkInteger('promptSet', 'prompts', 1280, 1, 'pass a positive integer such as 1280')
 */
export function checkInteger(op: string, name: string, value: unknown, min: number, fix: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new RangeError(`${op}: ${name} must be an integer >= ${min}, got ${String(value)}; ${fix}`);
  }
}

/**
 * Throws a RangeError unless `value` is a finite number > 0.
 *
 * @example checkPositive('iclCurve', 'normalizer', 20, 'pass the divisor of the squared error, such as d')
 */
export function checkPositive(op: string, name: string, value: unknown, fix: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new RangeError(`${op}: ${name} must be a finite number > 0, got ${String(value)}; ${fix}`);
  }
}
