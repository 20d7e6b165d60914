/**
 * Float64 draws from the heavy-tailed univariate laws used as input coordinates: Laplace and
 * Cauchy by inverse CDF, Student-t by Bailey's polar method. Each function is a pure function of
 * its key and count. Quantiles and CDFs are exported so round trips can be tested.
 */
import { foldIn, uniform64, type Key } from '../core/prng.js';

/** Half the spacing of `uniform64` (2^-54): adding it moves a [0, 1) draw into the open (0, 1). */
const HALF_ULP = 2 ** -54;

/** Draws `count` values uniform on the open interval (0, 1): the midpoints of `uniform64`'s grid. */
export function openUniform64(k: Key, count: number): Float64Array {
  const u = uniform64(k, count);
  for (let i = 0; i < count; i++) u[i] += HALF_ULP;
  return u;
}

/** Returns the u-quantile of Laplace(0, scale): scale * ln(2u) below the median, -scale * ln(2 - 2u) above. */
export function laplaceQuantile(u: number, scale = 1): number {
  return u < 0.5 ? scale * Math.log(2 * u) : -scale * Math.log(2 - 2 * u);
}

/** Returns P(X <= x) for X ~ Laplace(0, scale). */
export function laplaceCdf(x: number, scale = 1): number {
  return x < 0 ? 0.5 * Math.exp(x / scale) : 1 - 0.5 * Math.exp(-x / scale);
}

/** Returns the u-quantile of the standard Cauchy law: tan(pi (u - 1/2)). */
export function cauchyQuantile(u: number): number {
  return Math.tan(Math.PI * (u - 0.5));
}

/** Returns P(X <= x) for X ~ Cauchy(0, 1). */
export function cauchyCdf(x: number): number {
  return 0.5 + Math.atan(x) / Math.PI;
}

/** Draws `count` i.i.d. Laplace(0, scale) values (variance 2 scale^2). */
export function laplace64(k: Key, count: number, scale = 1): Float64Array {
  const out = openUniform64(k, count);
  for (let i = 0; i < count; i++) out[i] = laplaceQuantile(out[i], scale);
  return out;
}

/** Draws `count` i.i.d. standard Cauchy values (Student-t with df = 1, which has no finite mean or variance). */
export function cauchy64(k: Key, count: number): Float64Array {
  const out = openUniform64(k, count);
  for (let i = 0; i < count; i++) out[i] = cauchyQuantile(out[i]);
  return out;
}

/**
 * Draws `count` i.i.d. Student-t values with `df` degrees of freedom (df > 0, real), unscaled:
 * the variance is df / (df - 2) for df > 2 and infinite otherwise.
 *
 * Bailey's polar method (Math. Comp. 62, 1994): draw (u, v) uniform on the square [-1, 1)^2
 * until w = u^2 + v^2 lies in (0, 1), then return u * sqrt(df (w^(-2/df) - 1) / w). The
 * acceptance rate is pi/4. `expm1` keeps w^(-2/df) - 1 accurate for large df.
 */
export function studentT64(k: Key, count: number, df: number): Float64Array {
  const out = new Float64Array(count);
  const nextUniform = uniformStream(k, Math.ceil(2.6 * count) + 64);
  for (let i = 0; i < count; i++) {
    let u = 0;
    let w = 0;
    do {
      u = 2 * nextUniform() - 1;
      const v = 2 * nextUniform() - 1;
      w = u * u + v * v;
    } while (w >= 1 || w === 0);
    out[i] = u * Math.sqrt((df * Math.expm1((-2 / df) * Math.log(w))) / w);
  }
  return out;
}

/**
 * Returns a generator of uniform [0, 1) values for rejection sampling: block b holds
 * `uniform64(foldIn(key, b), size)`, so the stream is a pure function of the key and the first
 * block size. Later blocks are smaller because they are rarely needed.
 */
function uniformStream(k: Key, firstBlockSize: number): () => number {
  let block = 0;
  let buffer = uniform64(foldIn(k, block), firstBlockSize);
  let position = 0;
  return () => {
    if (position === buffer.length) {
      block += 1;
      buffer = uniform64(foldIn(k, block), 1024);
      position = 0;
    }
    return buffer[position++];
  };
}
