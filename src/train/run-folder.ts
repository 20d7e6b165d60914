/**
 * The layout of a run folder: the resolved configuration, the metrics log, the checkpoints, the
 * evaluation result and the report files all live under one root.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { listCheckpoints } from './checkpoint.js';

/** Paths inside a run folder. */
export interface RunPaths {
  readonly root: string;
  /** The resolved experiment configuration (JSON). */
  readonly config: string;
  /** One JSON record per line (see metrics.ts). */
  readonly metrics: string;
  /** `step-<8 digits>.safetensors` files. */
  readonly checkpoints: string;
  /** The final ICL curve (JSON). */
  readonly curve: string;
}

/**
 * Returns the paths of the run folder at `root`.
 *
 * @example runPaths('runs/quickstart').metrics // 'runs/quickstart/metrics.jsonl'
 */
export function runPaths(root: string): RunPaths {
  return {
    root,
    config: join(root, 'config.json'),
    metrics: join(root, 'metrics.jsonl'),
    checkpoints: join(root, 'checkpoints'),
    curve: join(root, 'icl-curve.json'),
  };
}

/** Returns true when `root` already contains a run: a config, a metrics log or a checkpoint. */
export function containsRun(root: string): boolean {
  const paths = runPaths(root);
  return existsSync(paths.config) || existsSync(paths.metrics) || listCheckpoints(paths.checkpoints).length > 0;
}
