/**
 * Greedy binary regression trees on squared error (CART), shared by the decision tree and the
 * gradient boosting baselines.
 *
 * A node with sample set S, label sum G = sum_S t_i and count H = |S| scores G^2 / (H + l2). A
 * split's gain is score(left) + score(right) - score(node), and a leaf predicts G / (H + l2).
 * With l2 = 0 the gain is the decrease of the sum of squared errors and the leaf value is the
 * mean, as in CART. With l2 > 0 they are XGBoost's structure score and leaf weight for squared
 * loss (gradient t_i, hessian 1).
 *
 * Candidate thresholds are the midpoints between consecutive distinct values of a feature, and a
 * sample goes left when x[feature] <= threshold. Ties between equal gains go to the lower
 * feature index, then to the lower threshold.
 */

/** Options of `fitRegressionTree`. */
export interface RegressionTreeOptions {
  /** Maximum depth (the root has depth 0), or null for no limit. */
  readonly maxDepth: number | null;
  /** A node with fewer samples becomes a leaf (scikit-learn's min_samples_split, default 2 there). */
  readonly minSamplesSplit: number;
  /** Each child must keep at least this many samples (scikit-learn's min_samples_leaf, default 1 there). */
  readonly minSamplesLeaf: number;
  /** L2 penalty on leaf values (XGBoost's lambda). 0 gives CART. */
  readonly l2: number;
  /**
   * A node splits only when the best gain exceeds this. CART uses -Infinity (any impure node
   * with a valid split is split, as scikit-learn does), boosting uses 0.
   */
  readonly minGain: number;
}

/** A fitted tree as flat node arrays, with the root at node 0. */
export interface RegressionTree {
  /** Split feature per node, -1 for a leaf. */
  readonly feature: Int32Array;
  /** Split threshold per node (x[feature] <= threshold goes left), 0 for a leaf. */
  readonly threshold: Float64Array;
  /** Left child per node, -1 for a leaf. */
  readonly left: Int32Array;
  /** Right child per node, -1 for a leaf. */
  readonly right: Int32Array;
  /** Prediction per node (used at leaves). */
  readonly value: Float64Array;
  /** Depth of the deepest leaf (0 for a single leaf). */
  readonly depth: number;
  /** Number of leaves. */
  readonly leaves: number;
}

/**
 * Returns, for each feature, the sample indices 0..k-1 sorted by that feature (stable).
 * Boosting computes this once per context and reuses it for every round.
 */
export function presortFeatures(xs: Float64Array, k: number, d: number): Int32Array[] {
  const orders: Int32Array[] = [];
  for (let j = 0; j < d; j++) {
    const order = Array.from({ length: k }, (_, r) => r).sort((a, b) => xs[a * d + j] - xs[b * d + j] || a - b);
    orders.push(Int32Array.from(order));
  }
  return orders;
}

interface Split {
  readonly feature: number;
  /** Number of samples that go left, in the feature's sorted order. */
  readonly position: number;
  readonly threshold: number;
  readonly gain: number;
}

interface Builder {
  readonly xs: Float64Array;
  readonly targets: Float64Array;
  readonly d: number;
  readonly options: RegressionTreeOptions;
  readonly goesLeft: Uint8Array;
  readonly nodes: { feature: number; threshold: number; left: number; right: number; value: number }[];
  maxLeafDepth: number;
}

function findBestSplit(builder: Builder, sorted: Int32Array[], sum: number): Split | null {
  const { xs, targets, d, options } = builder;
  const count = sorted[0].length;
  const parentScore = (sum * sum) / (count + options.l2);
  let best: Split | null = null;

  for (let j = 0; j < d; j++) {
    const order = sorted[j];
    let leftSum = 0;
    for (let position = 1; position < count; position++) {
      leftSum += targets[order[position - 1]];
      const below = xs[order[position - 1] * d + j];
      const above = xs[order[position] * d + j];
      if (below === above) continue;
      if (position < options.minSamplesLeaf || count - position < options.minSamplesLeaf) continue;
      const rightSum = sum - leftSum;
      const gain =
        (leftSum * leftSum) / (position + options.l2) +
        (rightSum * rightSum) / (count - position + options.l2) -
        parentScore;
      if (best !== null && !(gain > best.gain)) continue;
      // The midpoint of two adjacent floats can round to the upper value, so fall back to the lower one.
      const middle = below + (above - below) / 2;
      const threshold = middle >= below && middle < above ? middle : below;
      best = { feature: j, position, threshold, gain };
    }
  }
  return best !== null && best.gain > options.minGain ? best : null;
}

