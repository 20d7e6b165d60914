/**
 * Tensor-valued random draws from explicit keys. A key is a host `Key` or, inside compiled
 * programs, its i32[2] tensor form (`keyTensor`). `uniform` returns exactly the values of the
 * host `uniformFloat32` for the same key.
 */
import { bind } from './bind.js';
import { add, cos, less, log, minimum, mul, sin, sqrt, sub } from './elementwise.js';
import { concat, reshape, sliceAxis } from './movement.js';
import { isKey, permutation64, type Key } from './prng.js';
import { sizeOf, type Shape } from './shape.js';
import { fromData, type Tensor } from './tensor.js';
import { cast } from './elementwise.js';

/** Converts a key to its i32[2] tensor form, for passing keys into compiled programs. */
export function keyTensor(k: Key): Tensor {
  return fromData(new Int32Array([k.k0 | 0, k.k1 | 0]), [2]);
}

function asKeyTensor(k: Key | Tensor): Tensor {
  return isKey(k) ? keyTensor(k) : k;
}

/** Uniform floats in [minval, maxval) (default [0, 1)). */
export function uniform(k: Key | Tensor, shape: Shape, minval = 0, maxval = 1): Tensor {
  const u = bind('random_bits', [asKeyTensor(k)], { shape: [...shape], dtype: 'f32' });
  if (minval === 0 && maxval === 1) return u;
  // Float32 rounding can carry the largest draws up to maxval (u = 1 - 2^-23 in [1, 1.5) gives
  // 1.5), so clamp to the largest float32 below maxval.
  return minimum(add(mul(u, maxval - minval), minval), float32Below(maxval));
}

/** Returns the largest float32 strictly below `x`. */
function float32Below(x: number): number {
  const rounded = Math.fround(x);
  if (rounded < x) return rounded;
  if (rounded === 0) return -(2 ** -149);
  const bits = new Int32Array(new Float32Array([rounded]).buffer);
  bits[0] += rounded > 0 ? -1 : 1;
  return new Float32Array(bits.buffer)[0];
}

/** Raw 32-bit random words as i32. */
export function randomBitsTensor(k: Key | Tensor, shape: Shape): Tensor {
  return bind('random_bits', [asKeyTensor(k)], { shape: [...shape], dtype: 'i32' });
}

/** Standard normal floats by the Box-Muller transform (the radius uses 1 - u, never 0). */
export function normal(k: Key | Tensor, shape: Shape, mean = 0, std = 1): Tensor {
  const count = sizeOf(shape);
  const half = Math.max(1, Math.ceil(count / 2));
  const u = uniform(k, [2 * half]);
  const radius = sqrt(mul(-2, log(sub(1, sliceAxis(u, 0, 0, half)))));
  const angle = mul(2 * Math.PI, sliceAxis(u, 0, half, 2 * half));
  const z = sliceAxis(concat([mul(radius, cos(angle)), mul(radius, sin(angle))]), 0, 0, count);
  const shaped = reshape(z, shape);
  if (mean === 0 && std === 1) return shaped;
  return add(mul(shaped, std), mean);
}

/** Booleans that are true with probability p. */
export function bernoulli(k: Key | Tensor, p: number, shape: Shape): Tensor {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`bernoulli: p must lie in [0, 1], got ${p}`);
  return less(uniform(k, shape), p);
}

/**
 * Integers uniform on [low, high) as floor(u * (high - low)) + low. The bias from 23-bit
 * uniforms is below (high - low) / 2^23, negligible for the small ranges used here.
 */
export function randint(k: Key | Tensor, shape: Shape, low: number, high: number): Tensor {
  if (!Number.isInteger(low) || !Number.isInteger(high) || high <= low) {
    throw new RangeError(`randint: need integers low < high, got [${low}, ${high})`);
  }
  return add(cast(mul(uniform(k, shape), high - low), 'i32'), low);
}

/** Draws a random permutation of 0..n-1 as an i32 tensor. It is drawn on the host, so it cannot be traced. */
export function permutation(k: Key, n: number): Tensor {
  return fromData(permutation64(k, n), [n]);
}
