/**
 * Threefry-2x32 (20 rounds) as kernel code. Kernel arithmetic is float32, which represents
 * integers exactly only up to 2^24, so every 32-bit word is carried as two 16-bit halves.
 * Additions propagate a carry, rotations recombine the halves with Math.floor and %, and xor
 * works on the halves.
 *
 * The counter layout is the one of the cpu backend (JAX's `threefry_2x32`). Output t < half is
 * the first word of the pair (t, t + half), output t >= half is the second word of the pair
 * (t - half, t), and a counter past the end is 0.
 */
import { formatLiteral, type KernelWriter } from './kernel-writer.js';

const ROTATIONS = [13, 15, 26, 6, 17, 29, 16, 24];
const WORD = 65536;

/** A 32-bit word as two locals holding its high and low 16 bits. */
interface Halves {
  readonly high: string;
  readonly low: string;
}

function add(w: KernelWriter, a: Halves, b: Halves): Halves {
  const low = w.let(`${a.low} + ${b.low}`, 't');
  const carry = w.let(`${low} >= ${formatLiteral(WORD)} ? 1.0 : 0.0`, 't');
  const high = w.let(`${a.high} + ${b.high} + ${carry}`, 't');
  return {
    high: w.let(`${high} >= ${formatLiteral(WORD)} ? ${high} - ${formatLiteral(WORD)} : ${high}`, 't'),
    low: w.let(`${low} - ${carry} * ${formatLiteral(WORD)}`, 't'),
  };
}

function addConstant(w: KernelWriter, a: Halves, value: number): Halves {
  return add(w, a, { high: formatLiteral(Math.floor(value / WORD)), low: formatLiteral(value % WORD) });
}

function rotateLeft(w: KernelWriter, a: Halves, bits: number): Halves {
  let { high, low } = a;
  let r = bits;
  if (r >= 16) {
    [high, low] = [low, high];
    r -= 16;
  }
  if (r === 0) return { high, low };
  const up = formatLiteral(2 ** r);
  const down = formatLiteral(2 ** (16 - r));
  return {
    high: w.let(`(${high} % ${down}) * ${up} + Math.floor(${low} / ${down})`, 't'),
    low: w.let(`(${low} % ${down}) * ${up} + Math.floor(${high} / ${down})`, 't'),
  };
}

function xor(w: KernelWriter, a: Halves, b: Halves): Halves {
  return { high: w.let(`${a.high} ^ ${b.high}`, 't'), low: w.let(`${a.low} ^ ${b.low}`, 't') };
}

/** Splits a non-negative integer below 2^24, held in a local, into halves. */
function split(w: KernelWriter, value: string): Halves {
  return { high: w.let(`Math.floor(${value} / ${formatLiteral(WORD)})`, 't'), low: w.let(`${value} % ${formatLiteral(WORD)}`, 't') };
}

/**
 * Emits the Threefry word for output index `index` of `count` outputs and returns a local with
 * its top 23 bits scaled to [0, 1) (the f32 `random_bits`), computed exactly.
 */
export function emitThreefryUniform(w: KernelWriter, keyHalves: string, index: string, count: number): string {
  const half = Math.ceil(count / 2);
  const key: Halves[] = [0, 1, 2].map((k) => ({ high: `${keyHalves}[${2 * k}]`, low: `${keyHalves}[${2 * k + 1}]` }));
  const first = w.let(`${index} < ${formatLiteral(half)} ? 1.0 : 0.0`, 't');
  const c0 = w.let(`${first} == 1.0 ? ${index} : ${index} - ${formatLiteral(half)}`, 't');
  const c1 = w.let(`${c0} + ${formatLiteral(half)} < ${formatLiteral(count)} ? ${c0} + ${formatLiteral(half)} : 0.0`, 't');
  let x0 = add(w, split(w, c0), key[0]);
  let x1 = add(w, split(w, c1), key[1]);
  for (let group = 0; group < 5; group++) {
    for (let r = 0; r < 4; r++) {
      x0 = add(w, x0, x1);
      x1 = xor(w, rotateLeft(w, x1, ROTATIONS[(group % 2) * 4 + r]), x0);
    }
    const injection = group + 1;
    x0 = add(w, x0, key[injection % 3]);
    x1 = addConstant(w, add(w, x1, key[(injection + 1) % 3]), injection);
  }
  const word = { high: w.let(`${first} == 1.0 ? ${x0.high} : ${x1.high}`, 't'), low: w.let(`${first} == 1.0 ? ${x0.low} : ${x1.low}`, 't') };
  // bits >>> 9 = high * 2^7 + floor(low / 2^9), a 23-bit integer; times 2^-23 it is exact in float32.
  return w.let(`(${word.high} * 128.0 + Math.floor(${word.low} / 512.0)) * ${formatLiteral(2 ** -23)}`);
}

/** Returns the six 16-bit halves [k0 hi, k0 lo, k1 hi, k1 lo, k2 hi, k2 lo] of a key, where k2 = k0 ^ k1 ^ 0x1bd11bda. */
export function keyHalves(words: ArrayLike<number>): Float32Array {
  const k0 = words[0] >>> 0;
  const k1 = words[1] >>> 0;
  const k2 = (k0 ^ k1 ^ 0x1bd11bda) >>> 0;
  return Float32Array.from([k0, k1, k2].flatMap((k) => [k >>> 16, k & 0xffff]));
}
