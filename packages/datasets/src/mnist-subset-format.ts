/**
 * The file format of the MNIST subset shipped for browsers: a few thousand digits with their labels,
 * their rows in the full MNIST files, and the full training set's pixel statistics, in one file that
 * needs no parser beyond this one. All numbers little-endian:
 *
 *   bytes 0–6   'CRMNIST', byte 7 the format version (1)
 *   8  uint32 nTrain   12 uint32 nTest   16 uint32 rows (28)   20 uint32 cols (28)
 *   24 float64 mean    32 float64 std    (of all 60 000 training images' pixels in [0, 1])
 *   40 the train split, then the test split, each: n uint32 MNIST row indices (increasing),
 *      n uint8 labels (0–9), n·rows·cols uint8 pixels (row-major images).
 *
 * Every check names the file, the byte offset, what was expected and what was found.
 */
import { describeValue } from '@chainrule/core';

/** 'CRMNIST' in ASCII: the first seven bytes of every subset file. */
const MAGIC = [0x43, 0x52, 0x4d, 0x4e, 0x49, 0x53, 0x54];
const VERSION = 1;
const HEADER_BYTES = 40;
const SIDE = 28;
const PIXELS = SIDE * SIDE;
/** Bytes per digit: its uint32 MNIST row, its label and its pixels. */
const DIGIT_BYTES = 4 + 1 + PIXELS;

/** One split of a subset as the file holds it: bytes, not tensors. */
export interface SubsetSplitBytes {
  /** n·784 pixels, 0–255, row-major 28×28 images. */
  readonly images: Uint8Array;
  /** n labels 0–9. */
  readonly labels: Uint8Array;
  /** The row of each digit in the full MNIST split, increasing. */
  readonly index: Uint32Array;
}

/** A whole subset as the file holds it. */
export interface SubsetBytes {
  readonly train: SubsetSplitBytes;
  readonly test: SubsetSplitBytes;
  /** Mean of the full training set's pixels in [0, 1], for standardising. */
  readonly mean: number;
  /** Their standard deviation (population). */
  readonly std: number;
}

/** An error that reads like IdxError's: where in which file, what was expected, what was found. */
function bad(file: string, offset: number, expected: string, found: string): Error {
  return new Error(`MNIST subset ${file}: at byte offset ${offset}: expected ${expected}, found ${found}`);
}

/** Whether the bytes start like a gzip stream (RFC 1952's 0x1f 0x8b). */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Writes a subset in the format above (used by the build and by tests). */
export function encodeSubset(subset: SubsetBytes): Uint8Array {
  const { train, test } = subset;
  for (const [name, s] of [['train', train], ['test', test]] as const) {
    const n = s.labels.length;
    if (s.index.length !== n || s.images.length !== n * PIXELS) {
      throw new Error(`encodeSubset: the ${name} split has ${n} labels, ${s.index.length} indices and ${s.images.length} pixels; expected ${n}, ${n} and ${n}·${PIXELS}`);
    }
  }
  const out = new Uint8Array(HEADER_BYTES + (train.labels.length + test.labels.length) * DIGIT_BYTES);
  const view = new DataView(out.buffer);
  out.set([...MAGIC, VERSION]);
  [train.labels.length, test.labels.length, SIDE, SIDE].forEach((v, i) => view.setUint32(8 + 4 * i, v, true));
  view.setFloat64(24, subset.mean, true);
  view.setFloat64(32, subset.std, true);
  let at = HEADER_BYTES;
  for (const s of [train, test]) {
    s.index.forEach((v, i) => view.setUint32(at + 4 * i, v, true));
    at += 4 * s.index.length;
    out.set(s.labels, at);
    at += s.labels.length;
    out.set(s.images, at);
    at += s.images.length;
  }
  return out;
}

