/**
 * The safetensors format (readable by numpy/PyTorch tools) on bytes: an 8-byte little-endian header
 * length, a JSON header {name: {dtype, shape, data_offsets}, __metadata__}, then the raw
 * little-endian data. A model rides along as its spec in __metadata__.spec (encodeModel/decodeModel).
 * No files here, so this bundles for the browser; saveModel and loadModel (files.ts, Node only)
 * put these bytes on disk.
 */
import { describeValue, fromData, Tensor, type DType, type TypedArray } from '@chainrule/core';
import { Map as ImmutableMap, OrderedMap } from 'immutable';
import { describeLayer, fromSpec, type Model, type SequentialJSON } from './model.ts';
import type { ModelState } from './model-state.ts';
import type { Params } from './params.ts';
import { checkAgainstSpec } from './validate-state.ts';

const CODES: Record<DType, { code: string; bytes: number }> = { float32: { code: 'F32', bytes: 4 }, float64: { code: 'F64', bytes: 8 } };
const DTYPE_OF: Record<string, DType> = { F32: 'float32', F64: 'float64' };
const littleEndianHost = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function toLittleEndian(t: Tensor): Uint8Array {
  if (littleEndianHost) return new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  const bytes = CODES[t.dtype].bytes;
  const out = new Uint8Array(t.size * bytes);
  const view = new DataView(out.buffer);
  for (let i = 0; i < t.size; i++) {
    if (bytes === 4) view.setFloat32(i * 4, t.data[i]!, true);
    else view.setFloat64(i * 8, t.data[i]!, true);
  }
  return out;
}

function fromLittleEndian(bytes: Uint8Array, dtype: DType): TypedArray {
  const copy = new Uint8Array(bytes); // a copy: aligned and owned by the tensor (subarray would be a view)
  if (littleEndianHost) return dtype === 'float64' ? new Float64Array(copy.buffer) : new Float32Array(copy.buffer);
  const view = new DataView(copy.buffer);
  const width = CODES[dtype].bytes;
  const out = dtype === 'float64' ? new Float64Array(copy.length / 8) : new Float32Array(copy.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = width === 4 ? view.getFloat32(i * 4, true) : view.getFloat64(i * 8, true);
  return out;
}

/**
 * The bytes of a safetensors file holding `tensors` (in order, float32 as F32 and float64 as F64) and
 * string `metadata`.
 *
 * @throws Error when `tensors` is not a map of names to Tensors.
 * @example
 * ```ts
 * import { decodeSafetensors, encodeSafetensors, mlp } from '@chainrule/nn';
 * const bytes = encodeSafetensors(mlp([2, 1]).init(0), { note: 'hello' });
 * const { tensors, metadata } = decodeSafetensors(bytes); // tensors.get('dense0/w')!.shape is [2, 1]
 * ```
 */
export function encodeSafetensors(tensors: Params, metadata: Readonly<Record<string, string>> = {}): Uint8Array {
  if (!ImmutableMap.isMap(tensors)) throw new Error(`encodeSafetensors: tensors must be a map from names to tensors (such as Params), got ${describeValue(tensors)}`);
  for (const [name, t] of tensors) if (!(t instanceof Tensor)) throw new Error(`encodeSafetensors: '${name}' is ${describeValue(t)}, not a Tensor`);
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, t] of tensors) {
    const size = t.size * CODES[t.dtype].bytes;
    header[name] = { dtype: CODES[t.dtype].code, shape: [...t.shape], data_offsets: [offset, offset + size] };
    offset += size;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  // Pad with spaces so the data starts 8-byte aligned (what the reference implementation does).
  const head = new Uint8Array(json.length + (8 - ((8 + json.length) % 8)) % 8).fill(0x20);
  head.set(json);
  const out = new Uint8Array(8 + head.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  let at = 8 + head.length;
  for (const t of tensors.values()) {
    const b = toLittleEndian(t);
    out.set(b, at);
    at += b.length;
  }
  return out;
}

/** What a header says about one tensor, checked: where its bytes are relative to the data section. */
interface TensorEntry {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: number[];
  readonly begin: number;
  readonly end: number;
}

/** A byte that starts a JSON text: the file is JSON (such as a model spec), not safetensors. */
const startsLikeJson = (bytes: Uint8Array) => bytes.length > 0 && (bytes[0] === 0x7b || bytes[0] === 0x5b);

/** The 8-byte header length, checked against the file's size. */
function readHeaderLength(bytes: Uint8Array, source: string): number {
  if (bytes.length < 8) throw new Error(`${source} is truncated: it has ${bytes.length} bytes, but the 8-byte header length at byte 0 needs 8`);
  const headerLength = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  if (8 + headerLength <= bytes.length) return headerLength;
  if (startsLikeJson(bytes)) {
    throw new Error(`${source} is not a safetensors file: it starts with '${String.fromCharCode(bytes[0]!)}' like a JSON file, where a safetensors file starts with an 8-byte little-endian header length (load the .safetensors file, not a .json file)`);
  }
  throw new Error(`${source} is truncated: the header needs bytes 8..${8 + headerLength} but the file ends at byte ${bytes.length}`);
}

/** __metadata__ is optional and maps strings to strings (the safetensors rule). */
function readMetadata(value: unknown, source: string): Record<string, string> {
  if (value === undefined) return {};
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error(`${source}: the header's __metadata__ must be an object of strings, got ${describeValue(value)}`);
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw new Error(`${source}: __metadata__.${key} must be a string, got ${describeValue(v)}`);
  }
  return value as Record<string, string>;
}

