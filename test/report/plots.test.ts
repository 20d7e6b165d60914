import { fc, test as fcTest } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import {
  cutNote,
  iclCurveSpec,
  lossCurveSpec,
  parseLossRecords,
  renderSvg,
  trailingMean,
  type LossRecord,
} from '../../src/report/index.js';
import { smallCurve, tallBandCurve } from './fixtures.js';

interface LayeredSpec {
  readonly title: string | { readonly text: string; readonly subtitle: string };
  readonly encoding?: unknown;
  readonly data: { readonly values: readonly Record<string, number | string>[] };
  readonly layer: readonly { readonly encoding: { readonly y: { readonly scale: Record<string, unknown> } } }[];
}

function layered(spec: unknown): LayeredSpec {
  return spec as LayeredSpec;
}

describe('iclCurveSpec', async () => {
  const result = await smallCurve();

  it('has one band and one line per curve', () => {
    const spec = layered(iclCurveSpec(result));
    const rows = spec.data.values;
    expect(rows).toHaveLength(Object.keys(result.curves).length * result.points);
    expect(new Set(rows.map((row) => row.curve))).toEqual(new Set(Object.keys(result.curves)));
    expect(spec.layer).toHaveLength(2);
  });

  it('linear axis tops at 1.25 times the model maximum', () => {
    const top = 1.25 * Math.max(1, ...result.curves.transformer.mean);
    expect(layered(iclCurveSpec(result)).layer[1].encoding.y.scale).toEqual({ type: 'linear', domain: [0, top] });
    expect(layered(iclCurveSpec(result, { yMax: 3 })).layer[1].encoding.y.scale).toEqual({ type: 'linear', domain: [0, 3] });
  });

  it('log axis floors the values', async () => {
    const spec = iclCurveSpec(result, { yScale: 'log', logFloor: 1e-3 });
    expect(layered(spec).layer[1].encoding.y.scale).toEqual({ type: 'log', domainMin: 1e-3 });
    for (const row of layered(spec).data.values) {
      for (const field of ['mean', 'lo', 'hi']) expect(row[field]).toBeGreaterThanOrEqual(1e-3);
    }
    expect(await renderSvg(spec)).toContain('least_squares');
  });

  it('draws a chosen subset up to maxK', () => {
    const rows = layered(iclCurveSpec(result, { curves: ['transformer', 'zero'], maxK: 3 })).data.values;
    expect(rows).toHaveLength(2 * 4);
    expect(Math.max(...rows.map((row) => row.k as number))).toBe(3);
  });

  it('moves values above the axis onto its top', () => {
    const tall = tallBandCurve();
    const rows = layered(iclCurveSpec(tall, { yMax: 1.25 })).data.values;
    for (const row of rows) {
      for (const field of ['mean', 'lo', 'hi']) {
        expect(row[field]).toBeGreaterThanOrEqual(0);
        expect(row[field]).toBeLessThanOrEqual(1.25);
      }
    }
    const atOne = rows.filter((row) => row.k === 1);
    expect(atOne.map((row) => row.hi)).toEqual([1.25, 1.25, 1.25]);
    expect(atOne.map((row) => row.lo)).toEqual([1.25, 1.25, 1.25]);
    const atTwo = rows.filter((row) => row.k === 2);
    expect(atTwo.map((row) => row.mean)).toEqual([0.2, 0.6, 1.0]);
  });

  it('subtitle notes values cut at the top', () => {
    const title = layered(iclCurveSpec(tallBandCurve(), { yMax: 1.25 })).title;
    expect(title).toEqual({ text: 'linear_regression on gaussian, d = 3, 64 prompts', subtitle: 'values above 1.25 are drawn at the top' });
    expect(cutNote(2 / 3)).toBe('values above 0.667 are drawn at the top');
    expect(layered(iclCurveSpec(tallBandCurve(), { yMax: 7 })).title).toBe('linear_regression on gaussian, d = 3, 64 prompts');
    expect(layered(iclCurveSpec(tallBandCurve(), { yScale: 'log' })).title).toBe('linear_regression on gaussian, d = 3, 64 prompts');
  });

  it('legend sits below the plot', () => {
    const spec = iclCurveSpec(result) as unknown as { layer: { encoding: { color: { legend: { orient: string } } } }[] };
    for (const layer of spec.layer) expect(layer.encoding.color.legend.orient).toBe('bottom');
  });

  it('rejects unknown curves and positions', () => {
    expect(() => iclCurveSpec(result, { curves: ['lasso'] })).toThrow(/no curve is named 'lasso'; use one of transformer, least_squares/);
    expect(() => iclCurveSpec(result, { maxK: 7 })).toThrow(/maxK must be an integer in \[1, 6\], got 7/);
    expect(() => iclCurveSpec(result, { yScale: 'log', logFloor: 0 })).toThrow(/logFloor must be > 0/);
    expect(() => iclCurveSpec(result, { yMax: -1 })).toThrow(/yMax must be a finite number > 0, got -1/);
  });
});

