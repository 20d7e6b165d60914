/** Scalar functions that JavaScript's Math lacks, accurate to float32 rounding or better. */

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
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}
