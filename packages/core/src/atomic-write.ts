/// <reference types="node" />
/**
 * Files that appear whole or not at all (Node only): what model files, checkpoints and reports are
 * written with. A crash mid-write leaves the old file (or none), never half of the new one.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** `.<name>.<pid>.<time>.tmp`: hidden, beside the target, and saying which process writes it. */
const tempName = (path: string) => `.${basename(path)}.${process.pid}.${Date.now()}.tmp`;

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Whether process `pid` still runs (on this machine): signal 0 checks without sending anything. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'ESRCH'; // EPERM: it runs, as another user
  }
}

/**
 * Removes the temporary files of earlier saves of `path` whose process is gone (killed mid-save).
 * Another live process's file is its save in progress and stays; so do this process's own (another
 * thread may be writing one). Best effort: tidying never fails a save.
 */
function removeStaleTemps(path: string): void {
  const pattern = new RegExp(`^\\.${escapeRegExp(basename(path))}\\.(\\d+)\\.\\d+\\.tmp$`);
  let names: string[];
  try {
    names = readdirSync(dirname(path));
  } catch {
    return;
  }
  for (const name of names) {
    const pid = Number(pattern.exec(name)?.[1]);
    if (!pid || pid === process.pid || isAlive(pid)) continue;
    try {
      rmSync(join(dirname(path), name), { force: true }); // force: a concurrent save may remove it first
    } catch {
      // unremovable (permissions): leave it for the user, the save itself is what matters
    }
  }
}

/** Makes a rename in `dir` durable; some platforms (Windows) and file systems cannot open or sync a directory. */
function fsyncDirectory(dir: string): void {
  if (process.platform === 'win32') return;
  let fd: number;
  try {
    fd = openSync(dir, 'r');
  } catch {
    return;
  }
  try {
    fsyncSync(fd);
  } catch (e) {
    if (!['EINVAL', 'ENOTSUP', 'EISDIR', 'EPERM', 'EBADF'].includes((e as NodeJS.ErrnoException).code ?? '')) throw e;
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes `data` (bytes, or text as UTF-8) to `path` through a temporary file in the same directory,
 * fsync and a rename, so readers see the old file or the new one, never a mix; a concurrent save of
 * the same path from another process writes its own temporary file, and the last rename wins whole.
 * Temporary files left by earlier saves of `path` whose process has died are removed first.
 * Missing parent directories are created.
 *
 * @throws the file system's error (ENOSPC, EACCES, …) when the write or the rename fails; the
 *   temporary file is removed and the old file, if any, is untouched.
 * @example
 * ```ts
 * import { writeFileAtomic } from '@chainrule/core/node';
 * writeFileAtomic('reports/run1/metrics.json', JSON.stringify({ loss: 0.12 }));
 * ```
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  removeStaleTemps(path);
  const tmp = join(dirname(path), tempName(path));
  try {
    const fd = openSync(tmp, 'wx'); // exclusive: never write into another save's file
    try {
      writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  fsyncDirectory(dirname(path));
}
