/**
 * Copies a finished quickstart run's summary, plots and table into docs/results/quickstart/ and
 * splices the summary into README.md between its quickstart markers, so the figures in the README
 * are the run's own output rather than typed by hand.
 *
 * Run: npx tsx scripts/readme-results.ts [run folder, default runs/quickstart]
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const BEGIN = '<!-- quickstart results: begin (written by scripts/readme-results.ts) -->';
const END = '<!-- quickstart results: end -->';
const FILES = ['summary.md', 'table.md', 'icl-curve.png', 'icl-curve.svg', 'icl-curve.json', 'loss.png', 'loss.svg', 'config.json'];

const runDir = process.argv[2] ?? 'runs/quickstart';
const target = 'docs/results/quickstart';
for (const file of ['summary.md', 'icl-curve.png']) {
  if (!existsSync(join(runDir, file))) {
    console.error(`readme-results: ${join(runDir, file)} is missing; run 'npx icl-lab run quickstart' to completion first`);
    process.exit(1);
  }
}
mkdirSync(target, { recursive: true });
for (const file of FILES) {
  if (existsSync(join(runDir, file))) copyFileSync(join(runDir, file), join(target, file));
}

const summary = readFileSync(join(runDir, 'summary.md'), 'utf8')
  .replace(/^# .*\n+/, '')
  .replace(/\]\(icl-curve\.png\)/g, `](${target}/icl-curve.png)`)
  .trim();
const section = [BEGIN, '', summary, '', `![training loss](${target}/loss.png)`, '', END].join('\n');
const readme = readFileSync('README.md', 'utf8');
const start = readme.indexOf(BEGIN);
const end = readme.indexOf(END);
if (start < 0 || end < start) {
  console.error(`readme-results: README.md has no '${BEGIN}' ... '${END}' section to replace`);
  process.exit(1);
}
writeFileSync('README.md', readme.slice(0, start) + section + readme.slice(end + END.length));
console.log(`readme-results: copied ${runDir} to ${target} and updated README.md`);
