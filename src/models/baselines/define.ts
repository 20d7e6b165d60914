/**
 * The shared driver of every baseline: it validates the inputs, walks each prompt's prefixes
 * k = 1..n-1, hands the first k pairs and the query x_k to a per-prefix predictor, and writes 0
 * at k = 0.
 */
import { toPromptBatch } from './input.js';
import type { Baseline, BaselineName, BaselinePredictions, PrefixFit, PromptPrefix, XsInput, YsInput } from './types.js';

/** Predicts y_k from the first k pairs (k >= 1) as a number, or as a fit with a solver report. */
export type PrefixPredictor = (prefix: PromptPrefix) => number | PrefixFit;

/**
 * Builds a `Baseline` from a per-prefix predictor. The predictor receives only views of the first k
 * rows, so predictions at k cannot depend on later pairs. When any fit reports `iterations`, the
 * result carries a `solver` report.
 */
export function defineBaseline(name: BaselineName, label: string, predictPrefix: PrefixPredictor): Baseline {
  const predict = (xsInput: XsInput, ysInput: YsInput): BaselinePredictions => {
    const { xs, ys, batch, n, d, batched } = toPromptBatch(label, xsInput, ysInput);
    const predictions = new Float64Array(batch * n);
    const iterations = new Int32Array(batch * n);
    const converged = new Uint8Array(batch * n).fill(1);
    let iterative = false;

    for (let b = 0; b < batch; b++) {
      const promptXs = xs.subarray(b * n * d, (b + 1) * n * d);
      const promptYs = ys.subarray(b * n, (b + 1) * n);
      for (let k = 1; k < n; k++) {
        const fit = predictPrefix({
          xs: promptXs.subarray(0, k * d),
          ys: promptYs.subarray(0, k),
          k,
          d,
          query: promptXs.subarray(k * d, (k + 1) * d),
          promptIndex: b,
        });
        const at = b * n + k;
        if (typeof fit === 'number') {
          predictions[at] = fit;
          continue;
        }
        predictions[at] = fit.prediction;
        if (fit.iterations !== undefined) {
          iterative = true;
          iterations[at] = fit.iterations;
        }
        if (fit.converged === false) converged[at] = 0;
      }
    }

    const shape = batched ? [batch, n] : [n];
    const base = { name, label, shape, predictions };
    return iterative ? { ...base, solver: { iterations, converged } } : base;
  };
  return Object.freeze({ name, label, predict });
}
