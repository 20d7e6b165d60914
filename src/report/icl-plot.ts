/**
 * The ICL curve plot as a vega-lite spec: normalised squared error against the number of
 * in-context examples k, one line per model or baseline with its bootstrap band shaded.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { IclCurveResult } from '../eval/index.js';
import { PLOT_FONT } from './render.js';

/** Options of `iclCurveSpec`. */
export interface IclPlotOptions {
  /** Curves to draw, by key in `result.curves`. Default: all, in result order. */
  readonly curves?: readonly string[];
  /** `linear` (default) or `log`. */
  readonly yScale?: 'linear' | 'log';
  /**
   * Top of a linear y axis. Means and band edges above it are drawn at it, and the subtitle then
   * states that. Default 1.25 times the larger of 1 and the largest model mean (or of every curve's
   * mean when there is no model), so a baseline that starts far above the trivial level does not
   * flatten the others.
   */
  readonly yMax?: number;
  /** Smallest value on a log axis. Errors below it, exact zeros included, are drawn at it. Default 1e-4. */
  readonly logFloor?: number;
  /** Largest k drawn. Default n - 1. */
  readonly maxK?: number;
  /** Plot title. Default: task, inputs, d and the number of prompts. */
  readonly title?: string;
  /** Width and height of the plot area in SVG units. Default 480 x 300. */
  readonly width?: number;
  readonly height?: number;
}

interface CurveRow {
  readonly k: number;
  readonly curve: string;
  readonly mean: number;
  readonly lo: number;
  readonly hi: number;
}

/**
 * Builds the vega-lite spec of an ICL curve plot. Render it with `renderSvg`.
 *
 * @example const svg = await renderSvg(iclCurveSpec(result, { yScale: 'log' }));
 */
export function iclCurveSpec(result: IclCurveResult, options: IclPlotOptions = {}): TopLevelSpec {
  const names = options.curves ?? Object.keys(result.curves);
  for (const name of names) {
    if (result.curves[name] === undefined) {
      throw new RangeError(`iclCurveSpec: no curve is named '${name}'; use one of ${Object.keys(result.curves).join(', ')}`);
    }
  }
  const maxK = options.maxK ?? result.points - 1;
  if (!Number.isInteger(maxK) || maxK < 1 || maxK > result.points - 1) {
    throw new RangeError(`iclCurveSpec: maxK must be an integer in [1, ${result.points - 1}], got ${maxK}; pass a position of the curve`);
  }
  const log = options.yScale === 'log';
  const floor = options.logFloor ?? 1e-4;
  if (log && !(floor > 0)) {
    throw new RangeError(`iclCurveSpec: logFloor must be > 0 on a log axis, got ${floor}; pass a small positive value such as 1e-4`);
  }
  const yMax = options.yMax ?? defaultYMax(result, names);
  if (!log && !(Number.isFinite(yMax) && yMax > 0)) {
    throw new RangeError(`iclCurveSpec: yMax must be a finite number > 0, got ${yMax}; pass the top of the y axis, such as 1.5`);
  }

  // Values outside the axis are moved onto it in the data, not clipped by the renderer: resvg
  // drops a whole area mark whose path leaves the plot far enough, so clipping lost bands in PNGs.
  let cut = false;
  const show = (value: number): number => {
    if (log) return Math.max(value, floor);
    if (value > yMax) cut = true;
    return Math.min(Math.max(value, 0), yMax);
  };

  const rows: CurveRow[] = [];
  for (const name of names) {
    const curve = result.curves[name];
    result.k.forEach((k, i) => {
      if (k > maxK) return;
      rows.push({ k, curve: name, mean: show(curve.mean[i]), lo: show(curve.lo[i]), hi: show(curve.hi[i]) });
    });
  }
  const yScale = log ? { type: 'log' as const, domainMin: floor } : { type: 'linear' as const, domain: [0, yMax] };
  const color = {
    field: 'curve',
    type: 'nominal' as const,
    title: 'curve',
    sort: [...names],
    scale: { domain: [...names], scheme: names.length > 10 ? 'category20' : 'tableau10' },
    // Both layers share this legend, so its symbols are drawn as solid strokes like the lines.
    // The legend sits below the plot: vega without a canvas over-estimates label widths, so a
    // legend on the right left a wide empty margin.
    legend: { orient: 'bottom' as const, direction: 'horizontal' as const, labelLimit: 1000, symbolType: 'stroke', symbolOpacity: 1, symbolStrokeWidth: 2 },
  };
  const x = {
    field: 'k',
    type: 'quantitative' as const,
    title: 'in-context examples k',
    scale: { domain: [0, maxK] },
    axis: { tickMinStep: 1, format: 'd' },
  };
  const yTitle = `squared error / ${result.normalizer}`;
  const text = options.title ?? `${result.taskLabel} on ${result.dataLabel}, d = ${result.dims}, ${result.nPrompts} prompts`;

  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: cut ? { text, subtitle: cutNote(yMax) } : text,
    width: options.width ?? 480,
    height: options.height ?? 300,
    config: { font: PLOT_FONT },
    data: { values: rows },
    layer: [
      {
        mark: { type: 'area', opacity: 0.18, clip: true },
        encoding: { x, y: { field: 'lo', type: 'quantitative', scale: yScale, title: yTitle }, y2: { field: 'hi' }, color },
      },
      {
        mark: { type: 'line', clip: true, strokeWidth: 2 },
        encoding: { x, y: { field: 'mean', type: 'quantitative', scale: yScale, title: yTitle }, color },
      },
    ],
  };
}

/**
 * Returns the subtitle of a plot whose linear axis cuts some values.
 *
 * @example cutNote(1.25) // 'values above 1.25 are drawn at the top'
 */
export function cutNote(yMax: number): string {
  return `values above ${Number(yMax.toPrecision(3))} are drawn at the top`;
}

function defaultYMax(result: IclCurveResult, names: readonly string[]): number {
  const models = names.filter((name) => result.curves[name].kind === 'model');
  const scored = models.length > 0 ? models : names;
  let top = 1;
  for (const name of scored) {
    for (const value of result.curves[name].mean) top = Math.max(top, value);
  }
  return 1.25 * top;
}
