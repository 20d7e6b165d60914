import { describe, expect, it } from 'vitest';
import { iclCurveSpec, renderSvg, svgToPng } from '../../src/report/index.js';
import { smallCurve, svgSize, tallBandCurve } from './fixtures.js';
import { PNG_SIGNATURE, countDarkPixels, countTintPixels, decodePng } from './png.js';

/** The first three colours of vega's tableau10 scheme, the colours of the first three curves. */
const TABLEAU10: readonly (readonly [number, number, number])[] = [[0x4c, 0x78, 0xa8], [0xf5, 0x85, 0x18], [0xe4, 0x57, 0x56]];

/** Opacity of the band marks in `iclCurveSpec`. */
const BAND_OPACITY = 0.18;

describe('renderSvg and svgToPng', async () => {
  const result = await smallCurve();
  const svg = await renderSvg(iclCurveSpec(result));

  it('SVG names every series', () => {
    expect(svg.startsWith('<svg')).toBe(true);
    for (const name of Object.keys(result.curves)) expect(svg).toContain(`>${name}</text>`);
  });

  it('PNG has the signature and the scaled size', async () => {
    const { width, height } = svgSize(svg);
    for (const scale of [1, 2]) {
      const png = await svgToPng(svg, { scale });
      expect(png.subarray(0, 8)).toEqual(PNG_SIGNATURE);
      const image = decodePng(png);
      expect(image.width).toBe(Math.round(width * scale));
      expect(image.height).toBe(Math.round(height * scale));
    }
  });

  it('PNG text renders with the system fonts', async () => {
    const text = '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="60"><text x="10" y="45" font-family="DejaVu Sans" font-size="40">Hg</text></svg>';
    const blank = '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="60"></svg>';
    expect(countDarkPixels(decodePng(await svgToPng(text, { scale: 1 })))).toBeGreaterThan(200);
    expect(countDarkPixels(decodePng(await svgToPng(blank, { scale: 1 })))).toBe(0);
  });

  it('plot PNG draws its labels', async () => {
    const withoutText = svg.replace(/<text[^>]*>[^<]*<\/text>/g, '');
    const withText = countDarkPixels(decodePng(await svgToPng(svg, { scale: 1 })));
    expect(withText).toBeGreaterThan(countDarkPixels(decodePng(await svgToPng(withoutText, { scale: 1 }))) + 500);
  });

  it('rejects a bad scale', async () => {
    await expect(svgToPng(svg, { scale: 0 })).rejects.toThrow(/scale must be a finite number > 0, got 0/);
  });
});

describe('PNG of bands above the axis', () => {
  const result = tallBandCurve();

  it('draws the band of every curve', async () => {
    const image = decodePng(await svgToPng(await renderSvg(iclCurveSpec(result, { yMax: 1.25 })), { scale: 1 }));
    Object.keys(result.curves).forEach((name, i) => {
      // The three bands are 0.1 of 1.25 high (24 of 300 px) over 5 of 6 k steps, about 9000
      // pixels each before grid lines and the mean line cover some of them.
      expect(countTintPixels(image, TABLEAU10[i], BAND_OPACITY), `band of ${name}`).toBeGreaterThan(3000);
    });
  });

  it('draws a single tall band', async () => {
    for (const name of Object.keys(result.curves)) {
      const image = decodePng(await svgToPng(await renderSvg(iclCurveSpec(result, { curves: [name], yMax: 1.25 })), { scale: 1 }));
      expect(countTintPixels(image, TABLEAU10[0], BAND_OPACITY), `band of ${name}`).toBeGreaterThan(3000);
    }
  });
});
