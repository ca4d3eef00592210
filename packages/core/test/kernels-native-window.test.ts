/**
 * The native window kernels (packages/native/src/window.cc) against the reference's
 * (backend/reference/window.ts): the same bits, in float32 and float64, at every code path this CPU runs,
 * on random geometries (strides, padding, dilation, odd sizes, batches and channels), large calls split
 * across threads, and the addon's checks of the window and the arrays' sizes.
 * They can give the same bits: im2col and max pooling copy values, col2im adds in the reference's order
 * (float32 in float, the same as JavaScript's double rounded each time), average pooling sums in double.
 * Max pooling by windows that tile the image (2×2 and 3×3, stride = kernel, no padding) has vector paths at
 * each level: they are checked on geometries that fill, split and mask their lanes, with NaN, ±Infinity, -0
 * and ties in every tap position.
 */
import { describe, expect, it } from 'vitest';
import { referenceKernels as ref, type Kernels, type Window2d } from '../src/backend/index.ts';
import { loadNativeKernels, nativeLevels } from '../src/backend/native/index.ts';
import { loadAddon, windowSizes } from '../src/backend/native/addon.ts';
import type { TypedArray } from '../src/dtype.ts';
import { expectAgree } from './kernel-agreement.ts';

type Ctor = Float32ArrayConstructor | Float64ArrayConstructor;
const DTYPES: readonly [string, Ctor][] = [['float32', Float32Array], ['float64', Float64Array]];
const exact = () => 0;

/** A seeded xorshift: integers in [lo, hi] and values in [-1, 1] (some exact zeros and repeats, for ties). */
function random(seed: number) {
  let s = (seed * 2654435761) >>> 0 || 1;
  const next = () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 4294967296; };
  return {
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    values(C: Ctor, n: number): TypedArray {
      const out = new C(n);
      for (let i = 0; i < n; i++) { const u = next(); out[i] = u < 0.05 ? 0 : u < 0.1 ? 0.5 : u * 2 - 1; }
      return out;
    },
  };
}

/**
 * A random window: `pooling` keeps padding under half the kernel and no dilation (so every window
 * overlaps the image); else any stride, dilation and padding, with bottom/right padding up to the top/left.
 */
function randomWindow(seed: number, pooling: boolean): Window2d {
  const r = random(seed);
  const kernelH = r.int(1, 5), kernelW = r.int(1, 5);
  const dilationH = pooling ? 1 : r.int(1, 3), dilationW = pooling ? 1 : r.int(1, 3);
  const spanH = dilationH * (kernelH - 1) + 1, spanW = dilationW * (kernelW - 1) + 1;
  const padH = pooling ? r.int(0, kernelH >> 1) : r.int(0, 3), padW = pooling ? r.int(0, kernelW >> 1) : r.int(0, 3);
  const height = r.int(Math.max(1, spanH - 2 * padH), 13), width = r.int(Math.max(1, spanW - 2 * padW), 13);
  const strideH = r.int(1, 3), strideW = r.int(1, 3);
  const outH = Math.floor((height + padH + r.int(0, padH) - spanH) / strideH) + 1;
  const outW = Math.floor((width + padW + r.int(0, padW) - spanW) / strideW) + 1;
  return { batch: r.int(1, 3), channels: r.int(1, 4), height, width, kernelH, kernelW, strideH, strideW, padH, padW, dilationH, dilationW,
    outH: Math.max(outH, 1), outW: Math.max(outW, 1) };
}

/**
 * Values for max pooling's edge cases: NaN, ±Infinity, -0 and +0, and ties (0.5 and -1 repeat), among values
 * in [-1, 1]; `rare` makes the specials rare enough that ordinary maxima win most windows.
 */
function specialValues(C: Ctor, n: number, seed: number, rare = 1): TypedArray {
  const r = random(seed), out = new C(n);
  const specials = [NaN, Infinity, -Infinity, -0, 0, 0.5, 0.5, -1];
  for (let i = 0; i < n; i++) {
    const pick = r.int(0, 8 * rare + 7);
    out[i] = pick < specials.length ? specials[pick]! : r.int(-1000, 1000) / 1000;
  }
  return out;
}

/** k×k windows at stride k without padding (the tile path); `roundUp` counts a last clipped window when the size is no multiple of k. */
function tileWindow(batch: number, channels: number, height: number, width: number, k: number, roundUp = false): Window2d {
  const count = (size: number) => (roundUp ? Math.ceil((size - k) / k) : Math.floor((size - k) / k)) + 1;
  return { batch, channels, height, width, kernelH: k, kernelW: k, strideH: k, strideW: k, padH: 0, padW: 0,
    dilationH: 1, dilationW: 1, outH: count(height), outW: count(width) };
}

