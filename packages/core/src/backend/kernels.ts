/**
 * The kernel boundary. Ops call these and never loop over data themselves, so a faster set
 * (WebAssembly SIMD, threads) can replace any of them. Every kernel writes into `out`, which the
 * caller has just allocated; inputs are never modified.
 */
import type { TypedArray } from '../dtype.ts';
import type { FusedProgram } from './program.ts';

/** The elementwise functions of one argument that `Kernels.unary` computes (`step` is 1 where x > 0, else 0). */
export type UnaryKernel =
  | 'neg' | 'exp' | 'log' | 'log1p' | 'sqrt' | 'abs' | 'sin' | 'cos' | 'tanh' | 'sigmoid'
  | 'relu' | 'leakyRelu' | 'softplus' | 'sign' | 'square' | 'reciprocal' | 'step';

/** The elementwise functions of two arguments that `Kernels.binary` computes; the comparisons give 1 or 0. */
export type BinaryKernel =
  | 'add' | 'sub' | 'mul' | 'div' | 'pow' | 'maximum' | 'minimum'
  | 'equal' | 'notEqual' | 'greater' | 'greaterEqual' | 'less' | 'lessEqual';

/** The reductions `Kernels.reduce` computes over some axes. */
export type ReduceKernel = 'sum' | 'max' | 'min';

/**
 * The geometry of a 2-D sliding window over images x [batch, channels, height, width] (NCHW), as the
 * convolution and pooling kernels read it. Window (oy, ox) covers rows oy·strideH − padH + ky·dilationH for
 * ky < kernelH (columns alike); positions outside the image are padding (zeros for im2col and average
 * pooling, −∞ for max pooling). `outH`×`outW` windows are taken (the op computes them, so padding may be
 * larger at the bottom and right than at the top and left, as PyTorch's `'same'` pads an even kernel).
 */
export interface Window2d {
  /** Images in the batch (N). */
  readonly batch: number;
  /** Channels per image (C). */
  readonly channels: number;
  /** Image height (H). */
  readonly height: number;
  /** Image width (W). */
  readonly width: number;
  /** Window height (KH). */
  readonly kernelH: number;
  /** Window width (KW). */
  readonly kernelW: number;
  /** Rows between windows. */
  readonly strideH: number;
  /** Columns between windows. */
  readonly strideW: number;
  /** Padding rows above the image. */
  readonly padH: number;
  /** Padding columns left of the image. */
  readonly padW: number;
  /** Rows between a window's taps (1: adjacent). */
  readonly dilationH: number;
  /** Columns between a window's taps (1: adjacent). */
  readonly dilationW: number;
  /** Windows down (OH). */
  readonly outH: number;
  /** Windows across (OW). */
  readonly outW: number;
}

/**
 * A kernel set: every loop over tensor data the engine runs. Ops call the active set's kernels
 * (`kernels()`), never loop themselves, so a set can be swapped with `setBackend`: the reference set
 * (plain TypeScript), the WebAssembly sets, or your own, in which any kernel left out is the reference
 * one. Arrays are row-major Float32Array or Float64Array, all of one dtype per call; every kernel writes
 * into an `out` the caller allocated and never changes its inputs. Calls go through the boundary's
 * checks, so a wrong length is an Error naming the kernel and the set, not an out-of-bounds write.
 *
 * @example
 * ```ts
 * import { kernels, referenceKernels, setBackend, type Kernels } from '@chainrule/core/backend';
 * const out = new Float32Array(2);
 * kernels().unary('exp', Float32Array.of(0, 1), out, 0);   // out = [1, 2.718…]
 * const matmul: Kernels['matmul'] = (...args) => { console.log('matmul'); referenceKernels.matmul(...args); };
 * setBackend({ name: 'logged', matmul });   // the other kernels: the reference ones
 * ```
 */