/** Checks the header and returns the two counts. */
function readHeader(bytes: Uint8Array, file: string): { nTrain: number; nTest: number; mean: number; std: number } {
  if (isGzip(bytes)) throw bad(file, 0, "the magic 'CRMNIST'", 'a gzip stream (0x1f 0x8b): decompress it first, or pass it to mnistSubsetFromBytes, which does');
  const magicEnd = Math.min(bytes.length, MAGIC.length);
  for (let i = 0; i < magicEnd; i++) {
    if (bytes[i] !== MAGIC[i]) throw bad(file, i, "the magic 'CRMNIST' in bytes 0–6", `the byte 0x${bytes[i]!.toString(16).padStart(2, '0')}: not a chainrule MNIST subset`);
  }
  if (bytes.length < HEADER_BYTES) throw bad(file, bytes.length, `a ${HEADER_BYTES}-byte header`, `the end of the file: it has only ${bytes.length} bytes`);
  if (bytes[7] !== VERSION) throw bad(file, 7, `format version ${VERSION}`, `version ${bytes[7]}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, HEADER_BYTES);
  const [nTrain, nTest, rows, cols] = [0, 1, 2, 3].map((i) => view.getUint32(8 + 4 * i, true)) as [number, number, number, number];
  if (rows !== SIDE) throw bad(file, 16, `${SIDE} rows per image`, `${rows}`);
  if (cols !== SIDE) throw bad(file, 20, `${SIDE} columns per image`, `${cols}`);
  const [mean, std] = [view.getFloat64(24, true), view.getFloat64(32, true)];
  if (!(mean >= 0 && mean <= 1)) throw bad(file, 24, 'the pixel mean, a float64 in [0, 1]', `${mean}`);
  if (!(std > 0 && std <= 1)) throw bad(file, 32, 'the pixel standard deviation, a float64 in (0, 1]', `${std}`);
  const expected = HEADER_BYTES + (nTrain + nTest) * DIGIT_BYTES;
  if (bytes.length < expected) {
    throw bad(file, bytes.length, `${nTrain} train and ${nTest} test digits of ${DIGIT_BYTES} bytes each after the header, so a file of ${expected} bytes`, `the end of the file, ${expected - bytes.length} bytes short (truncated)`);
  }
  if (bytes.length > expected) {
    throw bad(file, expected, `the end of the file (${nTrain} train and ${nTest} test digits make ${expected} bytes)`, `${bytes.length - expected} more bytes`);
  }
  return { nTrain, nTest, mean, std };
}

/** Reads one split at `at`, checking that indices increase and labels are digits. */
function readSplit(bytes: Uint8Array, at: number, n: number, file: string): SubsetSplitBytes {
  const view = new DataView(bytes.buffer, bytes.byteOffset + at, 4 * n);
  const index = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    index[i] = view.getUint32(4 * i, true);
    if (i > 0 && index[i]! <= index[i - 1]!) throw bad(file, at + 4 * i, `an MNIST row index above the previous one (${index[i - 1]})`, `${index[i]}`);
  }
  const labels = bytes.subarray(at + 4 * n, at + 5 * n);
  for (let i = 0; i < n; i++) {
    if (labels[i]! > 9) throw bad(file, at + 4 * n + i, 'a label 0–9', `${labels[i]}`);
  }
  return { index, labels, images: bytes.subarray(at + 5 * n, at + 5 * n + n * PIXELS) };
}

/**
 * Parses an uncompressed subset file; `images` and `labels` are views on `bytes`.
 *
 * @throws Error naming the file, the byte offset, what was expected and what was found, when the bytes
 *   are gzip, not a subset, another version, truncated or longer than their counts say, or hold a
 *   label over 9 or indices out of order.
 */
export function parseSubset(bytes: Uint8Array, file = '<bytes>'): SubsetBytes {
  if (!(bytes instanceof Uint8Array)) throw new Error(`MNIST subset ${file}: expected the file's bytes as a Uint8Array, got ${describeValue(bytes)}`);
  const { nTrain, nTest, mean, std } = readHeader(bytes, file);
  const train = readSplit(bytes, HEADER_BYTES, nTrain, file);
  const test = readSplit(bytes, HEADER_BYTES + nTrain * DIGIT_BYTES, nTest, file);
  return { train, test, mean, std };
}
