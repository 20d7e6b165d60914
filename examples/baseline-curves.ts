/**
 * Draws linear-regression prompts, runs the classical baselines on them, and prints the
 * normalised squared error at every number of in-context examples k beside the closed forms
 * (least squares (d - k)/d for k < d and 0 after; averaging (d + 1)/k).
 *
 * Run: npx tsx examples/baseline-curves.ts
 */
import { baselines, key, tasks } from '../src/index.js';

/** Normalised error per k for each baseline, over `prompts` prompts of n points in d dimensions. */
export function baselineCurves(dims = 5, points = 16, prompts = 2000, seed = 0): Map<string, number[]> {
  const batch = tasks.promptBatch({
    inputs: tasks.gaussian(),
    functions: tasks.linearRegression(),
    points,
    dims,
    batchSize: prompts,
  })(key(seed));
  const curves = new Map<string, number[]>();
  for (const baseline of baselines.baselinesForTask('linear_regression')) {
    const { predictions } = baseline.predict({ data: batch.xs64, shape: [prompts, points, dims] }, { data: batch.ys64, shape: [prompts, points] });
    const errors = new Array<number>(points).fill(0);
    for (let b = 0; b < prompts; b++) {
      for (let k = 0; k < points; k++) {
        const diff = predictions[b * points + k] - batch.ys64[b * points + k];
        errors[k] += (diff * diff) / batch.normalizer / prompts;
      }
    }
    curves.set(baseline.label, errors);
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
    const closedForm = k < dims ? (dims - k) / dims : 0;
    console.log(`| ${k} | ${names.map((n) => curves.get(n)![k].toFixed(3)).join(' | ')} | ${closedForm.toFixed(3)} |`);
  }
}
