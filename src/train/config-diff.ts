/**
 * Lists where two JSON configurations differ, with both values, so a config-hash mismatch on
 * resume can name the fields that changed instead of two opaque hashes.
 */
import type { JsonValue } from './metrics.js';

/** One field that differs: its dotted path and its value on each side (undefined: absent). */
export interface ConfigDifference {
  readonly path: string;
  readonly saved: JsonValue | undefined;
  readonly current: JsonValue | undefined;
}

/**
 * Compares two JSON values field by field and returns every leaf path where they differ. Arrays
 * of different lengths are reported as one difference at the array's path.
 *
 * @example configDifferences({ lr: 1e-3 }, { lr: 1e-4 }) // [{ path: 'lr', saved: 0.001, current: 0.0001 }]
 */
export function configDifferences(saved: JsonValue | undefined, current: JsonValue | undefined, path = ''): ConfigDifference[] {
  const location = path === '' ? '(root)' : path;
  if (Array.isArray(saved) && Array.isArray(current)) {
    if (saved.length !== current.length) return [{ path: location, saved, current }];
    return saved.flatMap((item, i) => configDifferences(item, current[i], `${path}[${i}]`));
  }
  if (isObject(saved) && isObject(current)) {
    const keys = [...new Set([...Object.keys(saved), ...Object.keys(current)])].sort();
    return keys.flatMap((k) => configDifferences(saved[k], current[k], path === '' ? k : `${path}.${k}`));
  }
  return JSON.stringify(saved) === JSON.stringify(current) ? [] : [{ path: location, saved, current }];
}

/**
 * Formats differences as `path: A in the checkpoint, B now` joined by `; `.
 *
 * @example formatConfigDifferences([{ path: 'training.lr', saved: 0.001, current: 0.0001 }]) // 'training.lr: 0.001 in the checkpoint, 0.0001 now'
 */
export function formatConfigDifferences(differences: readonly ConfigDifference[]): string {
  const show = (value: JsonValue | undefined): string => (value === undefined ? 'absent' : JSON.stringify(value));
  return differences.map((d) => `${d.path}: ${show(d.saved)} in the checkpoint, ${show(d.current)} now`).join('; ');
}

function isObject(value: JsonValue | undefined): value is { [key: string]: JsonValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
