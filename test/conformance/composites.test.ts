/**
 * Conformance of the composites written in the DSL (softmax family, layer norm, GELU, losses,
 * norm, statistics) on every backend and mode against the cpu backend. Random compiled programs
 * mix elementwise chains, movement ops, reductions and matmuls, which the gpujs backend fuses
 * into few kernels.
 */
import fc from 'fast-check';
import { afterAll, expect, it } from 'vitest';
import {
  abs, add, binaryCrossEntropyWithLogits, compile, concat, crossEntropyWithLogits, div, exp, gelu, greater, isFinite,
  layerNorm, logSoftmax, logsumexp, maskedFill, matmul, max, maximum, mean, minimum, mse, mul, neg, norm, pad, relu,
  sigmoid, sin, slice, softmax, sqrt, sub, sum, take, tanh, transpose, variance, where, type Tensor,
} from '../../src/index.js';
import { closeTargets, describeTargets, expectSameTensor, loadTargets, on, type Target, type Tolerance } from './targets.js';
import { bool, f32, float32, shapeArb, sizeOfShape, valuesArb } from './values.js';

const targets = await loadTargets();
afterAll(() => closeTargets(targets));

function tolerance(target: Target): Tolerance {
  return target.shader ? { rtol: 2e-5, atol: 2e-6 } : { rtol: 1e-5, atol: 1e-6 };
}

/** Checks `op` on the target, eager and compiled, against the cpu backend. */
function checkOp(target: Target, inputs: Tensor[], op: (...xs: Tensor[]) => Tensor, tol: Tolerance): void {
  const expected = op(...inputs);
  expectSameTensor(on(target.backend!, () => op(...inputs)), expected, tol);
  const compiled = compile(op);
  expectSameTensor(on(target.backend!, () => compiled(...inputs)), expected, tol);
  expect(compiled.executorKind).toMatch(target.executorKind);
}

const matrixArb = (lo = -5, hi = 5) =>
  shapeArb(1, 3, 1, 5).chain((shape) => valuesArb(sizeOfShape(shape), float32(lo, hi)).map((values) => f32(values, shape)));

const COMPOSITES: [string, (x: Tensor) => Tensor][] = [
  ['mean', (x) => mean(x, -1)],
  ['variance', (x) => variance(x, 0)],
  ['softmax', (x) => softmax(x, -1)],
  ['logSoftmax', (x) => logSoftmax(x, -1)],
  ['logsumexp', (x) => logsumexp(x, 0)],
  ['layerNorm', (x) => layerNorm(x, tanh(x), sin(x))],
  ['gelu', gelu],
  ['relu', relu],
  ['mse', (x) => mse(sin(x), 0.5)],
  ['crossEntropyWithLogits', (x) => crossEntropyWithLogits(x, softmax(sin(x), -1))],
  ['binaryCrossEntropyWithLogits', (x) => binaryCrossEntropyWithLogits(x, sigmoid(sin(x)))],
  ['maskedFill then softmax', (x) => softmax(maskedFill(x, greater(x, 2), -Infinity), -1)],
  ['norm', (x) => norm(x, -1)],
  ['isFinite', (x) => isFinite(div(x, sub(x, x)))],
];

/** One step of a random program over [n, n] values: it reads earlier values and adds one. */
type Step = (values: readonly Tensor[], n: number) => Tensor;

const pick = (values: readonly Tensor[], k: number) => values[k % values.length];

