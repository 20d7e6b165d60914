/**
 * Threefry-2x32 with 20 rounds (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3",
 * SC 2011), the counter-based generator behind every random number in icl-lab.
 *
 * Everything here works on unsigned 32-bit words held in JavaScript numbers or Uint32Arrays.
 * The counter layout follows JAX's `threefry_2x32`: a block of N counters is split into two
 * halves that are hashed pairwise, so the same key gives the same bits as JAX for 32-bit draws.
 */

const ROTATIONS_A = [13, 15, 26, 6] as const;
const ROTATIONS_B = [17, 29, 16, 24] as const;
const SKEIN_PARITY = 0x1bd11bda;

/** Hashes one counter pair (c0, c1) under key (k0, k1); writes the two output words to `out[at]`, `out[at + 1]`. */
export function threefry2x32Into(
  k0: number,
  k1: number,
  c0: number,
  c1: number,
  out: Uint32Array | Int32Array,
  at: number,
): void {
  const ks0 = k0 >>> 0;
  const ks1 = k1 >>> 0;
  const ks2 = (ks0 ^ ks1 ^ SKEIN_PARITY) >>> 0;
  const ks = [ks0, ks1, ks2];
  let x0 = (c0 + ks0) >>> 0;
  let x1 = (c1 + ks1) >>> 0;
  for (let group = 0; group < 5; group++) {
    const rotations = group % 2 === 0 ? ROTATIONS_A : ROTATIONS_B;
    for (let r = 0; r < 4; r++) {
      x0 = (x0 + x1) >>> 0;
      const rot = rotations[r];
      x1 = ((x1 << rot) | (x1 >>> (32 - rot))) >>> 0;
      x1 = (x1 ^ x0) >>> 0;
    }
    const injection = group + 1;
    x0 = (x0 + ks[injection % 3]) >>> 0;
    x1 = (x1 + ks[(injection + 1) % 3] + injection) >>> 0;
  }
  out[at] = x0;
  out[at + 1] = x1;
}

/** Hashes one counter pair under a key and returns the two unsigned output words. */
export function threefry2x32(k0: number, k1: number, c0: number, c1: number): [number, number] {
  const out = new Uint32Array(2);
  threefry2x32Into(k0, k1, c0, c1, out, 0);
  return [out[0], out[1]];
}

/**
 * Generates `count` random 32-bit words from key (k0, k1) with the counter layout of JAX's
 * `threefry_2x32`. The counters 0..count-1, padded with one 0 when count is odd, are split into
 * two halves and hashed pairwise. The first outputs of every pair come before the second outputs.
 */
export function threefryBits(k0: number, k1: number, count: number): Uint32Array {
  const half = Math.ceil(count / 2);
  const pair = new Uint32Array(2);
  const out = new Uint32Array(2 * half);
  for (let i = 0; i < half; i++) {
    const second = i + half < count ? i + half : 0;
    threefry2x32Into(k0, k1, i, second, pair, 0);
    out[i] = pair[0];
    out[i + half] = pair[1];
  }
  return count === out.length ? out : out.subarray(0, count);
}

/** Maps a 32-bit word to a float32 in [0, 1) from its top 23 bits, exactly as a bitcast would. */
export function bitsToUnitFloat32(bits: number): number {
  return Math.fround(((bits >>> 9) * 2 ** -23));
}
