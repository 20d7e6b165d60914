/**
 * Conformance of the elementwise primitives (unary, binary, where, cast, stop_gradient) on every
 * backend and mode against the cpu backend: random shapes with NumPy broadcasting, f32, i32 and
 * bool operands. Values are normal floats (subnormals are mapped to 0, see `flushSubnormal`).
 */
import fc from 'fast-check';
import { afterAll, expect, it } from 'vitest';
import {
  abs, add, cast, compile, cos, div, equal, erf, exp, greater, greaterEqual, less, lessEqual, log, logicalAnd,
  logicalNot, logicalOr, maximum, minimum, mul, neg, notEqual, pow, rsqrt, sigmoid, sign, sin, sqrt, stopGradient,
  sub, tanh, where, type DType, type Tensor,
} from '../../src/index.js';
import { broadcastShapesArb, f32, fromValues, i32, bool, float32, float32AwayFromZero, shapeArb, sizeOfShape, valuesArb } from './values.js';
import { closeTargets, describeTargets, expectSameTensor, loadTargets, on, type Target, type Tolerance } from './targets.js';

const targets = await loadTargets();
afterAll(() => closeTargets(targets));

/** Tolerances for transcendental functions: shader modes run their own float32 formulas. */
function tolerance(target: Target, op: string): Tolerance {
  if (!target.shader) return { rtol: 2e-6, atol: 1e-7 };
  const loose: Record<string, Tolerance> = {
    exp: { rtol: 4e-6, atol: 0 },
    pow: { rtol: 2e-5, atol: 0 },
    logistic: { rtol: 4e-6, atol: 1e-7 },
    tanh: { rtol: 4e-6, atol: 1e-7 },
    erf: { rtol: 4e-6, atol: 1e-7 },
    log: { rtol: 4e-6, atol: 2e-7 },
    sin: { rtol: 4e-6, atol: 1e-7 },
    cos: { rtol: 4e-6, atol: 1e-7 },
  };
  return loose[op] ?? { rtol: 2e-6, atol: 1e-7 };
}

type Unary = (x: Tensor) => Tensor;
type Binary = (a: Tensor, b: Tensor) => Tensor;

const UNARY_F32: [string, Unary, fc.Arbitrary<number>][] = [
  ['neg', neg, float32(-100, 100)],
  ['exp', exp, float32(-20, 20)],
  ['log', log, float32(1e-3, 100)],
  ['sqrt', sqrt, float32(0, 100)],
  ['rsqrt', rsqrt, float32(1e-3, 100)],
  ['tanh', tanh, float32(-12, 12)],
  ['sin', sin, float32(-10, 10)],
  ['cos', cos, float32(-10, 10)],
  ['abs', abs, float32(-100, 100)],
  ['sign', sign, fc.oneof(float32(-100, 100), fc.constant(0))],
  ['erf', erf, float32(-6, 6)],
  ['logistic', sigmoid, float32(-30, 30)],
];

const wide = float32(-100, 100);
const BINARY_F32: [string, Binary, fc.Arbitrary<number>, fc.Arbitrary<number>][] = [
  ['add', add, wide, wide],
  ['sub', sub, wide, wide],
  ['mul', mul, wide, wide],
  ['div', div, wide, float32AwayFromZero(0.1, 10)],
  ['pow', pow, float32(0.01, 10), float32(-3, 3)],
  ['max', maximum, wide, wide],
  ['min', minimum, wide, wide],
  ['lt', less, fc.integer({ min: -2, max: 2 }), fc.integer({ min: -2, max: 2 })],
  ['le', lessEqual, fc.integer({ min: -2, max: 2 }), fc.integer({ min: -2, max: 2 })],
  ['gt', greater, wide, wide],
  ['ge', greaterEqual, fc.integer({ min: -2, max: 2 }), fc.integer({ min: -2, max: 2 })],
  ['eq', equal, fc.integer({ min: -2, max: 2 }), fc.integer({ min: -2, max: 2 })],
  ['ne', notEqual, fc.integer({ min: -2, max: 2 }), fc.integer({ min: -2, max: 2 })],
];

const smallInt = fc.integer({ min: -1000, max: 1000 });
const BINARY_I32: [string, Binary][] = [
  ['add', add], ['sub', sub], ['mul', mul], ['div', div], ['max', maximum], ['min', minimum],
  ['lt', less], ['gt', greater], ['eq', equal], ['ne', notEqual],
];

/** Generates operands of two broadcast-compatible shapes. */
function pairArb(left: fc.Arbitrary<number>, right: fc.Arbitrary<number>) {
  return broadcastShapesArb(2, 3, 3).chain(([sa, sb]) =>
    fc.tuple(valuesArb(sizeOfShape(sa), left), valuesArb(sizeOfShape(sb), right)).map(([a, b]) => ({ sa, sb, a, b })),
  );
}

function arrayOf(element: fc.Arbitrary<number>) {
  return shapeArb(0, 3, 1, 4).chain((shape) => valuesArb(sizeOfShape(shape), element).map((values) => ({ shape, values })));
}

