/**
 * Imports icl-lab from a TypeScript script outside the repository, run by tsx as CommonJS
 * because no package.json marks its folder as ESM. The report module must then load vega only
 * when a plot is rendered, because vega-canvas uses top-level await, which CommonJS rejects.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../..');
const tsx = join(root, 'node_modules/.bin/tsx');
const folder = mkdtempSync(join(tmpdir(), 'icl-lab-import-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

it('script outside the repository imports the library', async () => {
  const script = join(folder, 'min.ts');
  writeFileSync(script, `import { key } from ${JSON.stringify(join(root, 'src/index.ts'))};\nconsole.log(typeof key);\n`);
  const { stdout } = await run(tsx, [script], { cwd: folder, timeout: 60_000 });
  expect(stdout.trim()).toBe('function');
}, 90_000);

it('script outside the repository renders a PNG', async () => {
  const script = join(folder, 'plot.ts');
  const source = [
    `import { report } from ${JSON.stringify(join(root, 'src/index.ts'))};`,
    "const spec = { mark: 'line', data: { values: [{ x: 0, y: 1 }, { x: 1, y: 2 }] }, encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } } } as const;",
    'report.renderSvg(spec).then((svg) => report.svgToPng(svg)).then((png) => console.log(png.length > 100 ? "png" : "empty"));',
    '',
  ].join('\n');
  writeFileSync(script, source);
  const { stdout } = await run(tsx, [script], { cwd: folder, timeout: 60_000 });
  expect(stdout.trim()).toBe('png');
}, 90_000);
