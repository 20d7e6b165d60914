/**
 * Default options of every baseline, the one place the factories and the registry read them
 * from. The k-NN, lasso and nn_gd values follow the baselines in src/models.py of
 * github.com/dtsip/in-context-learning. Gradient boosting uses XGBoost's defaults, and the
 * trees use scikit-learn's.
 */
import { key } from '../../core/prng.js';

/** Default options per baseline name. */
export const DEFAULT_BASELINE_OPTIONS = Object.freeze({
  least_squares: Object.freeze({ rcond: null }),
  ridge: Object.freeze({ alpha: 1 }),
  lasso: Object.freeze({ alpha: 0.01, maxIter: 100_000, tol: 1e-4 }),
  knn: Object.freeze({ nNeighbors: 3, weights: 'uniform' as const }),
  averaging: Object.freeze({}),
  decision_tree: Object.freeze({ maxDepth: null, minSamplesSplit: 2, minSamplesLeaf: 1 }),
  gradient_boosting: Object.freeze({ rounds: 100, learningRate: 0.3, maxDepth: 6, l2: 1 }),
  nn_gd: Object.freeze({ hidden: 100, steps: 100, batchSize: 100, learningRate: 5e-3, key: key(0) }),
  zero: Object.freeze({}),
});
