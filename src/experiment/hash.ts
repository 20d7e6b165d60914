/**
 * The config hash of an experiment: a SHA-256 over the fields that decide the numbers a run
 * produces (seed, backend, model, task and curriculum, batch size, optimizer, schedule,
 * clipping). Step count, logging, evaluation and checkpoint cadence are left out, so a run
 * can be resumed with more steps or another checkpoint interval.
 */
import { createHash } from 'node:crypto';
import type { Experiment } from './config.js';

/**
 * Returns the first 16 hex digits of the SHA-256 of the numbers-deciding fields.
 *
 * @example configHash(experiment) // e.g. '3f9c0a1b2c3d4e5f'
 */
export function configHash(experiment: Experiment): string {
  return createHash('sha256').update(canonicalJson(hashedFields(experiment))).digest('hex').slice(0, 16);
}

/**
 * Returns the numbers-deciding fields that `configHash` covers, as plain JSON. Checkpoints store
 * them so that a hash mismatch on resume can name the changed fields.
 *
 * @example hashedFields(experiment).training.lr // 0.0001
 */
export function hashedFields(experiment: Experiment): HashedFields {
  const { seed, backend, model, task, training } = experiment;
  return JSON.parse(
    JSON.stringify({
      seed,
      backend,
      model,
      task,
      training: { batchSize: training.batchSize, lr: training.lr, optimizer: training.optimizer, schedule: training.schedule, clipNorm: training.clipNorm ?? null },
    }),
  ) as HashedFields;
}

/** The fields of an experiment that decide its numbers (see `hashedFields`). */
export interface HashedFields {
  readonly seed: number;
  readonly backend: string;
  readonly model: Experiment['model'];
  readonly task: Experiment['task'];
  readonly training: {
    readonly batchSize: number;
    readonly lr: number;
    readonly optimizer: Experiment['training']['optimizer'];
    readonly schedule: Experiment['training']['schedule'];
    readonly clipNorm: number | null;
  };
}

/** JSON with object keys sorted at every level and `undefined` fields left out, so equal values give equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v ?? null)).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => compareStrings(a, b));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Orders strings by UTF-16 code units, the order `Array.prototype.sort` uses by default. */
function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

/**
 * Lists the paths at which two JSON values differ, e.g. `['training.lr', 'seed']`.
 *
 * @example differingPaths({ a: 1, b: [1, 2] }, { a: 1, b: [1, 3] }) // ['b[1]']
 */
export function differingPaths(a: unknown, b: unknown, path = ''): string[] {
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return [path || '(root)'];
    return a.flatMap((item, i) => differingPaths(item, b[i], `${path}[${i}]`));
  }
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    return keys.flatMap((k) => differingPaths(a[k], b[k], path === '' ? k : `${path}.${k}`));
  }
  return Object.is(a, b) ? [] : [path || '(root)'];
}
