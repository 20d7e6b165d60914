/**
 * Checkpoints: the whole training state in one safetensors file. Parameters are stored under
 * the model's names (so PyTorch can load them with `strict=False`), optimizer tensors under
 * `optimizer.step` and `optimizer.<slot>.<name>`, and the rest as string metadata (format and
 * version, step, run key words, config hash, curriculum position, elapsed seconds). Files are
 * written atomically and named `step-<8 digits>.safetensors`.
 */
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Optimizer, OptimizerState } from '../core/optim.js';
import { keyFromWords } from '../core/prng.js';
import { decodeSafetensors, encodeSafetensors } from '../core/safetensors.js';
import { formatShape } from '../core/shape.js';
import type { Tensor } from '../core/tensor.js';
import type { StepPlan } from '../curricula/index.js';
import type { JsonValue } from './metrics.js';
import { writeFileAtomic } from './atomic-file.js';
import type { TrainableModel } from './model.js';
import { namedParams, paramsFromNamed } from './naming.js';
import { runKeys, type TrainState } from './state.js';

/** Value of the `format` metadata entry. */
export const CHECKPOINT_FORMAT = 'icl-lab-checkpoint';
/** Version of the checkpoint layout; loading rejects other versions. */
export const CHECKPOINT_VERSION = 1;

const OPTIMIZER_PREFIX = 'optimizer.';
const FILE_PATTERN = /^step-(\d+)\.safetensors$/;

/** The non-tensor part of a checkpoint. */
export interface CheckpointInfo {
  /** Completed updates. */
  readonly step: number;
  /** Hash of the configuration that decides the numbers of the run (see `configHash`). */
  readonly configHash: string;
  /** The curriculum plan of the last completed update, absent at step 0. */
  readonly plan?: StepPlan;
  /** Wall-clock seconds of training up to this checkpoint, summed over resumed segments. */
  readonly seconds: number;
  /** The model's `name`. */
  readonly model: string;
  /** The configuration fields the hash covers, when the writer recorded them; lets a hash mismatch name the changed fields. */
  readonly hashedConfig?: JsonValue;
}

/**
 * A checkpoint file that cannot be decoded as safetensors: truncated by a crash or an incomplete
 * copy, or overwritten. `path` is the file and `detail` the decoder's reason.
 */
export class CorruptCheckpointError extends Error {
  readonly path: string;
  readonly detail: string;

  constructor(path: string, detail: string, hint: string) {
    super(`checkpoint ${path} is corrupt or truncated (${detail}); ${hint}`);
    this.name = 'CorruptCheckpointError';
    this.path = path;
    this.detail = detail;
  }
}

/** A checkpoint on disk. */
export interface CheckpointEntry {
  readonly step: number;
  readonly path: string;
}

/** The pruning policy: keep the newest `keepLast` checkpoints and every step divisible by `keepEvery` (0: none). */
export interface KeepPolicy {
  readonly keepLast: number;
  readonly keepEvery: number;
}

/** Returns the file name of the checkpoint at `step`, e.g. `step-00000500.safetensors`. */
export function checkpointFileName(step: number): string {
  return `step-${String(step).padStart(8, '0')}.safetensors`;
}

/**
 * Encodes a training state as safetensors bytes.
 *
 * @example writeFileSync(path, encodeCheckpoint(model, state, info));
 */
export function encodeCheckpoint<P>(model: TrainableModel<P>, state: TrainState<P>, info: Omit<CheckpointInfo, 'step' | 'model'>): Uint8Array {
  const params = namedParams(model, state.params);
  const tensors: Record<string, Tensor> = {};
  for (const [name, tensor] of Object.entries(params)) {
    if (name.startsWith(OPTIMIZER_PREFIX)) {
      throw new Error(`checkpoint: parameter name '${name}' starts with '${OPTIMIZER_PREFIX}', which is reserved for the optimizer state; rename the parameter`);
    }
    tensors[name] = tensor;
  }
  tensors[`${OPTIMIZER_PREFIX}step`] = state.optimizerState.step;
  for (const [slot, tree] of Object.entries(state.optimizerState.slots)) {
    for (const [name, tensor] of Object.entries(namedParams(model, tree))) tensors[`${OPTIMIZER_PREFIX}${slot}.${name}`] = tensor;
  }
  const metadata: Record<string, string> = {
    format: CHECKPOINT_FORMAT,
    format_version: String(CHECKPOINT_VERSION),
    step: String(state.step),
    key: JSON.stringify([state.key.k0, state.key.k1]),
    config_hash: info.configHash,
    seconds: String(info.seconds),
    model: model.name,
  };
  if (info.plan !== undefined) metadata.curriculum = JSON.stringify(info.plan);
  if (info.hashedConfig !== undefined) metadata.hashed_config = JSON.stringify(info.hashedConfig);
  return encodeSafetensors(tensors, metadata);
}

