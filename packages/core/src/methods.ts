/** Every op as a Tensor method too (x.add(y).relu().sum()), installed on the prototype. */
import * as act from './ops/activation.ts';
import * as cmp from './ops/compare.ts';
import * as ew from './ops/elementwise.ts';
import { matmul } from './ops/linalg.ts';
import * as red from './ops/reduce.ts';
import * as shp from './ops/shape.ts';
import type { DType } from './dtype.ts';
import type { NestedArray } from './tensor.ts';
import { Tensor } from './tensor.ts';
import type { TensorLike } from './ops/util.ts';
import type { Axis } from './ops/reduce.ts';

declare module './tensor.ts' {
  interface Tensor {
    add(b: TensorLike): Tensor; sub(b: TensorLike): Tensor; mul(b: TensorLike): Tensor; div(b: TensorLike): Tensor;
    pow(b: TensorLike): Tensor; maximum(b: TensorLike): Tensor; minimum(b: TensorLike): Tensor;
    neg(): Tensor; exp(): Tensor; log(): Tensor; sqrt(): Tensor; abs(): Tensor; sin(): Tensor; cos(): Tensor;
    tanh(): Tensor; square(): Tensor; clip(min: number, max: number): Tensor; cast(dtype: DType): Tensor;
    sigmoid(): Tensor; relu(): Tensor; leakyRelu(alpha?: number): Tensor; softplus(): Tensor; gelu(): Tensor;
    softmax(axis?: number): Tensor; logSoftmax(axis?: number): Tensor;
    equal(b: TensorLike): Tensor; notEqual(b: TensorLike): Tensor; greater(b: TensorLike): Tensor;
    greaterEqual(b: TensorLike): Tensor; less(b: TensorLike): Tensor; lessEqual(b: TensorLike): Tensor; sign(): Tensor; heaviside(): Tensor;
    sum(axis?: Axis, keepDims?: boolean): Tensor; mean(axis?: Axis, keepDims?: boolean): Tensor;
    max(axis?: Axis, keepDims?: boolean): Tensor; min(axis?: Axis, keepDims?: boolean): Tensor;
    logsumexp(axis?: Axis, keepDims?: boolean): Tensor; variance(axis?: Axis, keepDims?: boolean): Tensor;
    matmul(b: Tensor, options?: { transA?: boolean; transB?: boolean }): Tensor;
    reshape(shape: readonly number[]): Tensor; permute(perm: readonly number[]): Tensor; transpose(perm?: readonly number[]): Tensor;
    broadcastTo(shape: readonly number[]): Tensor; slice(begin: readonly number[], size?: readonly number[]): Tensor;
    pad(before: readonly number[], after: readonly number[]): Tensor; expandDims(axis: number): Tensor;
    squeeze(axis?: number | readonly number[]): Tensor; flatten(): Tensor;
    gather(indices: Tensor | Int32Array | NestedArray, axis: number): Tensor;
    /** This tensor followed by `others` along `axis`: x.concat([y, z], 1) is concat([x, y, z], 1). */
    concat(others: readonly Tensor[], axis?: number): Tensor;
    /** This tensor and `others` along a new axis: x.stack([y]) is stack([x, y]). */
    stack(others: readonly Tensor[], axis?: number): Tensor;
    /** This tensor of integer labels as one-hot rows of length `depth`. */
    oneHot(depth: number, options?: { dtype?: DType }): Tensor;
    where(a: TensorLike, b: TensorLike): Tensor;
  }
}

const methods: Record<string, (this: Tensor, ...args: any[]) => Tensor> = {
  add(b) { return ew.add(this, b); }, sub(b) { return ew.sub(this, b); }, mul(b) { return ew.mul(this, b); },
  div(b) { return ew.div(this, b); }, pow(b) { return ew.pow(this, b); }, maximum(b) { return ew.maximum(this, b); },
  minimum(b) { return ew.minimum(this, b); }, neg() { return ew.neg(this); }, exp() { return ew.exp(this); },
  log() { return ew.log(this); }, sqrt() { return ew.sqrt(this); }, abs() { return ew.abs(this); },
  sin() { return ew.sin(this); }, cos() { return ew.cos(this); }, tanh() { return ew.tanh(this); },
  square() { return ew.square(this); }, clip(lo, hi) { return ew.clip(this, lo, hi); }, cast(d) { return ew.cast(this, d); },
  sigmoid() { return act.sigmoid(this); }, relu() { return act.relu(this); }, leakyRelu(a) { return act.leakyRelu(this, a); },
  softplus() { return act.softplus(this); }, gelu() { return act.gelu(this); },
  softmax(axis) { return act.softmax(this, axis); }, logSoftmax(axis) { return act.logSoftmax(this, axis); },
  equal(b) { return cmp.equal(this, b); }, notEqual(b) { return cmp.notEqual(this, b); }, greater(b) { return cmp.greater(this, b); },
  greaterEqual(b) { return cmp.greaterEqual(this, b); }, less(b) { return cmp.less(this, b); },
  lessEqual(b) { return cmp.lessEqual(this, b); }, sign() { return cmp.sign(this); }, heaviside() { return cmp.heaviside(this); },
  sum(a, k) { return red.sum(this, a, k); }, mean(a, k) { return red.mean(this, a, k); }, max(a, k) { return red.max(this, a, k); },
  min(a, k) { return red.min(this, a, k); }, logsumexp(a, k) { return red.logsumexp(this, a, k); }, variance(a, k) { return red.variance(this, a, k); },
  matmul(b, o) { return matmul(this, b, o); },
  reshape(s) { return shp.reshape(this, s); }, permute(p) { return shp.permute(this, p); }, transpose(p) { return shp.transpose(this, p); },
  broadcastTo(s) { return shp.broadcastTo(this, s); }, slice(b, s) { return shp.slice(this, b, s); }, pad(b, a) { return shp.pad(this, b, a); },
  expandDims(a) { return shp.expandDims(this, a); }, squeeze(a) { return shp.squeeze(this, a); }, flatten() { return shp.flatten(this); },
  gather(i, a) { return shp.gather(this, i, a); }, where(a, b) { return ew.where(this, a, b); },
  concat(others, a) { return shp.concat([this, ...others], a); }, stack(others, a) { return shp.stack([this, ...others], a); },
  oneHot(depth, o) { return shp.oneHot(this, depth, o); },
};

Object.assign(Tensor.prototype, methods);
