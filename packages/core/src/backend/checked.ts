/**
 * The kernel boundary's checks, in one place: every kernel set is installed through `checkedKernels`,
 * which checks each call's sizes and lengths before the kernel runs, so no kernel of any set (reference,
 * WebAssembly, a user's) reads or writes outside its arrays. A bad call is an Error naming the kernel, the
 * set and the sizes. Each check is O(rank) or O(number of arrays), never a loop over the data; the index
 * values of gather, scatterAdd, takeRows and crossEntropy are checked by their ops (that is a loop over the indices).
 */
import { describeValue } from '../describe-value.ts';
import type { Kernels, Window2d } from './kernels.ts';
import { programError } from './program.ts';

type Say = (message: string) => Error;
type Check = (say: Say, ...args: any[]) => void;

function array(say: Say, name: string, x: unknown): number {
  if (!(x instanceof Float32Array || x instanceof Float64Array)) throw notFloats(say, name, x);
  return x.length;
}

const notFloats = (say: Say, name: string, x: unknown): Error => say(`${name} is ${describeValue(x)}, not a Float32Array or Float64Array`);

const isCount = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 0;

function count(say: Say, name: string, n: unknown): number {
  if (!isCount(n)) throw say(`${name} must be a non-negative whole number, got ${describeValue(n)}`);
  return n;
}

/** `why` says where n comes from (a fixed string: sizes go in through {@link fits} and {@link wrongLength}). */
function length(say: Say, name: string, x: unknown, n: number, why: string): void {
  if (array(say, name, x) !== n) throw wrongLength(say, name, x as ArrayLike<number>, n, why);
}

/**
 * Whether x, a float array (else the check throws), holds n values. The caller builds its message only
 * when this is false: a template or a closure per call was most of what the checks allocated.
 */
const fits = (say: Say, name: string, x: unknown, n: number): boolean => array(say, name, x) === n;

function wrongLength(say: Say, name: string, x: ArrayLike<number>, n: number, why: string): Error {
  return say(`${name} has ${x.length} values, expected ${n} (${why})`);
}

function sizeOfShape(say: Say, name: string, shape: unknown): number {
  if (!Array.isArray(shape)) throw say(`${name} must be an array of dimensions, got ${describeValue(shape)}`);
  let n = 1;
  for (let d = 0; d < shape.length; d++) {
    const size: unknown = shape[d];
    if (!isCount(size)) throw say(`${name}[${d}] must be a non-negative whole number, got ${describeValue(size)}`);
    n *= size;
  }
  return n;
}

const fmt = (s: readonly number[]) => `[${s.join(',')}]`;

/** x read with `strides` (≥ 0) from `offset` over `shape` stays inside x. */
function strided(say: Say, name: string, x: unknown, strides: unknown, shape: readonly number[], offset = 0): void {
  const have = array(say, name, x);
  if (!Array.isArray(strides) || strides.length !== shape.length) {
    throw say(`${name}'s strides ${Array.isArray(strides) ? fmt(strides) : describeValue(strides)} do not match the output shape ${fmt(shape)}`);
  }
  let last = count(say, 'offset', offset);
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] === 0) return; // nothing is read
    const stride: unknown = strides[d];
    if (!isCount(stride)) throw say(`${name}'s stride ${d} must be a non-negative whole number, got ${describeValue(stride)}`);
    last += (shape[d]! - 1) * stride;
  }
  if (last >= have) throw say(`reading ${name} (${have} values) with strides ${fmt(strides)}${offset ? ` from ${offset}` : ''} over ${fmt(shape)} reaches index ${last}`);
}

/** out holds as many values as outShape (checked to be a shape). */
function outOfShape(say: Say, out: unknown, outShape: unknown): void {
  const n = sizeOfShape(say, 'outShape', outShape);
  if (!fits(say, 'out', out, n)) throw wrongLength(say, 'out', out as ArrayLike<number>, n, `the size of ${fmt(outShape as number[])}`);
}

/** arrays[i] of a fused call has the first array's length and kind. */
function sameArrays(say: Say, arrays: readonly unknown[], which: string, i: number, n: number, kind: unknown): void {
  const x = arrays[i];
  if (!(x instanceof Float32Array || x instanceof Float64Array)) throw notFloats(say, `${which}[${i}]`, x);
  if (x.length !== n) throw wrongLength(say, `${which}[${i}]`, x, n, 'all arrays of a fused program have one length');
  if (x.constructor !== kind) throw say(`${which}[${i}] is a ${x.constructor.name}, the other arrays ${(kind as Function).name}s`);
}