/**
 * Writes the state to `folder/step-<step>.safetensors` atomically and returns the path. The
 * folder must exist.
 */
export function saveCheckpoint<P>(folder: string, model: TrainableModel<P>, state: TrainState<P>, info: Omit<CheckpointInfo, 'step' | 'model'>): string {
  const path = join(folder, checkpointFileName(state.step));
  writeFileAtomic(path, encodeCheckpoint(model, state, info));
  return path;
}

/**
 * Decodes a checkpoint into a training state for `model` and `optimizer`. The parameter and
 * optimizer slot structures come from the model (`fromNamed`, or an initialised template), and
 * any missing, extra or misshapen tensor is an error naming it and `source`.
 */
export function decodeCheckpoint<P>(
  bytes: Uint8Array,
  model: TrainableModel<P>,
  optimizer: Optimizer,
  source: string,
): { state: TrainState<P>; info: CheckpointInfo } {
  const { tensors, metadata } = decodeFile(bytes, source);
  const info = readInfo(metadata, source);
  const key = readKey(metadata.key, source);

  const paramTensors: Record<string, Tensor> = {};
  const optimizerTensors: Record<string, Tensor> = {};
  for (const [name, tensor] of Object.entries(tensors)) {
    if (name.startsWith(OPTIMIZER_PREFIX)) optimizerTensors[name.slice(OPTIMIZER_PREFIX.length)] = tensor;
    else paramTensors[name] = tensor;
  }
  const template = (): P => model.init(runKeys(key).init);
  const params = paramsFromNamed(model, paramTensors, template, source);

  const fresh = optimizer.init(params);
  const stepTensor = optimizerTensors.step;
  if (stepTensor === undefined) throw new Error(`${source}: missing tensor 'optimizer.step'; the file is not an icl-lab training checkpoint`);
  if (stepTensor.size !== 1 || stepTensor.dtype !== fresh.step.dtype) {
    throw new Error(`${source}: tensor 'optimizer.step' is ${stepTensor.dtype}${formatShape(stepTensor.shape)}, expected ${fresh.step.dtype}[]`);
  }
  const slots: Record<string, P> = {};
  for (const slot of Object.keys(fresh.slots)) {
    const prefix = `${slot}.`;
    const named: Record<string, Tensor> = {};
    for (const [name, tensor] of Object.entries(optimizerTensors)) if (name.startsWith(prefix)) named[name.slice(prefix.length)] = tensor;
    if (Object.keys(named).length === 0) {
      throw new Error(`${source}: the checkpoint has no tensors of optimizer slot '${slot}'; it was written with another optimizer, so load it with that one`);
    }
    slots[slot] = paramsFromNamed(model, named, () => fresh.slots[slot] as P, `${source} (optimizer slot '${slot}')`);
  }
  const known = new Set(['step', ...Object.keys(fresh.slots)]);
  const stray = Object.keys(optimizerTensors).filter((name) => !known.has(name.split('.')[0]));
  if (stray.length > 0) {
    throw new Error(`${source}: unexpected optimizer tensors ${stray.map((n) => `'optimizer.${n}'`).join(', ')}; the checkpoint was written with another optimizer`);
  }
  const optimizerState: OptimizerState<P> = { step: stepTensor, slots };
  return { state: { params, optimizerState, key, step: info.step }, info };
}

/** Reads and decodes the checkpoint file at `path` (see `decodeCheckpoint`). */
export function loadCheckpoint<P>(path: string, model: TrainableModel<P>, optimizer: Optimizer): { state: TrainState<P>; info: CheckpointInfo } {
  if (!existsSync(path)) throw new Error(`checkpoint not found: ${path}; pass a path to a step-*.safetensors file`);
  return decodeCheckpoint(new Uint8Array(readFileSync(path)), model, optimizer, path);
}

/** Reads only the metadata of a checkpoint file. */
export function readCheckpointInfo(path: string): CheckpointInfo {
  const { metadata } = decodeFile(new Uint8Array(readFileSync(path)), path);
  return readInfo(metadata, path);
}

/**
 * Returns the newest checkpoint of `folder` below `step` whose metadata decodes, or undefined.
 * Only the header is checked, so a file with a damaged tensor section can still be returned.
 *
 * @example previousValidCheckpoint('runs/a/checkpoints', 300)?.path // 'runs/a/checkpoints/step-00000280.safetensors'
 */
export function previousValidCheckpoint(folder: string, step: number): CheckpointEntry | undefined {
  const older = listCheckpoints(folder).filter((entry) => entry.step < step).reverse();
  return older.find((entry) => {
    try {
      readCheckpointInfo(entry.path);
      return true;
    } catch {
      return false;
    }
  });
}

/**
 * Returns the advice for a corrupt checkpoint in `folder`: delete it to resume from the previous
 * valid one, or start a new run when there is none.
 */
