/**
 * The training loss plot as a vega-lite spec: loss against step, one series per task when the
 * records name tasks, drawn faintly as recorded and solid as a trailing moving average.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { LossRecord } from './metrics.js';
import { PLOT_FONT } from './render.js';

/** Options of `lossCurveSpec`. */
export interface LossPlotOptions {
  /**
   * Records per trailing moving average, per series. Default: 1/50 of the series' records,
   * at least 1 (no smoothing).
   */
  readonly window?: number;
  /** `log` or `linear`. Default `log` when every loss is > 0, else `linear`. */
  readonly yScale?: 'linear' | 'log';
  /** One series per task (default true) or one series for all records. */
  readonly byTask?: boolean;
  /** Maximum points drawn per series. Longer series are thinned evenly after smoothing. Default 1000. */
  readonly maxPoints?: number;
  /** Plot title. Default `training loss`. */
  readonly title?: string;
  /** Width and height of the plot area in SVG units. Default 480 x 300. */
  readonly width?: number;
  readonly height?: number;
}

interface LossRow {
  readonly step: number;
  readonly series: string;
  readonly loss: number;
  readonly smoothed: number;
}

/** Series name of records without a task, or of all records when `byTask` is false. */
const ALL_RECORDS = 'loss';

/**
 * Builds the vega-lite spec of the training loss plot. Throws when there are no records.
 *
 * @example const svg = await renderSvg(lossCurveSpec(await readLossRecords('runs/a/metrics.jsonl')));
 */
export function lossCurveSpec(records: readonly LossRecord[], options: LossPlotOptions = {}): TopLevelSpec {
  if (records.length === 0) {
    throw new RangeError('lossCurveSpec: there are no loss records; pass metrics lines with numeric step and loss fields');
  }
  const maxPoints = options.maxPoints ?? 1000;
  if (!Number.isInteger(maxPoints) || maxPoints < 2) {
    throw new RangeError(`lossCurveSpec: maxPoints must be an integer >= 2, got ${maxPoints}; pass a value such as 1000`);
  }
  if (options.window !== undefined && (!Number.isInteger(options.window) || options.window < 1)) {
    throw new RangeError(`lossCurveSpec: window must be an integer >= 1, got ${options.window}; pass 1 for no smoothing`);
  }

  const bySeries = new Map<string, LossRecord[]>();
  for (const record of records) {
    const series = options.byTask === false ? ALL_RECORDS : (record.task ?? ALL_RECORDS);
    const list = bySeries.get(series) ?? [];
    list.push(record);
    bySeries.set(series, list);
  }

  const rows: LossRow[] = [];
  for (const [series, list] of bySeries) {
    const sorted = [...list].sort((a, b) => a.step - b.step);
    const window = options.window ?? Math.max(1, Math.round(sorted.length / 50));
    const smoothed = trailingMean(sorted.map((record) => record.loss), window);
    const stride = Math.ceil(sorted.length / maxPoints);
    sorted.forEach((record, i) => {
      if (i % stride === 0 || i === sorted.length - 1) rows.push({ step: record.step, series, loss: record.loss, smoothed: smoothed[i] });
    });
  }

  const positive = records.every((record) => record.loss > 0);
  const log = (options.yScale ?? (positive ? 'log' : 'linear')) === 'log';
  if (log && !positive) {
    throw new RangeError('lossCurveSpec: a log y axis needs every loss > 0, but some are <= 0; pass yScale: "linear"');
  }
  const names = [...bySeries.keys()];
  const x = { field: 'step', type: 'quantitative' as const, title: 'step' };
  const yScale = log ? { type: 'log' as const } : { type: 'linear' as const, zero: false };
  const color = { field: 'series', type: 'nominal' as const, title: 'task', sort: names, legend: { labelLimit: 1000, symbolType: 'stroke', symbolOpacity: 1, symbolStrokeWidth: 2 } };

  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: options.title ?? 'training loss',
    width: options.width ?? 480,
    height: options.height ?? 300,
    config: { font: PLOT_FONT },
    data: { values: rows },
    layer: [
      {
        mark: { type: 'line', opacity: 0.25, strokeWidth: 1 },
        encoding: { x, y: { field: 'loss', type: 'quantitative', scale: yScale, title: 'loss' }, color },
      },
      {
        mark: { type: 'line', strokeWidth: 2 },
        encoding: { x, y: { field: 'smoothed', type: 'quantitative', scale: yScale, title: 'loss' }, color },
      },
    ],
  };
}

/**
 * Returns the mean of the last `window` values at each index, or of all values so far near the start.
 *
 * @example trailingMean([1, 2, 3, 4], 2) // [1, 1.5, 2.5, 3.5]
 */
export function trailingMean(values: readonly number[], window: number): number[] {
  const out: number[] = [];
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    sum += values[i];
    if (i >= window) sum -= values[i - window];
    out.push(sum / Math.min(i + 1, window));
  }
  return out;
}
