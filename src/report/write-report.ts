/**
 * Writes a run's report into a folder: the ICL curve plot and the training loss plot as SVG and
 * PNG, and the Markdown table of errors. Each file is written to a temporary file and renamed.
 */
import { join } from 'node:path';
import { writeFileAtomic, type IclCurveResult } from '../eval/index.js';
import { iclCurveSpec, type IclPlotOptions } from './icl-plot.js';
import { lossCurveSpec, type LossPlotOptions } from './loss-plot.js';
import { readLossRecords, type LossRecord } from './metrics.js';
import { renderSvg, svgToPng, type PngOptions } from './render.js';
import { errorTable, type ErrorTableOptions } from './table.js';

/** File names of a report inside its folder. */
export const REPORT_FILES = Object.freeze({
  iclCurveSvg: 'icl-curve.svg',
  iclCurvePng: 'icl-curve.png',
  lossSvg: 'loss.svg',
  lossPng: 'loss.png',
  table: 'table.md',
});

/** Inputs of a report. At least one of `curve`, `metricsPath` and `lossRecords` is required. */
export interface ReportInputs {
  /** ICL curve for the curve plot and the table. */
  readonly curve?: IclCurveResult;
  /** Metrics JSON lines file for the loss plot. */
  readonly metricsPath?: string;
  /** Loss records for the loss plot, in place of `metricsPath`. */
  readonly lossRecords?: readonly LossRecord[];
  readonly iclPlot?: IclPlotOptions;
  readonly lossPlot?: LossPlotOptions;
  readonly table?: ErrorTableOptions;
  readonly png?: PngOptions;
}

/** Absolute or folder-relative paths of the files a report wrote, by `REPORT_FILES` key. */
export type ReportPaths = Partial<Record<keyof typeof REPORT_FILES, string>>;

/**
 * Renders and writes the report into `folder`, creating it when missing: icl-curve.svg,
 * icl-curve.png and table.md when `curve` is given, loss.svg and loss.png when metrics are given.
 * Returns the paths written.
 *
 * @example
 * const paths = await writeReport('runs/quickstart', { curve: result, metricsPath: 'runs/quickstart/metrics.jsonl' });
 * paths.iclCurvePng // 'runs/quickstart/icl-curve.png'
 */
export async function writeReport(folder: string, inputs: ReportInputs): Promise<ReportPaths> {
  if (inputs.curve === undefined && inputs.metricsPath === undefined && inputs.lossRecords === undefined) {
    throw new RangeError('writeReport: nothing to report; pass curve (an ICL curve result), metricsPath or lossRecords');
  }
  const paths: ReportPaths = {};
  const write = async (name: keyof typeof REPORT_FILES, data: string | Uint8Array): Promise<void> => {
    const path = join(folder, REPORT_FILES[name]);
    await writeFileAtomic(path, data);
    paths[name] = path;
  };

  if (inputs.curve !== undefined) {
    const svg = await renderSvg(iclCurveSpec(inputs.curve, inputs.iclPlot));
    await write('iclCurveSvg', svg);
    await write('iclCurvePng', await svgToPng(svg, inputs.png));
    await write('table', errorTable(inputs.curve, inputs.table));
  }

  const records = inputs.lossRecords ?? (inputs.metricsPath === undefined ? undefined : await readLossRecords(inputs.metricsPath));
  if (records !== undefined) {
    const svg = await renderSvg(lossCurveSpec(records, inputs.lossPlot));
    await write('lossSvg', svg);
    await write('lossPng', await svgToPng(svg, inputs.png));
  }
  return paths;
}