export function corruptCheckpointHint(folder: string, entry: CheckpointEntry): string {
  const previous = previousValidCheckpoint(folder, entry.step);
  if (previous === undefined) return `no earlier valid checkpoint exists in ${folder}, so start a new run (delete the run folder or pass another --out)`;
  return `the previous valid checkpoint is ${previous.path} (step ${previous.step}): delete ${entry.path} to resume or evaluate from it`;
}

/**
 * Lists the checkpoints of a folder by step, oldest first. Only names of the form
 * `step-<digits>.safetensors` count, so temporary files left by a crash are ignored.
 */
export function listCheckpoints(folder: string): CheckpointEntry[] {
  if (!existsSync(folder)) return [];
  const entries: CheckpointEntry[] = [];
  for (const name of readdirSync(folder)) {
    const match = FILE_PATTERN.exec(name);
    if (match !== null) entries.push({ step: Number(match[1]), path: join(folder, name) });
  }
  return entries.sort((a, b) => a.step - b.step);
}

/** Returns the checkpoint with the largest step in a folder, or undefined when there is none. */
export function latestCheckpoint(folder: string): CheckpointEntry | undefined {
  const all = listCheckpoints(folder);
  return all[all.length - 1];
}

/**
 * Returns the steps that `policy` deletes from `steps`: every step that is neither among the
 * `keepLast` largest nor a positive multiple of `keepEvery`.
 *
 * @example stepsToPrune([100, 200, 300, 400], { keepLast: 1, keepEvery: 200 }) // [100, 300]
 */
export function stepsToPrune(steps: readonly number[], policy: KeepPolicy): number[] {
  const sorted = [...new Set(steps)].sort((a, b) => a - b);
  const newest = new Set(sorted.slice(Math.max(0, sorted.length - policy.keepLast)));
  return sorted.filter((step) => !newest.has(step) && !(policy.keepEvery > 0 && step > 0 && step % policy.keepEvery === 0));
}

/** Deletes the checkpoints of a folder that `policy` does not keep, and returns their paths. */
export function pruneCheckpoints(folder: string, policy: KeepPolicy): string[] {
  const entries = listCheckpoints(folder);
  const doomed = new Set(stepsToPrune(entries.map((e) => e.step), policy));
  const removed: string[] = [];
  for (const entry of entries) {
    if (doomed.has(entry.step)) {
      rmSync(entry.path, { force: true });
      removed.push(entry.path);
    }
  }
  return removed;
}

/** Decodes the safetensors container, turning any format error into a `CorruptCheckpointError`. */
function decodeFile(bytes: Uint8Array, source: string): ReturnType<typeof decodeSafetensors> {
  try {
    return decodeSafetensors(bytes, source);
  } catch (error) {
    const detail = (error as Error).message.replace(`${source}: `, '');
    throw new CorruptCheckpointError(source, detail, 'delete it or restore it from a copy');
  }
}

function readInfo(metadata: Readonly<Record<string, string>>, source: string): CheckpointInfo {
  if (metadata.format !== CHECKPOINT_FORMAT) {
    throw new Error(`${source}: not an icl-lab checkpoint (metadata format is ${JSON.stringify(metadata.format)}, expected '${CHECKPOINT_FORMAT}')`);
  }
  if (metadata.format_version !== String(CHECKPOINT_VERSION)) {
    throw new Error(`${source}: checkpoint format version ${metadata.format_version} is not supported; this icl-lab reads version ${CHECKPOINT_VERSION}`);
  }
  const step = Number(metadata.step);
  if (!Number.isInteger(step) || step < 0) throw new Error(`${source}: invalid step ${JSON.stringify(metadata.step)} in the metadata`);
  const seconds = Number(metadata.seconds ?? '0');
  return {
    step,
    configHash: metadata.config_hash ?? '',
    plan: metadata.curriculum === undefined ? undefined : (JSON.parse(metadata.curriculum) as StepPlan),
    seconds: Number.isFinite(seconds) ? seconds : 0,
    model: metadata.model ?? '',
    ...(metadata.hashed_config === undefined ? {} : { hashedConfig: parseJsonMetadata(metadata.hashed_config, 'hashed_config', source) }),
  };
}

function parseJsonMetadata(text: string, name: string, source: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    throw new CorruptCheckpointError(source, `the metadata entry ${name} is not valid JSON`, 'delete it or restore it from a copy');
  }
}

function readKey(text: string | undefined, source: string): TrainState<unknown>['key'] {
  const words = text === undefined ? undefined : (JSON.parse(text) as unknown);
  if (!Array.isArray(words) || words.length !== 2 || !words.every((w) => Number.isInteger(w) && w >= 0 && w < 2 ** 32)) {
    throw new Error(`${source}: invalid run key ${JSON.stringify(text)} in the metadata; expected two 32-bit words`);
  }
  return keyFromWords(words[0] as number, words[1] as number);
}