/** Programs already found well formed. */
const wellFormed = new WeakSet<object>();

const checks: { readonly [K in Exclude<keyof Kernels, 'name'>]: Check } = {
  unary: (say, _op, x, out) => length(say, 'out', out, array(say, 'x', x), "x's length"),
  clip: (say, x, _lo, _hi, out) => length(say, 'out', out, array(say, 'x', x), "x's length"),
  binary: (say, _op, a, aS, b, bS, outShape, out) => {
    outOfShape(say, out, outShape);
    strided(say, 'a', a, aS, outShape);
    strided(say, 'b', b, bS, outShape);
  },
  select: (say, c, cS, a, aS, b, bS, outShape, out) => {
    outOfShape(say, out, outShape);
    strided(say, 'cond', c, cS, outShape);
    strided(say, 'a', a, aS, outShape);
    strided(say, 'b', b, bS, outShape);
  },
  reduce: (say, _op, x, shape, axes, out) => {
    const n = sizeOfShape(say, 'shape', shape);
    if (!fits(say, 'x', x, n)) throw wrongLength(say, 'x', x, n, `the size of ${fmt(shape)}`);
    if (!Array.isArray(axes)) throw say(`axes must be an array, got ${describeValue(axes)}`);
    let kept = 1;
    for (let d = 0; d < shape.length; d++) if (!axes.includes(d)) kept *= shape[d];
    for (let i = 0; i < axes.length; i++) {
      const a: unknown = axes[i];
      if (typeof a !== 'number' || !Number.isInteger(a) || a < 0 || a >= shape.length || axes.indexOf(a) !== i) {
        throw say(`axes ${fmt(axes)} are not distinct axes of ${fmt(shape)}`);
      }
    }
    if (!fits(say, 'out', out, kept)) throw wrongLength(say, 'out', out, kept, `the kept dimensions of ${fmt(shape)} without axes ${fmt(axes)}`);
  },
  matmul: (say, a, b, out, m, k, n) => {
    const M = count(say, 'm', m), K = count(say, 'k', k), N = count(say, 'n', n);
    if (!fits(say, 'a', a, M * K)) throw wrongLength(say, 'a', a, M * K, `m·k = ${M}·${K}`);
    if (!fits(say, 'b', b, K * N)) throw wrongLength(say, 'b', b, K * N, `k·n = ${K}·${N}`);
    if (!fits(say, 'out', out, M * N)) throw wrongLength(say, 'out', out, M * N, `m·n = ${M}·${N}`);
  },
  linear: (say, x, w, bias, out, m, k, n) => {
    const M = count(say, 'm', m), K = count(say, 'k', k), N = count(say, 'n', n);
    if (!fits(say, 'x', x, M * K)) throw wrongLength(say, 'x', x, M * K, `m·k = ${M}·${K}`);
    if (!fits(say, 'w', w, K * N)) throw wrongLength(say, 'w', w, K * N, `k·n = ${K}·${N}`);
    if (!fits(say, 'bias', bias, N)) throw wrongLength(say, 'bias', bias, N, `n = ${N}`);
    if (!fits(say, 'out', out, M * N)) throw wrongLength(say, 'out', out, M * N, `m·n = ${M}·${N}`);
  },
  copyStrided: (say, x, offset, strides, outShape, out) => {
    outOfShape(say, out, outShape);
    strided(say, 'x', x, strides, outShape, offset);
  },
  softmax: (say, x, outer, len, inner, out) => {
    const n = count(say, 'outer', outer) * count(say, 'len', len) * count(say, 'inner', inner);
    if (!fits(say, 'x', x, n)) throw wrongLength(say, 'x', x, n, `outer·len·inner = ${outer}·${len}·${inner}`);
    if (!fits(say, 'out', out, n)) throw wrongLength(say, 'out', out, n, `outer·len·inner = ${outer}·${len}·${inner}`);
  },
  logsumexp: (say, x, outer, len, inner, out) => {
    const n = count(say, 'outer', outer) * count(say, 'len', len) * count(say, 'inner', inner);
    if (!fits(say, 'x', x, n)) throw wrongLength(say, 'x', x, n, `outer·len·inner = ${outer}·${len}·${inner}`);
    if (!fits(say, 'out', out, outer * inner)) throw wrongLength(say, 'out', out, outer * inner, `outer·inner = ${outer}·${inner}`);
  },
  pad: (say, x, shape, before, outShape, out) => {
    const n = sizeOfShape(say, 'shape', shape);
    if (!fits(say, 'x', x, n)) throw wrongLength(say, 'x', x, n, `the size of ${fmt(shape)}`);
    outOfShape(say, out, outShape);
    if (!Array.isArray(before) || before.length !== shape.length || outShape.length !== shape.length) {
      throw say(`shape ${fmt(shape)}, before ${Array.isArray(before) ? fmt(before) : describeValue(before)} and outShape ${fmt(outShape)} must have one entry per axis`);
    }
    shape.forEach((d: number, i: number) => {
      if (count(say, `before[${i}]`, before[i]) + d > outShape[i]) throw say(`x ${fmt(shape)} placed at ${fmt(before)} does not fit in ${fmt(outShape)} (axis ${i})`);
    });
  },
  gather: (say, x, outer, len, inner, indices, out) => {
    const n = count(say, 'outer', outer) * count(say, 'len', len) * count(say, 'inner', inner);
    if (!fits(say, 'x', x, n)) throw wrongLength(say, 'x', x, n, `outer·len·inner = ${outer}·${len}·${inner}`);
    rowsOfIndices(say, indices, outer * inner);
    length(say, 'out', out, indices.length, "the indices' length");
  },
  scatterAdd: (say, g, outer, len, inner, indices, out) => {
    const n = count(say, 'outer', outer) * count(say, 'len', len) * count(say, 'inner', inner);
    if (!fits(say, 'out', out, n)) throw wrongLength(say, 'out', out, n, `outer·len·inner = ${outer}·${len}·${inner}`);
    rowsOfIndices(say, indices, outer * inner);
    length(say, 'g', g, indices.length, "the indices' length");
  },
  takeRows: (say, x, rowLength, rows, out) => {
    const n = array(say, 'x', x), row = count(say, 'rowLength', rowLength);
    if (row === 0 ? n !== 0 : n % row !== 0) throw say(`x has ${n} values, not a whole number of rows of rowLength = ${row}`);
    if (!(rows instanceof Int32Array)) throw say(`rows must be an Int32Array, got ${describeValue(rows)}`);
    if (!fits(say, 'out', out, rows.length * row)) throw wrongLength(say, 'out', out, rows.length * row, `rows·rowLength = ${rows.length}·${row}`);
    if (out.constructor !== x.constructor) throw say(`out is a ${out.constructor.name}, x a ${x.constructor.name}`);
  },
  concat: (say, parts, blocks, outer, out) => {
    if (!Array.isArray(parts) || !Array.isArray(blocks) || parts.length !== blocks.length) throw say('parts and blocks must be arrays of the same length');
    let total = 0;
    parts.forEach((p: unknown, i: number) => {
      const block = count(say, `blocks[${i}]`, blocks[i]);
      if (!fits(say, `parts[${i}]`, p, block * count(say, 'outer', outer))) throw wrongLength(say, `parts[${i}]`, p as ArrayLike<number>, block * outer, `blocks[${i}]·outer = ${block}·${outer}`);
      total += block;
    });
    if (!fits(say, 'out', out, total * outer)) throw wrongLength(say, 'out', out, total * outer, `outer·Σblocks = ${outer}·${total}`);
  },
  crossEntropy: (say, x, rows, len, labels, probs) => {
    const n = count(say, 'rows', rows) * count(say, 'len', len);
    if (!fits(say, 'x', x, n)) throw wrongLength(say, 'x', x, n, `rows·len = ${rows}·${len}`);
    labelsFor(say, labels, rows);
    if (!fits(say, 'probs', probs, n)) throw wrongLength(say, 'probs', probs, n, `rows·len = ${rows}·${len}`);
  },
  crossEntropyGrad: (say, probs, rows, len, labels, _scale, out) => {
    const n = count(say, 'rows', rows) * count(say, 'len', len);
    if (!fits(say, 'probs', probs, n)) throw wrongLength(say, 'probs', probs, n, `rows·len = ${rows}·${len}`);
    labelsFor(say, labels, rows);
    if (!fits(say, 'out', out, n)) throw wrongLength(say, 'out', out, n, `rows·len = ${rows}·${len}`);
  },
  fused: (say, program, inputs, scalars, outputs) => {
    if (!wellFormed.has(program)) {
      const why = program !== null && typeof program === 'object' ? programError(program) : `it is ${describeValue(program)}`;
      if (why) throw say(`the program is malformed: ${why}`);
      wellFormed.add(program); // a program is checked once: fuse never changes one it made
    }
    if (!Array.isArray(inputs) || inputs.length !== program.inputs) throw say(`inputs must be an array of ${program.inputs} arrays, got ${describeValue(inputs)}`);
    if (!Array.isArray(outputs) || outputs.length !== program.outputs) throw say(`outputs must be an array of ${program.outputs} arrays, got ${describeValue(outputs)}`);
    if (!(scalars instanceof Float64Array) || scalars.length !== program.scalars) throw say(`scalars must be a Float64Array of ${program.scalars} values, got ${describeValue(scalars)}`);
    // Plain loops, and names built only for a message: this runs for every fused call (a dozen a training step).
    const first: unknown = inputs.length ? inputs[0] : outputs[0];
    const n = array(say, inputs.length ? 'inputs[0]' : 'outputs[0]', first);
    const kind = (first as Float32Array | Float64Array).constructor;
    for (let i = 0; i < inputs.length; i++) sameArrays(say, inputs, 'inputs', i, n, kind);
    for (let i = 0; i < outputs.length; i++) sameArrays(say, outputs, 'outputs', i, n, kind);
  },
  sumSquares: (say, x) => { array(say, 'x', x); },
  im2col: (say, x, win, out) => {
    const w = windowOf(say, win);
    image(say, 'x', x, w);
    columns(say, 'out', out, w);
  },
  col2im: (say, cols, win, out) => {
    const w = windowOf(say, win);
    columns(say, 'cols', cols, w);
    image(say, 'out', out, w);
  },
  maxPool2d: (say, x, win, out, argmax) => {
    const w = pooling(say, x, 'x', windowOf(say, win, true), out, 'out');
    if (!(argmax instanceof Int32Array)) throw say(`argmax must be an Int32Array, got ${describeValue(argmax)}`);
    if (argmax.length !== w.batch * w.channels * w.outH * w.outW) throw say(`argmax has ${argmax.length} values, expected ${w.batch * w.channels * w.outH * w.outW} (${pooledSize(w)})`);
  },
  avgPool2d: (say, x, win, out) => { pooling(say, x, 'x', win, out, 'out'); },
  avgPool2dBackward: (say, g, win, out) => {
    const w = windowOf(say, win);
    pooled(say, 'g', g, w);
    image(say, 'out', out, w);
  },
};

