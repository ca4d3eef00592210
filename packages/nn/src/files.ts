/// <reference types="node" />
/**
 * Models on disk (Node only): safetensors files written atomically (a temporary file in the same
 * directory, fsync, then a rename), so a crash never leaves a half-written checkpoint, and tidily (a
 * save removes the temporary files that killed saves of the same file left behind). The bytes come
 * from safetensors.ts, which also works in a browser.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { describeValue } from '@chainrule/core';
import type { Model } from './model.ts';
import type { Params } from './params.ts';
import { decodeModel, encodeModel } from './safetensors.ts';

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
 * Writes bytes to `path` through a temporary file in the same directory, fsync and a rename, so
 * readers see the old file or the new one, never a mix; a concurrent save of the same path from
 * another process writes its own temporary file, and the last rename wins whole. Temporary files
 * left by earlier saves of `path` whose process has died are removed first.
 */
export function writeFileAtomic(path: string, bytes: Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  removeStaleTemps(path);
  const tmp = join(dirname(path), tempName(path));
  try {
    const fd = openSync(tmp, 'wx'); // exclusive: never write into another save's file
    try {
      writeSync(fd, bytes);
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

/**
 * Saves params as safetensors (readable by numpy and PyTorch tools) with the model spec in the
 * header's metadata, so the one file holds everything and loads on its own. It is written atomically
 * (no second file beside it that a crash could leave describing another model).
 */
export function saveModel(path: string, model: Model, params: Params): void {
  writeFileAtomic(path, encodeModel(model, params, path));
}

/**
 * The bytes of the safetensors file at `path`; a missing path or a directory is an error naming
 * the path (what a model or checkpoint loader reads through).
 */
export function readSafetensorsFile(path: string): Uint8Array {
  if (typeof path !== 'string') throw new Error(`expected the path of a .safetensors file as a string, got ${describeValue(path)}`);
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) throw new Error(`${path}: no such file (give the path of a .safetensors file written by saveModel)`);
  if (stat.isDirectory()) {
    const inside = readdirSync(path).filter((f) => f.endsWith('.safetensors'));
    throw new Error(`${path} is a directory, not a model file${inside.length ? `; it holds ${inside.slice(0, 5).join(', ')}` : ''}`);
  }
  return readFileSync(path);
}

/**
 * Loads a file written by saveModel. The model comes from the embedded spec, or pass `model` to
 * load into a known architecture (the file's spec, if any, must match it; names, shapes and dtypes
 * are checked either way), which is also how a safetensors file from another tool loads.
 */
export function loadModel(path: string, options: { model?: Model } = {}): { model: Model; params: Params } {
  return decodeModel(readSafetensorsFile(path), { model: options.model, source: path });
}