/** ks.maxPool2d against the reference's on x: the same values (bits, NaN as NaN) and the same argmax. */
function expectMaxPoolAgrees(ks: Kernels, C: Ctor, w: Window2d, x: TypedArray, what: string): void {
  const n = pooledSize(w), out = new C(n).fill(7), want = new C(n), argmax = new Int32Array(n).fill(-7), argmaxWant = new Int32Array(n);
  ks.maxPool2d(x, w, out, argmax);
  ref.maxPool2d(x, w, want, argmaxWant);
  const at = `${what} ${describeWindow(w)}`;
  expectAgree(`maxPool2d ${at}`, out, want, exact);
  for (let i = 0; i < n; i++) {
    if (argmax[i] !== argmaxWant[i]) throw new Error(`maxPool2d ${at}: argmax ${i}: got ${argmax[i]}, reference ${argmaxWant[i]}`);
    if (Object.is(out[i], -0) !== Object.is(want[i], -0)) throw new Error(`maxPool2d ${at}: element ${i}: got ${out[i]}, reference ${want[i]} (signed zeros)`);
  }
}

const describeWindow = (w: Window2d) => JSON.stringify(w);
const imageSize = (w: Window2d) => w.batch * w.channels * w.height * w.width;
const colsSize = (w: Window2d) => w.channels * w.kernelH * w.kernelW * w.batch * w.outH * w.outW;
const pooledSize = (w: Window2d) => w.batch * w.channels * w.outH * w.outW;

/** Runs all five kernels of `ks` and of the reference on w, with values from `seed`, and expects the same bits. */
function expectWindowKernelsAgree(ks: Kernels, C: Ctor, w: Window2d, seed: number, pooling: boolean): void {
  const r = random(seed), at = describeWindow(w);
  const x = r.values(C, imageSize(w));
  if (!pooling) {
    const cols = new C(colsSize(w)), colsWant = new C(colsSize(w));
    ks.im2col(x, w, cols);
    ref.im2col(x, w, colsWant);
    expectAgree(`im2col ${at}`, cols, colsWant, exact);
    const g = r.values(C, colsSize(w)), image = new C(imageSize(w)).fill(7), imageWant = new C(imageSize(w));
    ks.col2im(g, w, image);
    ref.col2im(g, w, imageWant);
    expectAgree(`col2im ${at}`, image, imageWant, exact);
    return;
  }
  const out = new C(pooledSize(w)), want = new C(pooledSize(w)), argmax = new Int32Array(pooledSize(w)), argmaxWant = new Int32Array(pooledSize(w));
  ks.maxPool2d(x, w, out, argmax);
  ref.maxPool2d(x, w, want, argmaxWant);
  expectAgree(`maxPool2d ${at}`, out, want, exact);
  expect([...argmax], `maxPool2d's argmax ${at}`).toEqual([...argmaxWant]);
  ks.avgPool2d(x, w, out);
  ref.avgPool2d(x, w, want);
  expectAgree(`avgPool2d ${at}`, out, want, exact);
  const g = r.values(C, pooledSize(w)), image = new C(imageSize(w)).fill(7), imageWant = new C(imageSize(w));
  ks.avgPool2dBackward(g, w, image);
  ref.avgPool2dBackward(g, w, imageWant);
  expectAgree(`avgPool2dBackward ${at}`, image, imageWant, exact);
}

// Collected now, so that a missing addon fails this file with its message instead of skipping it.
const sets = nativeLevels().map((level) => loadNativeKernels({ level, allNative: true }));
const cases = sets.flatMap((ks) => DTYPES.map(([dtype, C]) => [`${ks.name} ${dtype}`, ks, C] as const));

