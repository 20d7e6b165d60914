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
    const where = fields.lastCheckpoint === undefined ? 'no checkpoint was written yet' : `the last good checkpoint is ${fields.lastCheckpoint}`;
    super(
      `training stopped at step ${fields.step}: the loss is ${fields.loss} on task ${fields.task} ` +
        `(data ${fields.data}, ${fields.plan.activeDims} active dims, ${fields.plan.points} points); ${where}. ` +
        'Lower the learning rate or clip gradients, then resume from the checkpoint.',
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
