/**
 * A few thousand MNIST digits for the browser: the subset file the package ships (assets/mnist-subset.bin.gz,
 * built by scripts/build-mnist-subset.ts) decoded into the tensors loadMnist gives, from bytes or a URL.
 * Gzip is undone with the platform's DecompressionStream, so nothing here needs Node.
 */
import { describeValue, fromData, type Tensor } from '@chainrule/core';
import { isGzip, parseSubset, type SubsetSplitBytes } from './mnist-subset-format.ts';
import { checkOptions } from './validate.ts';

/** One split of the subset: the fields loadMnist returns, and where each digit came from. */
export interface MnistDigits {
  /** float32 [n, 784], row-major 28×28 images, in [0, 1] unless standardised. */
  readonly x: Tensor;
  /** float32 [n]: the labels as numbers, for losses that take class indices. */
  readonly y: Tensor;
  /** The labels 0–9. */
  readonly labels: Int32Array;
  /** Number of digits (the rows of x). */
  readonly n: number;
  /** Which MNIST set they were drawn from. */
  readonly split: 'train' | 'test';
  /** The row of each digit in the full MNIST split (increasing), e.g. to compare with loadMnist. */
  readonly mnistIndex: Int32Array;
  /** The scalar mean used when `standardize` is set (the full training set's, as loadMnist uses). */
  readonly mean?: number;
  /** The scalar standard deviation used when `standardize` is set. */
  readonly std?: number;
}

/** The shipped subset: 300 training and 100 test digits of each class, from {@link mnistSubsetFromBytes}. */
export interface MnistSubset {
  /** Digits from MNIST's training set. */
  readonly train: MnistDigits;
  /** Digits from MNIST's test set. */
  readonly test: MnistDigits;
}

/** Options of {@link mnistSubsetFromBytes} and {@link fetchMnistSubset}. */
export interface MnistSubsetOptions {
  /** Subtract the full training set's pixel mean and divide by its standard deviation, as loadMnist's `standardize` does. */
  readonly standardize?: boolean;
}

function toDigits(s: SubsetSplitBytes, split: 'train' | 'test', stats: { mean: number; std: number } | undefined): MnistDigits {
  const n = s.labels.length;
  // x = a·byte + b covers both [0, 1] scaling and standardising, with loadMnist's arithmetic (same float32 values).
  const a = stats ? 1 / (255 * stats.std) : 1 / 255;
  const b = stats ? -stats.mean / stats.std : 0;
  const x = new Float32Array(s.images.length);
  for (let i = 0; i < x.length; i++) x[i] = s.images[i]! * a + b;
  const labels = Int32Array.from(s.labels);
  return {
    x: fromData(x, [n, 784], `mnist-subset/${split}/x`),
    y: fromData(Float32Array.from(labels), [n], `mnist-subset/${split}/y`),
    labels,
    n,
    split,
    mnistIndex: Int32Array.from(s.index),
    ...(stats ? { mean: stats.mean, std: stats.std } : {}),
  };
}

/** Checks the options the loaders share; `where` is the function the user called. */
export function checkSubsetOptions(where: string, options: unknown): boolean {
  checkOptions(where, options, '{ standardize: true }');
  const standardize = (options as MnistSubsetOptions | undefined)?.standardize ?? false;
  if (typeof standardize !== 'boolean') throw new Error(`${where}: standardize must be true or false, got ${describeValue(standardize)}`);
  return standardize;
}

/** Decodes uncompressed subset bytes (internal: the Node loader gunzips synchronously, then calls this). */
export function subsetFromPlainBytes(bytes: Uint8Array, standardize: boolean, file: string): MnistSubset {
  const raw = parseSubset(bytes, file);
  const stats = standardize ? { mean: raw.mean, std: raw.std } : undefined;
  return { train: toDigits(raw.train, 'train', stats), test: toDigits(raw.test, 'test', stats) };
}

