import { Rng, Tensor } from '@chainrule/core';
import { describe, expect, it } from 'vitest';
import { functions, meshgrid, sampleFunction, sincValue } from '../src/index.ts';

const rows = (t: Tensor): number[][] => t.toArray() as number[][];

describe('built-in functions', () => {
  it('exp is e^x on random points in its domain', () => {
    const { x, y, n } = sampleFunction('exp', { n: 500, seed: 1 });
    expect(n).toBe(500);
    expect(x.shape).toEqual([500, 1]);
    expect(y.shape).toEqual([500, 1]);
    expect(x.dtype).toBe('float32');
    for (let i = 0; i < n; i++) {
      expect(x.data[i]).toBeGreaterThanOrEqual(-2);
      expect(x.data[i]).toBeLessThan(2);
      expect(y.data[i]).toBe(Math.fround(Math.exp(x.data[i]!)));
    }
  });

  it('sinc is sin(x)/x and exactly 1 at 0', () => {
    expect(sincValue(0)).toBe(1);
    expect(functions.sinc.f(0)).toBe(1);
    expect(sincValue(Math.PI)).toBeCloseTo(0, 15);
    expect(sincValue(1e-9)).toBeCloseTo(1, 12);
    // An odd grid over a symmetric range hits 0 exactly.
    const { x, y } = sampleFunction('sinc', { grid: 31, dtype: 'float64' });
    expect(x.data[15]).toBe(0);
    expect(y.data[15]).toBe(1);
    expect(x.data[0]).toBe(-15);
    expect(x.data[30]).toBe(15);
    for (let i = 0; i < 31; i++) if (x.data[i] !== 0) expect(y.data[i]).toBeCloseTo(Math.sin(x.data[i]!) / x.data[i]!, 14);
    expect(Number.isFinite(Math.min(...y.data))).toBe(true);
  });

  it('sinPlusCos is sin(x) + cos(y) over [-π, π]²', () => {
    const { x, y, n } = sampleFunction('sinPlusCos', { n: 400, seed: 3, dtype: 'float64' });
    expect(x.shape).toEqual([400, 2]);
    expect(y.shape).toEqual([400, 1]);
    expect(x.dtype).toBe('float64');
    for (let i = 0; i < n; i++) {
      const [a, b] = [x.data[2 * i]!, x.data[2 * i + 1]!];
      expect(Math.abs(a)).toBeLessThanOrEqual(Math.PI);
      expect(Math.abs(b)).toBeLessThanOrEqual(Math.PI);
      expect(y.data[i]).toBe(Math.sin(a) + Math.cos(b));
    }
  });

  it('a plain function with a range works, arity from the function or the ranges', () => {
    const sq = sampleFunction((v: number) => v * v, { range: [0, 3], grid: 4 });
    expect(rows(sq.x)).toEqual([[0], [1], [2], [3]]);
    expect(rows(sq.y)).toEqual([[0], [1], [4], [9]]);
    const prod = sampleFunction((a: number, b: number) => a * b, { range: [[1, 2], [10, 20]], grid: [2, 2] });
    expect(rows(prod.x)).toEqual([[1, 10], [2, 10], [1, 20], [2, 20]]);
    expect(rows(prod.y)).toEqual([[10], [20], [20], [40]]);
    const same = sampleFunction((a: number, b: number) => a - b, { range: [0, 1], grid: 2 });
    expect(same.x.shape).toEqual([4, 2]);
  });
});

describe('grids and meshgrid', () => {
  it('grid sizes: one count per axis, ends included', () => {
    const g = sampleFunction('sinPlusCos', { grid: [5, 3], range: [[0, 4], [-1, 1]] });
    expect(g.n).toBe(15);
    expect(g.x.shape).toEqual([15, 2]);
    expect(g.y.shape).toEqual([15, 1]);
    // x varies fastest: the first row of the grid is y = -1 with x = 0..4.
    expect(rows(g.x).slice(0, 6)).toEqual([[0, -1], [1, -1], [2, -1], [3, -1], [4, -1], [0, 0]]);
    expect(rows(g.x)[14]).toEqual([4, 1]);
    expect(sampleFunction('sinPlusCos', { grid: 7 }).n).toBe(49);
    expect(sampleFunction('exp', { grid: 1 }).x.data[0]).toBe(-2);
  });

  it('meshgrid follows NumPy: xy gives [ny, nx], ij gives [nx, ny]', () => {
    const [X, Y] = meshgrid([1, 2, 3], [10, 20]);
    expect(X.shape).toEqual([2, 3]);
    expect(X.toArray()).toEqual([[1, 2, 3], [1, 2, 3]]);
    expect(Y.toArray()).toEqual([[10, 10, 10], [20, 20, 20]]);
    const [Xi, Yi] = meshgrid([1, 2, 3], [10, 20], { indexing: 'ij' });
    expect(Xi.shape).toEqual([3, 2]);
    expect(Xi.toArray()).toEqual([[1, 1], [2, 2], [3, 3]]);
    expect(Yi.toArray()).toEqual([[10, 20], [10, 20], [10, 20]]);
  });

  it('meshgrid keeps float64 inputs and accepts tensors', () => {
    const [X] = meshgrid(Float64Array.of(0.1, 0.2), Float64Array.of(1));
    expect(X.dtype).toBe('float64');
    expect(Array.from(X.data)).toEqual([0.1, 0.2]);
    const [, Y] = meshgrid(new Tensor(Float32Array.of(1, 2), [2]), new Tensor(Float32Array.of(5, 6), [2]));
    expect(Y.dtype).toBe('float32');
    expect(Y.toArray()).toEqual([[5, 5], [6, 6]]);
    expect(() => meshgrid(new Tensor(Float32Array.of(1, 2), [1, 2]), [1])).toThrow(/xs must be 1-d/);
  });

  it('a grid without noise needs no seed', () => {
    expect(() => sampleFunction('exp', { grid: 10 })).not.toThrow();
  });
});

