/**
 * Reverse-mode gradients against central finite differences (`checkGrads`) for every
 * differentiable primitive and composite, and a property over random compositions of ops. A
 * broadcasting op's gradient must have its input's shape and sum the upstream gradient over the
 * broadcast axes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  abs, add, binaryCrossEntropyWithLogits, broadcastTo, cast, checkGrads, concat, cos, crossEntropyWithLogits, div, erf,
  exp, expandDims, gelu, grad, layerNorm, log, logSoftmax, logsumexp, maskedFill, matmul, max, maximum, mean, min,
  minimum, mse, mul, neg, norm, pad, pow, relu, reshape, rsqrt, scatterAdd, sigmoid, sign, sin, slice, sliceAxis,
  softmax, sqrt, square, squeeze, stack, stopGradient, sub, sum, take, tanh, transpose, variance, vjp, where,
  type Tensor,
} from '../../src/index.js';
import {
  bool, broadcastShapesArb, expectClose, f32, i32, normalTensor, refBroadcast, refBroadcastShapes, refUnbroadcast,
  sizeOfShape, uniformTensor, valuesArb, float32, float32AwayFromZero,
} from './helpers.js';

type Case = [name: string, f: (...args: Tensor[]) => Tensor, args: () => Tensor[], order: 1 | 2];

/** Returns values in [0.2, 1] with random signs, away from the kinks of abs, relu and max at 0. */
function awayFromZero(seed: number, shape: number[]): Tensor {
  const magnitude = uniformTensor(seed, shape, 0.2, 1);
  const signs = sign(uniformTensor(seed + 1000, shape, -1, 1));
  return mul(magnitude, signs);
}

function runCases(cases: readonly Case[]): void {
  for (const [name, f, args, order] of cases) {
    it(`${name} gradient matches finite differences`, () => {
      expect(() => checkGrads(f, args(), { order })).not.toThrow();
    });
  }
}

describe('checkGrads', () => {
  it('rejects a wrong first derivative', () => {
    // Reverse mode gives x * stopGradient(x) the derivative x, but the true derivative is 2x.
    const wrong = (x: Tensor) => sum(mul(x, stopGradient(x)));
    expect(() => checkGrads(wrong, [normalTensor(14, [3])])).toThrow(/first derivative/);
  });

  it('rejects a wrong second derivative', () => {
    // The value is x^3 and reverse mode gives 3x^2, but the gradient has no derivative of its own.
    const cube = (x: Tensor) => mul(mul(x, x), x);
    const fake = (x: Tensor) => sum(add(stopGradient(cube(x)), mul(sub(x, stopGradient(x)), stopGradient(mul(square(x), 3)))));
    const x = add(normalTensor(15, [3]), 2);
    expect(() => checkGrads(fake, [x])).not.toThrow();
    expect(() => checkGrads(fake, [x], { order: 2 })).toThrow(/second derivative/);
  });
});

describe('unary primitive gradients', () => {
  runCases([
    ['neg', neg, () => [normalTensor(1, [2, 3])], 2],
    ['exp', exp, () => [uniformTensor(2, [2, 3], -2, 2)], 2],
    ['log', log, () => [uniformTensor(3, [2, 3], 0.5, 3)], 2],
    ['sqrt', sqrt, () => [uniformTensor(4, [2, 3], 0.5, 3)], 2],
    ['rsqrt', rsqrt, () => [uniformTensor(5, [2, 3], 0.5, 3)], 2],
    ['tanh', tanh, () => [normalTensor(6, [2, 3])], 2],
    ['sin', sin, () => [normalTensor(7, [2, 3], 2)], 2],
    ['cos', cos, () => [normalTensor(8, [2, 3], 2)], 2],
    ['abs', abs, () => [awayFromZero(9, [2, 3])], 2],
    ['sign', sign, () => [awayFromZero(10, [2, 3])], 1],
    ['erf', erf, () => [normalTensor(11, [2, 3])], 2],
    ['logistic', sigmoid, () => [normalTensor(12, [2, 3], 2)], 2],
  ]);

  it('sign gradient is zero', () => {
    expect(grad((x: Tensor) => sum(sign(x)))(awayFromZero(13, [4])).toArray()).toEqual([0, 0, 0, 0]);
  });
});