/** One header entry `{dtype, shape, data_offsets}`, each field checked and named. */
function readEntry(name: string, info: unknown, dataStart: number, source: string): TensorEntry {
  const where = `${source}: tensor '${name}' in the header`;
  if (!info || typeof info !== 'object' || Array.isArray(info)) throw new Error(`${where} must be an object {dtype, shape, data_offsets}, got ${describeValue(info)}`);
  const { dtype: code, shape, data_offsets: offsets } = info as Record<string, unknown>;
  const dtype = DTYPE_OF[code as string];
  if (!dtype) throw new Error(`${where} has dtype ${JSON.stringify(code)}; supported: 'F32', 'F64'`);
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new Error(`${where} has invalid shape ${JSON.stringify(shape)}; a shape is a list of whole numbers ≥ 0`);
  }
  if (offsets === undefined) throw new Error(`${where} has no data_offsets; each tensor needs data_offsets: [begin, end] (bytes from the start of the data section)`);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0) || offsets[0] > offsets[1]) {
    throw new Error(`${where} has data_offsets ${JSON.stringify(offsets)}; they must be [begin, end], whole numbers with 0 ≤ begin ≤ end`);
  }
  const [begin, end] = offsets as [number, number];
  const needed = shape.reduce((a: number, b: number) => a * b, 1) * CODES[dtype].bytes;
  if (end - begin !== needed) {
    throw new Error(`${where} has data_offsets [${begin}, ${end}] (${end - begin} bytes at bytes ${dataStart + begin}..${dataStart + end} of the file), but shape [${shape}] of ${code} needs ${needed} bytes`);
  }
  return { name, dtype, shape, begin, end };
}

/**
 * The tensors must tile the data section exactly (what the reference implementation requires): from
 * byte 0 to the end of the file, in any header order, with no overlap, gap or trailing byte, so every
 * byte belongs to exactly one tensor and a damaged or spliced file cannot load as something else.
 */
