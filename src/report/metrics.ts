/**
 * Training metrics as JSON lines: one JSON object per line, written by the training loop. The
 * loss plot reads the records that have a numeric `step` and `loss`, with an optional `task`.
 */
import { readFile } from 'node:fs/promises';

/** One training-loss record. */
export interface LossRecord {
  /** Training step, an integer >= 0. */
  readonly step: number;
  /** Training loss at that step. */
  readonly loss: number;
  /** Function class the batch came from, when the record names one. */
  readonly task?: string;
}

/**
 * Parses metrics JSON lines into loss records, in file order. Blank lines and objects without a
 * numeric `step` and `loss` (evaluation records, run headers) are skipped. A line that is not
 * valid JSON throws with its line number, except an unterminated last line, which a crash during
 * a write can leave and which is skipped.
 *
 * @param source the file name for error messages
 * @example parseLossRecords('{"step":0,"loss":5.1,"task":"linear_regression"}\n') // [{ step: 0, loss: 5.1, task: 'linear_regression' }]
 */
export function parseLossRecords(text: string, source = 'metrics'): LossRecord[] {
  const lines = text.split('\n');
  const unterminated = !text.endsWith('\n');
  const records: LossRecord[] = [];
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      if (unterminated && index === lines.length - 1) return;
      throw new SyntaxError(
        `parseLossRecords: ${source} line ${index + 1} is not valid JSON (${(error as Error).message}); ` +
          'write one JSON object per line',
      );
    }
    if (typeof value !== 'object' || value === null) return;
    const { step, loss, task } = value as Record<string, unknown>;
    if (typeof step !== 'number' || typeof loss !== 'number') return;
    records.push(typeof task === 'string' ? { step, loss, task } : { step, loss });
  });
  return records;
}

/**
 * Reads a metrics JSON lines file and returns its loss records (see `parseLossRecords`).
 *
 * @example const records = await readLossRecords('runs/quickstart/metrics.jsonl');
 */
export async function readLossRecords(path: string): Promise<LossRecord[]> {
  return parseLossRecords(await readFile(path, 'utf8'), path);
}
