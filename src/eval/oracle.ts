/**
 * Closed-form expected errors of the baselines on noiseless linear regression with
 * x, w ~ N(0, I_d) drawn fresh per prompt, normalised by d. Every baseline predicts 0 at k = 0,
 * which scores E[y^2]/d = 1.
 */
import { checkInteger } from './checks.js';

/** Baselines with a closed form on Gaussian linear regression. */
export type LinearOracleBaseline = 'least_squares' | 'averaging' | 'knn' | 'zero';

/** Every baseline with a closed form in `linearRegressionOracle`, in table order. */
export const LINEAR_ORACLE_BASELINES: readonly LinearOracleBaseline[] = Object.freeze(['least_squares', 'averaging', 'knn', 'zero']);

/**
 * Returns the expected normalised squared error E[(prediction - y_k)^2]/d at k examples, or
 * undefined where no closed form is known:
 * - `least_squares` (minimum norm): (d - k)/d for k < d, 0 for k >= d. The error is
 *   ||(I - P) w||^2 with P a random rank-k projection.
 * - `averaging` (w_hat = mean of y_i x_i): (d + 1)/k for k >= 1, since E||w_hat - w||^2 = (d + 1)||w||^2 / k.
 * - `knn` (3 neighbours, uniform weights): 1 + 1/k for 1 <= k <= 3, where every context point is
 *   a neighbour, so the prediction is the mean label and x_k - mean(x_i) ~ N(0, (1 + 1/k) I).
 *   That gives 2 at k = 1 and 1.5 at k = 2. Undefined for k > 3.
 * - `zero`: 1 at every k.
 *
 * @param d the input dimension (all coordinates active)
 * @param k the number of in-context examples, an integer >= 0
 * @example linearRegressionOracle('least_squares', 20, 5) // 0.75
 * @example linearRegressionOracle('averaging', 20, 10) // 2.1
 */
export function linearRegressionOracle(baseline: LinearOracleBaseline, d: number, k: number): number | undefined {
  checkInteger('linearRegressionOracle', 'd', d, 1, 'pass the input dimension, such as 20');
  checkInteger('linearRegressionOracle', 'k', k, 0, 'pass the number of in-context examples, such as 10');
  if (k === 0) return 1;
  switch (baseline) {
    case 'least_squares':
      return k < d ? (d - k) / d : 0;
    case 'averaging':
      return (d + 1) / k;
    case 'knn':
      return k <= 3 ? 1 + 1 / k : undefined;
    case 'zero':
      return 1;
    default:
      throw new RangeError(
        `linearRegressionOracle: no closed form for baseline '${String(baseline)}'; use one of ${LINEAR_ORACLE_BASELINES.join(', ')}`,
      );
  }
}