function checkTiling(entries: readonly TensorEntry[], dataStart: number, fileLength: number, source: string): void {
  const at = (offset: number) => dataStart + offset; // offsets in errors are positions in the file
  for (const e of entries) {
    if (at(e.end) > fileLength) throw new Error(`${source} is truncated: tensor '${e.name}' needs bytes ${at(e.begin)}..${at(e.end)} but the file ends at byte ${fileLength}`);
  }
  const ordered = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  let previous: TensorEntry | undefined;
  for (const e of ordered) {
    if (e.begin < covered) {
      throw new Error(`${source}: tensor '${e.name}' at bytes ${at(e.begin)}..${at(e.end)} overlaps tensor '${previous!.name}' at bytes ${at(previous!.begin)}..${at(previous!.end)}`);
    }
    if (e.begin > covered) {
      throw new Error(`${source}: bytes ${at(covered)}..${at(e.begin)} belong to no tensor (a gap ${previous ? `after tensor '${previous.name}'` : 'at the start of the data'}, before tensor '${e.name}')`);
    }
    covered = e.end;
    if (e.end > e.begin || !previous) previous = e;
  }
  if (at(covered) < fileLength) {
    throw new Error(`${source}: ${fileLength - at(covered)} trailing bytes at bytes ${at(covered)}..${fileLength} after the last tensor${previous ? ` ('${previous.name}')` : ''}`);
  }
}

/**
 * Tensors and metadata from safetensors bytes; `source` (a file name) goes into every error. Strict
 * as the reference implementation is: each entry's dtype, shape and offsets are checked, and the
 * tensors must cover the data section exactly; errors name the tensor and the byte offsets.
 *
 * @throws Error when the bytes are not a Uint8Array, are truncated, have a header that is not JSON,
 *   a dtype other than F32 or F64, a bad shape or offsets, or bytes that belong to no tensor.
 */
export function decodeSafetensors(bytes: Uint8Array, source = 'safetensors data'): {
  /** The tensors in the order of their data, named as in the file. */
  tensors: Params;
  /** The header's __metadata__ (empty when it has none). */
  metadata: Record<string, string>;
} {
  if (!(bytes instanceof Uint8Array)) throw new Error(`${source}: expected the bytes as a Uint8Array (e.g. readFileSync(path), or new Uint8Array(arrayBuffer)), got ${describeValue(bytes)}`);
  const headerLength = readHeaderLength(bytes, source);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
  } catch (e) {
    throw new Error(`${source}: the header at bytes 8..${8 + headerLength} is not valid JSON (${(e as Error).message})`);
  }
  if (!header || typeof header !== 'object' || Array.isArray(header)) throw new Error(`${source}: the header at byte 8 is not a JSON object`);
  const dataStart = 8 + headerLength;
  const metadata = readMetadata((header as Record<string, unknown>).__metadata__, source);
  const entries = Object.entries(header).filter(([name]) => name !== '__metadata__').map(([name, info]) => readEntry(name, info, dataStart, source));
  checkTiling(entries, dataStart, bytes.length, source);
  // Keep the file's data order, which is the order we wrote (a JSON object's key order is not).
  const inDataOrder = [...entries].sort((a, b) => a.begin - b.begin);
  const tensors = inDataOrder.map((e) => [e.name, fromData(fromLittleEndian(bytes.subarray(dataStart + e.begin, dataStart + e.end), e.dtype), e.shape, e.name)] as [string, Tensor]);
  return { tensors: OrderedMap(tensors), metadata };
}

/**
 * A model and its params as safetensors bytes: the params as tensors, the spec as JSON in
 * __metadata__.spec, so the bytes load on their own (what saveModel writes; in a browser, store or
 * download these bytes yourself).
 *
 * @param options Where errors start (a string, default 'encodeModel'), or { source, state }: the layer state to store beside the params.
 * @throws Error when the params are not exactly the model's names, shapes and dtype.
 * @example
 * ```ts
 * import { decodeModel, encodeModel, mlp } from '@chainrule/nn';
 * const model = mlp([2, 4, 1]);
 * const bytes = encodeModel(model, model.init(0)); // store or download them
 * const { model: again, params } = decodeModel(bytes);
 * ```
 */
