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
