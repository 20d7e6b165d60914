/**
 * Reports: ICL curve and training loss plots as vega-lite specs rendered headless to SVG and PNG,
 * Markdown tables of errors at chosen k, and `writeReport`, which writes them into a run folder.
 */
export { PLOT_FONT, renderSvg, svgToPng, type PngOptions } from './render.js';
export { cutNote, iclCurveSpec, type IclPlotOptions } from './icl-plot.js';
export { parseLossRecords, readLossRecords, type LossRecord } from './metrics.js';
export { lossCurveSpec, trailingMean, type LossPlotOptions } from './loss-plot.js';
export { errorTable, formatError, type ErrorTableOptions } from './table.js';
export { REPORT_FILES, writeReport, type ReportInputs, type ReportPaths } from './write-report.js';
