/**
 * Pytrees: flatten/unflatten round trips, structure keys, treeMap/treeZip, and gradients with
 * the structure of nested parameters (including static leaves and auxiliary outputs).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  add, grad, isTensor, key, matmul, mul, sum, tanh, treeDefKey, treeFlatten, treeLeaves, treeMap, treeUnflatten, treeZip,
  valueAndGrad, vjp, zeros, type PyTree, type Tensor,
} from '../../src/index.js';
import { expectClose, f32, i32 } from './helpers.js';

const staticLeafArb: fc.Arbitrary<PyTree> = fc.oneof(
  fc.double(),
  fc.constantFrom(NaN, Infinity, -Infinity, -0),
  fc.string({ maxLength: 4 }),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.nat(1000).map((s) => key(s)),
);

const tensorLeafArb: fc.Arbitrary<PyTree> = fc
  .array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 })
  .map((shape) => zeros(shape));

const { tree: treeArb } = fc.letrec<{ tree: PyTree }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    tensorLeafArb,
    staticLeafArb,
    fc.array(tie('tree'), { maxLength: 3 }),
    fc.dictionary(fc.string({ minLength: 1, maxLength: 3 }), tie('tree'), { maxKeys: 3 }),
  ),
}));

/** Compares trees deeply: tensors must be the same objects and static leaves equal (NaN equals NaN, -0 is not 0). */
function sameTree(a: unknown, b: unknown): boolean {
  if (isTensor(a) || isTensor(b)) return a === b;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => sameTree(x, b[i]));
  if (typeof a === 'object' && a !== null && (a as { kind?: string }).kind !== 'Key') {
    if (typeof b !== 'object' || b === null) return false;
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k, i) => k === kb[i] && sameTree((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  if (typeof a === 'object' && a !== null) return JSON.stringify(a) === JSON.stringify(b);
  return Object.is(a, b);
}

describe('treeFlatten and treeUnflatten', () => {
  it('round trip keeps every node', () => {
    fc.assert(
      fc.property(treeArb, (tree) => {
        const [leaves, def] = treeFlatten(tree);
        expect(sameTree(treeUnflatten(def, leaves), tree)).toBe(true);
      }),
      { numRuns: 100 },
    );
  });

  it('leaves are the tensors in depth-first order', () => {
    const a = zeros([1]);
    const b = zeros([2]);
    const c = zeros([3]);
    expect(treeLeaves({ z: a, y: [b, 'static', { x: c }] })).toEqual([a, b, c]);
    expect(treeLeaves({ z: a, y: [b, 'static', { x: c }] })[0]).toBe(a);
  });

  it('structure key is stable and ignores tensor values', () => {
    fc.assert(
      fc.property(treeArb, (tree) => {
        const [leaves, def] = treeFlatten(tree);
        const copy = treeUnflatten(def, leaves.map((t) => add(t, 1)));
        expect(treeDefKey(treeFlatten(copy)[1])).toBe(treeDefKey(def));
      }),
      { numRuns: 100 },
    );
  });

  it('structure key tells static leaves apart', () => {
    const keyOf = (tree: PyTree) => treeDefKey(treeFlatten(tree)[1]);
    const values: PyTree[] = [NaN, Infinity, -Infinity, null, undefined, 0, -0, '0', 'null', false, key(1), key(2)];
    const keys = values.map((v) => keyOf([v]));
    expect(new Set(keys).size).toBe(values.length);
  });

  it('structure key tells record keys and nesting apart', () => {
    const keyOf = (tree: PyTree) => treeDefKey(treeFlatten(tree)[1]);
    const t = zeros([1]);
    expect(keyOf({ a: t })).not.toBe(keyOf({ b: t }));
    expect(keyOf([t, [t]])).not.toBe(keyOf([[t], t]));
    expect(keyOf({ a: t, b: t })).not.toBe(keyOf({ b: t, a: t }));
  });

  it('unflatten rejects the wrong number of tensors', () => {
    const [leaves, def] = treeFlatten({ a: zeros([1]), b: zeros([1]) });
    expect(() => treeUnflatten(def, leaves.slice(1))).toThrow(/needs more than 1 tensors/);
    expect(() => treeUnflatten(def, [...leaves, zeros([1])])).toThrow(/holds 2 tensors but 3 were given/);
  });

  it('flatten rejects an unsupported value and names its path', () => {
    expect(() => treeFlatten({ a: [1, new Map() as unknown as PyTree] })).toThrow(/at \.a\[1\]/);
  });
});

describe('treeMap and treeZip', () => {
  const tree = () => ({ w: f32([1, 2], [2]), meta: { name: 'layer', depth: 2, seed: key(3) }, list: [f32([3], [1]), null] });

  it('treeMap keeps structure and static leaves', () => {
    const t = tree();
    const doubled = treeMap(t, (x) => mul(x, 2));
    expect(doubled.meta).toEqual(t.meta);
    expect(doubled.list[1]).toBeNull();
    expect(doubled.w.toArray()).toEqual([2, 4]);
    expect((doubled.list[0] as Tensor).toArray()).toEqual([6]);
    expect(treeDefKey(treeFlatten(doubled)[1])).toBe(treeDefKey(treeFlatten(t)[1]));
  });

  it('treeMap passes leaf indices', () => {
    const indices: number[] = [];
    treeMap(tree(), (x, i) => {
      indices.push(i);
      return x;
    });
    expect(indices).toEqual([0, 1]);
  });

  it('treeZip pairs leaves and keeps structure', () => {
    const a = tree();
    const b = treeMap(tree(), (x) => mul(x, 10));
    const summed = treeZip(a, b, (x, y) => add(x, y));
    expect(summed.w.toArray()).toEqual([11, 22]);
    expect((summed.list[0] as Tensor).toArray()).toEqual([33]);
    expect(summed.meta.name).toBe('layer');
  });

  it('treeZip rejects different structures', () => {
    expect(() => treeZip({ a: zeros([1]) } as PyTree, { b: zeros([1]) } as PyTree, add)).toThrow(/tree structures differ/);
  });

  it('treeZip rejects different leaf shapes', () => {
    expect(() => treeZip({ a: zeros([1]) }, { a: zeros([2]) }, add)).toThrow(/leaf 0 has shape \[1\].*\[2\]/);
  });
});

describe('gradients of pytrees', () => {
  type Params = { layers: { w: Tensor; b: Tensor }[]; scale: Tensor; name: string; steps: Tensor };
  const params = (): Params => ({
    layers: [
      { w: f32([0.5, -0.2, 0.1, 0.3], [2, 2]), b: f32([0.1, -0.1], [2]) },
      { w: f32([1, 0.5, -0.5, 1], [2, 2]), b: f32([0, 0.2], [2]) },
    ],
    scale: f32([1.5], [1]),
    name: 'mlp',
    steps: i32([7], [1]),
  });
  const x = f32([1, 2, -1, 0.5], [2, 2]);
  const loss = (p: Params, input: Tensor) => {
    let h = input;
    for (const layer of p.layers) h = tanh(add(matmul(h, layer.w), layer.b));
    return sum(mul(h, p.scale));
  };

  it('grad of a nested record has the same structure', () => {
    const g = grad(loss)(params(), x);
    expect(treeDefKey(treeFlatten(g)[1])).toBe(treeDefKey(treeFlatten(params())[1]));
    expect(g.name).toBe('mlp');
    expect(g.layers[1].w.shape).toEqual([2, 2]);
  });

  it('grad of a nested record matches per-leaf finite differences', () => {
    const p = params();
    const g = grad(loss)(p, x);
    const [leaves, def] = treeFlatten(p);
    const [gradLeaves] = treeFlatten(g);
    const eps = 1e-2;
    leaves.forEach((leaf, i) => {
      if (leaf.dtype !== 'f32') return;
      const numeric = Array.from(leaf.data(), (_, j) => {
        const shifted = (delta: number) => {
          const data = leaf.data();
          data[j] += delta;
          const moved = leaves.map((t, k) => (k === i ? f32(data, leaf.shape) : t));
          return loss(treeUnflatten<Params>(def, moved), x).item();
        };
        return (shifted(eps) - shifted(-eps)) / (2 * eps);
      });
      expectClose(gradLeaves[i].data(), numeric, { rtol: 1e-2, atol: 1e-3 });
    });
  });

  it('integer leaves get zero gradients', () => {
    const g = grad(loss)(params(), x);
    expect(g.steps.dtype).toBe('i32');
    expect(g.steps.toArray()).toEqual([0]);
  });

  it('hasAux returns the auxiliary value undifferentiated', () => {
    const f = (p: Params) => {
      const value = loss(p, x);
      return [value, { doubled: mul(value, 2), label: 'aux', parts: [p.scale] }] as const;
    };
    const [[value, aux], g] = valueAndGrad(f, { hasAux: true })(params());
    expect(aux.label).toBe('aux');
    expect(aux.doubled.item()).toBeCloseTo(2 * value.item(), 5);
    expect(aux.parts[0].toArray()).toEqual([1.5]);
    const plain = grad((p: Params) => loss(p, x))(params());
    expectClose(g.scale.data(), plain.scale.data(), { rtol: 1e-6 });
  });

  it('hasAux rejects a function without [loss, aux]', () => {
    const f = ((p: Tensor) => sum(p)) as unknown as (p: Tensor) => readonly [Tensor, PyTree];
    expect(() => valueAndGrad(f, { hasAux: true })(f32([1], [1]))).toThrow(/must return \[loss, aux\]/);
  });

  it('vjp maps a pytree cotangent to pytree arguments', () => {
    const [value, pullback] = vjp((p: { a: Tensor; b: Tensor }) => ({ sum: add(p.a, p.b), product: mul(p.a, p.b) }), {
      a: f32([2], [1]),
      b: f32([3], [1]),
    });
    expect(value.product.item()).toBe(6);
    const [g] = pullback({ sum: f32([1], [1]), product: f32([10], [1]) });
    expect(g.a.item()).toBe(31);
    expect(g.b.item()).toBe(21);
  });

  it('vjp rejects a cotangent of another structure', () => {
    const [, pullback] = vjp((p: Tensor) => ({ y: mul(p, 2) }), f32([1], [1]));
    expect(() => pullback({ z: f32([1], [1]) } as unknown as { y: Tensor })).toThrow(/tree structures differ/);
  });
});