describe('parseLossRecords', () => {
  it('keeps step and loss records only', () => {
    const text = [
      '{"config": {"steps": 3}}',
      '{"step": 0, "loss": 5, "task": "linear_regression"}',
      '',
      '{"step": 1, "loss": 4}',
      '{"step": 1, "eval": {"k": [0], "error": [1]}}',
      '{"step": 2, "loss": 3, "task": ["not", "a", "name"]}',
      '',
    ].join('\n');
    expect(parseLossRecords(text)).toEqual([
      { step: 0, loss: 5, task: 'linear_regression' },
      { step: 1, loss: 4 },
      { step: 2, loss: 3 },
    ]);
  });

  it('names the line of invalid JSON', () => {
    expect(() => parseLossRecords('{"step": 0, "loss": 1}\n{"step": 1, \n{"step": 2, "loss": 1}\n', 'run/metrics.jsonl')).toThrow(
      /run\/metrics.jsonl line 2 is not valid JSON/,
    );
  });

  it('skips an unterminated last line', () => {
    expect(parseLossRecords('{"step": 0, "loss": 1}\n{"step": 1, "lo')).toEqual([{ step: 0, loss: 1 }]);
  });
});

describe('trailingMean', () => {
  it('averages the last values', () => {
    expect(trailingMean([1, 2, 3, 4], 2)).toEqual([1, 1.5, 2.5, 3.5]);
  });

  fcTest.prop([fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { maxLength: 60 }), fc.integer({ min: 1, max: 20 })])(
    'matches the direct mean',
    (values, window) => {
      const smoothed = trailingMean(values, window);
      values.forEach((_, i) => {
        const tail = values.slice(Math.max(0, i - window + 1), i + 1);
        const direct = tail.reduce((a, b) => a + b, 0) / tail.length;
        expect(Math.abs(smoothed[i] - direct)).toBeLessThan(1e-8);
      });
    },
  );
});

describe('lossCurveSpec', () => {
  const records: LossRecord[] = Array.from({ length: 3000 }, (_, step) => ({
    step,
    loss: 5 * Math.exp(-step / 1000) + 0.1,
    task: step % 3 === 0 ? 'sparse_linear_regression' : 'linear_regression',
  }));

  it('draws one series per task', async () => {
    const svg = await renderSvg(lossCurveSpec(records));
    expect(svg).toContain('>sparse_linear_regression</text>');
    expect(svg).toContain('>linear_regression</text>');
  });

  it('thins long series', () => {
    const rows = layered(lossCurveSpec(records, { maxPoints: 100 })).data.values;
    for (const task of ['linear_regression', 'sparse_linear_regression']) {
      const count = rows.filter((row) => row.series === task).length;
      expect(count).toBeGreaterThan(50);
      expect(count).toBeLessThanOrEqual(101);
    }
  });

  it('merges tasks when asked', () => {
    const rows = layered(lossCurveSpec(records, { byTask: false, maxPoints: 5000 })).data.values;
    expect(new Set(rows.map((row) => row.series))).toEqual(new Set(['loss']));
    expect(rows).toHaveLength(3000);
  });

  it('uses a log axis for positive losses', () => {
    expect(layered(lossCurveSpec(records)).layer[1].encoding.y.scale).toEqual({ type: 'log' });
    const signed = [{ step: 0, loss: -1 }, { step: 1, loss: 2 }];
    expect(layered(lossCurveSpec(signed)).layer[1].encoding.y.scale).toEqual({ type: 'linear', zero: false });
    expect(() => lossCurveSpec(signed, { yScale: 'log' })).toThrow(/log y axis needs every loss > 0/);
  });

  it('rejects empty records and bad options', () => {
    expect(() => lossCurveSpec([])).toThrow(/there are no loss records/);
    expect(() => lossCurveSpec(records, { window: 0 })).toThrow(/window must be an integer >= 1, got 0/);
    expect(() => lossCurveSpec(records, { maxPoints: 1 })).toThrow(/maxPoints must be an integer >= 2, got 1/);
  });
});
