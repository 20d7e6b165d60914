import { describe, expect, it } from 'vitest';
import { fc, test as propTest } from '@fast-check/vitest';
import { key } from '../../src/index.js';
import { linear } from '../../src/models/layers/index.js';
import { initTransformer } from '../../src/models/index.js';
import { decodeExperiment, experimentPreset } from '../../src/experiment/index.js';

const config = { nDims: 5, nPoints: 16, nEmbd: 64, nLayer: 1, nHead: 2 };

describe("linear init 'pytorch'", () => {
  propTest.prop([fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: 64 }), fc.integer({ min: 0, max: 1000 })])(
    'draws weight and bias inside [-1/sqrt(in), 1/sqrt(in)]',
    (inFeatures, outFeatures, seed) => {
      const p = linear(inFeatures, outFeatures, { init: 'pytorch' }).init(key(seed));
      const bound = 1 / Math.sqrt(inFeatures);
      for (const t of [p.weight, p.bias]) for (const v of t.data()) expect(Math.abs(v)).toBeLessThanOrEqual(bound);
    },
  );

  it('has the variance of U(-b, b), b^2 / 3, and a non-zero bias', () => {
    const p = linear(16, 512, { init: 'pytorch' }).init(key(3));
    const w = Array.from(p.weight.data());
    const variance = w.reduce((s, v) => s + v * v, 0) / w.length;
    expect(variance).toBeCloseTo(1 / 16 / 3, 3);
    expect(Array.from(p.bias.data()).some((v) => v !== 0)).toBe(true);
  });
});

describe('TransformerConfig.readInOutInit', () => {
  it("is 'gpt2' by default and changes only read-in and read-out under 'pytorch'", () => {
    const gpt2 = initTransformer(key(0), config);
    expect(initTransformer(key(0), { ...config, readInOutInit: 'gpt2' })).toEqual(gpt2);
    const torch = initTransformer(key(0), { ...config, readInOutInit: 'pytorch' });
    expect(Array.from(gpt2.read_in.bias.data()).every((v) => v === 0)).toBe(true);
    expect(Array.from(torch.read_in.bias.data()).some((v) => v !== 0)).toBe(true);
    expect(torch.blocks[0]!.attn.qkv.weight.data()).toEqual(gpt2.blocks[0]!.attn.qkv.weight.data());
    expect(torch.config).toEqual(config);
  });

  it('rejects an unknown value, in the model and in a config file', () => {
    expect(() => initTransformer(key(0), { ...config, readInOutInit: 'xavier' as 'gpt2' })).toThrow(/readInOutInit must be 'gpt2' or 'pytorch', got xavier/);
    const experiment = experimentPreset('quickstart').experiment;
    expect(() => decodeExperiment({ ...experiment, model: { ...experiment.model, readInOutInit: 'xavier' } }, 'test.yaml')).toThrow(/model\.readInOutInit/);
  });
});