describe('binary primitive gradients', () => {
  runCases([
    ['add', add, () => [normalTensor(20, [2, 3]), normalTensor(21, [3])], 2],
    ['sub', sub, () => [normalTensor(22, [2, 1]), normalTensor(23, [2, 3])], 2],
    ['mul', mul, () => [normalTensor(24, [2, 3]), normalTensor(25, [1, 3])], 2],
    ['div', div, () => [normalTensor(26, [2, 3]), awayFromZero(27, [3])], 2],
    ['pow', pow, () => [uniformTensor(28, [2, 3], 0.5, 2), uniformTensor(29, [2, 3], -2, 2)], 2],
    ['max', maximum, () => [normalTensor(30, [2, 3]), normalTensor(31, [3])], 2],
    ['min', minimum, () => [normalTensor(32, [2, 3]), normalTensor(33, [2, 1])], 2],
    ['where', (a, b) => where(bool([1, 0, 1], [3]), a, b), () => [normalTensor(34, [2, 3]), normalTensor(35, [2, 1])], 2],
  ]);

  it('max splits the gradient of a tie', () => {
    const g = grad((p: { a: Tensor; b: Tensor }) => sum(maximum(p.a, p.b)))({ a: f32([1, 2], [2]), b: f32([1, 3], [2]) });
    expect(g.a.toArray()).toEqual([0.5, 0]);
    expect(g.b.toArray()).toEqual([0.5, 1]);
  });

  it('cast through i32 has zero gradient', () => {
    const g = grad((x: Tensor) => sum(cast(cast(x, 'i32'), 'f32')))(f32([1.5, -2.5], [2]));
    expect(g.toArray()).toEqual([0, 0]);
  });
});

describe('reduction gradients', () => {
  runCases([
    ['sum over all axes', (x) => sum(x), () => [normalTensor(40, [2, 3, 2])], 2],
    ['sum over axes 0 and 2', (x) => sum(x, [0, 2]), () => [normalTensor(41, [2, 3, 2])], 2],
    ['sum with keepdims', (x) => sum(x, 1, { keepdims: true }), () => [normalTensor(42, [2, 3])], 2],
    ['max over axis 1', (x) => max(x, 1), () => [normalTensor(43, [2, 4])], 2],
    ['max over all axes', (x) => max(x), () => [normalTensor(44, [3, 2])], 1],
    ['min over axis 0', (x) => min(x, 0), () => [normalTensor(45, [3, 2])], 2],
  ]);

  it('max splits the gradient among tied maxima', () => {
    expect(grad((x: Tensor) => max(x))(f32([3, 1, 3, 2], [4])).toArray()).toEqual([0.5, 0, 0.5, 0]);
  });
});

describe('matmul gradients', () => {
  const cases: Case[] = [];
  for (const transposeA of [false, true]) {
    for (const transposeB of [false, true]) {
      const options = { transposeA, transposeB };
      const flags = `${transposeA ? 'Aᵀ' : 'A'}${transposeB ? 'Bᵀ' : 'B'}`;
      const sa = (batch: number[]) => [...batch, ...(transposeA ? [4, 3] : [3, 4])];
      const sb = (batch: number[]) => [...batch, ...(transposeB ? [2, 4] : [4, 2])];
      cases.push([`matmul ${flags} 2-D`, (a, b) => matmul(a, b, options), () => [normalTensor(50, sa([])), normalTensor(51, sb([]))], 2]);
      cases.push([`matmul ${flags} batched`, (a, b) => matmul(a, b, options), () => [normalTensor(52, sa([2])), normalTensor(53, sb([2]))], 2]);
      cases.push([`matmul ${flags} broadcast batch`, (a, b) => matmul(a, b, options), () => [normalTensor(54, sa([2, 1])), normalTensor(55, sb([3]))], 1]);
      cases.push([`matmul ${flags} 3-D x 2-D`, (a, b) => matmul(a, b, options), () => [normalTensor(56, sa([2])), normalTensor(57, sb([]))], 1]);
      cases.push([`matmul ${flags} 2-D x 3-D`, (a, b) => matmul(a, b, options), () => [normalTensor(58, sa([])), normalTensor(59, sb([2]))], 1]);
    }
  }
  runCases(cases);
});