function stepArb(): fc.Arbitrary<Step> {
  const index = fc.nat(50);
  const unary: [string, (x: Tensor) => Tensor][] = [
    ['neg', neg], ['tanh', tanh], ['sin', sin], ['exp', (x) => exp(tanh(x))], ['abs', abs], ['sqrt', (x) => sqrt(abs(x))],
    ['logistic', sigmoid], ['half', (x) => mul(x, 0.5)],
  ];
  const binary: [string, (a: Tensor, b: Tensor) => Tensor][] = [
    ['add', add], ['sub', sub], ['mul', mul], ['max', maximum], ['min', minimum],
    ['select', (a, b) => where(greater(a, b), a, b)], ['div', (a, b) => div(a, add(1, abs(b)))],
  ];
  return fc.oneof(
    fc.tuple(fc.constantFrom(...unary), index).map(([[, f], a]): Step => (vs) => f(pick(vs, a))),
    fc.tuple(fc.constantFrom(...binary), index, index).map(([[, f], a, b]): Step => (vs) => f(pick(vs, a), pick(vs, b))),
    fc.tuple(index, fc.integer({ min: 0, max: 1 })).map(([a, axis]): Step => (vs) => sub(pick(vs, a), max(pick(vs, a), axis, { keepdims: true }))),
    fc.tuple(index, fc.integer({ min: 0, max: 1 })).map(([a, axis]): Step => (vs, n) => add(pick(vs, a), div(sum(pick(vs, a), axis, { keepdims: true }), n))),
    index.map((a): Step => (vs) => transpose(pick(vs, a))),
    index.map((a): Step => (vs, n) => (n > 1 ? pad(slice(pick(vs, a), [1, 0], [n, n]), [[0, 1], [0, 0]], 0.25) : pick(vs, a))),
    fc.tuple(index, index, fc.nat(3)).map(([a, b, shift]): Step => (vs, n) => {
      const start = shift % (n + 1);
      return slice(concat([pick(vs, a), pick(vs, b)], 0), [start, 0], [start + n, n]);
    }),
    fc.tuple(index, index, fc.boolean(), fc.boolean()).map(([a, b, ta, tb]): Step => (vs, n) => div(matmul(pick(vs, a), pick(vs, b), { transposeA: ta, transposeB: tb }), n)),
    fc.tuple(index, fc.integer({ min: 0, max: 1 })).map(([a, axis]): Step => (vs) => softmax(pick(vs, a), axis)),
    index.map((a): Step => (vs, n) => take(pick(vs, a), Array.from({ length: n }, (_, k) => n - 1 - k), 0)),
  );
}

const programArb = fc.record({
  n: fc.integer({ min: 1, max: 4 }),
  inputs: fc.integer({ min: 1, max: 3 }),
  steps: fc.array(stepArb(), { minLength: 1, maxLength: 12 }),
  outputs: fc.integer({ min: 1, max: 3 }),
}).chain((p) => valuesArb(p.inputs * p.n * p.n, float32(-2, 2)).map((values) => ({ ...p, values })));

describeTargets(targets, (target) => {
  for (const [name, op] of COMPOSITES) {
    it(`${name} matches cpu`, () => {
      fc.assert(fc.property(matrixArb(), (x) => checkOp(target, [x], op, tolerance(target))), { numRuns: Math.ceil(target.numRuns / 2) });
    });
  }

  it('fully masked softmax rows are zeros', () => {
    const x = f32([1, 2, 3, 4, 5, 6], [2, 3]);
    const mask = bool([1, 1, 1, 0, 1, 0], [2, 3]);
    checkOp(target, [x, mask], (t, m) => softmax(maskedFill(t, m, -Infinity), -1), tolerance(target));
  });

  it('random compiled programs match cpu eager', () => {
    fc.assert(
      fc.property(programArb, ({ n, inputs, steps, outputs, values }) => {
        const program = (...xs: Tensor[]): Tensor[] => {
          const pool = [...xs];
          for (const step of steps) pool.push(step(pool, n));
          return pool.slice(-outputs);
        };
        const args = Array.from({ length: inputs }, (_, k) => f32(values.slice(k * n * n, (k + 1) * n * n), [n, n]));
        const expected = program(...args);
        const compiled = compile(program);
        const actual = on(target.backend!, () => compiled(...args));
        expect(compiled.executorKind).toMatch(target.executorKind);
        actual.forEach((t, k) => expectSameTensor(t, expected[k], target.shader ? { rtol: 1e-4, atol: 3e-5 } : { rtol: 1e-4, atol: 1e-5 }));
      }),
      { numRuns: target.numRuns * 2 },
    );
  });
});
