/**
 * Products split between the calling thread and the helper thread give the bits of one-thread
 * products, for row splits and batch splits, with every transpose.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { compile, key, matmul, normal, type Tensor } from '../../../src/index.js';
import { cpuProfile, setCpuProfiling, startCpuHelperThread } from '../../../src/backends/cpu/index.js';

beforeAll(async () => {
  await startCpuHelperThread();
});

function firstDifference(actual: Tensor, expected: Tensor): number {
  const a = actual.data();
  const e = expected.data();
  if (a.length !== e.length) return 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], e[i])) return i;
  return -1;
}

describe('two-thread products', () => {
  const cases: [string, number[], number[]][] = [
    ['rows', [301, 77], [77, 96]],
    ['rows with K blocks', [64, 700], [700, 40]],
    ['batches', [9, 65, 40], [9, 40, 61]],
  ];
  for (const [name, sa, sb] of cases) {
    for (const transposeA of [false, true]) {
      for (const transposeB of [false, true]) {
        it(`${name} ${transposeA ? 'Aᵀ' : 'A'} ${transposeB ? 'Bᵀ' : 'B'} give one-thread bits`, () => {
          const r = sa.length;
          const shapeA = transposeA ? [...sa.slice(0, r - 2), sa[r - 1], sa[r - 2]] : sa;
          const shapeB = transposeB ? [...sb.slice(0, r - 2), sb[r - 1], sb[r - 2]] : sb;
          const a = normal(key(1), shapeA);
          const b = normal(key(2), shapeB);
          const f = compile((x: Tensor, y: Tensor) => matmul(x, y, { transposeA, transposeB }));
          setCpuProfiling(true);
          const twoThreads = f(a, b);
          setCpuProfiling(false);
          expect(f.executorKind).toContain('+2-threads');
          expect(cpuProfile(true).map((e) => e.label)).toContainEqual(expect.stringContaining('(2 threads)'));
          expect(firstDifference(twoThreads, matmul(a, b, { transposeA, transposeB }))).toBe(-1);
          expect(firstDifference(f(a, b), twoThreads)).toBe(-1);
        });
      }
    }
  }
});
