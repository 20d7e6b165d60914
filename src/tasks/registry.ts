/**
 * Named function classes and input distributions, so configs can refer to them by the names used
 * in Garg et al.'s and Bhasin et al.'s code (`linear_regression`, `studentT`, ...). A spec is a
 * plain JSON-friendly object: the name plus that constructor's options.
 */
import { key } from '../core/prng.js';
import type { FunctionClass, FunctionShape } from './function-class.js';
import { hermiteRegression, type HermiteOptions } from './hermite.js';
import { cauchy, gaussian, halfSubspace, laplace, skewed, studentT, type InputDistribution, type StandardizeOptions, type StudentTOptions } from './inputs.js';
import {
  linearClassification,
  linearRegression,
  noisyLinearRegression,
  quadraticRegression,
  sparseLinearRegression,
  type LinearOptions,
  type NoisyLinearOptions,
  type QuadraticOptions,
  type SparseLinearOptions,
} from './linear.js';
import { orthogonalQuery, randomQuadrants, repeatedQuery, scaled } from './ood.js';
import { taskPool } from './pool.js';
import { relu2nnRegression, type ReluOptions } from './relu.js';
import { decisionTree, type TreeOptions } from './tree.js';

/** Names of the function classes. */
export const FUNCTION_CLASS_NAMES = [
  'linear_regression',
  'sparse_linear_regression',
  'noisy_linear_regression',
  'linear_classification',
  'quadratic_regression',
  'relu_2nn_regression',
  'decision_tree',
  'hermite_regression',
] as const;

/** A function class name. */
export type FunctionClassName = (typeof FUNCTION_CLASS_NAMES)[number];

/** Names of the input distributions, Garg et al.'s out-of-distribution families included. */
export const INPUT_DISTRIBUTION_NAMES = [
  'gaussian',
  'skewed',
  'half_subspace',
  'laplace',
  'cauchy',
  'studentT',
  'random_quadrants',
  'orthogonal_train_test',
  'overlapping_train_test',
  'scaled',
] as const;

/** An input distribution name. */
export type InputDistributionName = (typeof INPUT_DISTRIBUTION_NAMES)[number];

/** A finite pool: `size` functions drawn once from `key(seed)`. */
export interface PoolSpec {
  readonly size: number;
  readonly seed: number;
}

/** A function class by name with its options, optionally restricted to a finite pool. */
export type FunctionClassSpec = (
  | ({ readonly name: 'linear_regression' } & LinearOptions)
  | ({ readonly name: 'sparse_linear_regression' } & SparseLinearOptions)
  | ({ readonly name: 'noisy_linear_regression' } & NoisyLinearOptions)
  | { readonly name: 'linear_classification' }
  | ({ readonly name: 'quadratic_regression' } & QuadraticOptions)
  | ({ readonly name: 'relu_2nn_regression' } & ReluOptions)
  | ({ readonly name: 'decision_tree' } & TreeOptions)
  | ({ readonly name: 'hermite_regression' } & HermiteOptions)
) & { readonly pool?: PoolSpec };

/**
 * An input distribution by name with its options. The covariance families draw their rotation from
 * `key(rotationSeed)`, default seed 0. Training and test share the rotation when they use the same seed.
 */
export type InputDistributionSpec =
  | { readonly name: 'gaussian' }
  | { readonly name: 'skewed' | 'half_subspace'; readonly rotationSeed?: number; readonly base?: InputDistributionSpec }
  | ({ readonly name: 'laplace' } & StandardizeOptions)
  | ({ readonly name: 'cauchy' } & StandardizeOptions)
  | ({ readonly name: 'studentT' } & StudentTOptions)
  | { readonly name: 'random_quadrants' | 'orthogonal_train_test' | 'overlapping_train_test'; readonly base?: InputDistributionSpec }
  | { readonly name: 'scaled'; readonly factor: number; readonly base?: InputDistributionSpec };

/**
 * Builds the function class that a spec names.
 *
 * @example makeFunctionClass({ name: 'hermite_regression', degree: 2 })
 */
export function makeFunctionClass(spec: FunctionClassSpec): FunctionClass {
  const functions = makeUnpooled(spec);
  if (spec.pool === undefined) return functions;
  return taskPool(functions, { size: spec.pool.size, poolKey: key(spec.pool.seed) });
}

