/**
 * Files of evaluation results: atomic writes (a temporary file in the same folder, then a rename)
 * so that a crash never leaves a half-written result, and JSON save and load of ICL curves.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { decodeIclCurveResult, type IclCurveResult } from './result.js';

/**
 * Writes `data` to `path` through a temporary file in the same folder and a rename, creating the
 * folder when it is missing. Readers see the old file or the new one, never a partial one,
 * because a rename within one file system is atomic on POSIX. The temporary file is removed when
 * the write fails.
 *
 * @example await writeFileAtomic('runs/a/table.md', '| curve | k = 0 |\n')
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const folder = dirname(path);
  await mkdir(folder, { recursive: true });
  const temporary = join(folder, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(temporary, data);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/**
 * Saves an ICL curve as indented JSON, atomically.
 *
 * @example await saveIclCurve('runs/quickstart/icl-curve.json', result)
 */
export async function saveIclCurve(path: string, result: IclCurveResult): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(result, null, 2)}\n`);
}

/**
 * Reads and validates an ICL curve saved by `saveIclCurve`. Throws with the path when the file
 * is not valid JSON or not a valid result.
 *
 * @example const result = await loadIclCurve('runs/quickstart/icl-curve.json');
 */
export async function loadIclCurve(path: string): Promise<IclCurveResult> {
  const text = await readFile(path, 'utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new SyntaxError(`loadIclCurve: ${path} is not valid JSON (${(error as Error).message}); write it with saveIclCurve`);
  }
  try {
    return decodeIclCurveResult(parsed);
  } catch (error) {
    throw new TypeError(`loadIclCurve: ${path}: ${(error as Error).message}`);
  }
}