describe.each(cases)('%s window kernels give the reference\'s bits', (_name, ks: Kernels, C: Ctor) => {
  it('im2col and col2im on 300 random geometries (strides, padding, dilation, batches, channels)', () => {
    for (let seed = 1; seed <= 300; seed++) expectWindowKernelsAgree(ks, C, randomWindow(seed, false), seed + 1000, false);
  });

  it('maxPool2d, avgPool2d and avgPool2dBackward on 300 random geometries', () => {
    for (let seed = 1; seed <= 300; seed++) expectWindowKernelsAgree(ks, C, randomWindow(seed, true), seed + 2000, true);
  });

  it('maxPool2d on 300 random geometries with NaN, ±Infinity, -0 and ties (the general path, some tiles)', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const w = randomWindow(seed, true);
      expectMaxPoolAgrees(ks, C, w, specialValues(C, imageSize(w), seed + 4000, seed % 4), `seed ${seed}`);
    }
  });

  it('maxPool2d: the first NaN wins, else the first of equal maxima; -Infinity windows point at their first tap', () => {
    const w: Window2d = { batch: 1, channels: 2, height: 3, width: 4, kernelH: 2, kernelW: 2, strideH: 1, strideW: 2,
      padH: 0, padW: 0, dilationH: 1, dilationW: 1, outH: 2, outW: 2 };
    const x = C.from([1, NaN, 3, 3, 2, 5, NaN, 3, 5, 0, -Infinity, -Infinity, -Infinity, -Infinity, 4, 4,
      -Infinity, -Infinity, 4, NaN, 1, 1, 1, 1]);
    const out = new C(8), want = new C(8), argmax = new Int32Array(8), argmaxWant = new Int32Array(8);
    ks.maxPool2d(x, w, out, argmax);
    ref.maxPool2d(x, w, want, argmaxWant);
    expectAgree('maxPool2d with NaN and ties', out, want, exact);
    expect([...argmax]).toEqual([...argmaxWant]);
    expect([...argmax]).toEqual([1, 6, 5, 6, 0, 7, 8, 7]);
  });

  it('maxPool2d by 2×2 and 3×3 tiles: full, split and masked vector rows, odd sizes, clipped last windows', () => {
    // Rows of 1..40 windows cover every lane count of every level (16 floats or 8 doubles at most), with a
    // masked last chunk; sizes that are no multiple of k leave columns and rows unused, or clip the last window.
    for (const k of [2, 3]) {
      for (const [height, width] of [[k, k], [24, 24], [8, 8], [25, 23], [k + 1, 40 * k + 1], [17, 16 * k], [3 * k, 33 * k - 1]] as const) {
        for (const roundUp of [false, true]) {
          const w = tileWindow(2, 3, height, width, k, roundUp);
          expectMaxPoolAgrees(ks, C, w, random(height * width + k).values(C, imageSize(w)), 'random values');
          expectMaxPoolAgrees(ks, C, w, specialValues(C, imageSize(w), height + width + k), 'specials');
          expectMaxPoolAgrees(ks, C, w, specialValues(C, imageSize(w), height * k + width, 8), 'rare specials');
        }
      }
    }
  });

  it('maxPool2d by tiles on 200 random geometries, with NaN, ±Infinity, -0 and ties', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const r = random(seed + 3000), k = r.int(2, 3);
      const w = tileWindow(r.int(1, 3), r.int(1, 4), r.int(k, 40), r.int(k, 70), k, r.int(0, 1) === 1);
      expectMaxPoolAgrees(ks, C, w, specialValues(C, imageSize(w), seed, r.int(0, 8)), `seed ${seed}`);
    }
  });

  it('maxPool2d by tiles: every arrangement of NaN, Infinity and a tie in a 2×2 and a 3×3 window, side by side', () => {
    // Window j of a row gets the specials at the taps given by j's digits, so every order in which NaN, +Inf,
    // a tie and -Inf can meet is some lane's case.
    for (const k of [2, 3]) {
      const taps = k * k, windows = taps ** 3, w = tileWindow(1, 1, k, windows * k, k);
      const x = new C(imageSize(w)).fill(-2);
      for (let j = 0; j < windows; j++) {
        const nan = j % taps, inf = Math.floor(j / taps) % taps, tie = Math.floor(j / taps ** 2) % taps;
        const put = (tap: number, v: number) => { x[Math.floor(tap / k) * w.width + j * k + (tap % k)] = v; };
        put(tie, 0.25);
        put((tie + 1) % taps, 0.25);
        put(inf, j % 2 === 0 ? Infinity : -Infinity);
        if (j % 3 !== 0) put(nan, NaN);
      }
      expectMaxPoolAgrees(ks, C, w, x, 'arrangements');
    }
  });

  it('a [64, 8, 28, 28] batch, 5×5 windows (large enough to split across threads): the same bits', () => {
    const conv: Window2d = { batch: 64, channels: 8, height: 28, width: 28, kernelH: 5, kernelW: 5, strideH: 1, strideW: 1,
      padH: 2, padW: 2, dilationH: 1, dilationW: 1, outH: 28, outW: 28 };
    const addon = loadAddon(), threads = addon.threads(), splits = addon.parallelCalls();
    addon.threads(2);   // a new count forgets the pool's back-off: the first large call splits
    try {
      expectWindowKernelsAgree(ks, C, conv, 1, false);
      expectWindowKernelsAgree(ks, C, { ...conv, kernelH: 3, kernelW: 3, strideH: 2, strideW: 2, padH: 1, padW: 1, outH: 14, outW: 14 }, 2, true);
      const tiles = tileWindow(64, 16, 25, 24, 2);
      expectMaxPoolAgrees(ks, C, tiles, specialValues(C, imageSize(tiles), 3, 4), 'split across threads');
    } finally {
      addon.threads(threads);
    }
    expect(addon.parallelCalls(), 'calls split across threads').toBeGreaterThan(splits);
  });
});

