/**
 * Each optimiser's fused update against its formula written out plainly in float64 JS, step by step;
 * the flush of tiny state values; and, on float32, the exact bits of the sgd/adam kernels the fused
 * programs replaced (their AssemblyScript transcribed with Math.fround at every operation).
 */
import { backend, fromData, fuse, setBackend, type BackendName, type DType, type Tensor } from '@chainrule/core';
import { OrderedMap } from 'immutable';
import { afterEach, describe, expect, it } from 'vitest';
import { adam, adamW, lion, makeOptimizer, rmsprop, sgd, type Optimizer, type Params } from '../src/index.ts';

const N = 40;
const TINY = 1e-30;
const flush = (x: number) => (Math.abs(x) < TINY ? 0 : x);

/** One element's update: the new value of p and of each slot, given the old ones, this step's lr and the 1-based step t. */
type Step = { p: number; s: Record<string, number> };
type Formula = (p: number, g: number, s: Record<string, number>, lr: number, t: number) => Step;

const sgdFormula = (wd: number, mu: number, nesterov: boolean): Formula => (p, g, s, lr): Step => {
  const gd = g + wd * p;
  if (mu === 0) return { p: p - lr * gd, s: {} };
  const v = flush(mu * s.velocity! + gd);
  return { p: p - lr * (nesterov ? gd + mu * v : v), s: { velocity: v } };
};

/** Adam as published (bias-corrected moments), with L2 decay l2 on the gradient and decoupled decay dw on the weights. */
const adamFormula = (b1: number, b2: number, eps: number, l2: number, dw: number): Formula => (p, g, s, lr, t) => {
  const gd = g + l2 * p;
  const m = flush(b1 * s.m! + (1 - b1) * gd);
  const v = flush(b2 * s.v! + (1 - b2) * gd * gd);
  const mHat = m / (1 - b1 ** t), vHat = v / (1 - b2 ** t);
  return { p: p - lr * dw * p - (lr * mHat) / (Math.sqrt(vHat) + eps), s: { m, v } };
};

const rmspropFormula = (rho: number, eps: number, mu: number, wd: number): Formula => (p, g, s, lr): Step => {
  const gd = g + wd * p;
  const square = flush(rho * s.square! + (1 - rho) * gd * gd);
  const u = gd / (Math.sqrt(square) + eps);
  if (mu === 0) return { p: p - lr * u, s: { square } };
  const velocity = flush(mu * s.velocity! + u);
  return { p: p - lr * velocity, s: { square, velocity } };
};

const lionFormula = (b1: number, b2: number, wd: number): Formula => (p, g, s, lr) => {
  const c = b1 * s.m! + (1 - b1) * g;
  return { p: p - lr * (Math.sign(c) + wd * p), s: { m: flush(b2 * s.m! + (1 - b2) * g) } };
};

const schedule = (step: number) => 0.05 / (1 + 0.5 * step);
const cases: [string, Optimizer, Formula, (step: number) => number][] = [
  ['sgd', sgd({ lr: 0.1 }), sgdFormula(0, 0, false), () => 0.1],
  ['sgd with weight decay', sgd({ lr: 0.1, weightDecay: 0.02 }), sgdFormula(0.02, 0, false), () => 0.1],
  ['sgd momentum', sgd({ lr: schedule, momentum: 0.9 }), sgdFormula(0, 0.9, false), schedule],
  ['sgd nesterov with weight decay', sgd({ lr: 0.1, momentum: 0.8, nesterov: true, weightDecay: 0.01 }), sgdFormula(0.01, 0.8, true), () => 0.1],
  ['adam', adam({ lr: 0.01 }), adamFormula(0.9, 0.999, 1e-8, 0, 0), () => 0.01],
  ['adam with L2 decay', adam({ lr: schedule, beta1: 0.8, beta2: 0.99, epsilon: 1e-6, weightDecay: 0.05 }), adamFormula(0.8, 0.99, 1e-6, 0.05, 0), schedule],
  ['adamW', adamW({ lr: schedule, weightDecay: 0.1 }), adamFormula(0.9, 0.999, 1e-8, 0, 0.1), schedule],
  ['rmsprop', rmsprop({ lr: 0.01 }), rmspropFormula(0.9, 1e-7, 0, 0), () => 0.01],
  ['rmsprop momentum with weight decay', rmsprop({ lr: schedule, rho: 0.8, momentum: 0.9, epsilon: 1e-5, weightDecay: 0.01 }), rmspropFormula(0.8, 1e-5, 0.9, 0.01), schedule],
  ['lion', lion({ lr: 0.01 }), lionFormula(0.9, 0.99, 0), () => 0.01],
  ['lion with weight decay', lion({ lr: schedule, beta1: 0.8, beta2: 0.95, weightDecay: 0.3 }), lionFormula(0.8, 0.95, 0.3), schedule],
];