export function encodeModel(model: Model, params: Params, options: string | EncodeModelOptions = {}): Uint8Array {
  const { source = 'encodeModel', state } = typeof options === 'string' ? { source: options } : options;
  checkAgainstSpec(source, model, params);
  const layerState = stateToSave(source, model, state);
  const tensors = layerState.size === 0 ? params : params.concat(layerState.mapKeys((k) => `${STATE_PREFIX}${k}`));
  return encodeSafetensors(tensors, { format: 'chainrule', spec: JSON.stringify(model.toJSON()) });
}

/** Options of {@link encodeModel}. */
export interface EncodeModelOptions {
  /** Starts every error (default 'encodeModel'). */
  readonly source?: string;
  /** The layer state to store with the params (FitResult.state); needed when the model has stateful layers (batchNorm). */
  readonly state?: ModelState;
}

/** Layer state rides in model files and checkpoints under this prefix: 'state/bn1/runningMean'. */
export const STATE_PREFIX = 'state/';

/** The state to store for a model: checked, and required when the model keeps any. */
export function stateToSave(source: string, model: Model, state: ModelState | undefined): ModelState {
  if (state === undefined) {
    if (model.stateShapes.size === 0) return OrderedMap();
    throw new Error(`${source}: the model keeps layer state (${model.stateShapes.keySeq().join(', ')}); pass it too (FitResult.state), or predictions after loading would use untrained running statistics`);
  }
  checkAgainstSpec(`${source}: state`, model, state, { shapes: model.stateShapes, what: 'layer state', make: 'model.initState()' });
  return state;
}

/** The layer state among a file's tensors, in the model's order, checked; empty for a model without state. */
export function stateInFile(source: string, model: Model, tensors: OrderedMap<string, Tensor>): ModelState {
  const found = tensors.filter((_, k) => k.startsWith(STATE_PREFIX)).mapKeys((k) => k.slice(STATE_PREFIX.length));
  if (found.size === 0 && model.stateShapes.size > 0) {
    throw new Error(`${source}: the model keeps layer state (${model.stateShapes.keySeq().join(', ')}) but the file has no '${STATE_PREFIX}…' tensors; save it with its state`);
  }
  checkAgainstSpec(source, model, found, { shapes: model.stateShapes, what: 'layer state', make: 'model.initState()' });
  return OrderedMap<string, Tensor>(model.stateShapes.keySeq().map((k) => [k, found.get(k)!] as const));
}

/** Options of {@link decodeModel}. */
export interface DecodeModelOptions {
  /** Load into this architecture instead of the spec in the bytes (names, shapes and dtypes are checked either way). */
  readonly model?: Model;
  /** A name for the bytes (a file name or URL) that every error starts with. */
  readonly source?: string;
}

/** The metadata key that marks a checkpoint (its format version), as checkpoint.ts writes it. */
const CHECKPOINT_KEY = 'chainrule.checkpoint';

/** The model a chainrule file describes, from __metadata__.spec; errors name the file. */
function modelInFile(metadata: Record<string, string>, source: string): Model | undefined {
  if (metadata.spec === undefined) return undefined;
  let spec: SequentialJSON;
  try {
    spec = JSON.parse(metadata.spec);
  } catch (e) {
    throw new Error(`${source}: __metadata__.spec is not valid JSON (${(e as Error).message})`);
  }
  try {
    return fromSpec(spec);
  } catch (e) {
    throw new Error(`${source}: the model spec in __metadata__.spec is invalid: ${(e as Error).message}`);
  }
}

/** Why a safetensors file without a chainrule spec cannot load on its own (e.g. a PyTorch state_dict). */
function foreignFileError(tensorNames: readonly string[], source: string): Error {
  const shown = tensorNames.slice(0, 4).join(', ') + (tensorNames.length > 4 ? `, … (${tensorNames.length} tensors)` : '');
  return new Error(
    `${source} is a safetensors file but not a chainrule model: its __metadata__ has no chainrule spec (no 'spec' key) `
    + `to say which architecture the tensors${shown ? ` (${shown})` : ''} belong to; if the tensor names match a model's parameter `
    + `names (such as 'dense0/w'), load it into that model with loadModel(path, { model }) or decodeModel(bytes, { model })`,
  );
}