const WINDOW_SIZES = ['batch', 'channels', 'height', 'width', 'kernelH', 'kernelW', 'strideH', 'strideW', 'padH', 'padW', 'dilationH', 'dilationW', 'outH', 'outW'] as const;
const imageSize = (w: Window2d) => `batch·channels·height·width = ${w.batch}·${w.channels}·${w.height}·${w.width}`;
const pooledSize = (w: Window2d) => `batch·channels·outH·outW = ${w.batch}·${w.channels}·${w.outH}·${w.outW}`;

/**
 * A window's sizes are whole numbers (kernel, stride and dilation ≥ 1). With `overlapping` (max pooling,
 * whose maximum must be some value of the image), every window overlaps the image too.
 */
function windowOf(say: Say, win: unknown, overlapping = false): Window2d {
  if (win === null || typeof win !== 'object') throw say(`window must be an object of sizes (Window2d), got ${describeValue(win)}`);
  const w = win as Record<string, unknown>;
  for (const key of WINDOW_SIZES) count(say, `window.${key}`, w[key]);
  const g = win as Window2d;
  for (const key of ['kernelH', 'kernelW', 'strideH', 'strideW', 'dilationH', 'dilationW'] as const) {
    if (g[key] < 1) throw say(`window.${key} must be at least 1, got ${g[key]}`);
  }
  const overlaps = (pad: number, taps: number, dilation: number, stride: number, out: number, size: number) =>
    out === 0 || (pad <= (taps - 1) * dilation && (out - 1) * stride - pad < size);
  if (overlapping && (!overlaps(g.padH, g.kernelH, g.dilationH, g.strideH, g.outH, g.height) || !overlaps(g.padW, g.kernelW, g.dilationW, g.strideW, g.outW, g.width))) {
    throw say(`a window falls wholly in the padding: ${g.outH}×${g.outW} windows of ${g.kernelH}×${g.kernelW} (stride ${g.strideH},${g.strideW}, padding ${g.padH},${g.padW}, dilation ${g.dilationH},${g.dilationW}) over a ${g.height}×${g.width} image`);
  }
  return g;
}

