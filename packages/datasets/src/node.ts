/// <reference types="node" />
/** @chainrule/datasets/node: the Node-only parts of datasets: IDX files and MNIST from disk. */
export { readIdx, type ReadIdxOptions } from './idx-file.ts';
export { loadMnist, mnistDataDir, mnistTrainStats, MNIST_FILES, type Mnist, type MnistOptions, type MnistSplit } from './mnist.ts';
