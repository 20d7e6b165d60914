/**
 * Value generators and tensor constructors of the conformance suite: the core test helpers, with
 * float generators that never produce subnormals, because emulated WebGPU (SwiftShader) flushes
 * them to zero while the cpu backend keeps them.
 */
import fc from 'fast-check';
import { fromData, type DType, type Tensor } from '../../src/index.js';
import { float32 as anyFloat32 } from '../core/helpers.js';
export { bool, broadcastShapesArb, f32, i32, refBroadcastShapes, shapeArb, sizeOfShape, valuesArb } from '../core/helpers.js';

/** Maps subnormal float32 values to 0. */
export function flushSubnormal(x: number): number {
  return Math.abs(x) < 2 ** -126 ? 0 : x;
}

/** Generates normal float32 values (or 0) in [min, max]. */
export function float32(min: number, max: number): fc.Arbitrary<number> {
  return anyFloat32(min, max).map(flushSubnormal);
}

/** Generates float32 values with min <= |x| <= max and either sign. */
export function float32AwayFromZero(min: number, max: number): fc.Arbitrary<number> {
  return fc.tuple(float32(min, max), fc.boolean()).map(([x, negative]) => (negative ? -x : x));
}

/** Creates a tensor of `dtype` from numbers. */
export function fromValues(values: ArrayLike<number>, shape: readonly number[], dtype: DType): Tensor {
  if (dtype === 'f32') return fromData(Float32Array.from(values), shape);
  if (dtype === 'i32') return fromData(Int32Array.from(values), shape);
  return fromData(Uint8Array.from(values), shape);
}
