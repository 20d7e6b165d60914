/**
 * Draws linear-regression prompts, runs the classical baselines on them, and prints the
 * normalised squared error at every number of in-context examples k beside the closed forms
 * (least squares (d - k)/d for k < d and 0 after; averaging (d + 1)/k).
 *
 * Run: npx tsx examples/baseline-curves.ts
 */
import { tasks } from '../src/index.js';
import { baselineErrors, defaultBaselines, linearRegressionOracle, meanAndStd, promptSet } from '../src/eval/index.js';

/** Normalised error per k for each baseline, over `prompts` prompts of n points in d dimensions. */
export function baselineCurves(dims = 5, points = 16, prompts = 2000, seed = 0): Map<string, number[]> {
  const set = promptSet({ functions: tasks.linearRegression(), dims, points, prompts, seed });
  const curves = new Map<string, number[]>();
  for (const baseline of defaultBaselines(set.task)) {
    const errors = baselineErrors(set, baseline, set.normalizer);
    curves.set(baseline.label, meanAndStd(errors, set.nPrompts, set.points).mean);
  }
  return curves;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dims = 5;
  const curves = baselineCurves(dims);
  const names = [...curves.keys()];
  console.log(`| k | ${names.join(' | ')} | least squares, closed form |`);
  console.log(`|${'---|'.repeat(names.length + 2)}`);
  for (let k = 0; k < 16; k++) {
    const closedForm = linearRegressionOracle('least_squares', dims, k) ?? Number.NaN;
    console.log(`| ${k} | ${names.map((n) => curves.get(n)![k].toFixed(3)).join(' | ')} | ${closedForm.toFixed(3)} |`);
  }
}