/** A pooling call's sizes: the image in, one value per window out. */
function pooling(say: Say, x: unknown, xName: string, win: unknown, out: unknown, outName: string): Window2d {
  const w = windowOf(say, win);
  image(say, xName, x, w);
  pooled(say, outName, out, w);
  return w;
}

/** x holds the window's image, its pooled values, or its columns (im2col's layout). */
function image(say: Say, name: string, x: unknown, w: Window2d): void {
  const n = w.batch * w.channels * w.height * w.width;
  if (!fits(say, name, x, n)) throw wrongLength(say, name, x as ArrayLike<number>, n, imageSize(w));
}
function pooled(say: Say, name: string, x: unknown, w: Window2d): void {
  const n = w.batch * w.channels * w.outH * w.outW;
  if (!fits(say, name, x, n)) throw wrongLength(say, name, x as ArrayLike<number>, n, pooledSize(w));
}
function columns(say: Say, name: string, x: unknown, w: Window2d): void {
  const n = w.channels * w.kernelH * w.kernelW * w.batch * w.outH * w.outW;
  if (!fits(say, name, x, n)) throw wrongLength(say, name, x as ArrayLike<number>, n, `channels·kernelH·kernelW·batch·outH·outW = ${w.channels}·${w.kernelH}·${w.kernelW}·${w.batch}·${w.outH}·${w.outW}`);
}

