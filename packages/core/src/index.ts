/**
 * Immutable tensors, ops with VJPs, reverse-mode autodiff (gradients of gradients too), gradcheck,
 * seeded random numbers, `fuse` and buffer reuse. Runs in browsers and Node; the Node-only part is
 * `@chainrule/core/node`, kernel sets are `@chainrule/core/backend`.
 *
 * @module @chainrule/core
 * @document ../README.md
 */
import './methods.ts';

export { Tensor, type Node, type NestedArray } from './tensor.ts';
export { assertDType, type DType, type TypedArray } from './dtype.ts';
export { takeRows } from './rows.ts';
export { toIntegers, type Labels } from './labels.ts';
export type { Shape } from './shape.ts';
export { broadcastShapes, sizeOf, formatShape, sameShape } from './shape.ts';
export * from './creation.ts';
export { Rng, rng, randn, randUniform, type RandomOptions, type RngState } from './random.ts';
export { defineOp, registeredOps, getOp, formulaOf, type OpDef, type OpFormula, type OpSpec, type Allocate, type OpSample, type SamplerTypes, type Computed, type Vjp, type Jvp } from './ops/define.ts';
export { builtinOps, type BuiltinOpName } from './ops/builtins.ts';
// Each family file exports its public functions and its tables (ops/table.ts), nothing else: an op added there is exported here.
export * from './ops/elementwise.ts';
export * from './ops/compare.ts';
export * from './ops/activation.ts';
export * from './ops/reduce.ts';
export * from './ops/linalg.ts';
export * from './ops/cross-entropy.ts';
export * from './ops/shape.ts';
export * from './ops/indexing.ts';
export * from './ops/conv.ts';
export * from './ops/pool.ts';
export type { TensorLike } from './ops/util.ts';
export { grad, valueAndGrad, gradientTarget, sumToShape, type GradOptions } from './autodiff/grad.ts';
export { backwardPass, BackwardPass, type BackwardStep } from './autodiff/backward.ts';
export { jvp } from './autodiff/jvp.ts';
export { jacobian, hessian, hvp, type JacobianOptions } from './autodiff/derivatives.ts';
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
