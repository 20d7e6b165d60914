import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPORT_FILES, writeReport } from '../../src/report/index.js';
import { smallCurve } from './fixtures.js';
import { PNG_SIGNATURE } from './png.js';

describe('writeReport', async () => {
  const folder = await mkdtemp(join(tmpdir(), 'icl-report-'));
  afterAll(() => rm(folder, { recursive: true, force: true }));
  const curve = await smallCurve();
  const metricsPath = join(folder, 'metrics.jsonl');
  await writeFile(metricsPath, Array.from({ length: 50 }, (_, step) => JSON.stringify({ step, loss: 1 / (step + 1) })).join('\n') + '\n');

  it('writes the plots and the table', async () => {
    const out = join(folder, 'full');
    const paths = await writeReport(out, { curve, metricsPath });
    expect(paths).toEqual(Object.fromEntries(Object.entries(REPORT_FILES).map(([key, name]) => [key, join(out, name)])));
    expect((await readdir(out)).sort()).toEqual(Object.values(REPORT_FILES).sort());
    for (const path of [paths.iclCurvePng!, paths.lossPng!]) expect((await readFile(path)).subarray(0, 8)).toEqual(Buffer.from(PNG_SIGNATURE));
    expect(await readFile(paths.iclCurveSvg!, 'utf8')).toContain('transformer');
    expect(await readFile(paths.table!, 'utf8')).toContain('| transformer |');
  });

  it('writes only what it is given', async () => {
    const lossOnly = join(folder, 'loss-only');
    expect(Object.keys(await writeReport(lossOnly, { lossRecords: [{ step: 0, loss: 1 }, { step: 1, loss: 0.5 }] }))).toEqual(['lossSvg', 'lossPng']);
    expect((await readdir(lossOnly)).sort()).toEqual(['loss.png', 'loss.svg']);
    const curveOnly = join(folder, 'curve-only');
    expect(Object.keys(await writeReport(curveOnly, { curve }))).toEqual(['iclCurveSvg', 'iclCurvePng', 'table']);
  });

  it('rejects an empty request and a missing metrics file', async () => {
    await expect(writeReport(join(folder, 'none'), {})).rejects.toThrow(/nothing to report/);
    await expect(writeReport(join(folder, 'missing'), { metricsPath: join(folder, 'absent.jsonl') })).rejects.toThrow(/absent.jsonl/);
  });
});
