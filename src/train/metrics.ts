/**
 * The metrics log of a run: one JSON object per line in `metrics.jsonl`. Training records carry
 * the step's loss and curriculum plan, evaluation records the periodic evaluation, and an error
 * record the reason a run stopped. Every record has `kind` and `step` (completed updates), so a
 * resumed run can drop the records written after its checkpoint and append without duplicates.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from './atomic-file.js';

/** A JSON value, for evaluation payloads. */
export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** One logged training update. */
export interface TrainRecord {
  readonly kind: 'train';
  /** Completed updates including this one (1-based). */
  readonly step: number;
  /** Loss of the batch before the update. */
  readonly loss: number;
  /** Function class label of the batch. */
  readonly task: string;
  /** Input distribution label of the batch. */
  readonly data: string;
  readonly activeDims: number;
  readonly points: number;
  /** Learning rate of this update, absent when the loop has no `learningRate` option. */
  readonly lr?: number;
  /** Wall-clock seconds since the run started, summed over resumed segments. */
  readonly seconds: number;
  /** Executor of the compiled step (e.g. `cpu/interpreted`), on the first record of each run or resumed segment. */
  readonly executor?: string;
}

/** A periodic evaluation after `step` updates. */
export interface EvalRecord {
  readonly kind: 'eval';
  readonly step: number;
  readonly seconds: number;
  /** The evaluator's result. */
  readonly result: JsonValue;
}

/** The reason a run stopped early. */
export interface ErrorRecord {
  readonly kind: 'error';
  readonly step: number;
  readonly seconds: number;
  readonly message: string;
}

/** A line of `metrics.jsonl`. */
export type MetricsRecord = TrainRecord | EvalRecord | ErrorRecord;

/** Appends one record as a JSON line. */
export function appendMetrics(path: string, record: MetricsRecord): void {
  appendFileSync(path, `${JSON.stringify(record)}\n`);
}

/**
 * Reads every complete record of a metrics file, oldest first. Lines that do not parse as a
 * record (a line cut short by a crash) are skipped. A missing file gives an empty list.
 */
export function readMetrics(path: string): MetricsRecord[] {
  if (!existsSync(path)) return [];
  const out: MetricsRecord[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const record = parseRecord(line);
    if (record !== undefined) out.push(record);
  }
  return out;
}

/**
 * Keeps the records with `step <= step` and drops the rest and every line that does not parse,
 * rewriting the file atomically. Returns the number of lines dropped. Resuming from a checkpoint
 * at `step` calls this, so the records of the lost updates are not duplicated.
 */
export function truncateMetrics(path: string, step: number): number {
  if (!existsSync(path)) return 0;
  const lines = readFileSync(path, 'utf8').split('\n').filter((line) => line.length > 0);
  const kept = lines.filter((line) => {
    const record = parseRecord(line);
    return record !== undefined && record.step <= step;
  });
  if (kept.length !== lines.length) writeFileAtomic(path, kept.map((line) => `${line}\n`).join(''));
  return lines.length - kept.length;
}

function parseRecord(line: string): MetricsRecord | undefined {
  if (line.trim().length === 0) return undefined;
  try {
    const value = JSON.parse(line) as Partial<MetricsRecord> | null;
    if (value === null || typeof value !== 'object' || typeof value.step !== 'number' || typeof value.kind !== 'string') return undefined;
    return value as MetricsRecord;
  } catch {
    return undefined;
  }
}
