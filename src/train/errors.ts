/** Errors the training loop raises with the facts a caller needs to act on them. */
import type { StepPlan } from '../curricula/index.js';

/**
 * The loss became NaN or infinite. The update was discarded, nothing of it was saved, and
 * `lastCheckpoint` (if any) is the newest good state.
 */
export class NonFiniteLossError extends Error {
  /** Completed updates including the failed one (1-based), as in the metrics log. */
  readonly step: number;
  /** Function class label of the failed batch. */
  readonly task: string;
  readonly data: string;
  readonly plan: StepPlan;
  readonly loss: number;
  readonly lastCheckpoint: string | undefined;

  constructor(fields: { step: number; task: string; data: string; plan: StepPlan; loss: number; lastCheckpoint: string | undefined }) {
    const where =
      fields.lastCheckpoint === undefined
        ? 'no checkpoint was written yet, so there is nothing to resume'
        : `the last good checkpoint is ${fields.lastCheckpoint}, but a resumed run must keep the learning rate and clipping its checkpoints were written with`;
    super(
      `training stopped at step ${fields.step}: the loss is ${fields.loss} on task ${fields.task} ` +
        `(data ${fields.data}, ${fields.plan.activeDims} active dims, ${fields.plan.points} points); ${where}. ` +
        'Start a new run in another folder (--out) with a lower training.lr or with training.clipNorm set.',
    );
    this.name = 'NonFiniteLossError';
    this.step = fields.step;
    this.task = fields.task;
    this.data = fields.data;
    this.plan = fields.plan;
    this.loss = fields.loss;
    this.lastCheckpoint = fields.lastCheckpoint;
  }
}

/**
 * The run was stopped between updates (for example by Ctrl-C). `step` updates are complete and,
 * with a run folder, saved in `checkpoint`, so the run can be resumed from there.
 */
export class TrainingInterruptedError extends Error {
  /** Completed updates at the interruption. */
  readonly step: number;
  /** The checkpoint holding `step`, or undefined without a run folder or before any update. */
  readonly checkpoint: string | undefined;

  constructor(step: number, checkpoint: string | undefined) {
    super(`training interrupted at step ${step}${checkpoint === undefined ? '' : `; checkpoint ${checkpoint}`}`);
    this.name = 'TrainingInterruptedError';
    this.step = step;
    this.checkpoint = checkpoint;
  }
}
