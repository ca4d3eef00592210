/**
 * Synthetic functions and grids, spirals, splits, augmentation and IDX bytes.
 * Everything here runs in a browser too; IDX files and MNIST from disk are in '@chainrule/datasets/node'.
 *
 * @module @chainrule/datasets
 * @document ../README.md
 */
export { parseIdx, parseIdxHeader, encodeIdx, IdxError, type IdxArray, type IdxHeader, type IdxType, type IdxData } from './idx.ts';
export { sampleFunction, functions, sincValue, type SyntheticFunction, type FunctionName, type SampleOptions, type SyntheticData, type Range } from './synthetic.ts';
export { meshgrid, type MeshgridOptions } from './meshgrid.ts';
export { spiral, type SpiralOptions } from './spiral.ts';
export { circles, type CirclesOptions } from './circles.ts';
export { xor, type XorOptions } from './xor.ts';
export { blobs, type BlobsOptions } from './blobs.ts';
export type { LabelledPoints } from './labelled-points.ts';
export { trainTestSplit, type Split, type SplitOptions } from './split.ts';
/** Row selection lives in core (one implementation for splits and batches); re-exported for convenience. */
export { takeRows } from '@chainrule/core';
export { mnistSubsetFromBytes, fetchMnistSubset, type MnistSubset, type MnistDigits, type MnistSubsetOptions } from './mnist-subset.ts';
export { shiftImages, type ShiftOptions } from './augment.ts';
