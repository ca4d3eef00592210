/**
 * Our own reader (and writer) for the IDX format MNIST ships in:
 *   bytes 0–1  zero, byte 2 element type, byte 3 number of dimensions,
 *   then one big-endian uint32 per dimension, then the values, big-endian, row-major.
 * Every check names the file, the byte offset and what was expected. This file works on bytes and
 * bundles for the browser; readIdx, which reads a file, is in idx-file.ts (Node only).
 */
import { describeValue } from '@chainrule/core';

/** The element types an IDX file can hold: uint8, int8, int16, int32, float32 and float64, by their IDX names. */
export type IdxType = 'ubyte' | 'byte' | 'short' | 'int' | 'float' | 'double';
/** The values of an IDX file, in the typed array of its element type (`ubyte` → Uint8Array, …, `double` → Float64Array). */
export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

/** Type code (byte 2 of the magic number) → name and bytes per element. */
const TYPES: ReadonlyMap<number, { readonly type: IdxType; readonly size: number }> = new Map([
  [0x08, { type: 'ubyte', size: 1 }],
  [0x09, { type: 'byte', size: 1 }],
  [0x0b, { type: 'short', size: 2 }],
  [0x0c, { type: 'int', size: 4 }],
  [0x0d, { type: 'float', size: 4 }],
  [0x0e, { type: 'double', size: 8 }],
] as const);
const CODES: Readonly<Record<IdxType, number>> = { ubyte: 0x08, byte: 0x09, short: 0x0b, int: 0x0c, float: 0x0d, double: 0x0e };

/** What an IDX header says, checked against the file's length. */
export interface IdxHeader {
  /** The file's name, as used in error messages. */
  readonly file: string;
  /** The element type (byte 2 of the magic number). */
  readonly type: IdxType;
  /** Bytes per element. */
  readonly elementSize: number;
  /** The size of each dimension, outermost first (e.g. [60000, 28, 28] for MNIST's train images). */
  readonly dims: readonly number[];
  /** Byte offset where the values start (4 + 4 · ndims). */
  readonly dataOffset: number;
}

/** A decoded IDX file: its header and its values. */
export interface IdxArray extends IdxHeader {
  /** The values, row-major. For `ubyte` files this may be a view on the bytes that were read. */
  readonly data: IdxData;
  /** The dims written in the file; `dims` differs only when `readIdx`'s `limit` clipped dimension 0. */
  readonly fileDims: readonly number[];
}

/**
 * A malformed IDX file: `file`, `offset` and `expected` are also kept as fields for programs.
 * The message reads "IDX file <file>: at byte offset <offset>: expected <expected>, found <found>".
 */
export class IdxError extends Error {
  /**
   * @param file - the file's name.
   * @param offset - the byte offset where the file departs from the format.
   * @param expected - what the format needs there.
   * @param found - what the file has instead.
   */
  constructor(readonly file: string, readonly offset: number, readonly expected: string, found: string) {
    super(`IDX file ${file}: at byte offset ${offset}: expected ${expected}, found ${found}`);
    this.name = 'IdxError';
  }
}

const hex = (b: number): string => `0x${b.toString(16).padStart(2, '0')}`;

/**
 * Parses and checks the header against the total file length. `bytes` needs only the header
 * (it may be the whole file); the data size check uses `fileLength`, so a caller can check a
 * file without reading it all.
 *
 * @param bytes - at least the header: 4 + 4 · ndims bytes from the start of the file.
 * @param fileLength - the whole file's length in bytes.
 * @param file - the file's name, for error messages.
 * @throws IdxError when the magic number, the type code or the dims are wrong, or when the file's
 *   length is not exactly the header plus dims × element size.
 * @example
 * ```ts
 * import { encodeIdx, parseIdxHeader } from '@chainrule/datasets';
 * const bytes = encodeIdx('ubyte', [2, 3], [1, 2, 3, 4, 5, 6]);
 * parseIdxHeader(bytes, bytes.length, 'a.idx').dataOffset;   // 12
 * ```
 */
