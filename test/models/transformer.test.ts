/**
 * Tests of the in-context Transformer. They cover shapes, the token layout, GPT-2
 * initialisation and the parameter count formula. Properties check agreement with the float64
 * reference, causality and head masking. Further tests cover attention maps, gradients, input
 * and config errors, and the named-tensor and safetensors round trips.
 */
import { fc, test as propTest } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import {
  add, checkGrads, compile, fromData, key, mul, normal, ones, sliceAxis, split, tensor, treeDefKey, treeFlatten, treeMap,
  zeros, type Key, type Tensor,
} from '../../src/index.js';
import {
  applyTransformer, applyTransformerWithAttention, countParameters, fromNamedTensors, initTransformer, interleaveTokens,
  toNamedTensors, transformerFromSafetensors, transformerLoss, transformerParameterShapes, transformerToSafetensors,
  type TransformerConfig, type TransformerParams,
} from '../../src/models/index.js';
import { keys } from '../../src/testing/arbitraries.js';
import { refTransformer } from './reference.js';

const TINY: TransformerConfig = { nDims: 3, nPoints: 4, nEmbd: 8, nLayer: 2, nHead: 2 };

function batch(k: Key, size: number, points: number, dims: number): { xs: Tensor; ys: Tensor } {
  const [xk, yk] = split(k);
  return { xs: normal(xk, [size, points, dims]), ys: normal(yk, [size, points]) };
}

/** Perturbs every parameter by N(0, std^2), so biases and LayerNorm parameters take general values. */
function perturbed(params: TransformerParams, k: Key, std = 0.3): TransformerParams {
  const parts = split(k, 128);
  return treeMap(params, (t, i) => add(t, normal(parts[i], [...t.shape], 0, std)));
}

/** Returns a copy of `t` [B, n, ...] with entry (·, index) along axis 1 replaced by fresh normal values. */
function replaceAt(t: Tensor, index: number, k: Key): Tensor {
  const mask = zeros([...t.shape]).data();
  const inner = t.shape.slice(2).reduce((a, b) => a * b, 1);
  for (let b = 0; b < t.shape[0]; b++) mask.fill(1, (b * t.shape[1] + index) * inner, (b * t.shape[1] + index + 1) * inner);
  const selector = fromData(mask, [...t.shape]);
  return add(mul(t, add(mul(selector, -1), 1)), mul(selector, normal(k, [...t.shape], 0, 2)));
}

/** Returns prediction column k of [B, n] predictions as a flat array. */
function column(predictions: Tensor, k: number): number[] {
  return Array.from(sliceAxis(predictions, 1, k, k + 1).data());
}

function expectedCount(c: TransformerConfig): number {
  const e = c.nEmbd;
  return c.nLayer * (12 * e * e + 13 * e) + (c.nDims + 1) * e + 2 * c.nPoints * e + 2 * e + (e + 1);
}

const configs = fc.record({
  nDims: fc.integer({ min: 1, max: 4 }),
  nPoints: fc.integer({ min: 1, max: 5 }),
  nHead: fc.integer({ min: 1, max: 3 }),
  headDim: fc.integer({ min: 1, max: 3 }),
  nLayer: fc.integer({ min: 1, max: 3 }),
}).map(({ headDim, ...c }): TransformerConfig => ({ ...c, nEmbd: c.nHead * headDim }));

describe('interleaveTokens', () => {
  it('puts x_i at 2i and (y_i, 0, ...) at 2i + 1', () => {
    const xs = tensor([[[1, 2], [3, 4]]]);
    const ys = tensor([[5, 6]]);
    expect(interleaveTokens(xs, ys).toArray()).toEqual([[[1, 2], [5, 0], [3, 4], [6, 0]]]);
  });
});

