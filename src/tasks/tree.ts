/**
 * Garg et al.'s decision-tree class. A complete binary tree of depth D is stored as an array of
 * 2^(D+1) - 1 nodes, root at 0 and the children of node m at 2m + 1 (taken when
 * x[coordinate] <= 0) and 2m + 2 (taken when x[coordinate] > 0). Every node gets a split
 * coordinate uniform on {0, ..., d-1} and a value N(0, 1). Only the 2^D leaves' values are used,
 * so y is a leaf value, E[y] = 0 and E[y^2] = 1. Splits can land on zeroed (inactive)
 * coordinates, which always send x to the left child.
 */
import { normal64, randint64, split } from '../core/prng.js';
import { checkNumber } from './checks.js';
import { checkFunctionShape, checkInputDims, type FunctionClass } from './function-class.js';
import type { Points } from './points.js';

/** The drawn tree: per-node split coordinates and values, each of length 2^(depth+1) - 1. */
export interface TreeParams {
  readonly depth: number;
  readonly coordinates: Int32Array;
  readonly values: Float64Array;
}

/** Options of `decisionTree`. */
export interface TreeOptions {
  /** Depth D >= 1 (default 4), at most 20 (2^21 - 1 nodes per prompt). */
  readonly depth?: number;
}

/** Largest accepted depth: larger trees would allocate millions of nodes per prompt. */
export const MAX_TREE_DEPTH = 20;

/** Creates the decision-tree class. E[y^2] = 1 and the normaliser is 1. */
export function decisionTree(options: TreeOptions = {}): FunctionClass<TreeParams> {
  const depth = options.depth ?? 4;
  checkNumber('decision_tree', 'depth', depth, { integer: true, min: 1, max: MAX_TREE_DEPTH }, 'pass a depth such as 4');
  const nodeCount = 2 ** (depth + 1) - 1;
  return {
    name: 'decision_tree',
    label: depth === 4 ? 'decision_tree' : `decision_tree(depth=${depth})`,
    sample: (shape) => {
      checkFunctionShape('decision_tree', shape);
      return (k) => {
        const [coordinateKey, valueKey] = split(k, 2);
        const params: TreeParams = {
          depth,
          coordinates: randint64(coordinateKey, nodeCount, 0, shape.d),
          values: normal64(valueKey, nodeCount),
        };
        const apply = (x: Points): Float64Array => {
          checkInputDims('decision_tree', x, shape.d);
          const out = new Float64Array(x.n);
          for (let i = 0; i < x.n; i++) out[i] = params.values[leafOf(params, x, i)];
          return out;
        };
        return { params, apply };
      };
    },
    expectedSquare: () => 1,
    normalizer: () => 1,
  };
}

/** Returns the index of the leaf that row i of `x` reaches. Leaves are nodes 2^D - 1 .. 2^(D+1) - 2. */
export function leafOf(tree: TreeParams, x: Points, i: number): number {
  let node = 0;
  for (let level = 0; level < tree.depth; level++) {
    const value = x.data[i * x.d + tree.coordinates[node]];
    node = value > 0 ? 2 * node + 2 : 2 * node + 1;
  }
  return node;
}
