/**
 * The immutable `Tensor`: a shape, a dtype and either concrete data or, while a function is being
 * traced, a variable of the trace. No operation mutates a tensor; reading data returns a copy.
 */
import { allocate, dtypeOfArray, type DataArray, type DType } from './dtype.js';
import { checkShape, formatShape, sizeOf, stridesOf, type Shape } from './shape.js';
import type { Var } from './ir.js';

/** Nested JavaScript arrays of numbers or booleans, as accepted by `tensor()` and returned by `toArray()`. */
export type NestedArray = number | boolean | readonly NestedArray[];

/**
 * @internal Elements that a backend keeps on its device and reads back on first use, so that a
 * program's outputs can feed the next program without a round trip through the host.
 */
export interface DeviceData {
  /** The backend part that keeps the elements. Only it can use them without reading them back. */
  readonly holder: object;
  /** Reads the elements back, in the storage type of the tensor's dtype. */
  read(): DataArray;
  readAsync(): Promise<DataArray>;
}

export class Tensor {
  /** Dimensions, outermost first. */
  readonly shape: Shape;
  readonly dtype: DType;
  /** Number of elements. */
  readonly size: number;
  /** @internal The trace variable of a traced tensor; null for a concrete one. */
  readonly variable: Var | null;
  /** @internal The elements on a backend's device, for a tensor that a device program returned. */
  readonly device: DeviceData | undefined;
  #host: DataArray | null;

  /** @internal Use `tensor`, `fromData`, `zeros`, ... to create tensors. */
  constructor(shape: Shape, dtype: DType, storage: DataArray | DeviceData | null, variable: Var | null) {
    this.shape = Object.freeze([...shape]);
    this.dtype = dtype;
    this.size = sizeOf(shape);
    this.variable = variable;
    if (storage !== null && !ArrayBuffer.isView(storage)) {
      this.device = storage;
      this.#host = null;
    } else {
      this.device = undefined;
      this.#host = storage;
    }
  }

  /**
   * @internal Concrete elements in row-major order; null for a traced tensor. A tensor held on a
   * device is read back on the first access and keeps that copy.
   */
  get storage(): DataArray | null {
    if (this.#host === null && this.device !== undefined) this.#host = this.device.read();
    return this.#host;
  }

  /** Number of dimensions. */
  get ndim(): number {
    return this.shape.length;
  }

  /** True while this tensor stands for a value of a function being traced. */
  get isTraced(): boolean {
    return this.variable !== null;
  }

  /** Returns a copy of the elements in row-major order. Throws for a traced tensor. */
  data(): DataArray {
    return this.concrete('data').slice();
  }

  /**
   * Resolves to a copy of the elements. For a tensor held on a device it reads them back without
   * blocking, which is the only way to read one in a browser's WebGPU; otherwise it is `data()`.
   */
  async dataAsync(): Promise<DataArray> {
    if (this.#host === null && this.device !== undefined) this.#host = await this.device.readAsync();
    return this.data();
  }

  /** Returns the elements as nested arrays (numbers, or booleans for a bool tensor). */
  toArray(): NestedArray {
    const data = this.concrete('toArray');
    const strides = stridesOf(this.shape);
    const read = (i: number): number | boolean => (this.dtype === 'bool' ? data[i] !== 0 : data[i]);
    const build = (axis: number, offset: number): NestedArray => {
      if (axis === this.shape.length) return read(offset);
      const out: NestedArray[] = [];
      for (let i = 0; i < this.shape[axis]; i++) out.push(build(axis + 1, offset + i * strides[axis]));
      return out;
    };
    return build(0, 0);
  }

  /** Returns the single element of a tensor of size 1 as a number. */
  item(): number {
    const data = this.concrete('item');
    if (this.size !== 1) {
      throw new Error(`item: tensor of shape ${formatShape(this.shape)} has ${this.size} elements, expected 1`);
    }
    return data[0];
  }

  toString(): string {
    if (this.isTraced) return `Tensor<traced ${this.dtype}${formatShape(this.shape)}>`;
    return `Tensor<${this.dtype}${formatShape(this.shape)}> ${JSON.stringify(this.toArray())}`;
  }

  /** @internal The concrete storage, without a copy; callers must not write to it. */
  concrete(op: string): DataArray {
    const storage = this.isTraced ? null : this.storage;
    if (storage === null) {
      throw new Error(
        `${op}: cannot read the value of a traced tensor (${this.dtype}${formatShape(this.shape)}) inside ` +
          'grad/compile; return it from the function instead, or move data-dependent control flow outside',
      );
    }
    return storage;
  }
}

/** Wraps a typed array as a tensor of the given shape without copying; the caller gives up the array. */
export function fromData(data: DataArray, shape: Shape = [data.length]): Tensor {
  checkShape('fromData', shape);
  if (sizeOf(shape) !== data.length) {
    throw new Error(`fromData: ${data.length} elements do not fill shape ${formatShape(shape)} (${sizeOf(shape)} elements)`);
  }
  return new Tensor(shape, dtypeOfArray(data), data, null);
}

/**
 * Creates a tensor from nested arrays, a typed array or a number. The dtype defaults to f32 for
 * numbers and bool for booleans; `shape` reshapes flat data.
 *
 * @example tensor([[1, 2], [3, 4]]).shape // [2, 2]
 */
export function tensor(
  value: NestedArray | Float32Array | Float64Array | Int32Array | Uint8Array | readonly number[],
  options: { dtype?: DType; shape?: Shape } = {},
): Tensor {
  if (ArrayBuffer.isView(value)) {
    const shape = options.shape ?? [value.length];
    const inferred = value instanceof Float64Array ? 'f32' : dtypeOfArray(value);
    const dtype = options.dtype ?? inferred;
    const data = allocate(dtype, value.length);
    data.set(value as ArrayLike<number>);
    return fromData(data, shape);
  }
  const shape: number[] = [];
  let probe: NestedArray = value as NestedArray;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    probe = (probe as readonly NestedArray[])[0];
  }
  const flat: (number | boolean)[] = [];
  const walk = (node: NestedArray, axis: number): void => {
    if (axis === shape.length) {
      if (Array.isArray(node)) throw new Error(`tensor: ragged nested array (too deep at axis ${axis})`);
      flat.push(node as number | boolean);
      return;
    }
    if (!Array.isArray(node) || node.length !== shape[axis]) {
      throw new Error(`tensor: ragged nested array (axis ${axis} should have length ${shape[axis]})`);
    }
    for (const child of node as readonly NestedArray[]) walk(child, axis + 1);
  };
  walk(value as NestedArray, 0);
  const dtype = options.dtype ?? (typeof probe === 'boolean' ? 'bool' : 'f32');
  const data = allocate(dtype, flat.length);
  for (let i = 0; i < flat.length; i++) data[i] = Number(flat[i]);
  return fromData(data, options.shape ?? shape);
}

/** Returns true when `value` is a tensor. */
export function isTensor(value: unknown): value is Tensor {
  return value instanceof Tensor;
}
