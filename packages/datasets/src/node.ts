/// <reference types="node" />
/**
 * The Node-only parts of datasets: IDX files and MNIST from disk.
 *
 * @module @chainrule/datasets/node
 */
export { readIdx, type ReadIdxOptions } from './idx-file.ts';
export { loadMnist, mnistDataDir, mnistTrainStats, MNIST_FILES, type Mnist, type MnistOptions, type MnistSplit } from './mnist.ts';
export { loadMnistSubset, buildMnistSubset, MNIST_SUBSET_FILE, type LoadMnistSubsetOptions, type BuildMnistSubsetOptions } from './mnist-subset-node.ts';