describe('movement gradients', () => {
  runCases([
    ['reshape', (x) => reshape(x, [3, 2]), () => [normalTensor(60, [2, 3])], 2],
    ['transpose', (x) => transpose(x, [2, 0, 1]), () => [normalTensor(61, [2, 3, 2])], 2],
    ['broadcast', (x) => broadcastTo(x, [2, 3, 4]), () => [normalTensor(62, [3, 1])], 2],
    ['slice', (x) => slice(x, [0, 1], [2, 3]), () => [normalTensor(63, [3, 4])], 2],
    ['sliceAxis with negative start', (x) => sliceAxis(x, 1, -2), () => [normalTensor(64, [3, 4])], 1],
    ['pad', (x) => pad(x, [[1, 0], [2, 1]], 5), () => [normalTensor(65, [2, 3])], 2],
    ['concat', (a, b) => concat([a, b, a], 1), () => [normalTensor(66, [2, 1]), normalTensor(67, [2, 3])], 2],
    ['stack', (a, b) => stack([a, b], 1), () => [normalTensor(68, [2, 3]), normalTensor(69, [2, 3])], 1],
    ['expandDims and squeeze', (x) => squeeze(expandDims(x, 1)), () => [normalTensor(70, [2, 3])], 1],
    ['take with repeated indices', (x) => take(x, i32([2, 0, 2, 2], [2, 2]), 1), () => [normalTensor(71, [2, 3])], 2],
    ['scatterAdd', (u) => scatterAdd(u, i32([1, 1, 0], [3]), 0, 2), () => [normalTensor(72, [3, 2])], 2],
  ]);

  it('stop_gradient has zero gradient', () => {
    const g = grad((x: Tensor) => sum(mul(stopGradient(x), x)))(f32([2, 3], [2]));
    expect(g.toArray()).toEqual([2, 3]);
  });
});

describe('composite gradients', () => {
  const logits = () => [normalTensor(80, [3, 4], 2)];
  const oneHot = f32([1, 0, 0, 0, 0, 0, 1, 0, 0.25, 0.25, 0.5, 0], [3, 4]);
  const mask = bool([0, 1, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0], [3, 4]);
  runCases([
    ['mean', (x) => mean(x, 1), () => [normalTensor(81, [2, 3])], 2],
    ['variance', (x) => variance(x, -1), () => [normalTensor(82, [2, 5])], 2],
    ['softmax', (x) => softmax(x), logits, 2],
    ['softmax over axis 0', (x) => softmax(x, 0), logits, 1],
    ['logSoftmax', (x) => logSoftmax(x), logits, 2],
    ['logsumexp', (x) => logsumexp(x), logits, 2],
    ['logsumexp with keepdims', (x) => logsumexp(x, 0, { keepdims: true }), logits, 1],
    ['layerNorm', (x, w, b) => layerNorm(x, w, b), () => [normalTensor(83, [3, 5]), normalTensor(84, [5]), normalTensor(85, [5])], 2],
    ['gelu', gelu, () => [normalTensor(86, [2, 3], 2)], 2],
    ['relu', relu, () => [awayFromZero(87, [2, 3])], 1],
    ['mse', (p, t) => mse(p, t), () => [normalTensor(88, [4, 2]), normalTensor(89, [4, 2])], 2],
    ['crossEntropyWithLogits', (x) => crossEntropyWithLogits(x, oneHot), logits, 2],
    ['binaryCrossEntropyWithLogits', (x, t) => binaryCrossEntropyWithLogits(x, t), () => [awayFromZero(90, [2, 3]), uniformTensor(91, [2, 3], 0, 1)], 2],
    ['norm', (x) => norm(x), () => [normalTensor(92, [2, 3])], 2],
    ['norm over axis 1', (x) => norm(x, 1), () => [normalTensor(93, [2, 3])], 1],
    ['maskedFill then softmax', (x) => softmax(maskedFill(x, mask, -Infinity)), logits, 1],
    ['square', square, () => [normalTensor(94, [3])], 2],
  ]);
});