/**
 * Builds the input distribution that a spec names.
 *
 * @example makeInputDistribution({ name: 'studentT', df: 4 })
 */
export function makeInputDistribution(spec: InputDistributionSpec): InputDistribution {
  switch (spec.name) {
    case 'gaussian':
      return gaussian();
    case 'skewed':
      return skewed({ rotationKey: key(spec.rotationSeed ?? 0), base: baseOf(spec.base) });
    case 'half_subspace':
      return halfSubspace({ rotationKey: key(spec.rotationSeed ?? 0), base: baseOf(spec.base) });
    case 'laplace':
      return laplace(spec);
    case 'cauchy':
      return cauchy(spec);
    case 'studentT':
      return studentT(spec);
    case 'random_quadrants':
      return randomQuadrants(baseOf(spec.base));
    case 'orthogonal_train_test':
      return orthogonalQuery(baseOf(spec.base));
    case 'overlapping_train_test':
      return repeatedQuery(baseOf(spec.base));
    case 'scaled':
      return scaled(baseOf(spec.base), spec.factor);
    default:
      return unknownName('input distribution', spec, INPUT_DISTRIBUTION_NAMES);
  }
}

/**
 * Returns E[y^2] of a function class for x ~ N(0, I) with the first `activeDims` of d
 * coordinates active, or undefined for a class without a closed form. The closed forms are
 * linear c^2 a, sparse c^2 s, noisy c^2 a + sigma^2 (d when renormalised), classification 1,
 * quadratic c^2 a, ReLU c^2 a, tree 1, and Hermite from `hermiteMoments`.
 *
 * @example expectedSquare({ name: 'hermite_regression', degree: 2 }, 20) // 330.25 = (3 * 20 * 22 + 1) / 4
 */
export function expectedSquare(functions: FunctionClass | FunctionClassSpec, d: number, activeDims = d): number | undefined {
  const built = isFunctionClass(functions) ? functions : makeFunctionClass(functions);
  return built.expectedSquare?.(checkedShape('expectedSquare', d, activeDims));
}

/**
 * Returns the default divisor of the squared error in ICL curves: d for linear, noisy, quadratic,
 * ReLU and Hermite regression, s for sparse regression, 1 for decision trees and classification.
 */
export function defaultNormalizer(functions: FunctionClass | FunctionClassSpec, d: number, activeDims = d): number {
  const built = isFunctionClass(functions) ? functions : makeFunctionClass(functions);
  return built.normalizer(checkedShape('defaultNormalizer', d, activeDims));
}

function makeUnpooled(spec: FunctionClassSpec): FunctionClass {
  switch (spec.name) {
    case 'linear_regression':
      return linearRegression(spec);
    case 'sparse_linear_regression':
      return sparseLinearRegression(spec);
    case 'noisy_linear_regression':
      return noisyLinearRegression(spec);
    case 'linear_classification':
      return linearClassification();
    case 'quadratic_regression':
      return quadraticRegression(spec);
    case 'relu_2nn_regression':
      return relu2nnRegression(spec);
    case 'decision_tree':
      return decisionTree(spec);
    case 'hermite_regression':
      return hermiteRegression(spec);
    default:
      return unknownName('function class', spec, FUNCTION_CLASS_NAMES);
  }
}

function baseOf(spec: InputDistributionSpec | undefined): InputDistribution {
  return spec === undefined ? gaussian() : makeInputDistribution(spec);
}

function isFunctionClass(value: FunctionClass | FunctionClassSpec): value is FunctionClass {
  return typeof (value as FunctionClass).sample === 'function';
}

function checkedShape(op: string, d: number, activeDims: number): FunctionShape {
  if (!Number.isInteger(d) || d < 1 || !Number.isInteger(activeDims) || activeDims < 1 || activeDims > d) {
    throw new RangeError(`${op}: need integers d >= 1 and 1 <= activeDims <= d, got d = ${d}, activeDims = ${activeDims}`);
  }
  return { d, activeDims };
}

function unknownName(kind: string, spec: never, names: readonly string[]): never {
  const name = (spec as { name?: unknown }).name;
  throw new RangeError(`unknown ${kind} '${String(name)}'; expected one of ${names.join(', ')}`);
}
