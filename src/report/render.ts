/**
 * Headless rendering of vega-lite specs: vega-lite compiles the spec to vega, a vega View with no
 * DOM renderer writes SVG, and resvg rasterises the SVG to PNG with the system fonts.
 *
 * vega, vega-lite and resvg are imported on the first render, not when this module loads.
 * vega-canvas, which vega imports, uses top-level await, so a static import would break every
 * script that tsx runs as CommonJS (a .ts file outside a `"type": "module"` package) and
 * imports icl-lab, even when it draws no plot.
 */
import type { Resvg as ResvgClass } from '@resvg/resvg-js';
import { existsSync } from 'node:fs';
import type { TopLevelSpec } from 'vega-lite';

/**
 * Font list of every plot. DejaVu Sans comes from Debian's fonts-dejavu-core package, and the
 * generic family lets other systems substitute their sans-serif font.
 */
export const PLOT_FONT = 'DejaVu Sans, Helvetica, Arial, sans-serif';

/** Path of DejaVu Sans on Debian and Ubuntu, checked once to warn about missing text. */
const DEJAVU_SANS = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';

let fontWarningShown = false;

/**
 * Compiles a vega-lite spec and renders it to an SVG string without a browser.
 *
 * @example const svg = await renderSvg({ mark: 'line', data: { values: [{ x: 0, y: 1 }] }, encoding: { x: { field: 'x' }, y: { field: 'y' } } });
 */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const [{ View, parse }, { compile }] = await Promise.all([import('vega'), import('vega-lite')]);
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Options of `svgToPng`. */
export interface PngOptions {
  /** Pixels per SVG unit. Default 2, so a 600 x 300 SVG gives a 1200 x 600 PNG. */
  readonly scale?: number;
  /** Background colour in CSS syntax. Default white. */
  readonly background?: string;
}

/**
 * Rasterises an SVG string to PNG bytes with resvg, loading the system fonts. Prints one warning
 * per process when DejaVu Sans is missing, because resvg then drops or substitutes the text.
 *
 * @example writeFileSync('plot.png', await svgToPng(await renderSvg(spec)))
 */
export async function svgToPng(svg: string, options: PngOptions = {}): Promise<Uint8Array> {
  const scale = options.scale ?? 2;
  if (!(Number.isFinite(scale) && scale > 0)) {
    throw new RangeError(`svgToPng: scale must be a finite number > 0, got ${scale}; pass 1 for one pixel per SVG unit`);
  }
  warnIfFontMissing();
  const Resvg = await loadResvg();
  const renderer = new Resvg(svg, {
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' },
    fitTo: { mode: 'zoom', value: scale },
    background: options.background ?? 'white',
  });
  return new Uint8Array(renderer.render().asPng());
}

/** Imports resvg's native binding on first use. resvg-js is CommonJS, so its class may sit under `default`. */
async function loadResvg(): Promise<typeof ResvgClass> {
  const module = (await import('@resvg/resvg-js')) as { Resvg?: typeof ResvgClass; default?: { Resvg?: typeof ResvgClass } };
  const Resvg = module.Resvg ?? module.default?.Resvg;
  if (Resvg === undefined) throw new Error('svgToPng: @resvg/resvg-js loaded but exports no Resvg class; reinstall @resvg/resvg-js 2.6');
  return Resvg;
}

function warnIfFontMissing(): void {
  if (fontWarningShown || existsSync(DEJAVU_SANS)) return;
  fontWarningShown = true;
  console.warn(
    `svgToPng: ${DEJAVU_SANS} was not found, so PNG text may be missing or use another font; ` +
      'install it with `apt-get install fonts-dejavu-core`',
  );
}
