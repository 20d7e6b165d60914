/**
 * Explicit PRNG keys on the host: a `Key` is an immutable pair of unsigned 32-bit words, and
 * every draw is a pure function of a key. There is no global seed. `split` and `foldIn` derive
 * new keys; draws from different derived keys are independent.
 *
 * Layout and derivations follow JAX's threefry implementation: `key(seed)` is (0, seed),
 * `split(key, n)` hashes the counters 0..2n-1 and pairs up the words, and `foldIn(key, data)`
 * hashes the counter (0, data). Tensor-valued draws (`uniform`, `normal`, ... in random.ts)
 * use the same bits, so host and DSL draws from one key agree.
 */
import { bitsToUnitFloat32, threefry2x32, threefryBits } from './threefry.js';

/** A PRNG key: two unsigned 32-bit words. Create one with `key(seed)`; never reuse a key for two draws. */
export interface Key {
  readonly kind: 'Key';
  readonly k0: number;
  readonly k1: number;
}

function makeKey(k0: number, k1: number): Key {
  return Object.freeze({ kind: 'Key', k0: k0 >>> 0, k1: k1 >>> 0 });
}

/**
 * Creates a key from an integer seed. Seeds up to 2^53 keep all their bits: the high word
 * takes the bits above 32.
 *
 * @example const k = key(0); const [a, b] = split(k);
 */
export function key(seed: number): Key {
  if (!Number.isSafeInteger(seed)) {
    throw new RangeError(`key: seed must be a safe integer, got ${seed}; pass an integer such as 0 or 42`);
  }
  const value = seed < 0 ? 2 ** 53 + seed : seed;
  return makeKey(Math.floor(value / 2 ** 32), value % 2 ** 32);
}

/** Builds a key from two raw 32-bit words (as stored in a checkpoint). */
export function keyFromWords(k0: number, k1: number): Key {
  return makeKey(k0, k1);
}

/** Returns true when `value` is a PRNG key. */
export function isKey(value: unknown): value is Key {
  return typeof value === 'object' && value !== null && (value as Key).kind === 'Key';
}

/** Splits a key into `count` (default 2) new independent keys. */
export function split(k: Key, count = 2): Key[] {
  if (!Number.isInteger(count) || count < 1) {
    throw new RangeError(`split: count must be a positive integer, got ${count}`);
  }
  const bits = threefryBits(k.k0, k.k1, 2 * count);
  const keys: Key[] = [];
  for (let i = 0; i < count; i++) keys.push(makeKey(bits[2 * i], bits[2 * i + 1]));
  return keys;
}

/** Derives a new key from a key and an integer (a step number, a task index, ...). */
export function foldIn(k: Key, data: number): Key {
  if (!Number.isInteger(data)) {
    throw new RangeError(`foldIn: data must be an integer, got ${data}`);
  }
  const [a, b] = threefry2x32(k.k0, k.k1, 0, data >>> 0);
  return makeKey(a, b);
}

/** Draws `count` raw unsigned 32-bit words. */
export function randomBits(k: Key, count: number): Uint32Array {
  checkCount('randomBits', count);
  return threefryBits(k.k0, k.k1, count);
}

/** Draws `count` float32 values uniform on [0, 1) (the same values as the tensor `uniform`). */
export function uniformFloat32(k: Key, count: number): Float32Array {
  checkCount('uniformFloat32', count);
  const bits = threefryBits(k.k0, k.k1, count);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = bitsToUnitFloat32(bits[i]);
  return out;
}

/**
 * Draws `count` float64 values uniform on [0, 1) with 53 random bits each (two words per value),
 * for float64 host work such as samplers and baselines.
 */
export function uniform64(k: Key, count: number): Float64Array {
  checkCount('uniform64', count);
  const bits = threefryBits(k.k0, k.k1, 2 * count);
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const high = bits[2 * i] >>> 5; // 27 bits
    const low = bits[2 * i + 1] >>> 6; // 26 bits
    out[i] = (high * 2 ** 26 + low) * 2 ** -53;
  }
  return out;
}

/**
 * Draws `count` float64 standard normal values by the Box-Muller transform of `uniform64` draws
 * (two uniforms per pair of normals; the radius uses 1 - u, which is never 0).
 */
export function normal64(k: Key, count: number): Float64Array {
  checkCount('normal64', count);
  const pairs = Math.ceil(count / 2);
  const u = uniform64(k, 2 * pairs);
  const out = new Float64Array(count);
  for (let i = 0; i < pairs; i++) {
    const radius = Math.sqrt(-2 * Math.log(1 - u[2 * i]));
    const angle = 2 * Math.PI * u[2 * i + 1];
    out[2 * i] = radius * Math.cos(angle);
    if (2 * i + 1 < count) out[2 * i + 1] = radius * Math.sin(angle);
  }
  return out;
}

/** Draws `count` integers uniform on [low, high) without modulo bias (rejection on 32-bit words). */
export function randint64(k: Key, count: number, low: number, high: number): Int32Array {
  checkCount('randint64', count);
  if (!Number.isInteger(low) || !Number.isInteger(high) || high <= low || high - low > 2 ** 32) {
    throw new RangeError(`randint: need integers low < high with high - low <= 2^32, got [${low}, ${high})`);
  }
  const span = high - low;
  const limit = 2 ** 32 - (2 ** 32 % span);
  const out = new Int32Array(count);
  let filled = 0;
  let round = 0;
  while (filled < count) {
    const bits = threefryBits(...keyWords(foldIn(k, round)), 2 * (count - filled) + 8);
    for (let i = 0; i < bits.length && filled < count; i++) {
      if (bits[i] < limit) out[filled++] = low + (bits[i] % span);
    }
    round++;
  }
  return out;
}

/** Draws `count` booleans (as 0/1) that are 1 with probability `p`. */
export function bernoulli64(k: Key, count: number, p: number): Uint8Array {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`bernoulli: p must lie in [0, 1], got ${p}`);
  const u = uniform64(k, count);
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i++) out[i] = u[i] < p ? 1 : 0;
  return out;
}

/** Returns a uniformly random permutation of 0..n-1 (Fisher-Yates driven by `randint64`). */
export function permutation64(k: Key, n: number): Int32Array {
  checkCount('permutation', n);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  const keys = split(k, Math.max(n, 1));
  for (let i = n - 1; i > 0; i--) {
    const j = randint64(keys[i], 1, 0, i + 1)[0];
    const t = out[i];
    out[i] = out[j];
    out[j] = t;
  }
  return out;
}

/** Returns the key's two words. */
export function keyWords(k: Key): [number, number] {
  return [k.k0, k.k1];
}

function checkCount(op: string, count: number): void {
  if (!Number.isInteger(count) || count < 0) {
    throw new RangeError(`${op}: count must be a non-negative integer, got ${count}`);
  }
}
