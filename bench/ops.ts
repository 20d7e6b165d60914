/**
 * Prints a table of matmul throughput (square f32, GFLOP/s) and the per-call overhead of a tiny
 * elementwise op, eager and compiled, on the cpu backend.
 *
 * Run: npx tsx bench/ops.ts
 */
import { add, compile, matmul, mul, normal, key, split, type Tensor } from '../src/index.js';

function timeIt(run: () => void, minSeconds = 0.5): number {
  run();
  let calls = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < minSeconds * 1000) {
    run();
    calls++;
    elapsed = performance.now() - start;
  }
  return elapsed / calls / 1000;
}

const rows: string[][] = [];
const [ka, kb] = split(key(0));
for (const n of [64, 256, 1024]) {
  const a = normal(ka, [n, n]);
  const b = normal(kb, [n, n]);
  const eager = timeIt(() => matmul(a, b), n >= 1024 ? 2 : 0.5);
  const compiled = compile((x: Tensor, y: Tensor) => matmul(x, y));
  const seconds = timeIt(() => compiled(a, b), n >= 1024 ? 2 : 0.5);
  const flops = 2 * n * n * n;
  rows.push([`matmul ${n}x${n}x${n}`, (flops / eager / 1e9).toFixed(2), (flops / seconds / 1e9).toFixed(2), 'GFLOP/s']);
}

const x = normal(ka, [4]);
const eagerOp = timeIt(() => add(mul(x, 2), 1));
const compiledOp = compile((t: Tensor) => add(mul(t, 2), 1));
const compiledTime = timeIt(() => compiledOp(x));
rows.push(['x * 2 + 1 on f32[4] (2 ops)', (eagerOp * 1e6).toFixed(2), (compiledTime * 1e6).toFixed(2), 'µs per call']);

const header = ['benchmark', 'eager', 'compiled', 'unit'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
console.log(line(header));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const r of rows) console.log(line(r));
console.log(`\nnode ${process.version}, ${process.platform}/${process.arch}, cpu backend (${compiledOp.executorKind})`);
