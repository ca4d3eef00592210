/**
 * The kernel boundary. Ops call these and never loop over data themselves, so a faster set
 * (WebAssembly SIMD, threads) can replace any of them. Every kernel writes into `out`, which the
 * caller has just allocated; inputs are never modified.
 */
import type { TypedArray } from '../dtype.ts';
import type { FusedProgram } from './program.ts';

export type UnaryKernel =
  | 'neg' | 'exp' | 'log' | 'log1p' | 'sqrt' | 'abs' | 'sin' | 'cos' | 'tanh' | 'sigmoid'
  | 'relu' | 'leakyRelu' | 'softplus' | 'sign' | 'square' | 'reciprocal' | 'step';

export type BinaryKernel =
  | 'add' | 'sub' | 'mul' | 'div' | 'pow' | 'maximum' | 'minimum'
  | 'equal' | 'notEqual' | 'greater' | 'greaterEqual' | 'less' | 'lessEqual';

export type ReduceKernel = 'sum' | 'max' | 'min';

export interface Kernels {
  readonly name: string;
  /** out[i] = f(x[i]); `alpha` is the slope of leakyRelu. */
  unary(op: UnaryKernel, x: TypedArray, out: TypedArray, alpha: number): void;
  /** out = f(a, b) over `outShape`, reading a and b through broadcast strides (0 on broadcast dims). */
  binary(op: BinaryKernel, a: TypedArray, aStrides: readonly number[], b: TypedArray, bStrides: readonly number[], outShape: readonly number[], out: TypedArray): void;
  /** out = cond != 0 ? a : b, all three read through broadcast strides. */
  select(cond: TypedArray, cStrides: readonly number[], a: TypedArray, aStrides: readonly number[], b: TypedArray, bStrides: readonly number[], outShape: readonly number[], out: TypedArray): void;
  /** Reduces `axes` of x (shape `shape`) into out, whose size is the product of the kept dims. */
  reduce(op: ReduceKernel, x: TypedArray, shape: readonly number[], axes: readonly number[], out: TypedArray): void;
  /** out[m,n] = op(A) · op(B), where op transposes when asked; A is [m,k] (or [k,m]), B is [k,n] (or [n,k]). */
  matmul(a: TypedArray, b: TypedArray, out: TypedArray, m: number, k: number, n: number, transA: boolean, transB: boolean): void;
  /** out[m,n] = x[m,k] · w[k,n] + bias[n]: a dense layer's affine map in one call (PyTorch's addmm). */
  linear(x: TypedArray, w: TypedArray, bias: TypedArray, out: TypedArray, m: number, k: number, n: number): void;
  /** out (contiguous, `outShape`) = x read from `offset` with `strides`: permute, broadcast and slice. */
  copyStrided(x: TypedArray, offset: number, strides: readonly number[], outShape: readonly number[], out: TypedArray): void;
  /** Softmax (or log-softmax) along the middle axis of x viewed as [outer, len, inner]. */
  softmax(x: TypedArray, outer: number, len: number, inner: number, out: TypedArray, log: boolean): void;
  /** log Σ exp along the middle axis of x viewed as [outer, len, inner]; out is [outer, inner]. */
  logsumexp(x: TypedArray, outer: number, len: number, inner: number, out: TypedArray): void;
  /** out (contiguous, `outShape`) = x placed at `before` inside zeros: the adjoint of a slice. */
  pad(x: TypedArray, shape: readonly number[], before: readonly number[], outShape: readonly number[], out: TypedArray): void;
  /**
   * out[o, j, i] = x[o, idx[o, j, i], i], with x viewed as [outer, len, inner] and idx (and out) as
   * [outer, m, inner] (PyTorch's gather, NumPy's take_along_axis).
   */
  gather(x: TypedArray, outer: number, len: number, inner: number, indices: Int32Array, out: TypedArray): void;
  /** out[o, idx[o, j, i], i] += g[o, j, i]: the adjoint of gather (out is zeroed first). */
  scatterAdd(g: TypedArray, outer: number, len: number, inner: number, indices: Int32Array, out: TypedArray): void;
  /** Concatenates blocks: for each of `outer` rows, part p contributes `blocks[p]` contiguous values. */
  concat(parts: readonly TypedArray[], blocks: readonly number[], outer: number, out: TypedArray): void;
  /** out[i] = min(max(x[i], lo), hi). */
  clip(x: TypedArray, lo: number, hi: number, out: TypedArray): void;
  /**
   * Softmax cross-entropy of logits x [rows, len] against integer labels: writes softmax(x) into
   * `probs` and returns the mean over rows of −log softmax(x)[r, labels[r]].
   */
  crossEntropy(x: TypedArray, rows: number, len: number, labels: Int32Array, probs: TypedArray): number;
  /** out = (probs − onehot(labels)) · scale, the gradient of that mean (times scale). */
  crossEntropyGrad(probs: TypedArray, rows: number, len: number, labels: Int32Array, scale: number, out: TypedArray): void;
  /**
   * Runs a fused elementwise program (./program.ts) over arrays that all have one length and dtype:
   * `inputs.length` is program.inputs, `scalars.length` program.scalars, `outputs.length` program.outputs.
   */
  fused(program: FusedProgram, inputs: readonly TypedArray[], scalars: Float64Array, outputs: readonly TypedArray[]): void;
  /** Σ x[i]², accumulated in float64 (gradient norms). */
  sumSquares(x: TypedArray): number;
}
