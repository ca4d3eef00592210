/**
 * The WebAssembly window kernels (backend/wasm/assembly/window.ts) against the reference's
 * (backend/reference/window.ts), in every wasm set this runtime loads, on random geometries: kernel sizes
 * 1, primes and odd, strides 1 (contiguous SIMD rows), 2 (SIMD gathers) and 3 (scalar), padding,
 * dilation, batches and channels; and on the common CNN cases (5×5 convolution, 2×2 pooling at stride 2).
 *
 * Tolerance: none. Every kernel keeps the reference's order, so all five give its bits: im2col and max
 * pooling copy values (argmax the same indices: the first NaN wins, else the first of equal maxima),
 * col2im adds in float32 in the reference's order (JavaScript's double sum rounded at each store is the
 * same value), average pooling and its adjoint sum in float64 tap by tap and window by window.
 * float64 and tiny calls go to the reference set (checked here to agree too).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { referenceKernels as ref, type Kernels, type Window2d } from '../src/backend/index.ts';
import { expectAgree } from './kernel-agreement.ts';
import { fastSets, values } from './wasm-sets.ts';

const exact = () => 0;
const imageSize = (w: Window2d) => w.batch * w.channels * w.height * w.width;
const colsSize = (w: Window2d) => w.channels * w.kernelH * w.kernelW * w.batch * w.outH * w.outW;
const pooledSize = (w: Window2d) => w.batch * w.channels * w.outH * w.outW;

/** Values in [-1, 1] with exact zeros, and some repeated (so maxima tie). */
function image(n: number, seed: number): Float32Array {
  const x = values(n, seed);
  for (let i = 3; i < n; i += 7) x[i] = x[i - 3]!;
  return x;
}

/**
 * A geometry from its parts: `pooling` keeps the padding at most half the kernel and no dilation (every
 * window overlaps the image, as pooling requires); outH/outW as PyTorch's floor, plus up to `extra`
 * bottom/right padding.
 */
const geometry = (pooling: boolean) => fc.record({
  batch: fc.constantFrom(1, 2, 3, 5, 9),
  channels: fc.constantFrom(1, 2, 3, 4, 7),
  kernelH: fc.constantFrom(1, 2, 3, 5, 7),
  kernelW: fc.constantFrom(1, 2, 3, 5, 7),
  strideH: fc.integer({ min: 1, max: 3 }),
  strideW: fc.constantFrom(1, 1, 2, 2, 3),
  dilationH: pooling ? fc.constant(1) : fc.integer({ min: 1, max: 3 }),
  dilationW: pooling ? fc.constant(1) : fc.integer({ min: 1, max: 3 }),
  padH: fc.integer({ min: 0, max: 3 }),
  padW: fc.integer({ min: 0, max: 3 }),
  height: fc.integer({ min: 1, max: 30 }),
  width: fc.integer({ min: 1, max: 40 }),
  extra: fc.integer({ min: 0, max: 3 }),
}).map(({ extra, ...g }): Window2d => {
  const padH = pooling ? Math.min(g.padH, g.kernelH >> 1) : g.padH, padW = pooling ? Math.min(g.padW, g.kernelW >> 1) : g.padW;
  const spanH = g.dilationH * (g.kernelH - 1) + 1, spanW = g.dilationW * (g.kernelW - 1) + 1;
  // The image at least as large as a window (less the padding).
  const height = Math.max(g.height, spanH - 2 * padH), width = Math.max(g.width, spanW - 2 * padW);
  const outH = Math.floor((height + 2 * padH - spanH) / g.strideH) + 1;
  const outW = Math.max(1, Math.floor((width + padW + Math.min(extra, padW) - spanW) / g.strideW) + 1);
  return { ...g, padH, padW, height, width, outH, outW };
});

function expectConvAgrees(ks: Kernels, w: Window2d, seed: number): void {
  const at = JSON.stringify(w), x = image(imageSize(w), seed);
  const cols = new Float32Array(colsSize(w)).fill(NaN), colsWant = new Float32Array(colsSize(w));
  ks.im2col(x, w, cols);
  ref.im2col(x, w, colsWant);
  expectAgree(`im2col ${at}`, cols, colsWant, exact);
  const g = image(colsSize(w), seed + 1), back = new Float32Array(imageSize(w)).fill(NaN), backWant = new Float32Array(imageSize(w));
  ks.col2im(g, w, back);
  ref.col2im(g, w, backWant);
  expectAgree(`col2im ${at}`, back, backWant, exact);
}