describe('seeding and noise', () => {
  it('the same seed reproduces the data; another seed does not', () => {
    const a = sampleFunction('sinc', { n: 100, seed: 42, noise: 0.1 });
    const b = sampleFunction('sinc', { n: 100, seed: 42, noise: 0.1 });
    const c = sampleFunction('sinc', { n: 100, seed: 43, noise: 0.1 });
    expect(Array.from(a.x.data)).toEqual(Array.from(b.x.data));
    expect(Array.from(a.y.data)).toEqual(Array.from(b.y.data));
    expect(Array.from(a.x.data)).not.toEqual(Array.from(c.x.data));
  });

  it('a passed Rng is used and advanced', () => {
    const rng = new Rng(7);
    const a = sampleFunction('exp', { n: 10, rng });
    const b = sampleFunction('exp', { n: 10, rng });
    expect(Array.from(a.x.data)).not.toEqual(Array.from(b.x.data));
    expect(Array.from(sampleFunction('exp', { n: 10, rng: new Rng(7) }).x.data)).toEqual(Array.from(a.x.data));
  });

  it('noise is Gaussian with the given std, and does not move x', () => {
    const clean = sampleFunction('sinPlusCos', { n: 20000, seed: 5, dtype: 'float64' });
    const noisy = sampleFunction('sinPlusCos', { n: 20000, seed: 5, noise: 0.3, dtype: 'float64' });
    expect(Array.from(noisy.x.data)).toEqual(Array.from(clean.x.data));
    const r = Array.from(clean.y.data, (v, i) => noisy.y.data[i]! - v);
    const mean = r.reduce((s, v) => s + v, 0) / r.length;
    const std = Math.sqrt(r.reduce((s, v) => s + (v - mean) ** 2, 0) / r.length);
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(std).toBeCloseTo(0.3, 2);
    // The noise stream is not the x stream: residuals are uncorrelated with the first input.
    const xs = Array.from({ length: r.length }, (_, i) => noisy.x.data[2 * i]!);
    const corr = xs.reduce((s, v, i) => s + v * r[i]!, 0) / r.length / (std * Math.PI / Math.sqrt(3));
    expect(Math.abs(corr)).toBeLessThan(0.03);
  });

  it('random points cover the range uniformly', () => {
    const { x } = sampleFunction((v: number) => v, { range: [10, 20], n: 10000, seed: 9 });
    const bins = new Array(10).fill(0);
    for (const v of x.data) bins[Math.floor(v - 10)]++;
    expect(bins.every((c) => c > 850 && c < 1150)).toBe(true);
  });
});

describe('bad options say what is wrong', () => {
  it.each([
    [{ n: 10 }, /pass \{ seed \} or \{ rng \}/],
    [{ grid: 10, noise: 0.1 }, /needed for noise/],
    [{ n: 10, grid: 10, seed: 1 }, /exactly one of \{ n \}/],
    [{ seed: 1 }, /exactly one of \{ n \}/],
    [{ n: 0, seed: 1 }, /n must be a positive integer, got the number 0/],
    [{ n: 2.5, seed: 1 }, /n must be a positive integer/],
    [{ grid: [3], seed: 1 }, /grid has 1 axes for a function of 2 variables/],
    [{ n: 5, seed: 1, noise: -1 }, /noise must be/],
    [{ n: 5, seed: 1, range: [1, 1] }, /range 0 must be two finite numbers \[low, high\] with high > low, got the number 1 and the number 1/],
  ])('sinPlusCos with %j', (options, message) => {
    expect(() => sampleFunction('sinPlusCos', options as never)).toThrow(message);
  });

  it('unknown names and plain functions without a range', () => {
    expect(() => sampleFunction('cosh' as never, { n: 3, seed: 1 })).toThrow(/unknown function 'cosh'; built-ins are exp, sinc, sinPlusCos/);
    expect(() => sampleFunction((v: number) => v, { n: 3, seed: 1 })).toThrow(/pass \{ range/);
    expect(() => sampleFunction((a: number) => a, { n: 3, seed: 1, range: [[0, 1], [0, 1], [0, 1]] })).toThrow(/1 or 2 variables/);
  });
});
