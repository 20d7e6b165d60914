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

/** Contents of a safetensors file: named tensors and string metadata. */
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

  // The header is padded with spaces to a multiple of 8 bytes, so the data starts aligned.
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
 * Decodes safetensors bytes with F32, I32 and BOOL tensors. Any other dtype, a header that runs
 * past the end, or a byte range that does not match its shape raises an error naming the tensor.
 */
export function decodeSafetensors(bytes: Uint8Array, source = 'safetensors data'): SafetensorsContents {
  if (bytes.length < 8) throw new Error(`${source}: ${bytes.length} bytes is too short for a safetensors header, so the file is truncated or not safetensors`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // Compared as a bigint: a garbage length such as 2^63 has no exact float64 value.
  const declared = view.getBigUint64(0, true);
  if (8n + declared > BigInt(bytes.length)) {
    throw new Error(`${source}: the 8-byte length field declares a ${declared}-byte header, but only ${bytes.length - 8} bytes follow it, so the file is truncated or not safetensors`);
  }
  const headerLength = Number(declared);
  const header = parseHeader(bytes.subarray(8, 8 + headerLength), source);
  const base = 8 + headerLength;
  const tensors: Record<string, Tensor> = {};
  let metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = readMetadata(value, source);
      continue;
    }
    const entry = readEntry(name, value, source);
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
          `which does not fit its shape or the ${bytes.length - base} data bytes, so the file is truncated or corrupt`,
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

function parseHeader(headerBytes: Uint8Array, source: string): Record<string, unknown> {
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder().decode(headerBytes));
  } catch (error) {
    throw new Error(`${source}: the safetensors header is not valid JSON (${(error as Error).message}), so the file is corrupt`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw new Error(`${source}: the safetensors header is not a JSON object, so the file is corrupt`);
  }
  return header as Record<string, unknown>;
}

function readMetadata(value: unknown, source: string): Record<string, string> {
  const valid = typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((v) => typeof v === 'string');
  if (!valid) throw new Error(`${source}: the header's __metadata__ must map names to strings, got ${JSON.stringify(value)}`);
  return { ...(value as Record<string, string>) };
}

/** Checks one header entry: a dtype string, a shape of non-negative integers and two ordered byte offsets. */
function readEntry(name: string, value: unknown, source: string): HeaderEntry {
  const entry = (typeof value === 'object' && value !== null ? value : {}) as Partial<Record<keyof HeaderEntry, unknown>>;
  const isCount = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
  const offsets = entry.data_offsets;
  const valid =
    typeof entry.dtype === 'string' &&
    Array.isArray(entry.shape) &&
    entry.shape.every(isCount) &&
    Array.isArray(offsets) &&
    offsets.length === 2 &&
    isCount(offsets[0]) &&
    isCount(offsets[1]) &&
    offsets[0] <= offsets[1];
  if (!valid) {
    const text = JSON.stringify(value) ?? String(value);
    throw new Error(
      `${source}: the header entry of tensor '${name}' is malformed (${text.length > 120 ? `${text.slice(0, 117)}...` : text}); ` +
        'each entry needs a dtype string, a shape of non-negative integers and data_offsets [start, end], so the file is corrupt',
    );
  }
  return entry as HeaderEntry;
}