/** A random expression over x: f32[2,3] and y: f32[3], in which every node has shape [2,3]. */
type Expr =
  | { kind: 'x' }
  | { kind: 'y' }
  | { kind: 'unary'; op: UnaryName; arg: Expr }
  | { kind: 'binary'; op: BinaryName; left: Expr; right: Expr }
  | { kind: 'reduce'; op: ReduceName; axis: 0 | 1; arg: Expr }
  | { kind: 'move'; op: MoveName; arg: Expr };

const UNARY = ['neg', 'tanh', 'sin', 'cos', 'logistic', 'erf', 'expTanh', 'softplusSquare', 'sqrtOnePlusSquare'] as const;
const BINARY = ['add', 'sub', 'mul', 'divSafe', 'maximum'] as const;
const REDUCE = ['sum', 'mean', 'max', 'logsumexp', 'softmax', 'variance'] as const;
const MOVE = ['transposeReshape', 'slicePad', 'concatSwap', 'takeRepeat'] as const;
type UnaryName = (typeof UNARY)[number];
type BinaryName = (typeof BINARY)[number];
type ReduceName = (typeof REDUCE)[number];
type MoveName = (typeof MOVE)[number];

function exprArb(depth: number): fc.Arbitrary<Expr> {
  const leaf = fc.constantFrom<Expr>({ kind: 'x' }, { kind: 'y' });
  if (depth === 0) return leaf;
  const sub = exprArb(depth - 1);
  return fc.oneof(
    { arbitrary: leaf, weight: 1 },
    { arbitrary: fc.record({ kind: fc.constant('unary' as const), op: fc.constantFrom(...UNARY), arg: sub }), weight: 2 },
    { arbitrary: fc.record({ kind: fc.constant('binary' as const), op: fc.constantFrom(...BINARY), left: sub, right: sub }), weight: 2 },
    { arbitrary: fc.record({ kind: fc.constant('reduce' as const), op: fc.constantFrom(...REDUCE), axis: fc.constantFrom(0 as const, 1 as const), arg: sub }), weight: 1 },
    { arbitrary: fc.record({ kind: fc.constant('move' as const), op: fc.constantFrom(...MOVE), arg: sub }), weight: 1 },
  );
}

/**
 * Returns the smallest nonzero distance between a maximum and a competing value over every max
 * and maximum in an expression, on concrete inputs. Exact ties come from copies of one value,
 * which move together, so they are not kinks. A small nonzero distance is a kink that finite
 * differences may straddle.
 */
function kinkDistance(e: Expr, x: Tensor, y: Tensor): number {
  let smallest = Infinity;
  const note = (d: number) => {
    if (d > 0 && d < smallest) smallest = d;
  };
  const visit = (node: Expr): void => {
    switch (node.kind) {
      case 'x':
      case 'y':
        return;
      case 'binary':
        visit(node.left);
        visit(node.right);
        if (node.op === 'maximum') {
          const a = evaluate(node.left, x, y).data();
          const b = evaluate(node.right, x, y).data();
          a.forEach((v, i) => note(Math.abs(v - b[i])));
        }
        return;
      case 'reduce':
        visit(node.arg);
        // logsumexp and softmax use max only as a gradient-stopped shift, which has no kink.
        if (node.op === 'max') {
          const a = evaluate(node.arg, x, y);
          const top = broadcastTo(max(a, node.axis, { keepdims: true }), a.shape).data();
          a.data().forEach((v, i) => note(Math.abs(v - top[i])));
        }
        return;
      default:
        visit(node.arg);
    }
  };
  visit(e);
  return smallest;
}

