/**
 * The safetensors format (readable by numpy/PyTorch tools) on bytes: an 8-byte little-endian header
 * length, a JSON header {name: {dtype, shape, data_offsets}, __metadata__}, then the raw
 * little-endian data. A model rides along as its spec in __metadata__.spec (encodeModel/decodeModel).
 * No files here, so this bundles for the browser; saveModel and loadModel (files.ts, Node only)
 * put these bytes on disk.
 */
import { describeValue, fromData, Tensor, type DType, type TypedArray } from '@chainrule/core';
import { Map as ImmutableMap, OrderedMap } from 'immutable';
import { fromSpec, type Model, type SequentialJSON } from './model.ts';
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

/** The bytes of a safetensors file holding `tensors` (in order) and string `metadata`. */
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

/** Tensors and metadata from safetensors bytes; `source` (a file name) goes into every error. */
export function decodeSafetensors(bytes: Uint8Array, source = 'safetensors data'): { tensors: Params; metadata: Record<string, string> } {
  if (!(bytes instanceof Uint8Array)) throw new Error(`${source}: expected the bytes as a Uint8Array (e.g. readFileSync(path), or new Uint8Array(arrayBuffer)), got ${describeValue(bytes)}`);
  if (bytes.length < 8) throw new Error(`${source} is truncated: it has ${bytes.length} bytes, but the 8-byte header length at byte 0 needs 8`);
  const headerLength = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  if (8 + headerLength > bytes.length) {
    throw new Error(`${source} is truncated: the header needs bytes 8..${8 + headerLength} but the file ends at byte ${bytes.length}`);
  }
  let header: Record<string, any>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
  } catch (e) {
    throw new Error(`${source}: the header at bytes 8..${8 + headerLength} is not valid JSON (${(e as Error).message})`);
  }
  if (!header || typeof header !== 'object' || Array.isArray(header)) throw new Error(`${source}: the header at byte 8 is not a JSON object`);
  const dataStart = 8 + headerLength;
  const metadata = (header.__metadata__ ?? {}) as Record<string, string>;
  const entries: [string, Tensor][] = [];
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const dtype = DTYPE_OF[info?.dtype];
    if (!dtype) throw new Error(`${source}: tensor '${name}' has dtype ${JSON.stringify(info?.dtype)}; supported: 'F32', 'F64'`);
    const shape = info.shape as number[];
    const [begin, end] = info.data_offsets as [number, number];
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) throw new Error(`${source}: tensor '${name}' has invalid shape ${JSON.stringify(shape)}`);
    const size = shape.reduce((a, b) => a * b, 1);
    if (!Number.isInteger(begin) || !Number.isInteger(end) || end - begin !== size * CODES[dtype].bytes || begin < 0) {
      throw new Error(`${source}: tensor '${name}' has data_offsets [${begin}, ${end}], which do not hold ${size} ${info.dtype} values of shape [${shape}]`);
    }
    if (dataStart + end > bytes.length) {
      throw new Error(`${source} is truncated: tensor '${name}' needs bytes ${dataStart + begin}..${dataStart + end} but the file ends at byte ${bytes.length}`);
    }
    const data = fromLittleEndian(bytes.subarray(dataStart + begin, dataStart + end), dtype);
    entries.push([name, fromData(data, shape, name)]);
  }
  // The header is a JSON object: keep the file's data order, which is the order we wrote.
  entries.sort((a, b) => (header[a[0]].data_offsets[0] as number) - (header[b[0]].data_offsets[0] as number));
  return { tensors: OrderedMap(entries), metadata };
}

/**
 * A model and its params as safetensors bytes: the params as tensors, the spec as JSON in
 * __metadata__.spec, so the bytes load on their own (what saveModel writes; in a browser, store or
 * download these bytes yourself).
 */
export function encodeModel(model: Model, params: Params, source = 'encodeModel'): Uint8Array {
  checkAgainstSpec(source, model, params);
  return encodeSafetensors(params, { format: 'chainrule', spec: JSON.stringify(model.toJSON()) });
}

export interface DecodeModelOptions {
  /** Load into this architecture instead of the spec in the bytes (names, shapes and dtypes are checked either way). */
  readonly model?: Model;
  /** A name for the bytes (a file name or URL) that every error starts with. */
  readonly source?: string;
}

/** The model and params in safetensors bytes made by encodeModel or saveModel. */
export function decodeModel(bytes: Uint8Array, options: DecodeModelOptions = {}): { model: Model; params: Params } {
  const source = options.source ?? 'safetensors data';
  const { tensors, metadata } = decodeSafetensors(bytes, source);
  let model = options.model;
  if (!model) {
    if (typeof metadata.spec !== 'string') throw new Error(`${source}: no model spec in __metadata__.spec; pass { model } to say which architecture to load into`);
    let spec: SequentialJSON;
    try {
      spec = JSON.parse(metadata.spec);
    } catch (e) {
      throw new Error(`${source}: __metadata__.spec is not valid JSON (${(e as Error).message})`);
    }
    model = fromSpec(spec);
  }
  // Params in the model's order, whatever order the bytes had.
  checkAgainstSpec(source, model, tensors);
  const params = OrderedMap<string, Tensor>(model.paramShapes.keySeq().map((k) => [k, tensors.get(k)!] as const));
  return { model, params };
}
