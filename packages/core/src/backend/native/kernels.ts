/**
 * The native kernel set: the addon's C++ kernels (`@chainrule/native`) on the tensors' own typed arrays,
 * float32 and float64, no copies. Every kernel runs natively; a call hands over to the reference set
 * only when it is too small to gain, or its shapes are beyond the addon's loops (rank over 8).
 */
import type { Kernels } from '../kernels.ts';
import { referenceKernels as ref } from '../reference/index.ts';
import { outStrides, plan2d, reduceBlock } from '../wasm/plan.ts';
import { BINARY_CODES, LEVEL_NAMES, MAX_RANK, UNARY_CODES, windowSizes, type NativeAddon } from './addon.ts';

/**
 * Calls smaller than these go to the reference set: V8 keeps typed arrays of up to 64 bytes inside its
 * heap, and handing one to an addon first moves it out (~1 µs, more than the JavaScript loop takes).
 */
const MIN_ELEMENTS = 32;
const MIN_MATMUL_FLOPS = 512; // m·k·n
const REDUCE_CODES = { sum: 0, max: 1, min: 2 } as const;

/**
 * Fused programs' scalars come in a fresh Float64Array of a few values, which V8 keeps on its heap: handed
 * over as it is, each call would move it out (a malloc, a copy, an ArrayBuffer for the collector). They are
 * copied into one off-heap array per length instead, reused by every call (kernels run synchronously).
 */
const scalarViews: Float64Array[] = [];
function offHeapScalars(values: Float64Array): Float64Array {
  const n = values.length;
  const view = (scalarViews[n] ??= new Float64Array(new ArrayBuffer(8 * n)));
  view.set(values);
  return view;
}

/**
 * fusedFlat's arguments (6 + the arrays), one reused array per count: no array is built per call.
 * Reflect.apply passes them as fast as a call written out (~0.38 µs either way for 5 arrays).
 */
const fusedArgsByCount: unknown[][] = [];
function fusedArgs(arrays: number): unknown[] {
  return (fusedArgsByCount[arrays] ??= new Array<unknown>(6 + arrays).fill(0));
}

/**
 * The kernel set over `addon` at code path `level` (0 portable, 1 AVX2+FMA, 2 AVX-512); named 'native-<level>'.
 * With `allNative` every call runs natively, however small (for tests).
 */
