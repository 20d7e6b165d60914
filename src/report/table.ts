/**
 * Markdown tables of an ICL curve: one row per model or baseline, one column per chosen k, each
 * cell the mean normalised squared error with its bootstrap band.
 */
import {
  checkPositions,
  defaultPositions,
  linearRegressionOracle,
  type IclCurveResult,
  type LinearOracleBaseline,
} from '../eval/index.js';

/** Options of `errorTable`. */
export interface ErrorTableOptions {
  /** Positions k, one column each. Default `defaultPositions(d, n)`: 0, 1, d/2, d - 1, d, 2d, n - 1. */
  readonly ks?: readonly number[];
  /** Curves, one row each, by key in `result.curves`. Default: all, in result order. */
  readonly curves?: readonly string[];
  /**
   * Add rows with the closed forms of least squares, averaging and 3-NN for those baselines
   * when they are present with default options. Default: true when the result is `linear_regression` with default options on
   * `gaussian` inputs, all dims active and normaliser d, the setting the closed forms assume.
   */
  readonly closedForms?: boolean;
}

/**
 * Baselines whose closed-form row the table can add: the registry name, the row label, and the
 * curve label with the options the closed form assumes (minimum norm, 3 uniform neighbours).
 */
const CLOSED_FORM_ROWS: readonly [LinearOracleBaseline, string, string][] = [
  ['least_squares', 'least_squares, closed form', 'least_squares'],
  ['averaging', 'averaging, closed form', 'averaging'],
  ['knn', 'knn(n_neighbors=3, weights=uniform), closed form', 'knn(n_neighbors=3, weights=uniform)'],
];

/**
 * Formats an ICL curve as a Markdown table, preceded by one line that names the task, the
 * normaliser, the number of prompts and the band. Cells read `mean [lo, hi]` with 3 significant
 * digits, and closed-form cells read `-` where no closed form is known.
 *
 * @example
 * errorTable(result, { ks: [0, 3] })
 * // | curve | k = 0 | k = 3 |
 * // |---|---|---|
 * // | least_squares | 0.996 [0.951, 1.04] | 6.3e-31 [5.7e-31, 6.9e-31] |
 */
export function errorTable(result: IclCurveResult, options: ErrorTableOptions = {}): string {
  const ks = options.ks ?? defaultPositions(result.dims, result.points);
  checkPositions('errorTable', ks, result.points);
  const names = options.curves ?? Object.keys(result.curves);
  for (const name of names) {
    if (result.curves[name] === undefined) {
      throw new RangeError(`errorTable: no curve is named '${name}'; use one of ${Object.keys(result.curves).join(', ')}`);
    }
  }

  const [lower, upper] = result.bootstrap.quantiles;
  const band = `${formatPercent(lower)}-${formatPercent(upper)}% bootstrap band (${result.bootstrap.resamples} resamples)`;
  const lines = [
    `Squared error / ${result.normalizer} for ${result.taskLabel} on ${result.dataLabel}, d = ${result.dims}, ` +
      `${result.nPrompts} prompts; cells are the mean [${band}].`,
    '',
    `| curve | ${ks.map((k) => `k = ${k}`).join(' | ')} |`,
    `|---|${ks.map(() => '---|').join('')}`,
  ];

  for (const name of names) {
    const curve = result.curves[name];
    const cells = ks.map((k) => {
      const i = result.k.indexOf(k);
      return `${formatError(curve.mean[i])} [${formatError(curve.lo[i])}, ${formatError(curve.hi[i])}]`;
    });
    lines.push(`| ${escapeCell(name)} | ${cells.join(' | ')} |`);
  }

  if (options.closedForms ?? closedFormsApply(result)) {
    for (const [baseline, label, curveLabel] of CLOSED_FORM_ROWS) {
      if (!names.some((name) => name === curveLabel && result.curves[name].baseline === baseline)) continue;
      const cells = ks.map((k) => {
        const value = linearRegressionOracle(baseline, result.dims, k);
        return value === undefined ? '-' : formatError(value);
      });
      lines.push(`| ${label} | ${cells.join(' | ')} |`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Formats an error with 3 significant digits, in exponent form below 1e-3 so that a least
 * squares error of 1e-30 does not print as 0.00.
 *
 * @example formatError(0.52349) // '0.523'
 * @example formatError(3.2e-31) // '3.2e-31'
 */
export function formatError(value: number): string {
  if (value === 0) return '0';
  if (Math.abs(value) < 1e-3) return value.toExponential(1);
  if (Math.abs(value) >= 1e4) return value.toExponential(2);
  return value.toPrecision(3);
}

function closedFormsApply(result: IclCurveResult): boolean {
  return (
    result.task === 'linear_regression' &&
    result.taskLabel === 'linear_regression' &&
    result.data === 'gaussian' &&
    result.activeDims === result.dims &&
    result.normalizer === result.dims
  );
}

function formatPercent(quantile: number): string {
  return String(Math.round(quantile * 1000) / 10);
}

function escapeCell(text: string): string {
  return text.replaceAll('|', '\\|');
}
