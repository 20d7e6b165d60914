/** Helpers shared by the CLI tests: captured output streams and a tiny experiment config. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Captures what the CLI writes; `onError` sees each stderr write as it happens. */
export function captureIo(onError: (text: string) => void = () => {}) {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: {
      stdout: { write: (text: string) => out.push(text) },
      stderr: {
        write: (text: string) => {
          err.push(text);
          onError(text);
        },
        isTTY: false,
      },
    },
    stdout: () => out.join(''),
    stderr: () => err.join(''),
  };
}

/** Options of `tinyConfig`; the defaults train 6 steps at lr 0.001 and evaluate every 3. */
export interface TinyConfigOptions {
  readonly steps?: number;
  readonly lr?: number;
  /** Curriculum length; omitted means it follows `steps`. */
  readonly totalSteps?: number;
  readonly evalEvery?: number;
}

/** Writes tiny.yaml, a config that trains in well under a second (1 layer, width 8, d = 2, n = 5), and returns its path. */
export function tinyConfig(folder: string, options: TinyConfigOptions = {}): string {
  const path = join(folder, 'tiny.yaml');
  const curriculum = options.totalSteps === undefined ? '' : `\n  curriculum: { totalSteps: ${options.totalSteps} }`;
  writeFileSync(
    path,
    `name: tiny
model: { nLayer: 1, nHead: 2, nEmbd: 8 }
task:
  dims: 2
  points: 5
  functions: [{ name: linear_regression }]${curriculum}
training: { steps: ${options.steps ?? 6}, batchSize: 4, lr: ${options.lr ?? 0.001}, evalEvery: ${options.evalEvery ?? 3}, checkpointEvery: 2, logEvery: 1 }
eval: { prompts: 16, quickPrompts: 8 }
`,
  );
  return path;
}
