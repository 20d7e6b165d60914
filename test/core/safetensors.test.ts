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
});