function isPure(targets: Float64Array, samples: Int32Array): boolean {
  const first = targets[samples[0]];
  return samples.every((i) => targets[i] === first);
}

/** Grows the subtree of the samples in `sorted` and returns its node id. */
function grow(builder: Builder, sorted: Int32Array[], depth: number): number {
  const { targets, options, nodes } = builder;
  const samples = sorted[0];
  const count = samples.length;
  let sum = 0;
  for (const i of samples) sum += targets[i];

  const id = nodes.length;
  nodes.push({ feature: -1, threshold: 0, left: -1, right: -1, value: sum / (count + options.l2) });
  const stop =
    (options.maxDepth !== null && depth >= options.maxDepth) ||
    count < options.minSamplesSplit ||
    count < 2 * options.minSamplesLeaf ||
    isPure(targets, samples);
  const split = stop ? null : findBestSplit(builder, sorted, sum);
  if (split === null) {
    builder.maxLeafDepth = Math.max(builder.maxLeafDepth, depth);
    return id;
  }

  // Mark the samples that go left, then split every feature's sorted list, keeping the order.
  const splitOrder = sorted[split.feature];
  for (let p = 0; p < count; p++) builder.goesLeft[splitOrder[p]] = p < split.position ? 1 : 0;
  const leftSorted: Int32Array[] = [];
  const rightSorted: Int32Array[] = [];
  for (const order of sorted) {
    const left = new Int32Array(split.position);
    const right = new Int32Array(count - split.position);
    let l = 0;
    let r = 0;
    for (const i of order) {
      if (builder.goesLeft[i] === 1) left[l++] = i;
      else right[r++] = i;
    }
    leftSorted.push(left);
    rightSorted.push(right);
  }

  const leftId = grow(builder, leftSorted, depth + 1);
  const rightId = grow(builder, rightSorted, depth + 1);
  Object.assign(nodes[id], { feature: split.feature, threshold: split.threshold, left: leftId, right: rightId });
  return id;
}

/**
 * Fits a greedy regression tree to `targets` on the first k rows of xs. The caller may pass
 * `presorted` from `presortFeatures(xs, k, d)` to skip the initial sort.
 *
 * @param xs inputs [k, d], row-major
 * @param targets labels (or boosting residuals) [k]
 */
export function fitRegressionTree(
  xs: Float64Array,
  targets: Float64Array,
  k: number,
  d: number,
  options: RegressionTreeOptions,
  presorted: Int32Array[] = presortFeatures(xs, k, d),
): RegressionTree {
  if (k === 0) throw new RangeError('fitRegressionTree: no samples; fit a tree on at least one row');
  const builder: Builder = { xs, targets, d, options, goesLeft: new Uint8Array(k), nodes: [], maxLeafDepth: 0 };
  grow(builder, presorted, 0);
  const nodes = builder.nodes;
  return {
    feature: Int32Array.from(nodes, (node) => node.feature),
    threshold: Float64Array.from(nodes, (node) => node.threshold),
    left: Int32Array.from(nodes, (node) => node.left),
    right: Int32Array.from(nodes, (node) => node.right),
    value: Float64Array.from(nodes, (node) => node.value),
    depth: builder.maxLeafDepth,
    leaves: nodes.filter((node) => node.feature === -1).length,
  };
}

/** Returns the tree's prediction at one input x [d]. */
export function predictTree(tree: RegressionTree, x: Float64Array): number {
  let node = 0;
  while (tree.feature[node] >= 0) {
    node = x[tree.feature[node]] <= tree.threshold[node] ? tree.left[node] : tree.right[node];
  }
  return tree.value[node];
}