describe('initTransformer', () => {
  it('gives the reference shapes', () => {
    const params = initTransformer(key(0), TINY);
    const named = toNamedTensors(params);
    expect(Object.entries(named).map(([n, t]) => [n, t.shape])).toEqual(transformerParameterShapes(TINY));
    expect(params.blocks.length).toBe(2);
    expect(params.wpe.shape).toEqual([8, 8]);
  });

  propTest.prop([keys()], { numRuns: 5 })('init is a function of the key', (k) => {
    const [other] = split(k, 1);
    const bits = (p: TransformerParams) => treeFlatten(p)[0].map((t) => Array.from(t.data()));
    expect(bits(initTransformer(k, TINY))).toEqual(bits(initTransformer(k, TINY)));
    expect(bits(initTransformer(k, TINY))).not.toEqual(bits(initTransformer(other, TINY)));
  });

  it('follows GPT-2 initialisation', () => {
    // Weights N(0, 0.02^2), biases 0, LayerNorm weights 1.
    const named = toNamedTensors(initTransformer(key(1), { nDims: 5, nPoints: 11, nEmbd: 64, nLayer: 2, nHead: 2 }));
    for (const [name, t] of Object.entries(named)) {
      const values = Array.from(t.data());
      if (name.endsWith('.bias')) {
        expect(values.every((v) => v === 0), `${name} is zero`).toBe(true);
      } else if (/ln_\w+\.weight$/.test(name)) {
        expect(values.every((v) => v === 1), `${name} is one`).toBe(true);
      } else if (values.length >= 4096) {
        const mean = values.reduce((a, b) => a + b, 0) / values.length;
        const std = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
        // For m >= 4096 draws the sample mean has a standard deviation of 0.02/sqrt(m) <= 3.1e-4.
        // The sample std has one of about 0.02/sqrt(2m) <= 2.2e-4, so both bounds are over 4 sigma.
        expect(Math.abs(mean), `${name} mean`).toBeLessThan(1.3e-3);
        expect(Math.abs(std - 0.02), `${name} std`).toBeLessThan(1e-3);
      }
    }
  });

  propTest.prop([configs], { numRuns: 20 })('parameter count matches the formula', (config) => {
    // L(12E^2 + 13E) for the blocks, (d + 1)E read-in, 2nE positions, 2E final norm, E + 1 read-out.
    expect(countParameters(initTransformer(key(0), config))).toBe(expectedCount(config));
  });

  it('standard model has about 9.5M parameters', () => {
    const standard = { nDims: 20, nPoints: 101, nEmbd: 256, nLayer: 12, nHead: 8 };
    const total = transformerParameterShapes(standard).reduce((n, [, shape]) => n + shape.reduce((a, b) => a * b, 1), 0);
    expect(total).toBe(expectedCount(standard));
    expect(Math.abs(total - 9.5e6)).toBeLessThan(0.05e6);
  });

  it('names the invalid config field', () => {
    expect(() => initTransformer(key(0), { ...TINY, nEmbd: 9 })).toThrow(/nEmbd \(9\) is not divisible by nHead \(2\)/);
    expect(() => initTransformer(key(0), { ...TINY, nLayer: 0 })).toThrow(/TransformerConfig.nLayer must be a positive integer, got 0/);
    expect(() => initTransformer(key(0), { ...TINY, nPoints: 2.5 })).toThrow(/TransformerConfig.nPoints/);
  });
});

