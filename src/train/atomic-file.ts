/**
 * Atomic file writes: the bytes go to a temporary file in the same folder, are flushed to disk,
 * and the temporary file is renamed over the target. A reader sees either the old file or the
 * complete new one, never a partial write. A crash before the rename leaves only the temporary
 * file, whose name starts with a dot and ends in `.tmp`, so listings that match the real names
 * never pick it up.
 */
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** Returns the temporary path used while `path` is written: `.NAME.tmp` in the same folder. */
export function temporaryPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.tmp`);
}

/**
 * Writes `data` to `path` atomically (temporary file, fsync, rename). The folder must exist.
 * On an error the temporary file is removed and the error is rethrown.
 *
 * @example writeFileAtomic('runs/a/config.json', JSON.stringify(config));
 */
export function writeFileAtomic(path: string, data: Uint8Array | string): void {
  const temporary = temporaryPathFor(path);
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  try {
    const fd = openSync(temporary, 'w');
    try {
      let written = 0;
      while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
  syncFolder(dirname(path));
}

/** Flushes a folder entry (the rename) to disk where the platform allows opening folders. */
function syncFolder(folder: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(folder, 'r');
    fsyncSync(fd);
  } catch {
    // Some platforms (Windows) cannot fsync a folder; the rename itself is still atomic there.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
