/** @chainrule/core: immutable tensors, ops with VJPs, reverse-mode autodiff and gradcheck. */
import './methods.ts';

export { Tensor, type Node, type NestedArray } from './tensor.ts';
export { assertDType, type DType, type TypedArray } from './dtype.ts';
export { takeRows } from './rows.ts';
export { toIntegers, type Labels } from './labels.ts';
export type { Shape } from './shape.ts';
export { broadcastShapes, sizeOf } from './shape.ts';
export * from './creation.ts';
export { Rng, rng, randn, randUniform, type RandomOptions, type RngState } from './random.ts';
export { defineOp, registeredOps, getOp, type OpDef, type OpSpec, type Allocate, type OpSample, type SamplerTypes, type Computed, type Vjp } from './ops/define.ts';
export { builtinOps, type BuiltinOpName } from './ops/builtins.ts';
export * from './ops/elementwise.ts';
export * from './ops/compare.ts';
export { sigmoid, relu, leakyRelu, softplus, softmax, logSoftmax, gelu } from './ops/activation.ts';
export { sum, mean, max, min, logsumexp, variance, sumOfSquares, type Axis } from './ops/reduce.ts';
export { matmul, linear } from './ops/linalg.ts';
export { softmaxCrossEntropy } from './ops/cross-entropy.ts';
export { reshape, permute, transpose, broadcastTo, slice, pad, concat, stack, expandDims, squeeze, flatten, gather, oneHot } from './ops/shape.ts';
export type { TensorLike } from './ops/util.ts';
export { grad, valueAndGrad, gradientTarget, sumToShape, type GradOptions } from './autodiff/grad.ts';
export { noGrad, nameScope, isRecording } from './autodiff/state.ts';
export { topologicalOrder } from './autodiff/topological.ts';
export type { Tree } from './autodiff/tree.ts';
export { fuse, fma, Expr, type Fused } from './fuse.ts';
export { gradcheck, type GradcheckOptions } from './gradcheck.ts';
export { setDebug, isDebug, firstNonFinite } from './debug.ts';
/** How a value reads in an error message: 'the string "2"', 'the number 2', 'an array of length 3', 'an Immutable List', 'a Float32Array'. */
export { describeValue } from './describe-value.ts';
/** Where numbers live: the kernel set in use (`backend`, `setBackend`, `ready`, `loadKernels`), and buffer reuse (`reusing`, `expose`). */
export { backend, ready, setBackend, loadKernels, type BackendName, type LoadKernelsOptions, type KernelBinary } from './backend/active.ts';
export { reusing, expose, type ReuseOptions } from './backend/ownership.ts';