export function parseIdxHeader(bytes: Uint8Array, fileLength: number, file: string): IdxHeader {
  if (fileLength < 4) {
    throw new IdxError(file, fileLength, 'a 4-byte magic number (0x00 0x00 type ndims) at offset 0', `a truncated header: the file has only ${fileLength} bytes`);
  }
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    const got = [...bytes.subarray(0, 4)].map(hex).join(' ');
    throw new IdxError(file, bytes[0] !== 0 ? 0 : 1, 'a magic number starting 0x00 0x00 (0x00 0x00 type ndims)', `wrong magic number ${got}${bytes[0] === 0x1f && bytes[1] === 0x8b ? ' (a gzip file: decompress it first)' : ''}`);
  }
  const info = TYPES.get(bytes[2]!);
  if (!info) {
    throw new IdxError(file, 2, 'an element type code 0x08 (ubyte), 0x09 (byte), 0x0b (short), 0x0c (int), 0x0d (float) or 0x0e (double)', `unknown type code ${hex(bytes[2]!)}`);
  }
  const ndims = bytes[3]!;
  if (ndims === 0) throw new IdxError(file, 3, 'at least 1 dimension', '0 dimensions');
  const dataOffset = 4 + 4 * ndims;
  if (fileLength < dataOffset) {
    const dim = Math.floor((fileLength - 4) / 4);
    throw new IdxError(file, fileLength, `a ${dataOffset}-byte header (${ndims} dimension sizes of 4 bytes each after the magic number)`, `a truncated header: the file ends at byte ${fileLength}, inside the size of dimension ${dim}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, dataOffset);
  const dims: number[] = [];
  for (let i = 0; i < ndims; i++) dims.push(view.getUint32(4 + 4 * i, false));
  const count = dims.reduce((a, b) => a * b, 1);
  const expectedLength = dataOffset + count * info.size;
  if (fileLength !== expectedLength) {
    const shape = `[${dims.join(', ')}]`;
    const what = `${count} ${info.type} values (dims ${shape} × ${info.size} byte${info.size > 1 ? 's' : ''}) from offset ${dataOffset}, so a file of ${expectedLength} bytes`;
    throw fileLength < expectedLength
      ? new IdxError(file, fileLength, what, `a truncated file: it ends at byte ${fileLength}, ${expectedLength - fileLength} bytes short (dims do not match the file size)`)
      : new IdxError(file, expectedLength, what, `${fileLength - expectedLength} extra byte${fileLength - expectedLength > 1 ? 's' : ''} after the data (dims do not match the file size: ${fileLength} bytes)`);
  }
  return { file, type: info.type, elementSize: info.size, dims, dataOffset };
}

/** Decodes `count` big-endian values of the header's type starting at `bytes[0]` (internal: not exported by the package). */
export function decodeIdxValues(header: IdxHeader, bytes: Uint8Array, count: number): IdxData {
  switch (header.type) {
    case 'ubyte': return bytes.subarray(0, count);
    case 'byte': return new Int8Array(bytes.buffer, bytes.byteOffset, count);
  }
  // Multi-byte values are big-endian, so they can't be viewed in place on little-endian machines.
  const view = new DataView(bytes.buffer, bytes.byteOffset, count * header.elementSize);
  switch (header.type) {
    case 'short': { const out = new Int16Array(count); for (let i = 0; i < count; i++) out[i] = view.getInt16(2 * i, false); return out; }
    case 'int': { const out = new Int32Array(count); for (let i = 0; i < count; i++) out[i] = view.getInt32(4 * i, false); return out; }
    case 'float': { const out = new Float32Array(count); for (let i = 0; i < count; i++) out[i] = view.getFloat32(4 * i, false); return out; }
    case 'double': { const out = new Float64Array(count); for (let i = 0; i < count; i++) out[i] = view.getFloat64(8 * i, false); return out; }
  }
}

/**
 * Parses a whole IDX file held in memory (fetched in a browser, say). `fileName` only appears in error messages.
 *
 * @returns the header and the values; for `ubyte` files `data` is a view on `bytes`, not a copy.
 * @throws IdxError when the bytes are not a well-formed IDX file, naming the byte offset and what was expected.
 * @throws Error when bytes is not a Uint8Array.
 * @example
 * ```ts
 * import { parseIdx } from '@chainrule/datasets';
 * const bytes = new Uint8Array(await (await fetch('t10k-labels-idx1-ubyte')).arrayBuffer());
 * const { dims, data } = parseIdx(bytes, 't10k-labels');   // dims [10000], data a Uint8Array
 * ```
 */
export function parseIdx(bytes: Uint8Array, fileName = '<bytes>'): IdxArray {
  if (!(bytes instanceof Uint8Array)) throw new Error(`parseIdx: expected the file's bytes as a Uint8Array, got ${describeValue(bytes)}`);
  const header = parseIdxHeader(bytes, bytes.length, fileName);
  const count = header.dims.reduce((a, b) => a * b, 1);
  return { ...header, fileDims: header.dims, data: decodeIdxValues(header, bytes.subarray(header.dataOffset), count) };
}

/** The values each integer type holds; anything else would be wrapped or truncated silently by DataView. */
const INTEGER_RANGES: Partial<Record<IdxType, readonly [number, number]>> = { ubyte: [0, 255], byte: [-128, 127], short: [-32768, 32767], int: [-(2 ** 31), 2 ** 31 - 1] };

/** encodeIdx's arguments: a known type, dims a header can hold, and values the type can represent exactly. */
function checkEncodable(type: IdxType, dims: readonly number[], values: ArrayLike<number>): void {
  if (!Object.prototype.hasOwnProperty.call(CODES, type)) throw new Error(`encodeIdx: unknown type ${describeValue(type)}; valid types: ${Object.keys(CODES).map((t) => `'${t}'`).join(', ')}`);
  if (!Array.isArray(dims)) throw new Error(`encodeIdx: dims must be an array of sizes, got ${describeValue(dims)}`);
  if (dims.length < 1 || dims.length > 255) throw new Error(`encodeIdx: IDX files hold 1 to 255 dimensions, got ${dims.length}`);
  dims.forEach((d, i) => {
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0 || d > 2 ** 32 - 1) throw new Error(`encodeIdx: dimension ${i} must be a whole number from 0 to 2^32 − 1 (a uint32 in the header), got ${describeValue(d)}`);
  });
  const count = dims.reduce((a, b) => a * b, 1);
  if (values?.length !== count) throw new Error(`encodeIdx: ${values?.length} values do not fill dims [${dims.join(', ')}] (${count} needed)`);
  const range = INTEGER_RANGES[type];
  for (let i = 0; i < count; i++) {
    const v = values[i];
    const ok = typeof v === 'number' && (!range || (Number.isInteger(v) && v >= range[0] && v <= range[1]));
    if (!ok) throw new Error(`encodeIdx: the value at index ${i} is ${describeValue(v)}, not ${range ? `an integer in ${range[0]}..${range[1]}, as ${type} needs` : 'a number'}`);
  }
}

