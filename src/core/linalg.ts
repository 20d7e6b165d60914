/** Matrix products. */
import { bind } from './bind.js';
import { broadcastTo } from './elementwise.js';
import { reshape } from './movement.js';
import { broadcastShapes, formatShape } from './shape.js';
import type { Tensor } from './tensor.js';

export interface MatmulOptions {
  /** Use the transpose of the last two axes of `a`. */
  transposeA?: boolean;
  /** Use the transpose of the last two axes of `b`. */
  transposeB?: boolean;
}

/**
 * Matrix product over the last two axes with NumPy broadcasting of the batch axes. A 2-D right
 * operand is applied to all rows of `a` at once (one large product, no broadcast copies).
 *
 * @example matmul(zeros([8, 16, 5]), zeros([5, 64])).shape // [8, 16, 64]
 */
export function matmul(a: Tensor, b: Tensor, options: MatmulOptions = {}): Tensor {
  const transposeA = options.transposeA ?? false;
  const transposeB = options.transposeB ?? false;
  if (a.ndim < 2 || b.ndim < 2) {
    throw new Error(`matmul: operands need rank >= 2, got ${formatShape(a.shape)} x ${formatShape(b.shape)}; use expandDims for vectors`);
  }

  // Check the operands as given, so errors name their shapes rather than reshaped or broadcast ones.
  const innerA = transposeA ? a.shape[a.ndim - 2] : a.shape[a.ndim - 1];
  const innerB = transposeB ? b.shape[b.ndim - 1] : b.shape[b.ndim - 2];
  if (innerA !== innerB) {
    const ta = transposeA ? 'ᵀ' : '';
    const tb = transposeB ? 'ᵀ' : '';
    throw new Error(`matmul: inner dimensions differ: ${formatShape(a.shape)}${ta} x ${formatShape(b.shape)}${tb}`);
  }

  if (b.ndim === 2 && a.ndim > 2 && !transposeA) {
    const k = a.shape[a.ndim - 1];
    const flat = reshape(a, [-1, k]);
    const product = bind('matmul', [flat, b], { transposeA: false, transposeB });
    const n = product.shape[1];
    return reshape(product, [...a.shape.slice(0, -1), n]);
  }

  const batchA = a.shape.slice(0, -2);
  const batchB = b.shape.slice(0, -2);
  if (!batchesBroadcast(batchA, batchB)) {
    throw new Error(
      `matmul: batch dimensions ${formatShape(batchA)} and ${formatShape(batchB)} of ${formatShape(a.shape)} x ` +
        `${formatShape(b.shape)} cannot be broadcast together; make them equal or 1`,
    );
  }

  const batch = broadcastShapes('matmul', batchA, batchB);
  const a2 = broadcastTo(a, [...batch, ...a.shape.slice(-2)]);
  const b2 = broadcastTo(b, [...batch, ...b.shape.slice(-2)]);
  return bind('matmul', [a2, b2], { transposeA, transposeB });
}

/** Returns true when two batch shapes broadcast together (NumPy rules). */
function batchesBroadcast(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 1; i <= Math.min(a.length, b.length); i++) {
    const x = a[a.length - i];
    const y = b[b.length - i];
    if (x !== y && x !== 1 && y !== 1) return false;
  }
  return true;
}