function evaluate(e: Expr, x: Tensor, y: Tensor): Tensor {
  switch (e.kind) {
    case 'x':
      return x;
    case 'y':
      return broadcastTo(y, [2, 3]);
    case 'unary': {
      const a = evaluate(e.arg, x, y);
      switch (e.op) {
        case 'neg': return neg(a);
        case 'tanh': return tanh(a);
        case 'sin': return sin(a);
        case 'cos': return cos(a);
        case 'logistic': return sigmoid(a);
        case 'erf': return erf(a);
        case 'expTanh': return exp(tanh(a));
        case 'softplusSquare': return log(add(1, exp(neg(square(tanh(a))))));
        case 'sqrtOnePlusSquare': return sqrt(add(1, square(a)));
      }
      break;
    }
    case 'binary': {
      const a = evaluate(e.left, x, y);
      const b = evaluate(e.right, x, y);
      switch (e.op) {
        case 'add': return add(a, b);
        case 'sub': return sub(a, b);
        case 'mul': return mul(tanh(a), b);
        case 'divSafe': return div(a, add(2, square(b)));
        case 'maximum': return maximum(a, b);
      }
      break;
    }
    case 'reduce': {
      const a = evaluate(e.arg, x, y);
      const k = { keepdims: true };
      switch (e.op) {
        case 'sum': return mul(a, tanh(sum(a, e.axis, k)));
        case 'mean': return sub(a, mean(a, e.axis, k));
        case 'max': return add(a, max(a, e.axis, k));
        case 'logsumexp': return sub(a, logsumexp(a, e.axis, k));
        case 'softmax': return softmax(a, e.axis);
        case 'variance': return mul(a, variance(a, e.axis, k));
      }
      break;
    }
    case 'move': {
      const a = evaluate(e.arg, x, y);
      switch (e.op) {
        case 'transposeReshape': return reshape(transpose(a), [2, 3]);
        case 'slicePad': return pad(slice(a, [0, 1], [2, 3]), [[0, 0], [1, 0]]);
        case 'concatSwap': return concat([sliceAxis(a, 1, 1), sliceAxis(a, 1, 0, 1)], 1);
        case 'takeRepeat': return take(a, [2, 0, 0], 1);
      }
    }
  }
  throw new Error(`unknown expression ${JSON.stringify(e)}`);
}

function describeExpr(e: Expr): string {
  switch (e.kind) {
    case 'x':
    case 'y':
      return e.kind;
    case 'unary':
      return `${e.op}(${describeExpr(e.arg)})`;
    case 'binary':
      return `${e.op}(${describeExpr(e.left)}, ${describeExpr(e.right)})`;
    case 'reduce':
      return `${e.op}@${e.axis}(${describeExpr(e.arg)})`;
    case 'move':
      return `${e.op}(${describeExpr(e.arg)})`;
  }
}

// Irregular base values: no two entries, rows or columns are shifts or scalings of each other,
// so shift-invariant ops (softmax, mean subtraction) do not turn them into near-ties.
const X_BASE = [-0.83, 0.41, -0.17, 0.97, -0.52, 0.12];
const Y_BASE = [-0.35, 0.66, 0.27];

describe('random compositions', () => {
  it('reverse mode matches finite differences', () => {
    fc.assert(
      fc.property(
        exprArb(4),
        valuesArb(6, float32(-1, 1)),
        valuesArb(3, float32(-1, 1)),
        (e, xs, ys) => {
          // Distinct base values keep max and maximum away from ties between unrelated entries,
          // where finite differences straddle a kink.
          const x = xs.map((v, i) => X_BASE[i] + 0.04 * v);
          const y = ys.map((v, i) => Y_BASE[i] + 0.04 * v);
          const inputs: [Tensor, Tensor] = [f32(x, [2, 3]), f32(y, [3])];
          fc.pre(kinkDistance(e, inputs[0], inputs[1]) > 0.05);
          const f = (a: Tensor, b: Tensor) => evaluate(e, a, b);
          try {
            checkGrads(f, inputs, { eps: 1e-3, tol: 2e-2 });
          } catch (error) {
            throw new Error(`${describeExpr(e)}: ${(error as Error).message}`);
          }
        },
      ),
      { numRuns: 80 },
    );
  });
});

