/**
 * Prints tables of matmul throughput (f32, GFLOP/s) on the cpu backend: square products and the
 * in-context Transformer's shapes (batch 64 x 32 tokens = 2048 rows, width 64, MLP 256, attention
 * [128 heads x prompts, 32, 32]) with the transposes that its gradients use. Each product runs
 * eagerly and compiled on the WebAssembly SIMD kernel, and compiled on the JavaScript kernel for
 * comparison. A last table gives the per-call overhead of a tiny elementwise op. Every figure is
 * the fastest 20 ms window of each measurement.
 *
 * Run: npx tsx bench/ops.ts [--seconds 0.3]
 */
import { add, compile, key, matmul, mul, normal, split, type Tensor } from '../src/index.js';
import { cpuMatmulStatus, setCpuMatmulKind } from '../src/backends/cpu/index.js';

const secondsArg = process.argv.indexOf('--seconds');
const minSeconds = secondsArg >= 0 ? Number(process.argv[secondsArg + 1]) : 0.3;
if (!(minSeconds > 0)) {
  console.error(`ops: --seconds must be a positive number, got ${process.argv[secondsArg + 1]}`);
  process.exit(2);
}

/**
 * Returns seconds per call: the fastest of windows of about 20 ms, over at least `seconds` of
 * calls after one warm-up call. The fastest window is the figure least slowed by other processes
 * on a shared machine.
 */
function timeIt(run: () => void, seconds = minSeconds): number {
  run();
  let best = Infinity;
  const start = performance.now();
  while (performance.now() - start < seconds * 1000 || best === Infinity) {
    const windowStart = performance.now();
    let calls = 0;
    do {
      run();
      calls++;
    } while (performance.now() - windowStart < 20);
    best = Math.min(best, (performance.now() - windowStart) / calls / 1000);
  }
  return best;
}

function printTable(header: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: readonly string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows) console.log(line(r));
}

interface Product {
  readonly name: string;
  /** Stored operand shapes (before the transpose flags). */
  readonly a: readonly number[];
  readonly b: readonly number[];
  readonly transposeA?: boolean;
  readonly transposeB?: boolean;
}

const PRODUCTS: readonly Product[] = [
  { name: 'square 64', a: [64, 64], b: [64, 64] },
  { name: 'square 256', a: [256, 256], b: [256, 256] },
  { name: 'square 1024', a: [1024, 1024], b: [1024, 1024] },
  { name: 'qkv [2048,64]x[64,192]', a: [2048, 64], b: [64, 192] },
  { name: 'mlp in [2048,64]x[64,256]', a: [2048, 64], b: [64, 256] },
  { name: 'mlp out [2048,256]x[256,64]', a: [2048, 256], b: [256, 64] },
  { name: 'dX of qkv: G Wᵀ', a: [2048, 192], b: [64, 192], transposeB: true },
  { name: 'dW of mlp in: Xᵀ G', a: [2048, 64], b: [2048, 256], transposeA: true },
  { name: 'dW of mlp out: Xᵀ G', a: [2048, 256], b: [2048, 64], transposeA: true },
  { name: 'attention [128,32,32]x[128,32,32]', a: [128, 32, 32], b: [128, 32, 32] },
  { name: 'scores Q Kᵀ [128,32,32]', a: [128, 32, 32], b: [128, 32, 32], transposeB: true },
];

function flopsOf(p: Product): number {
  const r = p.a.length;
  const m = p.transposeA ? p.a[r - 1] : p.a[r - 2];
  const k = p.transposeA ? p.a[r - 2] : p.a[r - 1];
  const n = p.transposeB ? p.b[r - 2] : p.b[r - 1];
  const batches = p.a.slice(0, r - 2).reduce((x, d) => x * d, 1);
  return 2 * batches * m * k * n;
}

const [ka, kb] = split(key(0));
const rows: string[][] = [];
for (const p of PRODUCTS) {
  const a = normal(ka, [...p.a]);
  const b = normal(kb, [...p.b]);
  const options = { transposeA: p.transposeA ?? false, transposeB: p.transposeB ?? false };
  const gflops = (seconds: number) => (flopsOf(p) / seconds / 1e9).toFixed(1);
  // A program binds the kernel that is active when it is first called, so each kernel gets its own.
  setCpuMatmulKind('wasm-simd');
  const eager = timeIt(() => matmul(a, b, options));
  const wasmProgram = compile((x: Tensor, y: Tensor) => matmul(x, y, options));
  const compiled = timeIt(() => wasmProgram(a, b));
  setCpuMatmulKind('js');
  const jsProgram = compile((x: Tensor, y: Tensor) => matmul(x, y, options));
  const javascript = timeIt(() => jsProgram(a, b), Math.min(minSeconds, 0.3));
  setCpuMatmulKind('wasm-simd');
  rows.push([p.name, gflops(eager), gflops(compiled), gflops(javascript), (javascript / compiled).toFixed(1)]);
}
console.log('matmul, GFLOP/s (one thread)');
printTable(['product', 'wasm eager', 'wasm compiled', 'js compiled', 'speed-up'], rows);

const x = normal(ka, [4]);
const eagerOp = timeIt(() => add(mul(x, 2), 1));
const compiledOp = compile((t: Tensor) => add(mul(t, 2), 1));
const compiledTime = timeIt(() => compiledOp(x));
console.log('\nper-call overhead, µs');
printTable(['benchmark', 'eager', 'compiled'], [['x * 2 + 1 on f32[4] (2 ops)', (eagerOp * 1e6).toFixed(2), (compiledTime * 1e6).toFixed(2)]]);
console.log(`\nnode ${process.version}, ${process.platform}/${process.arch}, cpu backend (${compiledOp.executorKind}, matmul ${cpuMatmulStatus().kind})`);