/** Deterministic values of mixed signs and magnitudes (no Rng: the formula side must not depend on the library). */
const values = (n: number, seed: number, scale: number) => Array.from({ length: n }, (_, i) => scale * Math.sin(seed * 7.1 + i * 1.37) * (1 + (i % 5)));
const params = (xs: readonly number[], dtype: DType = 'float64'): Params =>
  OrderedMap([['w', fromData(dtype === 'float64' ? Float64Array.from(xs) : Float32Array.from(xs), [xs.length])] as [string, Tensor]]);
const read = (p: Params) => Array.from(p.get('w')!.data);

describe('each optimiser is its formula (float64)', () => {
  for (const [name, opt, formula, lr] of cases) {
    it(name, () => {
      let p = params(values(N, 1, 1));
      let state = opt.init(p);
      let want = { p: read(p), s: Object.fromEntries(opt.slots!.map((s) => [s, new Array<number>(N).fill(0)])) };
      for (let step = 0; step < 8; step++) {
        const g = values(N, step + 2, step === 5 ? 1e-3 : 0.5);
        ({ params: p, state } = opt.update(p, params(g), state));
        const next = want.p.map((pi, i) => formula(pi, g[i]!, Object.fromEntries(opt.slots!.map((s) => [s, want.s[s]![i]!])), lr(step), step + 1));
        want = { p: next.map((e) => e.p), s: Object.fromEntries(opt.slots!.map((s) => [s, next.map((e) => e.s[s]!)])) };
        const close = (got: number[], expected: number[], what: string) =>
          got.forEach((x, i) => expect(Math.abs(x - expected[i]!), `${what}[${i}] at step ${step + 1}: ${x} vs ${expected[i]}`).toBeLessThanOrEqual(1e-13 * Math.max(1, Math.abs(expected[i]!))));
        close(read(p), want.p, 'p');
        for (const s of opt.slots!) close(read(state.slots.get(s)!), want.s[s]!, s);
      }
    });
  }
});

describe('tiny state values are flushed to zero', () => {
  // [optimiser, slot, the gradient that makes the slot 1e-31, the one that makes it 1e-29 (kept), dtypes].
  const tiny: [string, Optimizer, string, number, number, DType[]][] = [
    ['sgd', sgd({ momentum: 0.9 }), 'velocity', 1e-31, 1e-29, ['float32', 'float64']],
    ['adam', adam(), 'm', 1e-30, 1e-28, ['float32', 'float64']],
    ['adamW', adamW(), 'v', 1e-14, 1e-13, ['float32', 'float64']],
    ['rmsprop', rmsprop(), 'square', 1e-15, 1e-14, ['float32', 'float64']],
    // The velocity holds g/(√s + ε) = g/1e-7 once s is flushed; a gradient of 1e-38 is not a normal float32.
    ['rmsprop', rmsprop({ momentum: 0.5 }), 'velocity', 1e-38, 1e-36, ['float64']],
    ['lion', lion(), 'm', 1e-29, 1e-27, ['float32', 'float64']],
  ];
  for (const [name, opt, slot, gTiny, gKept, dtypes] of tiny) {
    for (const dtype of dtypes) {
      it(`${name}: ${slot} of 1e-31 becomes 0, 1e-29 stays (${dtype})`, () => {
        const p = params(new Array(N).fill(1), dtype);
        const slotAfter = (grad: number) => read(opt.update(p, params(new Array(N).fill(grad), dtype), opt.init(p)).state.slots.get(slot)!);
        expect(slotAfter(gTiny)).toEqual(new Array(N).fill(0));
        for (const x of slotAfter(gKept)) expect(x / 1e-29).toBeCloseTo(1, 4); // float32's 1 − β2 is 1.3e-5 off
      });
    }
  }
});