/** Checks `op` on the target, eager and compiled, against the cpu backend. */
function checkOp(target: Target, inputs: Tensor[], op: (...xs: Tensor[]) => Tensor, tol: Tolerance): void {
  const expected = op(...inputs);
  expectSameTensor(on(target.backend!, () => op(...inputs)), expected, tol);
  const compiled = compile(op);
  expectSameTensor(on(target.backend!, () => compiled(...inputs)), expected, tol);
  expect(compiled.executorKind).toMatch(target.executorKind);
}

describeTargets(targets, (target) => {
  for (const [name, op, domain] of UNARY_F32) {
    it(`${name} matches cpu`, () => {
      fc.assert(fc.property(arrayOf(domain), ({ shape, values }) => checkOp(target, [f32(values, shape)], op, tolerance(target, name))), { numRuns: target.numRuns });
    });
  }

  it('logical_not matches cpu', () => {
    fc.assert(fc.property(arrayOf(fc.integer({ min: 0, max: 1 })), ({ shape, values }) => checkOp(target, [bool(values, shape)], logicalNot, tolerance(target, 'logical_not'))), { numRuns: target.numRuns });
  });

  it('neg, abs and sign on i32 match cpu', () => {
    fc.assert(
      fc.property(arrayOf(smallInt), ({ shape, values }) => {
        for (const op of [neg, abs, sign]) checkOp(target, [i32(values, shape)], op, { rtol: 0, atol: 0 });
      }),
      { numRuns: target.numRuns },
    );
  });

  for (const [name, op, left, right] of BINARY_F32) {
    it(`${name} with broadcasting matches cpu`, () => {
      fc.assert(fc.property(pairArb(left, right), ({ sa, sb, a, b }) => checkOp(target, [f32(a, sa), f32(b, sb)], op, tolerance(target, name))), { numRuns: target.numRuns });
    });
  }

  for (const [name, op] of BINARY_I32) {
    it(`${name} on i32 matches cpu`, () => {
      const divisor = name === 'div' ? fc.oneof(smallInt, fc.constant(0)) : smallInt;
      fc.assert(fc.property(pairArb(smallInt, divisor), ({ sa, sb, a, b }) => checkOp(target, [i32(a, sa), i32(b, sb)], op, { rtol: 0, atol: 0 })), { numRuns: target.numRuns });
    });
  }

  for (const [name, op] of [['logical_and', logicalAnd], ['logical_or', logicalOr]] as const) {
    it(`${name} matches cpu`, () => {
      const bit = fc.integer({ min: 0, max: 1 });
      fc.assert(fc.property(pairArb(bit, bit), ({ sa, sb, a, b }) => checkOp(target, [bool(a, sa), bool(b, sb)], op, { rtol: 0, atol: 0 })), { numRuns: target.numRuns });
    });
  }

  it('where with three-way broadcasting matches cpu', () => {
    fc.assert(
      fc.property(
        broadcastShapesArb(3, 3, 3).chain(([sc, st, sf]) =>
          fc
            .tuple(valuesArb(sizeOfShape(sc), fc.integer({ min: 0, max: 1 })), valuesArb(sizeOfShape(st), wide), valuesArb(sizeOfShape(sf), wide))
            .map(([c, t, f]) => ({ sc, st, sf, c, t, f })),
        ),
        ({ sc, st, sf, c, t, f }) => checkOp(target, [bool(c, sc), f32(t, st), f32(f, sf)], (x, y, z) => where(x, y, z), { rtol: 0, atol: 0 }),
      ),
      { numRuns: target.numRuns },
    );
  });

  const casts: [DType, DType, fc.Arbitrary<number>][] = [
    ['f32', 'i32', float32(-1000, 1000)],
    ['f32', 'bool', fc.oneof(float32(-3, 3), fc.constant(0))],
    ['i32', 'f32', fc.integer({ min: -(2 ** 24), max: 2 ** 24 })],
    ['i32', 'bool', fc.integer({ min: -2, max: 2 })],
    ['bool', 'f32', fc.integer({ min: 0, max: 1 })],
    ['bool', 'i32', fc.integer({ min: 0, max: 1 })],
  ];
  for (const [from, to, domain] of casts) {
    it(`cast ${from} to ${to} matches cpu`, () => {
      fc.assert(
        fc.property(arrayOf(domain), ({ shape, values }) => checkOp(target, [fromValues(values, shape, from)], (x) => cast(x, to), { rtol: 0, atol: 0 })),
        { numRuns: target.numRuns },
      );
    });
  }

  it('stop_gradient passes values through', () => {
    fc.assert(fc.property(arrayOf(wide), ({ shape, values }) => checkOp(target, [f32(values, shape)], stopGradient, { rtol: 0, atol: 0 })), { numRuns: target.numRuns });
  });

  it('max, min and comparisons treat NaN as IEEE', () => {
    const a = f32([NaN, 1, NaN, 2], [4]);
    const b = f32([1, NaN, NaN, 2], [4]);
    for (const op of [maximum, minimum, equal, notEqual, less, greater] as Binary[]) checkOp(target, [a, b], op, { rtol: 0, atol: 0 });
  });

  it('log, sqrt, exp and division at special values match cpu', () => {
    const x = f32([0, -1, Infinity, -Infinity, 80, -80], [6]);
    for (const op of [log, sqrt, exp, (t: Tensor) => div(1, t)] as Unary[]) checkOp(target, [x], op, { rtol: 2e-6, atol: 0 });
  });
});
