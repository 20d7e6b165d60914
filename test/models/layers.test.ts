/**
 * Tests of the layers and combinators. Each layer is checked against the float64 loop reference
 * and its gradients against finite differences. Attention is checked for causality and head
 * masking. The combinator tests cover parameter merging, order of application and per-block
 * head masks.
 */
import { fc, test as propTest } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import {
  add, checkGrads, fromData, key, mul, normal, ones, split, sum, tanh, tensor, treeDefKey, treeFlatten, treeMap,
  type Key, type Tensor,
} from '../../src/index.js';
import {
  causalBias, causalSelfAttention, layerNorm, linear, mlp, named, positionEmbedding, repeat, residual, serial, stateless,
  type LayerContext,
} from '../../src/models/index.js';
import { keys } from '../../src/testing/arbitraries.js';
import { refAttention, refGelu, refLayerNorm, refLinear, toMatrix } from './reference.js';

/** Expects every element within atol + rtol * |expected|. */
function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, atol = 1e-5, rtol = 1e-4): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const bound = atol + rtol * Math.abs(expected[i]);
    if (!(Math.abs(actual[i] - expected[i]) <= bound)) {
      throw new Error(`element ${i}: got ${actual[i]}, expected ${expected[i]} (tolerance ${bound})`);
    }
  }
}

function randomTensor(k: Key, shape: number[], std = 1): Tensor {
  return normal(k, shape, 0, std);
}

/** Perturbs every tensor of a tree, so biases and LayerNorm parameters are not at their initial values. */
function perturb<T>(tree: T, k: Key, std = 0.3): T {
  const parts = split(k, 64);
  return treeMap(tree, (t, i) => add(t, randomTensor(parts[i], [...t.shape], std)));
}

function bitsOf(tree: unknown): number[][] {
  return treeFlatten(tree)[0].map((t) => Array.from(t.data()));
}

describe('linear', () => {
  propTest.prop([keys(), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 6 })], { numRuns: 20 })(
    'computes x W^T + b on any leading shape',
    (k, inFeatures, outFeatures, rows) => {
      const [pk, xk] = split(k);
      const layer = linear(inFeatures, outFeatures);
      const params = perturb(layer.init(pk), pk);
      const x = randomTensor(xk, [2, rows, inFeatures]);
      const y = layer.apply(params, x);
      expect(y.shape).toEqual([2, rows, outFeatures]);
      const expected = refLinear(toMatrix(x, 2 * rows, inFeatures), params.weight, params.bias);
      expectClose(y.data(), expected.data);
    },
  );

  it('initialises weight [out, in] and zero bias', () => {
    const params = linear(64, 128).init(key(3));
    expect(params.weight.shape).toEqual([128, 64]);
    expect(Array.from(params.bias.data()).every((v) => v === 0)).toBe(true);
  });

  it('rejects an input of the wrong width', () => {
    const layer = linear(3, 4);
    expect(() => layer.apply(layer.init(key(0)), randomTensor(key(1), [2, 5]))).toThrow(/linear: input \[2,5\] does not end in 3 features/);
  });

  it('gradient matches finite differences', () => {
    const layer = linear(3, 4);
    const params = perturb(layer.init(key(0)), key(1));
    expect(() => checkGrads((p: typeof params, x: Tensor) => sum(tanh(layer.apply(p, x))), [params, randomTensor(key(2), [5, 3])])).not.toThrow();
  });
});

