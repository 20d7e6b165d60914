import { describe, expect, it } from 'vitest';
import { iclCurveSpec, renderSvg, svgToPng } from '../../src/report/index.js';
import { smallCurve, svgSize } from './fixtures.js';
import { PNG_SIGNATURE, countDarkPixels, decodePng } from './png.js';

describe('renderSvg and svgToPng', async () => {
  const result = await smallCurve();
  const svg = await renderSvg(iclCurveSpec(result));

  it('SVG names every series', () => {
    expect(svg.startsWith('<svg')).toBe(true);
    for (const name of Object.keys(result.curves)) expect(svg).toContain(`>${name}</text>`);
  });

  it('PNG has the signature and the scaled size', () => {
    const { width, height } = svgSize(svg);
    for (const scale of [1, 2]) {
      const png = svgToPng(svg, { scale });
      expect(png.subarray(0, 8)).toEqual(PNG_SIGNATURE);
      const image = decodePng(png);
      expect(image.width).toBe(Math.round(width * scale));
      expect(image.height).toBe(Math.round(height * scale));
    }
  });

  it('PNG text renders with the system fonts', () => {
    const text = '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="60"><text x="10" y="45" font-family="DejaVu Sans" font-size="40">Hg</text></svg>';
    const blank = '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="60"></svg>';
    expect(countDarkPixels(decodePng(svgToPng(text, { scale: 1 })))).toBeGreaterThan(200);
    expect(countDarkPixels(decodePng(svgToPng(blank, { scale: 1 })))).toBe(0);
  });

  it('plot PNG draws its labels', () => {
    const withoutText = svg.replace(/<text[^>]*>[^<]*<\/text>/g, '');
    const withText = countDarkPixels(decodePng(svgToPng(svg, { scale: 1 })));
    expect(withText).toBeGreaterThan(countDarkPixels(decodePng(svgToPng(withoutText, { scale: 1 }))) + 500);
  });

  it('rejects a bad scale', () => {
    expect(() => svgToPng(svg, { scale: 0 })).toThrow(/scale must be a finite number > 0, got 0/);
  });
});
