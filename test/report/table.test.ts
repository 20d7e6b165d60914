import { describe, expect, it } from 'vitest';
import { iclCurve, promptSet } from '../../src/eval/index.js';
import { errorTable, formatError } from '../../src/report/index.js';
import { smallCurve } from './fixtures.js';

describe('errorTable', async () => {
  const result = await smallCurve();
  const table = errorTable(result);
  const lines = table.trimEnd().split('\n');

  it('lists every curve', () => {
    for (const name of Object.keys(result.curves)) expect(lines.some((line) => line.startsWith(`| ${name} |`))).toBe(true);
  });

  it('has a column per default position', () => {
    expect(lines[2]).toBe('| curve | k = 0 | k = 1 | k = 2 | k = 3 | k = 6 |');
    expect(lines[3]).toBe('|---|---|---|---|---|---|');
  });

  it('cells show the mean and band', () => {
    const row = lines.find((line) => line.startsWith('| zero |'))!;
    const curve = result.curves.zero;
    expect(row.split(' | ')[1]).toBe(`${formatError(curve.mean[0])} [${formatError(curve.lo[0])}, ${formatError(curve.hi[0])}]`);
  });

  it('adds closed forms for Gaussian linear regression', () => {
    expect(lines).toContain('| least_squares, closed form | 1.00 | 0.667 | 0.333 | 0 | 0 |');
    expect(lines).toContain('| averaging, closed form | 1.00 | 4.00 | 2.00 | 1.33 | 0.667 |');
    expect(lines).toContain('| knn(n_neighbors=3, weights=uniform), closed form | 1.00 | 2.00 | 1.50 | 1.33 | - |');
    expect(errorTable(result, { closedForms: false })).not.toContain('closed form');
  });

  it('omits closed forms for other classes', async () => {
    const set = promptSet({ functions: { name: 'sparse_linear_regression', sparsity: 2 }, dims: 3, points: 4, prompts: 8 });
    const sparse = await iclCurve(set, { baselines: ['least_squares', 'zero'], resamples: 10 });
    expect(errorTable(sparse)).not.toContain('closed form');
  });

  it('takes chosen positions and curves', () => {
    const custom = errorTable(result, { ks: [5, 1], curves: ['zero'] }).trimEnd().split('\n');
    expect(custom[2]).toBe('| curve | k = 5 | k = 1 |');
    expect(custom.filter((line) => line.startsWith('| ') && !line.startsWith('| curve'))).toHaveLength(1);
    expect(() => errorTable(result, { ks: [9] })).toThrow(/k = 9 is not a position of a 7-point prompt/);
    expect(() => errorTable(result, { curves: ['ridge'] })).toThrow(/no curve is named 'ridge'/);
  });

  it('names the normaliser and the band', () => {
    expect(lines[0]).toBe(
      'Squared error / 3 for linear_regression on gaussian, d = 3, 64 prompts; cells are the mean [5-95% bootstrap band (50 resamples)].',
    );
  });
});

describe('formatError', () => {
  it('uses 3 significant digits or an exponent', () => {
    expect(formatError(0)).toBe('0');
    expect(formatError(0.52349)).toBe('0.523');
    expect(formatError(21)).toBe('21.0');
    expect(formatError(3.2e-31)).toBe('3.2e-31');
    expect(formatError(123456)).toBe('1.23e+5');
  });
});
