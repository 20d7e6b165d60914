/**
 * One case per primitive (through its public op) and per composite, with inputs drawn from fixed
 * keys, for the browser-only modes (webgl2, and WebGPU on `navigator.gpu`) that the Node
 * conformance suite cannot reach. The page runs each case compiled on the gpujs backend through
 * `compileAsync`, so WebGPU works too. The Node check compares the results with the cpu backend.
 */
import {
  abs, add, cast, concat, cos, div, equal, erf, exp, fromData, gelu, greater, iota, key, keyTensor,
  layerNorm, less, log, logicalAnd, logicalNot, logicalOr, logSoftmax, logsumexp, matmul, max, maximum, minimum, mul,
  neg, normal64, notEqual, pad, pow, randomBitsTensor, reshape, rsqrt, scatterAdd, sigmoid, sign, sin, slice, softmax,
  sqrt, stopGradient, sub, sum, take, tanh, transpose, uniform, where, type Tensor,
} from '../../src/core/index.js';
import { compileAsync, type GpujsBackend } from '../../src/backends/gpujs/index.js';

/** The result of one case in the page. */
export interface CaseOutput {
  readonly name: string;
  readonly shape: readonly number[];
  readonly values: number[];
  readonly executorKind: string | undefined;
  readonly error?: string;
}

function values(seed: number, shape: number[], scale = 1, offset = 0): Tensor {
  const count = shape.reduce((n, d) => n * d, 1);
  return fromData(Float32Array.from(normal64(key(seed), count), (v) => v * scale + offset), shape);
}

function ints(list: number[], shape: number[]): Tensor {
  return fromData(Int32Array.from(list), shape);
}

type Case = [name: string, fn: (...xs: Tensor[]) => Tensor, inputs: () => Tensor[]];

const x = () => values(1, [3, 4]);
const y = () => values(2, [3, 4]);
const positive = () => values(3, [3, 4], 1, 4);

/** One case per primitive (as its public op) and per composite. */
export const CASES: Case[] = [
  ['neg', neg, () => [x()]], ['exp', exp, () => [x()]], ['log', log, () => [positive()]], ['sqrt', sqrt, () => [positive()]],
  ['rsqrt', rsqrt, () => [positive()]], ['tanh', tanh, () => [x()]], ['sin', sin, () => [values(4, [3, 4], 3)]],
  ['cos', cos, () => [values(5, [3, 4], 3)]], ['abs', abs, () => [x()]], ['sign', sign, () => [x()]], ['erf', erf, () => [x()]],
  ['logistic', sigmoid, () => [values(6, [3, 4], 5)]], ['logical_not', (a) => logicalNot(greater(a, 0)), () => [x()]],
  ['add', add, () => [x(), y()]], ['sub', sub, () => [x(), y()]], ['mul', mul, () => [x(), y()]], ['div', div, () => [x(), positive()]],
  ['pow', pow, () => [positive(), y()]], ['max', maximum, () => [x(), y()]], ['min', minimum, () => [x(), y()]],
  ['lt', less, () => [x(), y()]], ['le', (a, b) => greater(b, a), () => [x(), y()]], ['gt', greater, () => [x(), y()]],
  ['ge', (a, b) => less(b, a), () => [x(), y()]], ['eq', (a) => equal(a, a), () => [x()]], ['ne', notEqual, () => [x(), y()]],
  ['logical_and', (a, b) => logicalAnd(greater(a, 0), greater(b, 0)), () => [x(), y()]],
  ['logical_or', (a, b) => logicalOr(greater(a, 0), greater(b, 0)), () => [x(), y()]],
  ['where', (a, b) => where(greater(a, b), a, b), () => [x(), y()]], ['cast', (a) => cast(cast(mul(a, 10), 'i32'), 'f32'), () => [x()]],
  ['reduce_sum', (a) => sum(a, [1]), () => [x()]], ['reduce_max', (a) => max(a, [0]), () => [x()]],
  ['matmul', (a, b) => matmul(a, b, { transposeB: true }), () => [x(), y()]], ['reshape', (a) => reshape(a, [2, 6]), () => [x()]],
  ['transpose', (a) => transpose(a), () => [x()]], ['broadcast', (a, b) => add(a, reshape(b, [1, 4])), () => [x(), values(7, [4])]],
  ['slice', (a) => slice(a, [1, 1], [3, 4]), () => [x()]], ['pad', (a) => pad(a, [[1, 0], [0, 2]], -1), () => [x()]],
  ['concat', (a, b) => concat([a, b, a], 1), () => [x(), y()]], ['gather', (a, i) => take(a, i, 1), () => [x(), ints([3, 0, 3], [3])]],
  ['scatter_add', (u, i) => scatterAdd(u, i, 0, 2), () => [x(), ints([1, 0, 1], [3])]], ['stop_gradient', stopGradient, () => [x()]],
  ['iota', (a) => add(a, cast(iota([3, 4], 1), 'f32')), () => [x()]], ['random_bits', (k) => randomBitsTensor(k, [6]), () => [keyTensor(key(9))]],
  ['uniform', (k) => uniform(k, [3, 4]), () => [keyTensor(key(10))]],
  ['softmax', (a) => softmax(a, -1), () => [x()]], ['logSoftmax', (a) => logSoftmax(a, 0), () => [x()]],
  ['logsumexp', (a) => logsumexp(a, -1), () => [values(8, [3, 4], 10)]], ['layerNorm', (a, b) => layerNorm(a, b), () => [x(), values(11, [4])]],
  ['gelu', gelu, () => [x()]],
];

/** Runs every case compiled on `backend` and returns what it computed, for comparison with the cpu backend in Node. */
export async function runCases(backend: GpujsBackend): Promise<CaseOutput[]> {
  const outputs: CaseOutput[] = [];
  for (const [name, fn, inputs] of CASES) {
    const compiled = compileAsync(fn, backend);
    try {
      const result = await compiled(...inputs());
      outputs.push({ name, shape: result.shape, values: Array.from(await result.dataAsync()), executorKind: compiled.executorKind });
    } catch (error) {
      outputs.push({ name, shape: [], values: [], executorKind: compiled.executorKind, error: (error as Error).message.split('\n')[0] });
    }
  }
  return outputs;
}
