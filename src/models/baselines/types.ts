/**
 * Types shared by the classical in-context baselines: the `Baseline` interface, the inputs it
 * accepts and the predictions it returns.
 *
 * A baseline reads one prompt (x_0, y_0, ..., x_{n-1}, y_{n-1}) and predicts y_k at x_k from the
 * first k pairs only, for every k = 0..n-1. With no pairs (k = 0) every baseline predicts 0.
 */
import type { Tensor } from '../../core/tensor.js';

/** Registry names of the baselines. */
export type BaselineName =
  | 'least_squares'
  | 'ridge'
  | 'lasso'
  | 'knn'
  | 'averaging'
  | 'decision_tree'
  | 'gradient_boosting'
  | 'nn_gd'
  | 'zero';

/** Every baseline name, in the order the docs list them. */
export const BASELINE_NAMES: readonly BaselineName[] = Object.freeze([
  'least_squares',
  'ridge',
  'lasso',
  'knn',
  'averaging',
  'decision_tree',
  'gradient_boosting',
  'nn_gd',
  'zero',
]);

/** A row-major float64 array with an explicit shape, e.g. `{ data, shape: [B, n, d] }`. */
export interface Float64Input {
  readonly data: Float64Array;
  readonly shape: readonly number[];
}

/** Nested arrays for one prompt's inputs [n][d] or a batch [B][n][d]. */
export type NestedXs = readonly (readonly number[])[] | readonly (readonly (readonly number[])[])[];

/** Nested arrays for one prompt's labels [n] or a batch [B][n]. */
export type NestedYs = readonly number[] | readonly (readonly number[])[];

/**
 * Inputs xs: shape [n, d] for one prompt or [B, n, d] for a batch, as a tensor (f32 or i32), a
 * shaped float64 array or nested arrays.
 */
export type XsInput = Tensor | Float64Input | NestedXs;

/**
 * Labels ys: shape [n] or [B, n], matching xs. A bare `Float64Array` takes its shape from xs
 * ([n] or [B, n]), so its length must be n or B * n.
 */
export type YsInput = Tensor | Float64Input | Float64Array | NestedYs;

/** Iterative solver report per fit, laid out like the predictions ([n] or [B, n], row-major). */
export interface SolverReport {
  /** Iterations (full coordinate sweeps for lasso) used by the fit at each position, 0 at k = 0. */
  readonly iterations: Int32Array;
  /** 1 where the fit met its stopping tolerance (and at k = 0), 0 where it hit the iteration cap. */
  readonly converged: Uint8Array;
}

/** The output of `Baseline.predict`. */
export interface BaselinePredictions {
  /** Registry name of the baseline that produced the predictions. */
  readonly name: BaselineName;
  /** Name plus the options that distinguish it, e.g. `lasso(alpha=0.01)`, for plot legends. */
  readonly label: string;
  /** [n] for one prompt, [B, n] for a batch: the shape of ys. */
  readonly shape: readonly number[];
  /** Prediction for y_k made from the first k pairs, row-major over `shape`, and 0 wherever k = 0. */
  readonly predictions: Float64Array;
  /** Per-fit iteration counts and convergence flags, present only for iterative solvers (lasso). */
  readonly solver?: SolverReport;
}

/** A classical in-context predictor. Create one with `createBaseline` or its own factory. */
export interface Baseline {
  readonly name: BaselineName;
  /** Name plus the options that distinguish it, e.g. `knn(n_neighbors=3, weights=uniform)`. */
  readonly label: string;
  /**
   * Predicts y_k at x_k from the first k pairs of each prompt, for k = 0..n-1. Throws when the
   * shapes of xs and ys do not match or when they contain NaN or infinite values.
   *
   * @example
   * const out = createBaseline('least_squares').predict([[1, 0], [0, 1], [1, 1]], [2, 3, 0]);
   * out.predictions; // Float64Array [0, 0, 5]
   */
  predict(xs: XsInput, ys: YsInput): BaselinePredictions;
}

/** The first k pairs of one prompt and the query x_k, as read-only views into the prompt's arrays. */
export interface PromptPrefix {
  /** Context inputs [k, d], row-major. */
  readonly xs: Float64Array;
  /** Context labels [k]. */
  readonly ys: Float64Array;
  /** Number of context pairs, at least 1. */
  readonly k: number;
  /** Input dimension. */
  readonly d: number;
  /** The query x_k [d]. */
  readonly query: Float64Array;
  /** Index of the prompt in the batch (0 for a single prompt), for per-prompt random keys. */
  readonly promptIndex: number;
}

/** The prediction for one prefix, with a solver report when the fit is iterative. */
export interface PrefixFit {
  readonly prediction: number;
  readonly iterations?: number;
  readonly converged?: boolean;
}
