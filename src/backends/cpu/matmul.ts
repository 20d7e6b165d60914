/**
 * The cpu matrix-product kernel. Operands with a transpose flag are first copied into row-major
 * scratch, then C = A B runs as an i-k-j loop over four rows of A at a time, so every row of B
 * loaded feeds four accumulator rows (float64 accumulators, one rounding on store).
 */
import type { DataArray } from '../../core/dtype.js';

function transposeInto(src: DataArray, offset: number, rows: number, cols: number, dest: Float64Array): void {
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) dest[c * rows + r] = src[offset + r * cols + c];
  }
}

function copyInto(src: DataArray, offset: number, count: number, dest: Float64Array): void {
  for (let i = 0; i < count; i++) dest[i] = src[offset + i];
}

/**
 * Computes `batches` products C[m, n] = op(A) op(B) into `out`, where op transposes an operand
 * stored as [k, m] (A) or [n, k] (B) when its flag is set.
 */
export function matmulInto(
  A: DataArray, B: DataArray, out: Float32Array,
  batches: number, m: number, k: number, n: number,
  transposeA: boolean, transposeB: boolean,
): void {
  const a = new Float64Array(m * k);
  const b = new Float64Array(k * n);
  const acc = new Float64Array(4 * n);
  for (let batch = 0; batch < batches; batch++) {
    if (transposeA) transposeInto(A, batch * m * k, k, m, a);
    else copyInto(A, batch * m * k, m * k, a);
    if (transposeB) transposeInto(B, batch * k * n, n, k, b);
    else copyInto(B, batch * k * n, k * n, b);
    const offC = batch * m * n;
    let i = 0;
    for (; i + 4 <= m; i += 4) {
      acc.fill(0);
      const r0 = i * k;
      const r1 = r0 + k;
      const r2 = r1 + k;
      const r3 = r2 + k;
      for (let p = 0; p < k; p++) {
        const a0 = a[r0 + p];
        const a1 = a[r1 + p];
        const a2 = a[r2 + p];
        const a3 = a[r3 + p];
        const base = p * n;
        for (let j = 0; j < n; j++) {
          const bv = b[base + j];
          acc[j] += a0 * bv;
          acc[n + j] += a1 * bv;
          acc[2 * n + j] += a2 * bv;
          acc[3 * n + j] += a3 * bv;
        }
      }
      for (let j = 0; j < 4 * n; j++) out[offC + i * n + j] = acc[j];
    }
    for (; i < m; i++) {
      acc.fill(0, 0, n);
      const row = i * k;
      for (let p = 0; p < k; p++) {
        const av = a[row + p];
        const base = p * n;
        for (let j = 0; j < n; j++) acc[j] += av * b[base + j];
      }
      for (let j = 0; j < n; j++) out[offC + i * n + j] = acc[j];
    }
  }
}