export interface Kernels {
  /** The set's name, which `backend()` reports: 'reference', 'wasm-simd', …, or a custom set's own. */
  readonly name: string;
  /**
   * out[i] = f(x[i]); `alpha` is the slope of leakyRelu (ignored by the others).
   *
   * @example
   * ```ts
   * const out = new Float32Array(3);
   * kernels().unary('relu', Float32Array.of(-1, 0, 2), out, 0);   // out = [0, 0, 2]
   * ```
   */
  unary(op: UnaryKernel, x: TypedArray, out: TypedArray, alpha: number): void;
  /**
   * out = f(a, b) over `outShape`, reading a and b through broadcast strides (0 on broadcast dims).
   *
   * @example
   * ```ts
   * const out = new Float32Array(4);   // [2,2] + [2] (a row broadcast down)
   * kernels().binary('add', Float32Array.of(1, 2, 3, 4), [2, 1], Float32Array.of(10, 20), [0, 1], [2, 2], out);   // [11, 22, 13, 24]
   * ```
   */
  binary(op: BinaryKernel, a: TypedArray, aStrides: readonly number[], b: TypedArray, bStrides: readonly number[], outShape: readonly number[], out: TypedArray): void;
  /**
   * out = cond != 0 ? a : b, all three read through broadcast strides.
   *
   * @example
   * ```ts
   * const out = new Float32Array(2);
   * kernels().select(Float32Array.of(1, 0), [1], Float32Array.of(5, 6), [1], Float32Array.of(0), [0], [2], out);   // [5, 0]
   * ```
   */
  select(cond: TypedArray, cStrides: readonly number[], a: TypedArray, aStrides: readonly number[], b: TypedArray, bStrides: readonly number[], outShape: readonly number[], out: TypedArray): void;
  /**
   * Reduces `axes` (distinct, ascending) of x (shape `shape`) into out, whose size is the product of the kept dims.
   *
   * @example
   * ```ts
   * const out = new Float32Array(2);   // row sums of [[1, 2, 3], [4, 5, 6]]
   * kernels().reduce('sum', Float32Array.of(1, 2, 3, 4, 5, 6), [2, 3], [1], out);   // [6, 15]
   * ```
   */
  reduce(op: ReduceKernel, x: TypedArray, shape: readonly number[], axes: readonly number[], out: TypedArray): void;
  /**
   * out[m,n] = op(A) · op(B), where op transposes when asked; A is [m,k] (or [k,m]), B is [k,n] (or [n,k]).
   *
   * @example
   * ```ts
   * const out = new Float32Array(1);   // [1,2] · [2,1]
   * kernels().matmul(Float32Array.of(1, 2), Float32Array.of(3, 4), out, 1, 2, 1, false, false);   // [11]
   * ```
   */
  matmul(a: TypedArray, b: TypedArray, out: TypedArray, m: number, k: number, n: number, transA: boolean, transB: boolean): void;
  /**
   * out[m,n] = x[m,k] · w[k,n] + bias[n]: a dense layer's affine map in one call (PyTorch's addmm).
   *
   * @example
   * ```ts
   * const out = new Float32Array(1);
   * kernels().linear(Float32Array.of(1, 2), Float32Array.of(3, 4), Float32Array.of(0.5), out, 1, 2, 1);   // [11.5]
   * ```
   */
  linear(x: TypedArray, w: TypedArray, bias: TypedArray, out: TypedArray, m: number, k: number, n: number): void;
  /**
   * out (contiguous, `outShape`) = x read from `offset` with `strides` (≥ 0): permute, broadcast and slice.
   *
   * @example
   * ```ts
   * const out = new Float32Array(6);   // the transpose of [[1, 2, 3], [4, 5, 6]]
   * kernels().copyStrided(Float32Array.of(1, 2, 3, 4, 5, 6), 0, [1, 3], [3, 2], out);   // [1, 4, 2, 5, 3, 6]
   * ```
   */
  copyStrided(x: TypedArray, offset: number, strides: readonly number[], outShape: readonly number[], out: TypedArray): void;
  /**
   * Softmax (or log-softmax, when `log`) along the middle axis of x viewed as [outer, len, inner]; out has x's size.
   *
   * @example
   * ```ts
   * const out = new Float32Array(2);
   * kernels().softmax(Float32Array.of(0, 0), 1, 2, 1, out, false);   // [0.5, 0.5]
   * ```
   */
  softmax(x: TypedArray, outer: number, len: number, inner: number, out: TypedArray, log: boolean): void;
  /**
   * log Σ exp along the middle axis of x viewed as [outer, len, inner]; out is [outer, inner].
   *
   * @example
   * ```ts
   * const out = new Float32Array(1);
   * kernels().logsumexp(Float32Array.of(0, 0), 1, 2, 1, out);   // [0.693…] (log 2)
   * ```
   */
  logsumexp(x: TypedArray, outer: number, len: number, inner: number, out: TypedArray): void;
  /**
   * out (contiguous, `outShape`) = x (shape `shape`) placed at offsets `before` inside zeros: the adjoint of a slice.
   *
   * @example
   * ```ts
   * const out = new Float32Array(4);
   * kernels().pad(Float32Array.of(7, 8), [2], [1], [4], out);   // [0, 7, 8, 0]
   * ```
   */
  pad(x: TypedArray, shape: readonly number[], before: readonly number[], outShape: readonly number[], out: TypedArray): void;
  /**
   * out[o, j, i] = x[o, idx[o, j, i], i], with x viewed as [outer, len, inner] and idx (and out) as
   * [outer, m, inner] (PyTorch's gather, NumPy's take_along_axis). Indices are in [0, len): the op checks them.
   *
   * @example
   * ```ts
   * const out = new Float32Array(2);   // pick columns 2 and 0 of the row [10, 20, 30]
   * kernels().gather(Float32Array.of(10, 20, 30), 1, 3, 1, Int32Array.of(2, 0), out);   // [30, 10]
   * ```
   */
  gather(x: TypedArray, outer: number, len: number, inner: number, indices: Int32Array, out: TypedArray): void;
  /**
   * out[i·rowLength + j] = x[rows[i]·rowLength + j]: the rows `rows` (in that order, repeats allowed) of x
   * viewed as rows of `rowLength` values, as a shuffled batch is cut from a data set. Rows are in range:
   * the caller checks them (`takeRows` of '@chainrule/core').
   *
   * @example
   * ```ts
   * const out = new Float32Array(4);   // rows 2 and 0 of [[1, 2], [3, 4], [5, 6]]
   * kernels().takeRows(Float32Array.of(1, 2, 3, 4, 5, 6), 2, Int32Array.of(2, 0), out);   // [5, 6, 1, 2]
   * ```
   */
  takeRows(x: TypedArray, rowLength: number, rows: Int32Array, out: TypedArray): void;
  /**
   * out[o, idx[o, j, i], i] += g[o, j, i]: the adjoint of gather (out is zeroed first; repeated indices add up).
   *
   * @example
   * ```ts
   * const out = new Float32Array(3);
   * kernels().scatterAdd(Float32Array.of(1, 2), 1, 3, 1, Int32Array.of(2, 2), out);   // [0, 0, 3]
   * ```
   */
  scatterAdd(g: TypedArray, outer: number, len: number, inner: number, indices: Int32Array, out: TypedArray): void;
  /**
   * Concatenates blocks: for each of `outer` rows, part p contributes `blocks[p]` contiguous values.
   *
   * @example
   * ```ts
   * const out = new Float32Array(6);   // [[1], [2]] beside [[3, 4], [5, 6]]
   * kernels().concat([Float32Array.of(1, 2), Float32Array.of(3, 4, 5, 6)], [1, 2], 2, out);   // [1, 3, 4, 2, 5, 6]
   * ```
   */
  concat(parts: readonly TypedArray[], blocks: readonly number[], outer: number, out: TypedArray): void;
  /**
   * out[i] = min(max(x[i], lo), hi).
   *
   * @example
   * ```ts
   * const out = new Float32Array(3);
   * kernels().clip(Float32Array.of(-5, 0.5, 5), 0, 1, out);   // [0, 0.5, 1]
   * ```
   */
  clip(x: TypedArray, lo: number, hi: number, out: TypedArray): void;
  /**
   * Softmax cross-entropy of logits x [rows, len] against integer labels: writes softmax(x) into
   * `probs` and returns the mean over rows of −log softmax(x)[r, labels[r]]. Labels are in [0, len): the op checks them.
   *
   * @example
   * ```ts
   * const probs = new Float32Array(2);
   * kernels().crossEntropy(Float32Array.of(0, 0), 1, 2, Int32Array.of(1), probs);   // 0.693… (log 2); probs = [0.5, 0.5]
   * ```
   */
  crossEntropy(x: TypedArray, rows: number, len: number, labels: Int32Array, probs: TypedArray): number;
  /**
   * out = (probs − onehot(labels)) · scale: with scale = dLoss / rows, the gradient of that mean loss.
   *
   * @example
   * ```ts
   * const out = new Float32Array(2);
   * kernels().crossEntropyGrad(Float32Array.of(0.5, 0.5), 1, 2, Int32Array.of(1), 1, out);   // [0.5, -0.5]
   * ```
   */
  crossEntropyGrad(probs: TypedArray, rows: number, len: number, labels: Int32Array, scale: number, out: TypedArray): void;
  /**
   * Runs a fused elementwise program (./program.ts) over arrays that all have one length and dtype:
   * `inputs.length` is program.inputs, `scalars.length` program.scalars, `outputs.length` program.outputs.
   *
   * @example
   * ```ts
   * import { fuse } from '@chainrule/core';
   * const f = fuse({ arrays: ['x'], scalars: ['a'] }, ({ x, a }) => ({ y: x.mul(a) }));
   * const out = new Float32Array(2);
   * kernels().fused(f.program, [Float32Array.of(1, 2)], f.scalarValues({ a: 3 }), [out]);   // [3, 6]
   * ```
   */
  fused(program: FusedProgram, inputs: readonly TypedArray[], scalars: Float64Array, outputs: readonly TypedArray[]): void;
  /**
   * Unfolds image patches into columns for convolution as one matrix product: out is
   * [channels·kernelH·kernelW, batch·outH·outW], row (c, ky, kx), column (n, oy, ox), holding the image value
   * that tap (ky, kx) of window (oy, ox) reads in channel c of image n (0 in the padding).
   *
   * @example
   * ```ts
   * const win = { batch: 1, channels: 1, height: 2, width: 2, kernelH: 2, kernelW: 2, strideH: 1, strideW: 1,
   *   padH: 0, padW: 0, dilationH: 1, dilationW: 1, outH: 1, outW: 1 };
   * const out = new Float32Array(4);
   * kernels().im2col(Float32Array.of(1, 2, 3, 4), win, out);   // [1, 2, 3, 4]: one window, four taps
   * ```
   */
  im2col(x: TypedArray, window: Window2d, out: TypedArray): void;
  /**
   * The adjoint of im2col: each column entry added back to the image value it was read from (padding
   * entries dropped); out [batch, channels, height, width] is overwritten.
   *
   * @example
   * ```ts
   * const win = { batch: 1, channels: 1, height: 1, width: 3, kernelH: 1, kernelW: 2, strideH: 1, strideW: 1,
   *   padH: 0, padW: 0, dilationH: 1, dilationW: 1, outH: 1, outW: 2 };
   * const out = new Float32Array(3);   // columns [[1, 1], [1, 1]]: the middle pixel is read twice
   * kernels().col2im(Float32Array.of(1, 1, 1, 1), win, out);   // [1, 2, 1]
   * ```
   */
  col2im(cols: TypedArray, window: Window2d, out: TypedArray): void;
  /**
   * Max pooling: out [batch, channels, outH, outW] is each window's largest value (padding never wins; NaN
   * does), and `argmax` (out's length) where it is, as an index y·width + x into its image's channel plane.
   * Every window must overlap the image.
   *
   * @example
   * ```ts
   * const win = { batch: 1, channels: 1, height: 2, width: 2, kernelH: 2, kernelW: 2, strideH: 2, strideW: 2,
   *   padH: 0, padW: 0, dilationH: 1, dilationW: 1, outH: 1, outW: 1 };
   * const out = new Float32Array(1), argmax = new Int32Array(1);
   * kernels().maxPool2d(Float32Array.of(1, 4, 3, 2), win, out, argmax);   // out = [4], argmax = [1]
   * ```
   */
  maxPool2d(x: TypedArray, window: Window2d, out: TypedArray, argmax: Int32Array): void;
  /**
   * Average pooling: out [batch, channels, outH, outW] is each window's sum over kernelH·kernelW (padding
   * counts as zeros in the divisor, PyTorch's `count_include_pad=True`).
   *
   * @example
   * ```ts
   * const win = { batch: 1, channels: 1, height: 2, width: 2, kernelH: 2, kernelW: 2, strideH: 2, strideW: 2,
   *   padH: 0, padW: 0, dilationH: 1, dilationW: 1, outH: 1, outW: 1 };
   * const out = new Float32Array(1);
   * kernels().avgPool2d(Float32Array.of(1, 4, 3, 2), win, out);   // [2.5]
   * ```
   */
  avgPool2d(x: TypedArray, window: Window2d, out: TypedArray): void;
  /**
   * The adjoint of avgPool2d: each of g's values [batch, channels, outH, outW] spread over its window,
   * divided by kernelH·kernelW; out [batch, channels, height, width] is overwritten.
   *
   * @example
   * ```ts
   * const win = { batch: 1, channels: 1, height: 2, width: 2, kernelH: 2, kernelW: 2, strideH: 2, strideW: 2,
   *   padH: 0, padW: 0, dilationH: 1, dilationW: 1, outH: 1, outW: 1 };
   * const out = new Float32Array(4);
   * kernels().avgPool2dBackward(Float32Array.of(8), win, out);   // [2, 2, 2, 2]
   * ```
   */
  avgPool2dBackward(g: TypedArray, window: Window2d, out: TypedArray): void;
  /**
   * Σ x[i]², accumulated in float64 (gradient norms).
   *
   * @example
   * ```ts
   * kernels().sumSquares(Float32Array.of(3, 4));   // 25
   * ```
   */
  sumSquares(x: TypedArray): number;
}
