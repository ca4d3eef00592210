/// <reference types="node" />
/**
 * Models on disk (Node only): safetensors files written atomically (a temporary file in the same
 * directory, then a rename), so a crash never leaves a half-written checkpoint. The bytes come from
 * safetensors.ts, which also works in a browser.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Model } from './model.ts';
import type { Params } from './params.ts';
import { decodeModel, encodeModel } from './safetensors.ts';

/** Writes bytes to `path` through a temporary file in the same directory and a rename. */
export function writeFileAtomic(path: string, bytes: Uint8Array): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  mkdirSync(dirname(path), { recursive: true });
  try {
    const fd = openSync(tmp, 'w');
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
}

/** Where saveModel puts the readable copy of the spec: `model.safetensors` → `model.json`. */
export const specPath = (path: string): string => path.replace(/\.safetensors$/i, '') + '.json';

/**
 * Saves params as safetensors (readable by numpy and PyTorch tools) with the model spec in the
 * header's metadata, so the one file loads on its own, and the spec again as pretty JSON beside it
 * (`specPath(path)`) for people and other tools. Each file is written atomically.
 */
export function saveModel(path: string, model: Model, params: Params): void {
  const bytes = encodeModel(model, params, path);
  writeFileAtomic(specPath(path), new TextEncoder().encode(JSON.stringify(model.toJSON(), null, 2) + '\n'));
  writeFileAtomic(path, bytes);
}

/**
 * Loads a file written by saveModel. The model comes from the embedded spec, or pass `model` to
 * load into a known architecture (names, shapes and dtypes are checked against it either way).
 */
export function loadModel(path: string, options: { model?: Model } = {}): { model: Model; params: Params } {
  return decodeModel(readFileSync(path), { model: options.model, source: path });
}