describe('layerNorm layer', () => {
  propTest.prop([keys(), fc.integer({ min: 2, max: 8 })], { numRuns: 20 })('matches the float64 reference', (k, features) => {
    const [pk, xk] = split(k);
    const layer = layerNorm(features);
    const params = perturb(layer.init(pk), pk);
    const x = randomTensor(xk, [3, features], 2);
    const expected = refLayerNorm(toMatrix(x, 3, features), params.weight, params.bias);
    expectClose(layer.apply(params, x).data(), expected.data, 1e-4);
  });

  it('initialises weight 1 and bias 0', () => {
    const params = layerNorm(6).init(key(0));
    expect(Array.from(params.weight.data())).toEqual([1, 1, 1, 1, 1, 1]);
    expect(Array.from(params.bias.data())).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('gradient matches finite differences', () => {
    const layer = layerNorm(4);
    const params = perturb(layer.init(key(0)), key(1));
    expect(() => checkGrads((p: typeof params, x: Tensor) => sum(mul(layer.apply(p, x), randomTensor(key(3), [3, 4]))), [params, randomTensor(key(2), [3, 4])])).not.toThrow();
  });
});

describe('mlp', () => {
  it('is proj(gelu(fc(x))) with a 4x hidden width', () => {
    const layer = mlp(4);
    const params = perturb(layer.init(key(0)), key(1));
    expect(params.fc.weight.shape).toEqual([16, 4]);
    expect(params.proj.weight.shape).toEqual([4, 16]);
    const x = randomTensor(key(2), [5, 4]);
    const hidden = refGelu(refLinear(toMatrix(x, 5, 4), params.fc.weight, params.fc.bias));
    expectClose(layer.apply(params, x).data(), refLinear(hidden, params.proj.weight, params.proj.bias).data);
  });

  it('gradient matches finite differences', () => {
    const layer = mlp(4, 6);
    const params = perturb(layer.init(key(0)), key(1));
    expect(() => checkGrads((p: typeof params, x: Tensor) => sum(layer.apply(p, x)), [params, randomTensor(key(2), [3, 4])])).not.toThrow();
  });
});

describe('positionEmbedding', () => {
  it('adds the first T rows of the table', () => {
    const layer = positionEmbedding(6, 2);
    const table = layer.init(key(0));
    const x = randomTensor(key(1), [2, 4, 2]);
    const out = layer.apply(table, x).data();
    const xv = x.data();
    const tv = table.data();
    for (let b = 0; b < 2; b++) for (let i = 0; i < 8; i++) expect(out[b * 8 + i]).toBe(Math.fround(xv[b * 8 + i] + tv[i]));
  });

  it('rejects sequences longer than the table', () => {
    const layer = positionEmbedding(3, 2);
    expect(() => layer.apply(layer.init(key(0)), randomTensor(key(1), [1, 4, 2]))).toThrow(/T <= 3 positions/);
  });
});

describe('causalSelfAttention', () => {
  const width = 8;
  const heads = 2;
  const layer = causalSelfAttention({ width, heads });

  it('uses the causal bias: 0 on and below the diagonal, -Infinity above', () => {
    expect(causalBias(3).toArray()).toEqual([[0, -Infinity, -Infinity], [0, 0, -Infinity], [0, 0, 0]]);
    expect(causalBias(3)).toBe(causalBias(3));
  });

  propTest.prop([keys(), fc.integer({ min: 1, max: 5 }), fc.constantFrom(1, 2, 4)], { numRuns: 15 })(
    'matches the per-head float64 reference',
    (k, length, headCount) => {
      const [pk, xk, mk] = split(k, 3);
      const attn = causalSelfAttention({ width, heads: headCount });
      const params = perturb(attn.init(pk), pk);
      const x = randomTensor(xk, [2, length, width]);
      const mask = Array.from(normal(mk, [headCount]).data());
      const maps: Tensor[] = [];
      const context: LayerContext = { headMask: fromData(Float32Array.from(mask), [headCount]), onAttention: (w) => maps.push(w) };
      const out = attn.apply(params, x, context);
      expect(out.shape).toEqual([2, length, width]);
      expect(maps.map((m) => m.shape)).toEqual([[2, headCount, length, length]]);
      const xs = x.data();
      for (let b = 0; b < 2; b++) {
        const sequence = { rows: length, cols: width, data: Float64Array.from(xs.subarray(b * length * width, (b + 1) * length * width)) };
        const expected = refAttention(sequence, params, headCount, mask);
        expectClose(out.data().subarray(b * length * width, (b + 1) * length * width), expected.out.data);
        const weights = maps[0].data().subarray(b * headCount * length * length, (b + 1) * headCount * length * length);
        expectClose(weights, expected.weights.flat(2));
      }
    },
  );

  propTest.prop([keys(), fc.integer({ min: 2, max: 6 }), fc.nat()], { numRuns: 20 })(
    'output ignores later positions',
    (k, length, raw) => {
      const [pk, xk, ck] = split(k, 3);
      const params = layer.init(pk);
      const t = raw % (length - 1);
      const x = randomTensor(xk, [1, length, width]);
      const change = fromData(new Float32Array(length * width).map((_, i) => (Math.floor(i / width) > t ? 1 : 0)), [1, length, width]);
      const changed = add(x, mul(change, randomTensor(ck, [1, length, width])));
      const before = layer.apply(params, x).data().subarray(0, (t + 1) * width);
      const after = layer.apply(params, changed).data().subarray(0, (t + 1) * width);
      expect(Array.from(after)).toEqual(Array.from(before));
    },
  );

  it('head mask of ones equals no mask', () => {
    const params = perturb(layer.init(key(0)), key(1));
    const x = randomTensor(key(2), [2, 5, width]);
    expect(Array.from(layer.apply(params, x, { headMask: ones([heads]) }).data())).toEqual(Array.from(layer.apply(params, x).data()));
  });

  it('rejects a head mask of the wrong shape', () => {
    const params = layer.init(key(0));
    expect(() => layer.apply(params, randomTensor(key(1), [1, 3, width]), { headMask: ones([3]) })).toThrow(/head mask f32\[3\] must be f32 \[2\]/);
  });

  it('rejects heads not dividing width', () => {
    expect(() => causalSelfAttention({ width: 10, heads: 4 })).toThrow(/width 10 is not divisible by heads 4/);
  });

  it('gradient matches finite differences', () => {
    const params = perturb(layer.init(key(0)), key(1));
    const x = randomTensor(key(2), [2, 4, width]);
    const weights = randomTensor(key(3), [2, 4, width]);
    expect(() => checkGrads((p: typeof params, input: Tensor) => sum(mul(layer.apply(p, input), weights)), [params, x])).not.toThrow();
  });
});

describe('combinators', () => {
  const double = stateless((x: Tensor) => mul(x, 2));
  const plusOne = stateless((x: Tensor) => add(x, 1));

  propTest.prop([fc.array(fc.integer({ min: -100, max: 100 }), { minLength: 1, maxLength: 6 })])(
    'serial applies layers left to right',
    (values) => {
      const x = tensor(values);
      const out = serial(double, plusOne).apply({}, x).toArray() as number[];
      expect(out).toEqual(values.map((v) => 2 * v + 1));
    },
  );

  propTest.prop([fc.array(fc.integer({ min: -100, max: 100 }), { minLength: 1, maxLength: 6 })])(
    'residual adds the input to the output',
    (values) => {
      const out = residual(double).apply({}, tensor(values)).toArray() as number[];
      expect(out).toEqual(values.map((v) => 3 * v));
    },
  );

  it('serial merges named parameters', () => {
    const model = serial(named('first', linear(2, 3)), double, named('second', linear(3, 1)));
    const params = model.init(key(0));
    expect(Object.keys(params)).toEqual(['first', 'second']);
    expect(params.first.weight.shape).toEqual([3, 2]);
    const x = randomTensor(key(1), [4, 2]);
    const expected = linear(3, 1).apply(params.second, mul(linear(2, 3).apply(params.first, x), 2));
    expect(Array.from(model.apply(params, x).data())).toEqual(Array.from(expected.data()));
  });

  it('serial rejects duplicate names', () => {
    expect(() => serial(named('fc', linear(2, 2)), named('fc', linear(2, 2))).init(key(0))).toThrow(/layers 0 and 1 both have a parameter named 'fc'/);
  });

  it('serial rejects non-record parameters', () => {
    expect(() => serial(positionEmbedding(4, 2)).init(key(0))).toThrow(/parameters of layer 0 are not a record; wrap that layer in named/);
  });

  it('named rejects a name with a dot', () => {
    expect(() => named('a.b', linear(1, 1))).toThrow(/'a.b' is not a valid parameter name/);
  });

  propTest.prop([keys(), fc.integer({ min: 1, max: 4 })], { numRuns: 10 })(
    'repeat applies blocks in order',
    (k, count) => {
      const block = residual(linear(3, 3));
      const stack = repeat(count, block);
      const params = stack.init(k);
      expect(params.length).toBe(count);
      if (count > 1) expect(bitsOf(params[0])).not.toEqual(bitsOf(params[1]));
      const x = randomTensor(key(9), [2, 3]);
      let expected = x;
      for (const p of params) expected = block.apply(p, expected);
      expect(Array.from(stack.apply(params, x).data())).toEqual(Array.from(expected.data()));
    },
  );

  it('repeat hands out head mask rows', () => {
    const seen: number[][] = [];
    const probe = stateless((x: Tensor, context: LayerContext) => {
      seen.push(Array.from(context.headMask!.data()));
      return x;
    });
    const mask = tensor([[1, 0], [0, 1], [1, 1]]);
    repeat(3, probe).apply([{}, {}, {}], tensor([1]), { headMask: mask });
    expect(seen).toEqual([[1, 0], [0, 1], [1, 1]]);
    expect(() => repeat(2, probe).apply([{}, {}], tensor([1]), { headMask: mask })).toThrow(/3 rows for 2 blocks/);
  });

  propTest.prop([keys()], { numRuns: 10 })('init is a function of the key', (k) => {
    const model = serial(named('a', linear(3, 4)), named('blocks', repeat(2, residual(named('fc', linear(4, 4))))));
    const [other] = split(k, 1);
    expect(treeDefKey(treeFlatten(model.init(k))[1])).toBe(treeDefKey(treeFlatten(model.init(other))[1]));
    expect(bitsOf(model.init(k))).toEqual(bitsOf(model.init(k)));
    expect(bitsOf(model.init(k))).not.toEqual(bitsOf(model.init(other)));
  });
});
