/**
 * The safetensors format as bytes: an 8-byte little-endian header length, a JSON header that maps
 * each name to its dtype, shape and byte range, then the raw little-endian data. Files written here
 * open with PyTorch's `safetensors` package and with `../shared/reference/torch_icl_reference.py`.
 */
import { fromData, type Tensor } from './tensor.js';
import { sizeOf, type Shape } from './shape.js';
import type { DType } from './dtype.js';

/** The safetensors dtype names that icl-lab reads and writes, by DSL dtype. */
const FILE_DTYPE: { readonly [D in DType]: string } = { f32: 'F32', i32: 'I32', bool: 'BOOL' };
const BYTES: { readonly [D in DType]: number } = { f32: 4, i32: 4, bool: 1 };

interface HeaderEntry {
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly data_offsets: readonly [number, number];
}

/** What a safetensors file holds: named tensors and string metadata. */
export interface SafetensorsContents {
  readonly tensors: Readonly<Record<string, Tensor>>;
  readonly metadata: Readonly<Record<string, string>>;
}

/**
 * Encodes named tensors as safetensors bytes. Names are written in sorted order, so the same
 * tensors always give the same bytes.
 *
 * @example
 *   const bytes = encodeSafetensors({ w: tensor([[1, 2]]) }, { step: '10' });
 */
export function encodeSafetensors(
  tensors: Readonly<Record<string, Tensor>>,
  metadata: Readonly<Record<string, string>> = {},
): Uint8Array {
  const names = Object.keys(tensors).sort();
  const header: Record<string, HeaderEntry | Record<string, string>> = {};
  let offset = 0;
  for (const name of names) {
    const t = tensors[name]!;
    const bytes = t.size * BYTES[t.dtype];
    header[name] = { dtype: FILE_DTYPE[t.dtype], shape: [...t.shape], data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  if (Object.keys(metadata).length > 0) header['__metadata__'] = { ...metadata };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerBytes = new Uint8Array(json.length + ((8 - (json.length % 8)) % 8)).fill(0x20);
  headerBytes.set(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const name of names) {
    const t = tensors[name]!;
    const data = t.data();
    if (t.dtype === 'bool') {
      out.set(data as Uint8Array, at);
    } else {
      const dv = new DataView(out.buffer, at, t.size * 4);
      for (let i = 0; i < t.size; i++) {
        if (t.dtype === 'f32') dv.setFloat32(i * 4, data[i]!, true);
        else dv.setInt32(i * 4, data[i]!, true);
      }
    }
    at += t.size * BYTES[t.dtype];
  }
  return out;
}

/**
 * Decodes safetensors bytes. F32, I32 and BOOL tensors are read; any other dtype, a header that
 * runs past the end, or a byte range that does not match its shape is an error naming the tensor.
 */
export function decodeSafetensors(bytes: Uint8Array, source = 'safetensors data'): SafetensorsContents {
  if (bytes.length < 8) throw new Error(`${source}: ${bytes.length} bytes is too short for a safetensors header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (8 + headerLength > bytes.length) {
    throw new Error(`${source}: the header claims ${headerLength} bytes but the file has ${bytes.length - 8} after the length`);
  }
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength))) as Record<string, unknown>;
  const base = 8 + headerLength;
  const tensors: Record<string, Tensor> = {};
  let metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = { ...(value as Record<string, string>) };
      continue;
    }
    const entry = value as HeaderEntry;
    const dtype = (Object.keys(FILE_DTYPE) as DType[]).find((d) => FILE_DTYPE[d] === entry.dtype);
    if (dtype === undefined) {
      throw new Error(`${source}: tensor '${name}' has dtype ${entry.dtype}; icl-lab reads F32, I32 and BOOL`);
    }
    const shape: Shape = [...entry.shape];
    const [start, end] = entry.data_offsets;
    const size = sizeOf(shape);
    if (end - start !== size * BYTES[dtype] || base + end > bytes.length) {
      throw new Error(
        `${source}: tensor '${name}' of shape [${shape.join(',')}] ${entry.dtype} has byte range [${start}, ${end}), ` +
          `which does not fit its shape or the ${bytes.length - base} data bytes`,
      );
    }
    const dv = new DataView(bytes.buffer, bytes.byteOffset + base + start, end - start);
    if (dtype === 'f32') {
      const data = new Float32Array(size);
      for (let i = 0; i < size; i++) data[i] = dv.getFloat32(i * 4, true);
      tensors[name] = fromData(data, shape);
    } else if (dtype === 'i32') {
      const data = new Int32Array(size);
      for (let i = 0; i < size; i++) data[i] = dv.getInt32(i * 4, true);
      tensors[name] = fromData(data, shape);
    } else {
      tensors[name] = fromData(bytes.slice(base + start, base + end), shape);
    }
  }
  return { tensors, metadata };
}
