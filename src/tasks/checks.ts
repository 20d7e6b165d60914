/**
 * Parameter checks shared by the samplers. Every sampler validates its numeric parameters when it
 * is built, so a NaN, an infinity or an out-of-range value fails at once with an error that names
 * the function, the parameter, the value received and a valid alternative.
 */

/** Constraints on a numeric parameter. Bounds are inclusive unless `exclusiveMin` is set. */
export interface NumberRule {
  readonly integer?: boolean;
  readonly min?: number;
  readonly exclusiveMin?: boolean;
  readonly max?: number;
}

/**
 * Throws a RangeError unless `value` is a finite number that satisfies `rule`.
 *
 * @param op the public function being called, e.g. `studentT`
 * @param name the parameter name, e.g. `df`
 * @param fix what the caller can pass instead, e.g. `pass df > 0 such as 4`
 * @example checkNumber('studentT', 'df', 0, { min: 0, exclusiveMin: true }, 'pass a positive df such as 4')
 */
export function checkNumber(op: string, name: string, value: unknown, rule: NumberRule, fix: string): asserts value is number {
  const valid =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (!rule.integer || Number.isInteger(value)) &&
    (rule.min === undefined || (rule.exclusiveMin ? value > rule.min : value >= rule.min)) &&
    (rule.max === undefined || value <= rule.max);
  if (!valid) {
    throw new RangeError(`${op}: ${name} must be ${describeRule(rule)}, got ${String(value)}; ${fix}`);
  }
}

/** Throws a RangeError unless `value` is a boolean. */
export function checkBoolean(op: string, name: string, value: unknown): asserts value is boolean {
  if (typeof value !== 'boolean') {
    throw new RangeError(`${op}: ${name} must be true or false, got ${String(value)}`);
  }
}

function describeRule(rule: NumberRule): string {
  const kind = rule.integer ? 'an integer' : 'a finite number';
  const lower = rule.min === undefined ? undefined : `${rule.exclusiveMin ? '>' : '>='} ${rule.min}`;
  const upper = rule.max === undefined ? undefined : `<= ${rule.max}`;
  if (lower !== undefined && upper !== undefined && !rule.exclusiveMin) return `${kind} in [${rule.min}, ${rule.max}]`;
  const bounds = [lower, upper].filter((b): b is string => b !== undefined);
  return bounds.length === 0 ? kind : `${kind} ${bounds.join(' and ')}`;
}