async function gunzip(bytes: Uint8Array, file: string): Promise<Uint8Array> {
  try {
    const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (e) {
    throw new Error(`MNIST subset ${file}: the gzip stream of ${bytes.length} bytes did not decompress (${(e as Error).message}): the file is truncated or corrupt`, { cause: e });
  }
}

/**
 * Decodes the MNIST subset file from its bytes, gzipped (as shipped) or not: the digits as loadMnist
 * returns them, plus each one's row in the full MNIST split.
 *
 * @param bytes - the file's bytes, e.g. from `fetch(url).then((r) => r.arrayBuffer())`.
 * @param options - `standardize` to subtract the training set's mean and divide by its deviation.
 * @returns train: 3 000 digits (300 per class) and test: 1 000 (100 per class) in the shipped file, each
 *   in MNIST's order: x float32 [n, 784], y float32 [n], labels, n, split, mnistIndex.
 * @throws Error when bytes is not a Uint8Array or ArrayBuffer, the gzip stream is corrupt, or the file is
 *   not a subset, is truncated or holds a bad label, naming the byte offset and what was expected.
 * @example
 * ```ts
 * import { mnistSubsetFromBytes } from '@chainrule/datasets';
 * const bytes = await (await fetch('/mnist-subset.bin.gz')).arrayBuffer();
 * const { train, test } = await mnistSubsetFromBytes(bytes);
 * train.x.shape;   // [3000, 784]
 * test.n;          // 1000
 * ```
 */
export async function mnistSubsetFromBytes(bytes: Uint8Array | ArrayBuffer, options: MnistSubsetOptions = {}): Promise<MnistSubset> {
  const standardize = checkSubsetOptions('mnistSubsetFromBytes', options);
  if (bytes instanceof ArrayBuffer) bytes = new Uint8Array(bytes);
  if (!(bytes instanceof Uint8Array)) throw new Error(`mnistSubsetFromBytes: expected the file's bytes as a Uint8Array or ArrayBuffer, got ${describeValue(bytes)}`);
  const file = '<bytes>';
  return subsetFromPlainBytes(isGzip(bytes) ? await gunzip(bytes, file) : bytes, standardize, file);
}

/**
 * Fetches and decodes the MNIST subset file. With a bundler, point `url` at the asset the package
 * exports as `@chainrule/datasets/assets/mnist-subset.bin.gz` (Vite: import it with `?url`), or serve a
 * copy. A server that sends it with `Content-Encoding: gzip` works too (the browser then undoes the gzip).
 *
 * @throws Error when the request fails or answers with a status other than 2xx (naming the URL), or the
 *   bytes are not a valid subset (see {@link mnistSubsetFromBytes}).
 * @example
 * ```ts
 * import { fetchMnistSubset } from '@chainrule/datasets';
 * import subsetUrl from '@chainrule/datasets/assets/mnist-subset.bin.gz?url';   // Vite
 * const { train } = await fetchMnistSubset(subsetUrl, { standardize: true });
 * ```
 */
export async function fetchMnistSubset(url: string | URL, options: MnistSubsetOptions = {}): Promise<MnistSubset> {
  const standardize = checkSubsetOptions('fetchMnistSubset', options);
  if (typeof url !== 'string' && !(url instanceof URL)) throw new Error(`fetchMnistSubset: url must be a string or URL, got ${describeValue(url)}`);
  let response: Response;
  try {
    response = await fetch(url);
  } catch (e) {
    throw new Error(`fetchMnistSubset: fetching ${String(url)} failed (${(e as Error).message})`, { cause: e });
  }
  if (!response.ok) throw new Error(`fetchMnistSubset: ${String(url)} answered ${response.status} ${response.statusText}`.trimEnd());
  const bytes = new Uint8Array(await response.arrayBuffer());
  const file = String(url);
  return subsetFromPlainBytes(isGzip(bytes) ? await gunzip(bytes, file) : bytes, standardize, file);
}
