/** Element types of tensors and the typed arrays that hold them. */

/** A tensor's element type: 32-bit float, 32-bit signed integer, or boolean (stored as 0/1 bytes). */
export type DType = 'f32' | 'i32' | 'bool';

/** The typed array that stores elements of each dtype. */
export type DataArray = Float32Array | Int32Array | Uint8Array;

export const DTYPES: readonly DType[] = ['f32', 'i32', 'bool'];

/** Allocates a zeroed array of `size` elements for `dtype`. */
export function allocate(dtype: DType, size: number): DataArray {
  switch (dtype) {
    case 'f32':
      return new Float32Array(size);
    case 'i32':
      return new Int32Array(size);
    case 'bool':
      return new Uint8Array(size);
  }
}

/** Returns the dtype that a typed array stores. */
export function dtypeOfArray(data: DataArray): DType {
  if (data instanceof Float32Array) return 'f32';
  if (data instanceof Int32Array) return 'i32';
  return 'bool';
}

/** Returns true for dtypes that can carry gradients. */
export function isFloat(dtype: DType): boolean {
  return dtype === 'f32';
}