function expectPoolAgrees(ks: Kernels, w: Window2d, seed: number, x = image(imageSize(w), seed)): void {
  const at = JSON.stringify(w), n = pooledSize(w);
  const out = new Float32Array(n).fill(NaN), want = new Float32Array(n), argmax = new Int32Array(n).fill(-7), argmaxWant = new Int32Array(n);
  ks.maxPool2d(x, w, out, argmax);
  ref.maxPool2d(x, w, want, argmaxWant);
  expectAgree(`maxPool2d ${at}`, out, want, exact);
  expect([...argmax], `maxPool2d's argmax ${at}`).toEqual([...argmaxWant]);
  out.fill(NaN);
  ks.avgPool2d(x, w, out);
  ref.avgPool2d(x, w, want);
  expectAgree(`avgPool2d ${at}`, out, want, exact);
  const g = image(n, seed + 1), back = new Float32Array(imageSize(w)).fill(NaN), backWant = new Float32Array(imageSize(w));
  ks.avgPool2dBackward(g, w, back);
  ref.avgPool2dBackward(g, w, backWant);
  expectAgree(`avgPool2dBackward ${at}`, back, backWant, exact);
}

const sized = (w: Partial<Window2d> & Pick<Window2d, 'height' | 'width' | 'kernelH' | 'kernelW' | 'outH' | 'outW'>): Window2d =>
  ({ batch: 1, channels: 1, strideH: 1, strideW: 1, padH: 0, padW: 0, dilationH: 1, dilationW: 1, ...w });