describe('the default native set\'s window kernels (tiny calls in JavaScript)', () => {
  const ks = loadNativeKernels();
  it.each([[1, 1], [2, 3], [3, 4], [6, 6]])('agree with the reference on a %i×%i image', (height, width) => {
    const w: Window2d = { batch: 1, channels: 1, height, width, kernelH: 2, kernelW: 2, strideH: 1, strideW: 1,
      padH: 1, padW: 1, dilationH: 1, dilationW: 1, outH: height + 1, outW: width + 1 };
    for (const [, C] of DTYPES) {
      expectWindowKernelsAgree(ks, C, w, height * width, false);
      expectWindowKernelsAgree(ks, C, w, height * width, true);
    }
  });
});

describe('the native addon checks the window kernels\' arguments', () => {
  const addon = loadAddon();
  const w: Window2d = { batch: 2, channels: 1, height: 3, width: 3, kernelH: 2, kernelW: 2, strideH: 1, strideW: 1,
    padH: 0, padW: 0, dilationH: 1, dilationW: 1, outH: 2, outW: 2 };
  const sizes = () => [...windowSizes(w)];
  const withField = (i: number, v: number) => sizes().map((s, j) => (j === i ? v : s));
  it.each([
    ['im2col with a short out', () => addon.im2col(new Float32Array(18), sizes(), new Float32Array(31)), /^chainrule native im2col: out has 31 elements, channels·kernelH·kernelW·batch·outH·outW = 32/],
    ['im2col with a short x', () => addon.im2col(new Float32Array(17), sizes(), new Float32Array(32)), /^chainrule native im2col: x has 17 elements, batch·channels·height·width = 18/],
    ['col2im mixing dtypes', () => addon.col2im(new Float32Array(32), sizes(), new Float64Array(18)), /^chainrule native col2im: argument 2 has another dtype/],
    ['col2im with short columns', () => addon.col2im(new Float64Array(30), sizes(), new Float64Array(18)), /^chainrule native col2im: cols has 30 elements, channels·kernelH·kernelW·batch·outH·outW = 32/],
    ['maxPool2d with a short argmax', () => addon.maxPool2d(new Float32Array(18), sizes(), new Float32Array(8), new Int32Array(7), 0), /^chainrule native maxPool2d: argmax has 7 elements, batch·channels·outH·outW = 8/],
    ['maxPool2d with a float argmax', () => addon.maxPool2d(new Float32Array(18), sizes(), new Float32Array(8), new Float32Array(8) as unknown as Int32Array, 0), /^chainrule native maxPool2d: argument 3 is not an Int32Array/],
    ['maxPool2d with no level', () => (addon.maxPool2d as (...args: unknown[]) => void)(new Float32Array(18), sizes(), new Float32Array(8), new Int32Array(8)), /^chainrule native maxPool2d: argument 4 is not a number/],
    ['maxPool2d at a level above the CPU\'s', () => addon.maxPool2d(new Float32Array(18), sizes(), new Float32Array(8), new Int32Array(8), addon.level() + 1), /^chainrule native maxPool2d: level \d is above this CPU's \d/],
    ['avgPool2d with a long out', () => addon.avgPool2d(new Float32Array(18), sizes(), new Float32Array(9)), /^chainrule native avgPool2d: out has 9 elements, batch·channels·outH·outW = 8/],
    ['avgPool2dBackward with a short out', () => addon.avgPool2dBackward(new Float32Array(8), sizes(), new Float32Array(17)), /^chainrule native avgPool2dBackward: out has 17 elements, batch·channels·height·width = 18/],
    ['a window of 13 sizes', () => addon.im2col(new Float32Array(18), sizes().slice(1), new Float32Array(32)), /^chainrule native im2col: window has 13 sizes, needs 14/],
    ['a stride of 0', () => addon.avgPool2d(new Float32Array(18), withField(6, 0), new Float32Array(8)), /^chainrule native avgPool2d: window.strideH must be at least 1, got 0/],
    ['a negative padding', () => addon.im2col(new Float32Array(18), withField(8, -1), new Float32Array(32)), /^chainrule native im2col: window\[8\] is not a size/],
    ['a height over 2^31 - 1', () => addon.maxPool2d(new Float32Array(18), withField(2, 2 ** 31), new Float32Array(8), new Int32Array(8), 0), /^chainrule native maxPool2d: window.height = 2147483648 is over 2\^31 - 1/],
    ['sizes whose product overflows', () => addon.col2im(new Float32Array(1), [2 ** 31 - 1, 2 ** 31 - 1, 2 ** 31 - 1, 2 ** 31 - 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1], new Float32Array(1)), /^chainrule native col2im: the window's sizes overflow/],
  ])('%s is a RangeError naming the kernel and sizes', (_what, call, message) => {
    expect(call).toThrow(RangeError);
    expect(call).toThrow(message);
  });
});
