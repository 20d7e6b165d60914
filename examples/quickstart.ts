/**
 * The quickstart as a typed pipeline: take the `quickstart` preset (linear regression, d = 5,
 * n = 16, a 3-layer Transformer), resolve it into an experiment, then train, evaluate against
 * least squares, averaging and 3-NN, and write the report into a run folder. The same steps run
 * behind `icl-lab run quickstart`.
 *
 * Run: npx tsx examples/quickstart.ts [run folder]
 * QUICKSTART_STEPS=200 shortens the training for a try-out.
 */
import {
  evaluateParams,
  experimentPreset,
  reportRun,
  resolveExperiment,
  trainExperiment,
  type Experiment,
  type ExperimentInput,
  type TargetCurve,
} from '../src/experiment/index.js';
import { errorAt } from '../src/eval/index.js';

/** Sizes that override the preset, so a test can run the same pipeline in seconds. */
export interface QuickstartOptions {
  readonly runDir: string;
  readonly steps?: number;
  readonly model?: ExperimentInput['model'];
  readonly batchSize?: number;
  readonly evalPrompts?: number;
  readonly quiet?: boolean;
}

/** The outcome of the pipeline: the resolved experiment, the last loss, the curve and the report files. */
export interface QuickstartResult {
  readonly experiment: Experiment;
  readonly finalLoss: number | undefined;
  readonly curve: TargetCurve;
  readonly reportFiles: readonly string[];
}

/** Trains, evaluates and reports the quickstart experiment in `options.runDir`. */
export async function quickstart(options: QuickstartOptions): Promise<QuickstartResult> {
  const preset = experimentPreset('quickstart').experiment;
  const experiment = resolveExperiment({
    ...preset,
    model: options.model ?? preset.model,
    training: {
      ...preset.training,
      steps: options.steps ?? preset.training.steps,
      batchSize: options.batchSize ?? preset.training.batchSize,
    },
    eval: { ...preset.eval, prompts: options.evalPrompts ?? 1280, quickPrompts: 16 },
  });

  const training = await trainExperiment(experiment, { runDir: options.runDir, quiet: options.quiet });
  const [curve] = await evaluateParams(experiment, training.state.params, options.runDir, { quiet: options.quiet });
  const reportFiles = await reportRun(options.runDir, { quiet: options.quiet });
  return { experiment, finalLoss: training.lastLoss, curve, reportFiles };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const runDir = process.argv[2] ?? 'runs/quickstart-example';
  const steps = process.env.QUICKSTART_STEPS === undefined ? undefined : Number(process.env.QUICKSTART_STEPS);
  const result = await quickstart({ runDir, steps });
  const d = result.experiment.task.dims;
  for (const k of [d - 1, d, 2 * d]) {
    const model = errorAt(result.curve.curve, 'transformer', k);
    const leastSquares = errorAt(result.curve.curve, 'least_squares', k);
    console.log(`k = ${k}: transformer ${model.toFixed(3)}, least squares ${leastSquares.toFixed(3)}`);
  }
  console.log(`report: ${result.reportFiles.join(', ')}`);
}
