import { describe, expect, it } from 'vitest';
import { fc, test as propTest } from '@fast-check/vitest';
import { decodeSafetensors, encodeSafetensors, fromData, tensor } from '../../src/index.js';

describe('safetensors', () => {
  propTest.prop([fc.array(fc.float({ noNaN: true }), { minLength: 1, maxLength: 12 }), fc.array(fc.integer(), { minLength: 1, maxLength: 5 })])(
    'round-trips f32 and i32 tensors and metadata',
    (floats, ints) => {
      const a = fromData(Float32Array.from(floats));
      const b = fromData(Int32Array.from(ints));
      const bytes = encodeSafetensors({ b, a }, { step: '3' });
      expect(new DataView(bytes.buffer).getBigUint64(0, true) % 8n).toBe(0n);
      const { tensors, metadata } = decodeSafetensors(bytes);
      expect(metadata).toEqual({ step: '3' });
      expect(Array.from(tensors['a']!.data())).toEqual(Array.from(Float32Array.from(floats)));
      expect(Array.from(tensors['b']!.data())).toEqual(ints);
    },
  );

  it('keeps shapes and bool tensors', () => {
    const { tensors } = decodeSafetensors(encodeSafetensors({ m: tensor([[true, false, true]]), w: tensor([[1, 2], [3, 4]]) }));
    expect(tensors['m']!.shape).toEqual([1, 3]);
    expect(tensors['m']!.toArray()).toEqual([[true, false, true]]);
    expect(tensors['w']!.toArray()).toEqual([[1, 2], [3, 4]]);
  });

  it('names the tensor whose byte range does not fit', () => {
    const bytes = encodeSafetensors({ w: tensor([1, 2, 3]) });
    expect(() => decodeSafetensors(bytes.subarray(0, bytes.length - 4), 'ckpt.safetensors')).toThrow(/ckpt.safetensors: tensor 'w'/);
    expect(() => decodeSafetensors(new Uint8Array(3))).toThrow(/too short/);
  });

  it('prints a huge header length exactly', () => {
    const bytes = encodeSafetensors({ w: tensor([1, 2]) });
    new DataView(bytes.buffer).setBigUint64(0, 2n ** 63n - 1n, true);
    expect(() => decodeSafetensors(bytes, 'ckpt')).toThrow(`ckpt: the 8-byte length field declares a 9223372036854775807-byte header, but only ${bytes.length - 8} bytes follow it`);
  });

  it('says a cut header is truncated', () => {
    const bytes = encodeSafetensors({ w: tensor([1, 2]) });
    expect(() => decodeSafetensors(bytes.subarray(0, 20), 'ckpt')).toThrow(/so the file is truncated or not safetensors/);
  });

  it('rejects malformed header entries', () => {
    const withHeader = (header: unknown): Uint8Array => {
      const json = new TextEncoder().encode(JSON.stringify(header));
      const out = new Uint8Array(8 + json.length + 8);
      new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
      out.set(json, 8);
      return out;
    };
    const cases: unknown[] = [
      { a: { shape: [2], data_offsets: [0, 8] } },
      { a: { dtype: 'F32', shape: [-1], data_offsets: [0, 8] } },
      { a: { dtype: 'F32', shape: [2], data_offsets: [8] } },
      { a: { dtype: 'F32', shape: [2], data_offsets: [8, 0] } },
      { a: 7 },
    ];
    for (const header of cases) {
      expect(() => decodeSafetensors(withHeader(header), 'ckpt')).toThrow(/^ckpt: the header entry of tensor 'a' is malformed \(.*\); each entry needs a dtype string/);
    }
    expect(() => decodeSafetensors(withHeader({ __metadata__: { step: 3 } }), 'ckpt')).toThrow(/__metadata__ must map names to strings/);
    const garbage = withHeader({});
    garbage.set(new TextEncoder().encode('{"a":'), 8);
    expect(() => decodeSafetensors(garbage, 'ckpt')).toThrow(/ckpt: the safetensors header is not valid JSON/);
  });
});