function rowsOfIndices(say: Say, indices: unknown, rows: number): asserts indices is Int32Array {
  if (!(indices instanceof Int32Array)) throw say(`indices must be an Int32Array, got ${describeValue(indices)}`);
  if (rows === 0 ? indices.length !== 0 : indices.length % rows !== 0) {
    throw say(`indices has ${indices.length} values, not a whole number of rows of outer·inner = ${rows}`);
  }
}

function labelsFor(say: Say, labels: unknown, rows: number): void {
  if (!(labels instanceof Int32Array)) throw say(`labels must be an Int32Array, got ${describeValue(labels)}`);
  if (labels.length !== rows) throw say(`labels has ${labels.length} values, expected one per row (${rows})`);
}

type Fn = (...args: any[]) => unknown;
type Wrap = (check: Check, kernel: Fn, set: Kernels, say: Say) => Fn;

/**
 * Each kernel's checked call: its check, then the kernel, with the kernel's own parameters. One function
 * literal per kernel, not one for all: closures made from one literal share their type feedback in V8, so
 * a single wrapper saw every check and every kernel at its two calls (megamorphic: never inlined, slower
 * to optimise). This runs on every kernel call.
 */
const wrappers: { readonly [K in keyof typeof checks]: Wrap } = {
  unary: (c, k, s, say) => (op, x, out, alpha) => { c(say, op, x, out, alpha); return k.call(s, op, x, out, alpha); },
  clip: (c, k, s, say) => (x, lo, hi, out) => { c(say, x, lo, hi, out); return k.call(s, x, lo, hi, out); },
  binary: (c, k, s, say) => (op, a, aS, b, bS, outShape, out) => { c(say, op, a, aS, b, bS, outShape, out); return k.call(s, op, a, aS, b, bS, outShape, out); },
  select: (c, k, s, say) => (cond, cS, a, aS, b, bS, outShape, out) => {
    c(say, cond, cS, a, aS, b, bS, outShape, out);
    return k.call(s, cond, cS, a, aS, b, bS, outShape, out);
  },
  reduce: (c, k, s, say) => (op, x, shape, axes, out) => { c(say, op, x, shape, axes, out); return k.call(s, op, x, shape, axes, out); },
  matmul: (c, k, s, say) => (a, b, out, m, kk, n, tA, tB) => { c(say, a, b, out, m, kk, n, tA, tB); return k.call(s, a, b, out, m, kk, n, tA, tB); },
  linear: (c, k, s, say) => (x, w, bias, out, m, kk, n) => { c(say, x, w, bias, out, m, kk, n); return k.call(s, x, w, bias, out, m, kk, n); },
  copyStrided: (c, k, s, say) => (x, offset, strides, outShape, out) => { c(say, x, offset, strides, outShape, out); return k.call(s, x, offset, strides, outShape, out); },
  softmax: (c, k, s, say) => (x, outer, len, inner, out, log) => { c(say, x, outer, len, inner, out, log); return k.call(s, x, outer, len, inner, out, log); },
  logsumexp: (c, k, s, say) => (x, outer, len, inner, out) => { c(say, x, outer, len, inner, out); return k.call(s, x, outer, len, inner, out); },
  pad: (c, k, s, say) => (x, shape, before, outShape, out) => { c(say, x, shape, before, outShape, out); return k.call(s, x, shape, before, outShape, out); },
  gather: (c, k, s, say) => (x, outer, len, inner, indices, out) => { c(say, x, outer, len, inner, indices, out); return k.call(s, x, outer, len, inner, indices, out); },
  scatterAdd: (c, k, s, say) => (g, outer, len, inner, indices, out) => { c(say, g, outer, len, inner, indices, out); return k.call(s, g, outer, len, inner, indices, out); },
  takeRows: (c, k, s, say) => (x, rowLength, rows, out) => { c(say, x, rowLength, rows, out); return k.call(s, x, rowLength, rows, out); },
  concat: (c, k, s, say) => (parts, blocks, outer, out) => { c(say, parts, blocks, outer, out); return k.call(s, parts, blocks, outer, out); },
  crossEntropy: (c, k, s, say) => (x, rows, len, labels, probs) => { c(say, x, rows, len, labels, probs); return k.call(s, x, rows, len, labels, probs); },
  crossEntropyGrad: (c, k, s, say) => (probs, rows, len, labels, scale, out) => { c(say, probs, rows, len, labels, scale, out); return k.call(s, probs, rows, len, labels, scale, out); },
  fused: (c, k, s, say) => (program, inputs, scalars, outputs) => { c(say, program, inputs, scalars, outputs); return k.call(s, program, inputs, scalars, outputs); },
  sumSquares: (c, k, s, say) => (x) => { c(say, x); return k.call(s, x); },
  im2col: (c, k, s, say) => (x, win, out) => { c(say, x, win, out); return k.call(s, x, win, out); },
  col2im: (c, k, s, say) => (cols, win, out) => { c(say, cols, win, out); return k.call(s, cols, win, out); },
  maxPool2d: (c, k, s, say) => (x, win, out, argmax) => { c(say, x, win, out, argmax); return k.call(s, x, win, out, argmax); },
  avgPool2d: (c, k, s, say) => (x, win, out) => { c(say, x, win, out); return k.call(s, x, win, out); },
  avgPool2dBackward: (c, k, s, say) => (g, win, out) => { c(say, g, win, out); return k.call(s, g, win, out); },
};

/** The unchecked set behind each checked one, and the checked one made for each set (so installing a set twice gives the same object). */
const unchecked = new WeakMap<Kernels, Kernels>();
const made = new WeakMap<Kernels, Kernels>();

export const uncheckedOf = (ks: Kernels): Kernels | undefined => unchecked.get(ks);

/** `set` with every kernel call checked first. Checking a checked set returns it unchanged. */
export function checkedKernels(set: Kernels): Kernels {
  if (unchecked.has(set)) return set;
  const have = made.get(set);
  if (have) return have;
  const out: Record<string, unknown> = { name: set.name };
  for (const key of Object.keys(checks) as (keyof typeof checks)[]) {
    const kernel = set[key] as Fn;
    const say: Say = (message) => new Error(`kernel ${key} (${set.name}): ${message}`);
    if (typeof kernel !== 'function') throw new Error(`the kernel set '${set.name}' has no ${key} kernel (got ${describeValue(kernel)})`);
    out[key] = wrappers[key](checks[key], kernel, set, say);
  }
  const checked = out as unknown as Kernels;
  unchecked.set(checked, set);
  made.set(set, checked);
  return checked;
}