describe('broadcasting gradient shapes', () => {
  type Rule = [
    name: string,
    op: (a: Tensor, b: Tensor) => Tensor,
    da: (a: number, b: number) => number,
    db: (a: number, b: number) => number,
    left: fc.Arbitrary<number>,
    right: fc.Arbitrary<number>,
  ];
  const any = float32(-3, 3);
  const rules: Rule[] = [
    ['add', add, () => 1, () => 1, any, any],
    ['sub', sub, () => 1, () => -1, any, any],
    ['mul', mul, (_a, b) => b, (a) => a, any, any],
    ['div', div, (_a, b) => 1 / b, (a, b) => -a / (b * b), any, float32AwayFromZero(0.5, 3)],
    ['pow', pow, (a, b) => b * a ** (b - 1), (a, b) => a ** b * Math.log(a), float32(0.5, 2), float32(-2, 2)],
    ['maximum', maximum, (a, b) => (a > b ? 1 : a === b ? 0.5 : 0), (a, b) => (b > a ? 1 : a === b ? 0.5 : 0), any, any],
    ['minimum', minimum, (a, b) => (a < b ? 1 : a === b ? 0.5 : 0), (a, b) => (b < a ? 1 : a === b ? 0.5 : 0), any, any],
  ];

  for (const [name, op, da, db, left, right] of rules) {
    it(`${name} gradients have the operand shapes and sum over broadcast axes`, () => {
      fc.assert(
        fc.property(
          broadcastShapesArb(2).chain(([sa, sb]) => {
            const shape = refBroadcastShapes(sa, sb);
            return fc
              .tuple(valuesArb(sizeOfShape(sa), left), valuesArb(sizeOfShape(sb), right), valuesArb(sizeOfShape(shape), any))
              .map(([a, b, u]) => ({ sa, sb, shape, a, b, u }));
          }),
          ({ sa, sb, shape, a, b, u }) => {
            const [, pullback] = vjp((p: Tensor, q: Tensor) => op(p, q), f32(a, sa), f32(b, sb));
            const [ga, gb] = pullback(f32(u, shape));
            const ba = refBroadcast(a, sa, shape);
            const bb = refBroadcast(b, sb, shape);
            const expectedA = refUnbroadcast(u.map((v, i) => v * da(ba[i], bb[i])), shape, sa);
            const expectedB = refUnbroadcast(u.map((v, i) => v * db(ba[i], bb[i])), shape, sb);
            expect(ga.shape).toEqual(sa);
            expect(gb.shape).toEqual(sb);
            expectClose(ga.data(), expectedA, { rtol: 1e-5, atol: 1e-5 });
            expectClose(gb.data(), expectedB, { rtol: 1e-5, atol: 1e-5 });
          },
        ),
        { numRuns: 50 },
      );
    });
  }

  it('where gradients have the operand shapes', () => {
    fc.assert(
      fc.property(
        broadcastShapesArb(3).chain(([sc, st, sf]) => {
          const shape = refBroadcastShapes(sc, st, sf);
          return fc
            .tuple(valuesArb(sizeOfShape(sc), fc.integer({ min: 0, max: 1 })), valuesArb(sizeOfShape(shape), any))
            .map(([c, u]) => ({ sc, st, sf, shape, c, u }));
        }),
        ({ sc, st, sf, shape, c, u }) => {
          const [, pullback] = vjp((t: Tensor, f: Tensor) => where(bool(c, sc), t, f), normalTensor(1, st), normalTensor(2, sf));
          const [gt, gf] = pullback(f32(u, shape));
          const bc = refBroadcast(c, sc, shape);
          expect(gt.shape).toEqual(st);
          expect(gf.shape).toEqual(sf);
          expectClose(gt.data(), refUnbroadcast(u.map((v, i) => (bc[i] ? v : 0)), shape, st), { rtol: 1e-6, atol: 1e-6 });
          expectClose(gf.data(), refUnbroadcast(u.map((v, i) => (bc[i] ? 0 : v)), shape, sf), { rtol: 1e-6, atol: 1e-6 });
        },
      ),
      { numRuns: 50 },
    );
  });

  it('matmul gradients have the operand shapes', () => {
    fc.assert(
      fc.property(broadcastShapesArb(2, 2), fc.boolean(), fc.boolean(), ([ba, bb], transposeA, transposeB) => {
        const sa = [...ba, ...(transposeA ? [4, 3] : [3, 4])];
        const sb = [...bb, ...(transposeB ? [2, 4] : [4, 2])];
        const a = normalTensor(3, sa);
        const b = normalTensor(4, sb);
        const g = grad((p: { a: Tensor; b: Tensor }) => sum(matmul(p.a, p.b, { transposeA, transposeB })))({ a, b });
        expect(g.a.shape).toEqual(sa);
        expect(g.b.shape).toEqual(sb);
      }),
      { numRuns: 40 },
    );
  });
});
