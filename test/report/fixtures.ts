/** A small ICL curve result shared by the report tests: linear regression, d = 3, n = 7. */
import { fromData } from '../../src/index.js';
import { iclCurve, promptSet, type IclCurveResult } from '../../src/eval/index.js';

/** Evaluates a model that predicts 0.9 y and the default linear-regression baselines on 64 prompts. */
export function smallCurve(): Promise<IclCurveResult> {
  const set = promptSet({ functions: { name: 'linear_regression' }, dims: 3, points: 7, prompts: 64 });
  // The model is built on the host, so these tests do not depend on the backend's kernels.
  const model = (_xs: unknown, ys: ReturnType<typeof fromData>) => fromData(Float32Array.from(ys.data(), (y) => 0.9 * y), ys.shape);
  return iclCurve(set, { models: { transformer: model }, resamples: 50 });
}

/** Reads the width and height attributes of the root svg element. */
export function svgSize(svg: string): { width: number; height: number } {
  const match = /<svg[^>]*\swidth="([\d.]+)"[^>]*\sheight="([\d.]+)"/.exec(svg);
  if (match === null) throw new Error(`svgSize: no width and height on the root element of ${svg.slice(0, 120)}`);
  return { width: Number(match[1]), height: Number(match[2]) };
}

/** Means of the three curves of `tallBandCurve` away from k = 1, far enough apart that their bands do not overlap. */
const TALL_BAND_LEVELS = [0.2, 0.6, 1.0];

/**
 * Builds an ICL curve of three baselines on n = 7 whose bands are 0.1 wide, except at k = 1,
 * where every mean is 3 and every band reaches 6.6, far above a y axis that ends at 1.25.
 */
export function tallBandCurve(): IclCurveResult {
  const k = [0, 1, 2, 3, 4, 5, 6];
  const curve = (level: number) => {
    const mean = k.map((position) => (position === 1 ? 3 : level));
    return {
      kind: 'baseline' as const,
      mean,
      std: mean.map(() => 0.1),
      lo: mean.map((value, i) => (k[i] === 1 ? 1.5 : value - 0.05)),
      hi: mean.map((value, i) => (k[i] === 1 ? 6.6 : value + 0.05)),
    };
  };
  const names = ['averaging', 'nearest_neighbours', 'zero'];
  return {
    task: 'linear_regression',
    taskLabel: 'linear_regression',
    data: 'gaussian',
    dataLabel: 'gaussian',
    dims: 3,
    activeDims: 3,
    points: 7,
    nPrompts: 64,
    normalizer: 3,
    evalSeed: 0,
    bootstrap: { resamples: 50, quantiles: [0.05, 0.95] },
    k,
    curves: Object.fromEntries(names.map((name, i) => [name, curve(TALL_BAND_LEVELS[i])])),
  };
}
