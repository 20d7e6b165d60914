/**
 * Gradients on every backend and mode: `checkGrads` (reverse mode against central differences)
 * runs entirely on the target, for every differentiable primitive and composite, and the
 * gradients, eager and compiled, must match the cpu backend's.
 */
import { afterAll, expect, it } from 'vitest';
import {
  abs, add, binaryCrossEntropyWithLogits, checkGrads, compile, concat, cos, crossEntropyWithLogits, div, erf, exp, gelu,
  grad, layerNorm, log, logSoftmax, logsumexp, matmul, max, maximum, mean, minimum, mse, mul, neg, norm, pad, pow,
  relu, reshape, rsqrt, scatterAdd, sigmoid, sin, slice, softmax, sqrt, sub, sum, take, tanh, transpose, variance,
  where, greater, type Tensor,
} from '../../src/index.js';
import { f32, i32, normalTensor, uniformTensor } from '../core/helpers.js';
import { closeTargets, describeTargets, expectSameTensor, loadTargets, on, type Target } from './targets.js';

const targets = await loadTargets();
afterAll(() => closeTargets(targets));

type Case = [name: string, f: (...args: Tensor[]) => Tensor, args: () => Tensor[]];

const CASES: Case[] = [
  ['neg', neg, () => [normalTensor(1, [2, 3])]],
  ['exp', exp, () => [uniformTensor(2, [2, 3], -2, 2)]],
  ['log', log, () => [uniformTensor(3, [2, 3], 0.5, 3)]],
  ['sqrt', sqrt, () => [uniformTensor(4, [2, 3], 0.5, 3)]],
  ['rsqrt', rsqrt, () => [uniformTensor(5, [2, 3], 0.5, 3)]],
  ['tanh', tanh, () => [normalTensor(6, [2, 3])]],
  ['sin', sin, () => [normalTensor(7, [2, 3], 2)]],
  ['cos', cos, () => [normalTensor(8, [2, 3], 2)]],
  ['abs', abs, () => [f32([0.5, -0.3, 0.8, -0.9, 0.25, -0.6], [2, 3])]],
  ['erf', erf, () => [normalTensor(11, [2, 3])]],
  ['logistic', sigmoid, () => [normalTensor(12, [2, 3], 2)]],
  ['add', add, () => [normalTensor(20, [2, 3]), normalTensor(21, [3])]],
  ['sub', sub, () => [normalTensor(22, [2, 1]), normalTensor(23, [2, 3])]],
  ['mul', mul, () => [normalTensor(24, [2, 3]), normalTensor(25, [1, 3])]],
  ['div', div, () => [normalTensor(26, [2, 3]), uniformTensor(27, [3], 0.5, 2)]],
  ['pow', pow, () => [uniformTensor(28, [2, 3], 0.5, 2), normalTensor(29, [2, 3])]],
  ['max', maximum, () => [normalTensor(30, [2, 3]), normalTensor(31, [2, 3])]],
  ['min', minimum, () => [normalTensor(32, [2, 3]), normalTensor(33, [2, 3])]],
  ['where', (a, b) => where(greater(a, b), mul(a, b), sub(a, b)), () => [normalTensor(34, [2, 3]), normalTensor(35, [2, 3])]],
  ['reduce_sum', (x) => sum(x, [0, 2]), () => [normalTensor(40, [2, 3, 2])]],
  ['reduce_max', (x) => max(x, 1), () => [normalTensor(41, [3, 4])]],
  ['matmul', (a, b) => matmul(a, b, { transposeB: true }), () => [normalTensor(42, [2, 3, 4]), normalTensor(43, [2, 5, 4])]],
  ['transpose and reshape', (x) => reshape(transpose(x, [2, 0, 1]), [4, 6]), () => [normalTensor(44, [2, 3, 4])]],
  ['slice and pad', (x) => pad(slice(x, [0, 1], [2, 3]), [[1, 0], [0, 2]], 0.5), () => [normalTensor(45, [3, 4])]],
  ['concat', (a, b) => concat([a, b, a], 1), () => [normalTensor(46, [2, 3]), normalTensor(47, [2, 1])]],
  ['gather', (x) => take(x, i32([2, 0, 2, 1], [4]), 0), () => [normalTensor(48, [3, 2])]],
  ['scatter_add', (u) => scatterAdd(u, i32([1, 1, 0], [3]), 0, 2), () => [normalTensor(49, [3, 2])]],
  ['mean and variance', (x) => add(mean(x, 0), variance(x, 0)), () => [normalTensor(50, [4, 3])]],
  ['softmax', (x) => softmax(x, -1), () => [normalTensor(51, [2, 5])]],
  ['logSoftmax', (x) => logSoftmax(x, 0), () => [normalTensor(52, [4, 2])]],
  ['logsumexp', (x) => logsumexp(x, -1), () => [normalTensor(53, [3, 4], 3)]],
  ['layerNorm', (x, w, b) => layerNorm(x, w, b), () => [normalTensor(54, [2, 6]), normalTensor(55, [6]), normalTensor(56, [6])]],
  ['gelu', gelu, () => [normalTensor(57, [2, 3], 2)]],
  ['relu', relu, () => [f32([0.5, -0.3, 0.8, -0.9, 0.25, -0.6], [2, 3])]],
  ['mse', (a, b) => mse(a, b), () => [normalTensor(59, [3, 2]), normalTensor(60, [3, 2])]],
  ['crossEntropyWithLogits', (x) => crossEntropyWithLogits(x, softmax(normalTensor(61, [2, 4]))), () => [normalTensor(62, [2, 4])]],
  ['binaryCrossEntropyWithLogits', (x) => binaryCrossEntropyWithLogits(x, sigmoid(normalTensor(63, [5]))), () => [normalTensor(64, [5], 3)]],
  ['norm', (x) => norm(x, -1), () => [normalTensor(65, [3, 4])]],
];

function scalarOf(f: (...args: Tensor[]) => Tensor): (...args: Tensor[]) => Tensor {
  return (...args) => sum(mul(f(...args), 1.5));
}

describeTargets(targets, (target: Target) => {
  for (const [name, f, args] of CASES) {
    it(`${name} passes checkGrads`, () => {
      on(target.backend!, () => checkGrads(f, args()));
    });
  }

  it('gradients match cpu eager and compiled', () => {
    const tolerance = target.shader ? { rtol: 5e-5, atol: 1e-5 } : { rtol: 2e-5, atol: 1e-6 };
    for (const [name, f, args] of CASES) {
      const inputs = args();
      const gradient = (...xs: Tensor[]) => xs.map((_, k) => grad((x: Tensor) => scalarOf(f)(...xs.map((y, j) => (j === k ? x : y))))(xs[k]));
      const expected = gradient(...inputs);
      const compiled = compile(gradient);
      const eager = on(target.backend!, () => gradient(...inputs));
      const traced = on(target.backend!, () => compiled(...inputs));
      expect(compiled.executorKind, name).toMatch(target.executorKind);
      expected.forEach((g, k) => {
        expectSameTensor(eager[k], g, tolerance);
        expectSameTensor(traced[k], g, tolerance);
      });
    }
  });

  it('second derivatives pass checkGrads', () => {
    on(target.backend!, () => {
      checkGrads((x: Tensor) => sum(tanh(mul(x, x))), [normalTensor(70, [4])], { order: 2 });
      checkGrads((x: Tensor) => logsumexp(x, -1), [normalTensor(71, [3])], { order: 2 });
    });
  });
});
