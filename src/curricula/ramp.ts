/**
 * Garg et al.'s size ramps for the dimension and prompt-length curriculum: at step i the value is
 * min(start + floor(i / interval) * increment, end).
 */
import { checkInteger, checkStep, type Schedule } from './plan.js';

/** Parameters of a ramp, all integers. */
export interface RampOptions {
  /** Value at step 0, >= 1. */
  readonly start: number;
  /** Value at which the ramp stops, >= start. */
  readonly end: number;
  /** Increase per interval, >= 0. */
  readonly increment: number;
  /** Steps between increases, >= 1. */
  readonly interval: number;
}

/**
 * Returns the ramp min(start + floor(step / interval) * increment, end). It is non-decreasing and
 * reaches `end` at step ceil((end - start) / increment) * interval.
 *
 * @example ramp({ start: 5, end: 20, increment: 1, interval: 2000 })(30000, k) // 20
 */
export function ramp(options: RampOptions): Schedule {
  const { start, end, increment, interval } = options;
  checkInteger('ramp', 'start', start, 1, 'pass a positive start value such as 5');
  checkInteger('ramp', 'end', end, start, `pass an end value >= start = ${start}`);
  checkInteger('ramp', 'increment', increment, 0, 'pass a non-negative increment such as 1');
  checkInteger('ramp', 'interval', interval, 1, 'pass a positive number of steps such as 2000');
  return (step) => {
    checkStep('ramp', step);
    return Math.min(start + Math.floor(step / interval) * increment, end);
  };
}