describe('float32 bits of the kernels the fused programs replaced', () => {
  const before = backend() as BackendName;
  afterEach(() => setBackend(before));
  const f = Math.fround;
  const flush32 = (x: number) => (Math.abs(x) < f(TINY) ? 0 : x);
  const fma32 = (a: number, b: number, c: number) => f(f(a * b) + c);
  type Kernel32 = (p: number, g: number, s: Record<string, number>, lr: number, t: number) => { p: number; s: Record<string, number> };

  /** sgdStep of wasm/assembly/kernels.ts (plain SIMD: the product is rounded before the sum). */
  const sgdKernel = (lr0: number, mu0: number, wd0: number, nesterov: boolean): Kernel32 => (p, g, s) => {
    const [lr, mu, wd] = [f(lr0), f(mu0), f(wd0)];
    const gd = fma32(wd, p, g);
    const v = flush32(fma32(mu, s.velocity!, gd));
    return { p: f(p - f(lr * (nesterov ? fma32(mu, v, gd) : v))), s: { velocity: v } };
  };
  /** adamStep of wasm/assembly/kernels.ts, with the constants nn passed it. */
  const adamKernel = (lr: number, b1: number, b2: number, eps: number, l2: number, dw: number): Kernel32 => (p, g, s, _lr, t) => {
    const [stepSize, invRootC2, keep] = [f(lr / (1 - b1 ** t)), f(1 / Math.sqrt(1 - b2 ** t)), f(1 - lr * dw)];
    const gd = fma32(f(l2), p, g);
    const m = flush32(fma32(f(b1), s.m!, f(f(1 - f(b1)) * gd)));
    const v = flush32(fma32(f(b2), s.v!, f(f(1 - f(b2)) * f(gd * gd))));
    const denom = fma32(f(Math.sqrt(v)), invRootC2, f(eps));
    return { p: f(f(p * keep) - f(f(stepSize * m) / denom)), s: { m, v } };
  };
  const kernelCases: [string, Optimizer, Kernel32][] = [
    ['sgd nesterov with weight decay', sgd({ lr: 0.03, momentum: 0.8, nesterov: true, weightDecay: 1e-3 }), sgdKernel(0.03, 0.8, 1e-3, true)],
    ['sgd momentum', sgd({ lr: 0.03, momentum: 0.9 }), sgdKernel(0.03, 0.9, 0, false)],
    ['adam with L2 decay', adam({ lr: 0.01, beta1: 0.8, beta2: 0.99, epsilon: 1e-6, weightDecay: 0.05 }), adamKernel(0.01, 0.8, 0.99, 1e-6, 0.05, 0)],
    ['adamW', adamW({ lr: 0.01 }), adamKernel(0.01, 0.9, 0.999, 1e-8, 0, 0.01)],
  ];
  for (const [name, opt, kernel] of kernelCases) {
    it(`${name} on wasm-simd`, () => {
      setBackend('wasm-simd');
      const n = 64;
      let p = params(values(n, 1, 1), 'float32');
      let state = opt.init(p);
      let want = { p: read(p), s: Object.fromEntries(opt.slots!.map((s) => [s, new Array<number>(n).fill(0)])) };
      for (let step = 0; step < 6; step++) {
        const g = values(n, step + 2, step === 3 ? 1e-20 : 0.5).map(f);
        ({ params: p, state } = opt.update(p, params(g, 'float32'), state));
        const next = want.p.map((pi, i) => kernel(pi, g[i]!, Object.fromEntries(opt.slots!.map((s) => [s, want.s[s]![i]!])), 0, step + 1));
        want = { p: next.map((e) => e.p), s: Object.fromEntries(opt.slots!.map((s) => [s, next.map((e) => e.s[s]!)])) };
        expect(read(p), `p at step ${step + 1}`).toEqual(want.p);
        for (const s of opt.slots!) expect(read(state.slots.get(s)!), `${s} at step ${step + 1}`).toEqual(want.s[s]);
      }
    });
  }
});

describe('makeOptimizer', () => {
  it('rejects an update program that does not read p first, g and its slots', () => {
    const noG = fuse({ arrays: ['p', 'm'], scalars: ['lr'] }, ({ p, m, lr }) => ({ p: p.sub(lr.mul(m)), m }));
    expect(() => makeOptimizer('mine', {}, 0.1, noG, (lr) => ({ lr })))
      .toThrow(/^mine: its update program must read arrays p \(first\), g and one per slot and return p and the slots; it reads \[p, m\] and returns \[p, m\]$/);
    const gFirst = fuse({ arrays: ['g', 'p'] }, ({ p, g }) => ({ p: p.sub(g) }));
    expect(() => makeOptimizer('mine', {}, 0.1, gFirst, () => ({}))).toThrow(/it reads \[g, p\] and returns \[p\]/);
  });

  it('makes an optimiser from a program: slots from its outputs, zeros to start, scalars per step', () => {
    const sumOfGrads = fuse({ arrays: ['p', 'g', 'sum'], scalars: ['lr'] }, ({ p, g, sum, lr }) => ({ p: p.sub(g.mul(lr)), sum: sum.add(g) }));
    const opt = makeOptimizer('mine', {}, 0.5, sumOfGrads, (lr, t) => ({ lr: lr / t }));
    let p = params([1, 2]);
    let state = opt.init(p);
    expect(opt.slots).toEqual(['sum']);
    expect(read(state.slots.get('sum')!)).toEqual([0, 0]);
    for (let i = 0; i < 2; i++) ({ params: p, state } = opt.update(p, params([1, -1]), state));
    expect(read(p)).toEqual([1 - 0.5 - 0.25, 2 + 0.5 + 0.25]);
    expect(read(state.slots.get('sum')!)).toEqual([2, -2]);
    expect(p.get('w')!.name).toBe('w');
  });
});