/**
 * Encodes values as an IDX file (for tests and for writing small data sets).
 *
 * @param dims - 1 to 255 sizes, outermost first; their product is the number of values.
 * @param values - row-major; each must fit the type exactly (integers in range for the integer types).
 * @returns the file's bytes: header, then big-endian values.
 * @throws Error when the type is unknown, dims are not 1–255 whole numbers, the values do not fill dims,
 *   or a value is not representable in the type (naming its index).
 * @example
 * ```ts
 * import { encodeIdx, parseIdx } from '@chainrule/datasets';
 * const bytes = encodeIdx('float', [2, 2], [0.5, 1, 1.5, 2]);
 * parseIdx(bytes).data;   // Float32Array [0.5, 1, 1.5, 2]
 * ```
 */
export function encodeIdx(type: IdxType, dims: readonly number[], values: ArrayLike<number>): Uint8Array {
  checkEncodable(type, dims, values);
  const count = dims.reduce((a, b) => a * b, 1);
  const size = TYPES.get(CODES[type])!.size;
  const dataOffset = 4 + 4 * dims.length;
  const out = new Uint8Array(dataOffset + count * size);
  const view = new DataView(out.buffer);
  out.set([0, 0, CODES[type], dims.length]);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  const set = {
    ubyte: (o: number, v: number) => view.setUint8(o, v),
    byte: (o: number, v: number) => view.setInt8(o, v),
    short: (o: number, v: number) => view.setInt16(o, v, false),
    int: (o: number, v: number) => view.setInt32(o, v, false),
    float: (o: number, v: number) => view.setFloat32(o, v, false),
    double: (o: number, v: number) => view.setFloat64(o, v, false),
  }[type];
  for (let i = 0; i < count; i++) set(dataOffset + i * size, values[i]!);
  return out;
}
