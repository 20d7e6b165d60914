/**
 * Training progress on a stream (stderr by default). On a terminal it is one line redrawn in
 * place with a bar, the step, the loss, steps per second and the estimated time left. Elsewhere
 * (logs, pipes) it is a plain line about every 5% of the run and at least every 30 seconds.
 * Quiet mode prints nothing.
 */

/** The stream a reporter writes to; `isTTY` selects the redrawn bar. */
export interface ProgressStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

/** Receives the loop's progress. */
export interface ProgressReporter {
  /** Called once before the first update, with the step the run starts (or resumes) from. */
  start(fromStep: number, totalSteps: number): void;
  /** Called after each update with the completed updates and the loss of that update. */
  update(step: number, loss: number): void;
  /** Prints a line of its own (a checkpoint or evaluation note) without breaking the bar. */
  note(text: string): void;
  /** Ends the bar line. */
  finish(): void;
}

/** Options of `progressReporter`. */
export interface ProgressOptions {
  /** Default `process.stderr`. */
  readonly stream?: ProgressStream;
  /** Print nothing (default false). */
  readonly quiet?: boolean;
  /** Milliseconds between redraws of the bar (default 200). */
  readonly redrawMs?: number;
  /** Clock in milliseconds (default `performance.now`), replaceable in tests. */
  readonly now?: () => number;
}

const BAR_WIDTH = 24;
const PLAIN_INTERVAL_MS = 30_000;

/**
 * Creates a progress reporter.
 *
 * @example const progress = progressReporter({ quiet: false }); progress.start(0, 5000);
 */
export function progressReporter(options: ProgressOptions = {}): ProgressReporter {
  if (options.quiet === true) return { start: () => {}, update: () => {}, note: () => {}, finish: () => {} };
  const stream = options.stream ?? process.stderr;
  const now = options.now ?? (() => performance.now());
  const redrawMs = options.redrawMs ?? 200;
  const tty = stream.isTTY === true;

  let from = 0;
  let total = 1;
  let started = 0;
  let lastDraw = -Infinity;
  let lastPlainStep = 0;
  let barShown = false;

  const line = (step: number, loss: number): string => {
    const elapsed = (now() - started) / 1000;
    const done = step - from;
    const rate = elapsed > 0 ? done / elapsed : 0;
    const left = rate > 0 ? (total - step) / rate : Number.NaN;
    return `step ${step}/${total}  loss ${formatLoss(loss)}  ${rate.toFixed(2)} steps/s  ${formatDuration(left)} left`;
  };

  return {
    start(fromStep, totalSteps) {
      from = fromStep;
      total = totalSteps;
      started = now();
      lastPlainStep = fromStep;
      lastDraw = -Infinity;
      if (!tty) stream.write(fromStep > 0 ? `resuming at step ${fromStep} of ${totalSteps}\n` : `training for ${totalSteps} steps\n`);
    },
    update(step, loss) {
      const t = now();
      if (tty) {
        if (t - lastDraw < redrawMs && step < total) return;
        lastDraw = t;
        const filled = Math.round((BAR_WIDTH * step) / total);
        stream.write(`\r[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${line(step, loss)}\u001b[K`);
        barShown = true;
        return;
      }
      const every = Math.max(1, Math.round(total / 20));
      if (step - lastPlainStep >= every || t - lastDraw >= PLAIN_INTERVAL_MS || step === total) {
        lastPlainStep = step;
        lastDraw = t;
        stream.write(`${line(step, loss)}\n`);
      }
    },
    note(text) {
      if (tty && barShown) stream.write('\r\u001b[K');
      stream.write(`${text}\n`);
      lastDraw = -Infinity;
    },
    finish() {
      if (tty && barShown) stream.write('\n');
      barShown = false;
    },
  };
}

/** Formats seconds as `1h02m`, `4m05s` or `12s`; `?` when unknown. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s >= 3600) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${s}s`;
}

function formatLoss(loss: number): string {
  if (!Number.isFinite(loss)) return String(loss);
  return Math.abs(loss) >= 1e4 || (loss !== 0 && Math.abs(loss) < 1e-3) ? loss.toExponential(3) : loss.toFixed(4);
}
