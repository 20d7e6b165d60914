/**
 * A function class of your own, trained beside built-in ones: `cosineRegression` draws
 * f(x) = cos(w.x) with w a uniformly random unit vector in the a active coordinates. For standard
 * normal inputs w.x ~ N(0, 1), so E[y^2] = (1 + e^-2) / 2. It is defined with the tasks API (a
 * `FunctionClass` whose `sample` returns a `Sampler` of functions) and trained under the mixed
 * curriculum linear -> quadratic -> cosine, where each step draws one of the classes seen so far.
 * The Transformer, the compiled step and the run folder are the library's.
 *
 * Run: npx tsx examples/custom-function-class.ts [run folder] [steps]
 */
import { pipe } from 'fp-ts/lib/function.js';
import { adam, key } from '../src/index.js';
import { buildCurriculum } from '../src/curricula/index.js';
import { quickEval, quickEvalSet } from '../src/eval/index.js';
import { selectBackend, transformerModel } from '../src/experiment/index.js';
import { gaussian, linearRegression, map, normalVector, quadraticRegression, type FunctionClass, type Points } from '../src/tasks/index.js';
import { curriculumBatches, readMetrics, runPaths, trainLoop, type TrainRecord } from '../src/train/index.js';

/** The drawn direction of one cosine function. */
export interface CosineParams {
  readonly w: Float64Array;
}

/** E[cos(z)^2] for z ~ N(0, 1): (1 + e^-2) / 2. */
export const COSINE_EXPECTED_SQUARE = (1 + Math.exp(-2)) / 2;

/**
 * f(x) = cos(w.x) with w a uniformly random unit vector on the a active coordinates (0 elsewhere).
 *
 * @example cosineRegression().sample({ d: 5, activeDims: 5 })(key(0)).apply(points)
 */
export function cosineRegression(): FunctionClass<CosineParams> {
  return {
    name: 'cosine_regression',
    label: 'cosine_regression',
    sample: ({ d, activeDims }) =>
      pipe(
        normalVector(activeDims),
        map((z): CosineParams => {
          const norm = Math.hypot(...z);
          const w = new Float64Array(d);
          for (let i = 0; i < activeDims; i++) w[i] = z[i] / norm;
          return { w };
        }),
        map((params) => ({ params, apply: (x: Points) => cosineOutputs(x, params.w) })),
      ),
    expectedSquare: () => COSINE_EXPECTED_SQUARE,
    normalizer: () => 1,
  };
}

function cosineOutputs(x: Points, w: Float64Array): Float64Array {
  const out = new Float64Array(x.n);
  for (let i = 0; i < x.n; i++) {
    let dot = 0;
    for (let j = 0; j < x.d; j++) dot += x.data[i * x.d + j] * w[j];
    out[i] = Math.cos(dot);
  }
  return out;
}

/** Sizes of the example run; the defaults train a small model for a few minutes. */
export interface MixedRunOptions {
  readonly runDir: string;
  readonly steps?: number;
  readonly dims?: number;
  readonly points?: number;
  readonly batchSize?: number;
  readonly width?: number;
  readonly quiet?: boolean;
}

/** Trains under mixed linear -> quadratic -> cosine and returns the training records and the cosine quick evaluation. */
export async function trainMixedWithCosine(options: MixedRunOptions) {
  selectBackend('cpu');
  const steps = options.steps ?? 1500;
  const dims = options.dims ?? 5;
  const points = options.points ?? 16;
  const tasks = [linearRegression(), quadraticRegression(), cosineRegression()];

  const model = transformerModel({ nDims: dims, nPoints: points, nEmbd: options.width ?? 32, nLayer: 2, nHead: 2 });
  const result = await trainLoop({
    model,
    optimizer: adam({ lr: 1e-3 }),
    batches: curriculumBatches({
      curriculum: buildCurriculum({ totalSteps: steps, tasks: { mode: 'mixed', count: tasks.length }, activeDims: dims, points }),
      tasks,
      data: [gaussian()],
      dims,
      batchSize: options.batchSize ?? 32,
    }),
    key: key(0),
    steps,
    runDir: options.runDir,
    logEvery: 1,
    checkpointEvery: steps,
    quiet: options.quiet,
  });

  const set = quickEvalSet({ functions: cosineRegression(), dims, points, prompts: 32 });
  const cosine = await quickEval(set, (xs, ys) => model.predict(result.state.params, xs, ys), { baselines: ['knn', 'zero'] });
  const records = readMetrics(runPaths(options.runDir).metrics).filter((r): r is TrainRecord => r.kind === 'train');
  return { records, cosine, finalLoss: result.lastLoss };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const runDir = process.argv[2] ?? 'runs/custom-function-class';
  const steps = process.argv[3] === undefined ? undefined : Number(process.argv[3]);
  const { records, cosine } = await trainMixedWithCosine({ runDir, steps });
  const seen = new Map<string, number>();
  for (const r of records) seen.set(r.task, (seen.get(r.task) ?? 0) + 1);
  console.log(`batches per task: ${[...seen].map(([task, count]) => `${task} ${count}`).join(', ')}`);
  console.log(`cosine error by k: ${cosine.k.map((k, i) => `k=${k} ${cosine.error[i].toFixed(3)}`).join(', ')}`);
  for (const [name, errors] of Object.entries(cosine.baselines)) console.log(`${name}: ${errors.map((e) => e.toFixed(3)).join(', ')}`);
}
