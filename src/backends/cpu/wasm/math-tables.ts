/**
 * The lookup tables of the cpu backend's exp and tanh (see scalar-math.ts), laid out in a
 * WebAssembly memory so SIMD loops read the same float64 values as the JavaScript functions.
 */
import { FRACTION_POWERS, POWERS_OF_TWO, TANH_SCALE, TANH_SCALE_MINUS_ONE } from '../scalar-math.js';

/** Byte addresses of the tables in a memory. */
export interface MathTableAddresses {
  readonly tanhScale: number;
  readonly tanhScaleMinusOne: number;
  readonly fractionPowers: number;
  readonly powersOfTwo: number;
}

const TABLES = [TANH_SCALE, TANH_SCALE_MINUS_ONE, FRACTION_POWERS, POWERS_OF_TWO] as const;

/** Bytes the tables take, each starting on a 16-byte boundary. */
export const MATH_TABLE_BYTES = TABLES.reduce((sum, t) => sum + Math.ceil((8 * t.length) / 16) * 16, 0);

/** Copies the tables into `memory` from byte `start` (a multiple of 16) and returns their addresses. */
export function writeMathTables(memory: WebAssembly.Memory, start: number): MathTableAddresses {
  let at = start;
  const addresses = TABLES.map((table) => {
    new Float64Array(memory.buffer, at, table.length).set(table);
    const address = at;
    at += Math.ceil((8 * table.length) / 16) * 16;
    return address;
  });
  return { tanhScale: addresses[0], tanhScaleMinusOne: addresses[1], fractionPowers: addresses[2], powersOfTwo: addresses[3] };
}
