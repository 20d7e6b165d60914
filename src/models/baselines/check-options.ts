/** Validation of baseline options. Errors name the baseline, the option and the accepted range. */

/** Throws unless `value` is a finite number > 0 (or >= 0 when `allowZero`), naming the option. */
export function checkPositive(baseline: string, option: string, value: number, allowZero = false): void {
  const ok = Number.isFinite(value) && (allowZero ? value >= 0 : value > 0);
  if (!ok) {
    throw new RangeError(
      `${baseline}: option ${option} must be a finite number ${allowZero ? '>= 0' : '> 0'}, got ${value}`,
    );
  }
}

/** Throws unless `value` is an integer >= `min`, naming the option. */
export function checkInteger(baseline: string, option: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(`${baseline}: option ${option} must be an integer >= ${min}, got ${value}`);
  }
}
