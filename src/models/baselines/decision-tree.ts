/**
 * Greedy decision tree baseline: a CART regression tree on squared error fitted to the k context
 * pairs, with scikit-learn's `DecisionTreeRegressor` defaults (no depth limit,
 * min_samples_split 2, min_samples_leaf 1).
 */
import { checkInteger } from './check-options.js';
import { DEFAULT_BASELINE_OPTIONS } from './defaults.js';
import { defineBaseline } from './define.js';
import { fitRegressionTree, predictTree, type RegressionTree } from './regression-tree.js';
import type { Baseline } from './types.js';

/** Options of the decision tree baseline. */
export interface DecisionTreeOptions {
  /** Maximum depth (the root has depth 0), or null (default) for no limit. The evaluation also uses 4. */
  readonly maxDepth?: number | null;
  /** A node with fewer samples becomes a leaf. Default 2. */
  readonly minSamplesSplit?: number;
  /** Each child keeps at least this many samples. Default 1. */
  readonly minSamplesLeaf?: number;
}

function resolveOptions(options: DecisionTreeOptions): Required<DecisionTreeOptions> {
  const defaults = DEFAULT_BASELINE_OPTIONS.decision_tree;
  const maxDepth = options.maxDepth === undefined ? defaults.maxDepth : options.maxDepth;
  const minSamplesSplit = options.minSamplesSplit ?? defaults.minSamplesSplit;
  const minSamplesLeaf = options.minSamplesLeaf ?? defaults.minSamplesLeaf;
  if (maxDepth !== null) checkInteger('decision_tree', 'maxDepth', maxDepth, 1);
  checkInteger('decision_tree', 'minSamplesSplit', minSamplesSplit, 2);
  checkInteger('decision_tree', 'minSamplesLeaf', minSamplesLeaf, 1);
  return { maxDepth, minSamplesSplit, minSamplesLeaf };
}

/**
 * Fits a CART tree to the first k pairs: leaves predict the mean label, and every node that is
 * impure, within the depth limit and has a valid split is split at its best split.
 *
 * @param xs context inputs [k, d], row-major
 * @param ys context labels [k]
 */
export function fitDecisionTree(
  xs: Float64Array,
  ys: Float64Array,
  k: number,
  d: number,
  options: DecisionTreeOptions = {},
): RegressionTree {
  return fitRegressionTree(xs, ys, k, d, { ...resolveOptions(options), l2: 0, minGain: -Infinity });
}

/** Creates the greedy decision tree baseline (unbounded depth by default). */
export function decisionTree(options: DecisionTreeOptions = {}): Baseline {
  const resolved = resolveOptions(options);
  const label = `decision_tree(max_depth=${resolved.maxDepth ?? 'none'})`;
  return defineBaseline('decision_tree', label, ({ xs, ys, k, d, query }) =>
    predictTree(fitDecisionTree(xs, ys, k, d, resolved), query),
  );
}