describe('applyTransformer', () => {
  propTest.prop([keys(), configs, fc.integer({ min: 1, max: 3 })], { numRuns: 15 })(
    'matches the float64 reference',
    (k, config, size) => {
      const [pk, nk, bk] = split(k, 3);
      const params = perturbed(initTransformer(pk, config), nk);
      const points = 1 + ((k.k0 >>> 0) % config.nPoints);
      const { xs, ys } = batch(bk, size, points, config.nDims);
      const predictions = applyTransformer(params, xs, ys);
      expect(predictions.shape).toEqual([size, points]);
      const xsArray = xs.toArray() as number[][][];
      const ysArray = ys.toArray() as number[][];
      const actual = predictions.toArray() as number[][];
      for (let b = 0; b < size; b++) {
        const expected = refTransformer(params, config.nHead, xsArray[b], ysArray[b]);
        expected.forEach((v, i) => expect(Math.abs(actual[b][i] - v)).toBeLessThanOrEqual(1e-4 * (1 + Math.abs(v))));
      }
    },
  );

  propTest.prop([keys(), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.boolean()], { numRuns: 25 })(
    'prediction k ignores later tokens',
    (k, position, offset, changeX) => {
      // Later tokens are x_j and y_j for j > k, and y_k itself.
      const [pk, nk, bk, ck] = split(k, 4);
      const params = perturbed(initTransformer(pk, TINY), nk);
      const { xs, ys } = batch(bk, 2, TINY.nPoints, TINY.nDims);
      const later = Math.min(position + offset, TINY.nPoints - 1);
      const before = applyTransformer(params, xs, ys);
      if (later > position) {
        const changed = changeX ? applyTransformer(params, replaceAt(xs, later, ck), ys) : applyTransformer(params, xs, replaceAt(ys, later, ck));
        for (let i = 0; i <= position; i++) expect(column(changed, i)).toEqual(column(before, i));
      }
      const ownLabel = applyTransformer(params, xs, replaceAt(ys, position, ck));
      expect(column(ownLabel, position)).toEqual(column(before, position));
    },
  );

  it('prediction k depends on the earlier pairs', () => {
    const params = perturbed(initTransformer(key(0), TINY), key(1));
    const { xs, ys } = batch(key(2), 2, 4, 3);
    const changed = applyTransformer(params, xs, replaceAt(ys, 0, key(3)));
    const before = applyTransformer(params, xs, ys);
    for (let i = 1; i < 4; i++) expect(column(changed, i)).not.toEqual(column(before, i));
  });

  it('a head mask of ones equals no mask', () => {
    const params = perturbed(initTransformer(key(0), TINY), key(1));
    const { xs, ys } = batch(key(2), 3, 4, 3);
    const masked = applyTransformer(params, xs, ys, { headMask: ones([2, 2]) });
    expect(Array.from(masked.data())).toEqual(Array.from(applyTransformer(params, xs, ys).data()));
  });

  propTest.prop([keys(), fc.integer({ min: 1, max: 3 }), fc.boolean()], { numRuns: 15 })(
    'all heads masked isolates each token',
    (k, position, changeX) => {
      // Masked heads leave only the attention proj bias, so tokens no longer mix. The output at
      // x_k is then a function of x_k and its position alone.
      const [pk, nk, bk, ck] = split(k, 4);
      const params = perturbed(initTransformer(pk, TINY), nk);
      const { xs, ys } = batch(bk, 2, TINY.nPoints, TINY.nDims);
      const headMask = zeros([TINY.nLayer, TINY.nHead]);
      const earlier = (k.k1 >>> 0) % position;
      const changed = changeX ? { xs: replaceAt(xs, earlier, ck), ys } : { xs, ys: replaceAt(ys, earlier, ck) };
      const before = applyTransformer(params, xs, ys, { headMask });
      const after = applyTransformer(params, changed.xs, changed.ys, { headMask });
      for (let i = 0; i < TINY.nPoints; i++) {
        if (i === earlier && changeX) continue;
        expect(column(after, i)).toEqual(column(before, i));
      }
      const unmasked = applyTransformer(params, changed.xs, changed.ys);
      expect(column(unmasked, position)).not.toEqual(column(applyTransformer(params, xs, ys), position));
    },
  );

  it('masking one head changes the predictions', () => {
    const params = perturbed(initTransformer(key(0), TINY), key(1));
    const { xs, ys } = batch(key(2), 2, 4, 3);
    const masked = applyTransformer(params, xs, ys, { headMask: tensor([[1, 0], [1, 1]]) });
    expect(Array.from(masked.data())).not.toEqual(Array.from(applyTransformer(params, xs, ys).data()));
  });

  it('attention rows are causal distributions', () => {
    const params = perturbed(initTransformer(key(0), TINY), key(1));
    const { xs, ys } = batch(key(2), 2, 3, 3);
    // Each row sums to 1, has no negative entry, and is 0 above the diagonal.
    const { predictions, attention } = applyTransformerWithAttention(params, xs, ys);
    expect(Array.from(predictions.data())).toEqual(Array.from(applyTransformer(params, xs, ys).data()));
    expect(attention.map((a) => a.shape)).toEqual([[2, 2, 6, 6], [2, 2, 6, 6]]);
    for (const maps of attention) {
      const rows = maps.toArray() as number[][][][];
      for (const row of rows.flat(2)) {
        expect(Math.abs(row.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-6);
        expect(row.every((v) => v >= 0)).toBe(true);
      }
      rows.flat(1).forEach((head) => head.forEach((row, t) => expect(row.slice(t + 1).every((v) => v === 0)).toBe(true)));
    }
  });

  it('agrees between eager and compiled execution', () => {
    const params = perturbed(initTransformer(key(0), TINY), key(1));
    const { xs, ys } = batch(key(2), 3, 4, 3);
    const compiled = compile((p: TransformerParams, x: Tensor, y: Tensor) => applyTransformer(p, x, y));
    const eager = applyTransformer(params, xs, ys).data();
    const fast = compiled(params, xs, ys).data();
    eager.forEach((v, i) => expect(Math.abs(fast[i] - v)).toBeLessThanOrEqual(1e-6 * (1 + Math.abs(v))));
  });

  it('rejects inputs narrower than nDims', () => {
    const params = initTransformer(key(0), TINY);
    const { xs, ys } = batch(key(1), 2, 4, 2);
    expect(() => applyTransformer(params, xs, ys)).toThrow(/d = 2 input dimensions but the model reads nDims = 3; zero-pad the inputs to 3 dimensions/);
  });

  it('rejects other invalid inputs', () => {
    const params = initTransformer(key(0), TINY);
    const long = batch(key(1), 2, 5, 3);
    expect(() => applyTransformer(params, long.xs, long.ys)).toThrow(/n = 5 points but the model has positions for nPoints = 4/);
    const { xs, ys } = batch(key(2), 2, 4, 3);
    expect(() => applyTransformer(params, xs, sliceAxis(ys, 1, 0, 3))).toThrow(/ys f32\[2,3\] must be f32 \[2, 4\]/);
    expect(() => applyTransformer(params, xs, ys, { headMask: ones([2]) })).toThrow(/headMask f32\[2\] must be f32 \[nLayer, nHead\] = \[2, 2\]/);
  });
});

describe('transformerLoss', () => {
  it('is the mean squared error of the predictions', () => {
    const params = perturbed(initTransformer(key(0), TINY), key(1));
    const { xs, ys } = batch(key(2), 3, 4, 3);
    const predictions = Array.from(applyTransformer(params, xs, ys).data());
    const labels = ys.data();
    const expected = predictions.reduce((total, p, i) => total + (p - labels[i]) ** 2, 0) / labels.length;
    expect(transformerLoss(params, xs, ys).item()).toBeCloseTo(expected, 5);
  });

  it('gradient matches finite differences', () => {
    const params = perturbed(initTransformer(key(0), TINY), key(1), 0.2);
    const { xs, ys } = batch(key(2), 2, 4, 3);
    expect(() => checkGrads((p: TransformerParams) => transformerLoss(p, xs, ys), [params], { directions: 4 })).not.toThrow();
  });
});

describe('named tensors', () => {
  it('round-trip through toNamedTensors and fromNamedTensors', () => {
    const params = initTransformer(key(0), TINY);
    const back = fromNamedTensors(toNamedTensors(params), TINY);
    expect(treeDefKey(treeFlatten(back)[1])).toBe(treeDefKey(treeFlatten(params)[1]));
    const original = treeFlatten(params)[0];
    treeFlatten(back)[0].forEach((t, i) => expect(t).toBe(original[i]));
  });

  it('uses the reference names', () => {
    const names = Object.keys(toNamedTensors(initTransformer(key(0), { ...TINY, nLayer: 1 })));
    expect(names).toEqual([
      'read_in.weight', 'read_in.bias', 'wpe',
      'blocks.0.ln_1.weight', 'blocks.0.ln_1.bias', 'blocks.0.attn.qkv.weight', 'blocks.0.attn.qkv.bias',
      'blocks.0.attn.proj.weight', 'blocks.0.attn.proj.bias', 'blocks.0.ln_2.weight', 'blocks.0.ln_2.bias',
      'blocks.0.mlp.fc.weight', 'blocks.0.mlp.fc.bias', 'blocks.0.mlp.proj.weight', 'blocks.0.mlp.proj.bias',
      'ln_f.weight', 'ln_f.bias', 'read_out.weight', 'read_out.bias',
    ]);
  });

  it('errors name every bad tensor', () => {
    const named = { ...toNamedTensors(initTransformer(key(0), TINY)) };
    delete named['blocks.1.mlp.fc.bias'];
    named['wpe'] = zeros([7, 8]);
    named['xs'] = zeros([1]);
    const error = (() => {
      try {
        fromNamedTensors(named, TINY);
      } catch (e) {
        return (e as Error).message;
      }
      return '';
    })();
    expect(error).toMatch(/missing 'blocks.1.mlp.fc.bias' \(expected f32\[32\]\)/);
    expect(error).toMatch(/'wpe' is f32\[7,8\], expected f32\[8,8\]/);
    expect(error).toMatch(/unexpected 'xs'/);
  });

  it('round-trip through safetensors bytes', () => {
    const params = perturbed(initTransformer(key(0), TINY), key(1));
    const back = transformerFromSafetensors(transformerToSafetensors(params));
    expect(back.config).toEqual(TINY);
    const original = treeFlatten(params)[0];
    treeFlatten(back)[0].forEach((t, i) => expect(Array.from(t.data())).toEqual(Array.from(original[i].data())));
  });
});