/**
 * The model a file was saved from and the model it is loaded into are the same architecture: same
 * inputs, dtype and layers (name, units, activation, bias; the initialiser no longer matters). Names
 * the first difference, which says more than the parameter shapes it causes.
 */
function checkSameArchitecture(saved: Model, wanted: Model, source: string): void {
  const other = `${source} holds a model of another architecture than the one passed`;
  const [a, b] = [saved.spec, wanted.spec];
  if (!a.inputShape.equals(b.inputShape)) {
    const text = (m: Model) => (m.inputShape.length === 1 ? `${m.inputs} inputs` : `inputs of shape [${m.inputShape.join(',')}]`);
    throw new Error(`${other}: the file's model takes ${text(saved)}, the model passed ${text(wanted)}`);
  }
  if (a.dtype !== b.dtype) throw new Error(`${other}: the file's model is ${a.dtype}, the model passed ${b.dtype}`);
  const n = Math.max(a.layers.size, b.layers.size);
  for (let i = 0; i < n; i++) {
    const [la, lb] = [a.layers.get(i), b.layers.get(i)];
    if (!la || !lb) throw new Error(`${other}: the file's model has ${a.layers.size} layers, the model passed ${b.layers.size} (layer ${i}, '${(la ?? lb)!.name}', is only in ${la ? 'the file' : 'the model passed'})`);
    if (la.name !== lb.name) throw new Error(`${other}: layer ${i} is named '${la.name}' in the file but '${lb.name}' in the model passed`);
    // The initialiser no longer matters once the weights exist.
    if (la.kind !== lb.kind || !la.config.delete('init').equals(lb.config.delete('init'))) {
      const shapes = (m: Model) => m.layers[i]!.params.map((p) => `${p.key} [${p.shape.join(',')}]`).join(', ');
      throw new Error(`${other}: layer ${i} ('${la.name}') is ${describeLayer(la)} (${shapes(saved)}) in the file but ${describeLayer(lb)} (${shapes(wanted)}) in the model passed`);
    }
  }
}

/**
 * The model and params in safetensors bytes made by encodeModel or saveModel. With `model`, the
 * file's own spec (if any) must describe the same architecture; a safetensors file from another tool
 * (no spec) loads only into a given model whose parameter names and shapes it matches.
 *
 * @throws Error when the bytes are not valid safetensors, hold no spec and no model is given, describe
 *   another architecture than `options.model` (naming the first difference), or their tensors do not
 *   match the model's parameter names, shapes and dtype.
 */
export function decodeModel(bytes: Uint8Array, options: DecodeModelOptions = {}): {
  /** The model: the one given, or the one the bytes describe. */
  model: Model;
  /** Its params, in the model's order. */
  params: Params;
  /** Its layer state (empty for a model without stateful layers). */
  state: ModelState;
} {
  const source = options.source ?? 'safetensors data';
  const { tensors, metadata } = decodeSafetensors(bytes, source);
  const names = [...tensors.keys()];
  const saved = modelInFile(metadata, source);
  if (!saved && !options.model) throw foreignFileError(names, source);
  if (saved && options.model) checkSameArchitecture(saved, options.model, source);
  const model = options.model ?? saved!;
  // A checkpoint (saveCheckpoint, checkpoint.ts) holds the params under these names beside its
  // training state (optimiser slots): the model is its params; anywhere else a stray name is an error.
  const own = metadata[CHECKPOINT_KEY] === undefined ? tensors.filter((_, k) => !k.startsWith(STATE_PREFIX)) : tensors.filter((_, k) => model.paramShapes.has(k));
  // Params in the model's order, whatever order the bytes had.
  checkAgainstSpec(source, model, own);
  const params = OrderedMap<string, Tensor>(model.paramShapes.keySeq().map((k) => [k, own.get(k)!] as const));
  return { model, params, state: stateInFile(source, model, tensors) };
}
