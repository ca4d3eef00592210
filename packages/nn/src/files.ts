/// <reference types="node" />
/**
 * Models on disk (Node only): safetensors files written atomically with core's writeFileAtomic (a
 * temporary file in the same directory, fsync, then a rename), so a crash never leaves a half-written
 * checkpoint, and tidily (a save removes the temporary files that killed saves of the same file left
 * behind). The bytes come from safetensors.ts, which also works in a browser.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { describeValue } from '@chainrule/core';
import { writeFileAtomic } from '@chainrule/core/node';
import type { Model } from './model.ts';
import type { ModelState } from './model-state.ts';
import type { Params } from './params.ts';
import { decodeModel, encodeModel } from './safetensors.ts';

/**
 * Saves params as safetensors (readable by numpy and PyTorch tools) with the model spec in the
 * header's metadata, so the one file holds everything and loads on its own. It is written atomically
 * (no second file beside it that a crash could leave describing another model).
 *
 * A model with stateful layers (batchNorm) saves its layer state too: pass `{ state: result.state }`.
 *
 * @throws Error when the params (or the state) are not exactly the model's names, shapes and dtype
 *   (naming the path), the model keeps state and none is given, or the file cannot be written.
 * @example
 * ```ts
 * import { mlp } from '@chainrule/nn';
 * import { loadModel, saveModel } from '@chainrule/nn/node';
 * const model = mlp([2, 4, 1]);
 * saveModel('model.safetensors', model, model.init(0));
 * const { model: again, params } = loadModel('model.safetensors');
 * ```
 */
export function saveModel(path: string, model: Model, params: Params, options: { state?: ModelState } = {}): void {
  writeFileAtomic(path, encodeModel(model, params, { source: path, state: options?.state }));
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
 *
 * @throws Error when the path is missing or a directory, or as decodeModel does, naming the file.
 * @example
 * ```ts
 * import { loadModel } from '@chainrule/nn/node';
 * const { model, params } = loadModel('model.safetensors');
 * ```
 */
export function loadModel(path: string, options: {
  /** Load into this architecture instead of the spec in the file. */
  model?: Model;
} = {}): {
  /** The model: the one given, or the one the file describes. */
  model: Model;
  /** Its params, in the model's order. */
  params: Params;
} {
  return decodeModel(readSafetensorsFile(path), { model: options.model, source: path });
}