export function nativeKernelSet(addon: NativeAddon, level: number, allNative = false): Kernels {
  const name = `native-${LEVEL_NAMES[level]}`;
  const minElements = allNative ? 0 : MIN_ELEMENTS, minFlops = allNative ? 0 : MIN_MATMUL_FLOPS;

  const matmul: Kernels['matmul'] = (a, b, out, m, k, n, transA, transB) => {
    if (m * k * n < minFlops) { ref.matmul(a, b, out, m, k, n, transA, transB); return; }
    addon.gemm(level, m, n, k, a, transA, b, transB, null, out);
  };

  const linear: Kernels['linear'] = (x, w, bias, out, m, k, n) => {
    if (m * k * n < minFlops) { ref.linear(x, w, bias, out, m, k, n); return; }
    addon.gemm(level, m, n, k, x, false, w, false, bias, out);
  };

  const binary: Kernels['binary'] = (op, a, aStrides, b, bStrides, outShape, out) => {
    if (out.length < minElements || outShape.length > MAX_RANK) { ref.binary(op, a, aStrides, b, bStrides, outShape, out); return; }
    const plan = plan2d(outShape, aStrides, bStrides);
    if (!plan) { addon.binaryNd(BINARY_CODES[op], a, aStrides, b, bStrides, outShape, out); return; }
    addon.binary(BINARY_CODES[op], a, plan.aRow, plan.aInner, b, plan.bRow, plan.bInner, out, plan.outer, plan.inner);
  };

  const unary: Kernels['unary'] = (op, x, out, alpha) => {
    if (x.length < minElements) ref.unary(op, x, out, alpha);
    else addon.unary(UNARY_CODES[op], x, out, alpha);
  };

  const reduce: Kernels['reduce'] = (op, x, shape, axes, out) => {
    if (x.length < minElements || shape.length > MAX_RANK) { ref.reduce(op, x, shape, axes, out); return; }
    const block = reduceBlock(shape, axes);
    if (!block) addon.reduceNd(REDUCE_CODES[op], x, shape, outStrides(shape, axes), out);
    else if (op === 'sum') addon.sum3(x, block[0], block[1], block[2], out);
    else addon.extreme3(op === 'max', x, block[0], block[1], block[2], out);
  };

  const softmax: Kernels['softmax'] = (x, outer, len, inner, out, log) => {
    if (x.length < minElements) ref.softmax(x, outer, len, inner, out, log);
    else addon.softmax(x, outer, len, inner, out, log, level);
  };

  const logsumexp: Kernels['logsumexp'] = (x, outer, len, inner, out) => {
    if (x.length < minElements) ref.logsumexp(x, outer, len, inner, out);
    else addon.logsumexp(x, outer, len, inner, out, level);
  };

  const sumSquares: Kernels['sumSquares'] = (x) => (x.length < minElements ? ref.sumSquares(x) : addon.sumSquares(x));

  const fused: Kernels['fused'] = (program, inputs, scalars, outputs) => {
    // One length for all arrays (the kernel boundary checks it): the first one stands for all.
    if ((inputs[0] ?? outputs[0])!.length < minElements) { ref.fused(program, inputs, scalars, outputs); return; }
    const args = fusedArgs(inputs.length + outputs.length);
    args[0] = program.code; args[1] = program.inputs; args[2] = program.scalars; args[3] = program.temps; args[4] = program.outputs;
    args[5] = offHeapScalars(scalars);
    for (let i = 0; i < inputs.length; i++) args[6 + i] = inputs[i];
    for (let i = 0; i < outputs.length; i++) args[6 + inputs.length + i] = outputs[i];
    Reflect.apply(addon.fusedFlat, addon, args);
    args.fill(0, 5); // hold no arrays past the call
  };

  const select: Kernels['select'] = (cond, cStrides, a, aStrides, b, bStrides, outShape, out) => {
    if (out.length < minElements || outShape.length > MAX_RANK) ref.select(cond, cStrides, a, aStrides, b, bStrides, outShape, out);
    else addon.select(cond, cStrides, a, aStrides, b, bStrides, outShape, out);
  };

  const copyStrided: Kernels['copyStrided'] = (x, offset, strides, outShape, out) => {
    if (out.length < minElements || outShape.length > MAX_RANK) ref.copyStrided(x, offset, strides, outShape, out);
    else addon.copyStrided(x, offset, strides, outShape, out);
  };

  const pad: Kernels['pad'] = (x, shape, before, outShape, out) => {
    if (out.length < minElements || outShape.length > MAX_RANK) ref.pad(x, shape, before, outShape, out);
    else addon.pad(x, shape, before, outShape, out);
  };

  const gather: Kernels['gather'] = (x, outer, len, inner, indices, out) => {
    if (out.length < minElements) ref.gather(x, outer, len, inner, indices, out);
    else addon.gather(x, outer, len, inner, indices, out);
  };

  const scatterAdd: Kernels['scatterAdd'] = (g, outer, len, inner, indices, out) => {
    if (out.length < minElements) ref.scatterAdd(g, outer, len, inner, indices, out);
    else addon.scatterAdd(g, outer, len, inner, indices, out);
  };

  const takeRows: Kernels['takeRows'] = (x, rowLength, rows, out) => {
    if (out.length < minElements) ref.takeRows(x, rowLength, rows, out);
    else addon.takeRows(x, rowLength, rows, out);
  };

  const concat: Kernels['concat'] = (parts, blocks, outer, out) => {
    if (out.length < minElements) ref.concat(parts, blocks, outer, out);
    else addon.concat(parts, blocks, outer, out);
  };

  const clip: Kernels['clip'] = (x, lo, hi, out) => {
    if (x.length < minElements) ref.clip(x, lo, hi, out);
    else addon.clip(x, lo, hi, out);
  };

  const crossEntropy: Kernels['crossEntropy'] = (x, rows, len, labels, probs) =>
    (x.length < minElements ? ref.crossEntropy(x, rows, len, labels, probs) : addon.crossEntropy(x, rows, len, labels, probs, level));

  const crossEntropyGrad: Kernels['crossEntropyGrad'] = (probs, rows, len, labels, scale, out) => {
    if (out.length < minElements) ref.crossEntropyGrad(probs, rows, len, labels, scale, out);
    else addon.crossEntropyGrad(probs, rows, len, labels, scale, out);
  };

  // The window kernels: gated on the larger of their arrays (the columns, the image).
  const im2col: Kernels['im2col'] = (x, w, out) => {
    if (out.length < minElements) ref.im2col(x, w, out);
    else addon.im2col(x, windowSizes(w), out);
  };

  const col2im: Kernels['col2im'] = (cols, w, out) => {
    if (cols.length < minElements) ref.col2im(cols, w, out);
    else addon.col2im(cols, windowSizes(w), out);
  };

  const maxPool2d: Kernels['maxPool2d'] = (x, w, out, argmax) => {
    if (x.length < minElements) ref.maxPool2d(x, w, out, argmax);
    else addon.maxPool2d(x, windowSizes(w), out, argmax, level);
  };

  const avgPool2d: Kernels['avgPool2d'] = (x, w, out) => {
    if (x.length < minElements) ref.avgPool2d(x, w, out);
    else addon.avgPool2d(x, windowSizes(w), out);
  };

  const avgPool2dBackward: Kernels['avgPool2dBackward'] = (g, w, out) => {
    if (out.length < minElements) ref.avgPool2dBackward(g, w, out);
    else addon.avgPool2dBackward(g, windowSizes(w), out);
  };

  // Every kernel in C++ (packages/native/src); each hands small or unplannable calls to the reference set.
  return {
    name, matmul, linear, binary, unary, reduce, softmax, logsumexp, sumSquares, fused,
    select, copyStrided, pad, gather, scatterAdd, takeRows, concat, clip, crossEntropy, crossEntropyGrad,
    im2col, col2im, maxPool2d, avgPool2d, avgPool2dBackward,
  };
}