describe.each(fastSets().map((ks) => [ks.name, ks] as const))('%s window kernels give the reference\'s bits', (_name, ks) => {
  it('im2col and col2im on random geometries (kernels 1, primes, odd; strides, padding, dilation)', () => {
    fc.assert(fc.property(geometry(false), fc.nat(), (w, seed) => { expectConvAgrees(ks, w, seed); }), { numRuns: 250 });
  });

  it('maxPool2d (values and argmax), avgPool2d and avgPool2dBackward on random geometries', () => {
    fc.assert(fc.property(geometry(true), fc.nat(), (w, seed) => { expectPoolAgrees(ks, w, seed); }), { numRuns: 250 });
  });

  it.each([
    ['a [64, 16, 12, 12] batch, 5×5 convolution', sized({ batch: 64, channels: 16, height: 12, width: 12, kernelH: 5, kernelW: 5, outH: 8, outW: 8 })],
    ['a [8, 3, 28, 28] batch, 3×3 convolution, padding 1', sized({ batch: 8, channels: 3, height: 28, width: 28, kernelH: 3, kernelW: 3, padH: 1, padW: 1, outH: 28, outW: 28 })],
    ['a [4, 5, 17, 17] batch, 3×3 at stride 2, padding 1', sized({ batch: 4, channels: 5, height: 17, width: 17, kernelH: 3, kernelW: 3, strideH: 2, strideW: 2, padH: 1, padW: 1, outH: 9, outW: 9 })],
  ])('im2col and col2im on %s', (_what, w) => {
    expectConvAgrees(ks, w, 11);
  });

  it.each([
    ['a [64, 16, 24, 24] batch, 2×2 at stride 2', sized({ batch: 64, channels: 16, height: 24, width: 24, kernelH: 2, kernelW: 2, strideH: 2, strideW: 2, outH: 12, outW: 12 })],
    ['a [3, 2, 27, 27] batch, 2×2 at stride 2 (odd sizes: a column and row left over)', sized({ batch: 3, channels: 2, height: 27, width: 27, kernelH: 2, kernelW: 2, strideH: 2, strideW: 2, outH: 13, outW: 13 })],
    ['a [2, 3, 15, 15] batch, 3×3 at stride 1, padding 1', sized({ batch: 2, channels: 3, height: 15, width: 15, kernelH: 3, kernelW: 3, padH: 1, padW: 1, outH: 15, outW: 15 })],
    ['a [2, 3, 19, 19] batch, 3×3 at stride 2, padding 1', sized({ batch: 2, channels: 3, height: 19, width: 19, kernelH: 3, kernelW: 3, strideH: 2, strideW: 2, padH: 1, padW: 1, outH: 10, outW: 10 })],
  ])('pooling on %s', (_what, w) => {
    expectPoolAgrees(ks, w, 12);
  });

  it('maxPool2d with NaN and ±Infinity: the first NaN wins, else the first of equal maxima; -Infinity windows point at their first tap', () => {
    // Two planes of 4×12, 2×2 windows at stride 2: six windows per row pair, four of them through SIMD.
    const w = sized({ batch: 1, channels: 2, height: 4, width: 12, kernelH: 2, kernelW: 2, strideH: 2, strideW: 2, outH: 2, outW: 6 });
    const x = image(imageSize(w), 5);
    const put = (plane: number, y: number, col: number, v: number) => { x[plane * 48 + y * 12 + col] = v; };
    put(0, 0, 1, NaN); put(0, 1, 0, NaN);                               // window 0: the first NaN (tap 1)
    put(0, 0, 2, 5); put(0, 1, 3, NaN);                                 // window 1: a NaN after the max still wins
    put(0, 0, 4, Infinity); put(0, 1, 5, Infinity);                     // window 2: the first of two +Inf
    for (const [y, c] of [[0, 6], [0, 7], [1, 6], [1, 7]]) put(0, y!, c!, -Infinity); // window 3: all -Inf
    put(0, 2, 0, 0.25); put(0, 2, 1, 0.25); put(0, 3, 0, 0.25); put(0, 3, 1, 0.25); // window 6: four equal taps
    put(1, 3, 11, NaN);                                                 // plane 1, last window: NaN at its last tap
    put(1, 0, 0, -Infinity); put(1, 0, 1, NaN);                         // plane 1, window 0: NaN after -Inf
    const out = new Float32Array(24), want = new Float32Array(24), argmax = new Int32Array(24), argmaxWant = new Int32Array(24);
    ks.maxPool2d(x, w, out, argmax);
    ref.maxPool2d(x, w, want, argmaxWant);
    expectAgree('maxPool2d with NaN and ±Infinity', out, want, exact);
    expect([...argmax]).toEqual([...argmaxWant]);
    expect([argmax[0], argmax[1], argmax[2], argmax[3], argmax[6], argmax[23], argmax[12]]).toEqual([1, 15, 4, 6, 24, 47, 1]);
    expect([out[0], out[1], out[2], out[3], out[6]]).toEqual([NaN, NaN, Infinity, -Infinity, 0.25]);
    // avgPool2d meets the same values: NaN and infinities propagate as in the reference.
    ks.avgPool2d(x, w, out);
    ref.avgPool2d(x, w, want);
    expectAgree('avgPool2d with NaN and ±Infinity', out, want, exact);
  });

  it('all -0 windows average to +0, as the reference\'s sum from 0 does', () => {
    const w = sized({ batch: 1, channels: 1, height: 2, width: 16, kernelH: 2, kernelW: 2, strideH: 2, strideW: 2, outH: 1, outW: 8 });
    const x = new Float32Array(32).fill(-0), out = new Float32Array(8).fill(NaN);
    ks.avgPool2d(x, w, out);
    expect([...out].every((v) => Object.is(v, 0))).toBe(true);
  });

  it('float64 and tiny calls go to the reference set and agree with it', () => {
    const w = sized({ batch: 2, channels: 3, height: 9, width: 9, kernelH: 3, kernelW: 3, strideH: 2, strideW: 2, padH: 1, padW: 1, outH: 5, outW: 5 });
    const x = Float64Array.from(image(imageSize(w), 3));
    const out = new Float64Array(pooledSize(w)), want = new Float64Array(pooledSize(w));
    const argmax = new Int32Array(pooledSize(w)), argmaxWant = new Int32Array(pooledSize(w));
    ks.maxPool2d(x, w, out, argmax);
    ref.maxPool2d(x, w, want, argmaxWant);
    expectAgree('float64 maxPool2d', out, want, exact);
    expect([...argmax]).toEqual([...argmaxWant]);
    const tiny = sized({ height: 2, width: 2, kernelH: 2, kernelW: 2, outH: 1, outW: 1 });
    expectConvAgrees(ks, tiny, 4);
    expectPoolAgrees(ks, tiny, 4);
  });
});
