import { tensor, type Tensor } from '@chainrule/core';
import { OrderedMap } from 'immutable';
import { describe, expect, it } from 'vitest';
import { adam, adamW, clipGradients, exponentialDecay, getOptimizer, globalNorm, OptState, rmsprop, sgd, type Params } from '../src/index.ts';

const P = (entries: Record<string, number[]>): Params =>
  OrderedMap(Object.entries(entries).map(([k, v]) => [k, tensor(v, { dtype: 'float64' })] as [string, Tensor]));
const values = (p: Params, k: string) => Array.from(p.get(k)!.data);

describe('optimisers', () => {
  const params = P({ 'a/w': [1, -2], 'a/b': [0.5] });
  const grads = P({ 'a/w': [0.5, -1], 'a/b': [2] });

  it('sgd: p − lr·g, and leaves its inputs unchanged', () => {
    const opt = sgd({ lr: 0.1 });
    const { params: next, state } = opt.update(params, grads, opt.init(params));
    expect(values(next, 'a/w')).toEqual([expect.closeTo(0.95, 12), expect.closeTo(-1.9, 12)]);
    expect(values(next, 'a/b')).toEqual([expect.closeTo(0.3, 12)]);
    expect(values(params, 'a/w')).toEqual([1, -2]);
    expect(state.step).toBe(1);
    expect(next.get('a/w')!.name).toBe('a/w');
  });

  it('update returns an OptState one step on, the params in their order and the slots per parameter, and leaves the state given as it was', () => {
    const opt = adam({ lr: 0.1 });
    const before = opt.init(params);
    const { params: next, state } = opt.update(params, grads, before);
    expect(state).toBeInstanceOf(OptState);
    expect(state.step).toBe(1);
    expect([...next.keys()]).toEqual(['a/w', 'a/b']);
    expect([...state.slots.keys()]).toEqual(['m', 'v']);
    expect([...state.slots.get('m')!.keys()]).toEqual(['a/w', 'a/b']);
    expect(values(state.slots.get('m')!, 'a/w')).toEqual([expect.closeTo(0.05, 12), expect.closeTo(-0.1, 12)]);
    expect(before.step).toBe(0);
    expect(values(before.slots.get('m')!, 'a/w')).toEqual([0, 0]);
    // A state given as a plain object of the same fields (not made by OptState) still gives an OptState back.
    const plain = { step: 4, slots: OrderedMap<string, Params>() } as unknown as ReturnType<typeof opt.init>;
    const fromPlain = sgd({ lr: 0.1 }).update(params, grads, plain).state;
    expect(fromPlain).toBeInstanceOf(OptState);
    expect(fromPlain.step).toBe(5);
    expect(fromPlain.slots.size).toBe(0);
  });

  it('sgd momentum accumulates velocity; nesterov looks ahead', () => {
    const g = P({ x: [1] });
    const run = (opt: ReturnType<typeof sgd>) => {
      let p = P({ x: [0] });
      let s = opt.init(p);
      for (let i = 0; i < 2; i++) ({ params: p, state: s } = opt.update(p, g, s));
      return values(p, 'x')[0];
    };
    // v1 = 1, v2 = 1.9: p = −0.1·(1 + 1.9)
    expect(run(sgd({ lr: 0.1, momentum: 0.9 }))).toBeCloseTo(-0.29, 12);
    // nesterov steps by g + μ·v: (1 + 0.9) + (1 + 1.71) = 4.61
    expect(run(sgd({ lr: 0.1, momentum: 0.9, nesterov: true }))).toBeCloseTo(-0.461, 12);
  });

  it('sgd weight decay adds wd·p to the gradient', () => {
    const opt = sgd({ lr: 0.1, weightDecay: 0.5 });
    const { params: next } = opt.update(P({ x: [2] }), P({ x: [0] }), opt.init(P({ x: [2] })));
    expect(values(next, 'x')[0]).toBeCloseTo(2 - 0.1 * 0.5 * 2, 12);
  });

  it('adam: the first step moves each weight by about lr against the gradient sign', () => {
    const opt = adam({ lr: 0.01 });
    const { params: next, state } = opt.update(params, grads, opt.init(params));
    expect(values(next, 'a/w')).toEqual([expect.closeTo(0.99, 6), expect.closeTo(-1.99, 6)]);
    expect(values(next, 'a/b')).toEqual([expect.closeTo(0.49, 6)]);
    expect(values(state.slots.get('m')!, 'a/w')).toEqual([expect.closeTo(0.05, 12), expect.closeTo(-0.1, 12)]);
    expect(values(state.slots.get('v')!, 'a/b')).toEqual([expect.closeTo(0.004, 12)]);
  });

  it('adamW decays the weights directly, adam adds the decay to the gradient', () => {
    const p = P({ x: [10] });
    const zero = P({ x: [0] });
    const w = adamW({ lr: 0.1, weightDecay: 0.1 });
    expect(values(w.update(p, zero, w.init(p)).params, 'x')[0]).toBeCloseTo(10 * (1 - 0.01), 9);
    const a = adam({ lr: 0.1, weightDecay: 0.1 });
    // The L2 term is the whole gradient here, so Adam's normalised step is ≈ lr.
    expect(values(a.update(p, zero, a.init(p)).params, 'x')[0]).toBeCloseTo(9.9, 6);
  });

  it('rmsprop divides by the running RMS', () => {
    const opt = rmsprop({ lr: 0.01, rho: 0.9, epsilon: 0 });
    const { params: next } = opt.update(P({ x: [1] }), P({ x: [2] }), opt.init(P({ x: [1] })));
    // s = 0.1·4 = 0.4; step = 2/√0.4
    expect(values(next, 'x')[0]).toBeCloseTo(1 - 0.01 * 2 / Math.sqrt(0.4), 12);
  });

  it('flushes subnormal state to zero', () => {
    const opt = adam({ lr: 0.001 });
    const tinyG = P({ x: [1e-20] });
    const { state } = opt.update(P({ x: [1] }), tinyG, opt.init(P({ x: [1] })));
    expect(values(state.slots.get('v')!, 'x')[0]).toBe(0); // 0.001·1e-40 would be subnormal
    expect(values(state.slots.get('m')!, 'x')[0]).toBeCloseTo(1e-21, 30);
  });

  it('clips by value and by global norm', () => {
    const g = P({ a: [3, -4], b: [12] });
    expect(globalNorm(g)).toBeCloseTo(13, 12);
    const byNorm = clipGradients(g, { clipNorm: 1.3 });
    expect(values(byNorm, 'a')).toEqual([expect.closeTo(0.3, 12), expect.closeTo(-0.4, 12)]);
    expect(globalNorm(byNorm)).toBeCloseTo(1.3, 12);
    expect(values(clipGradients(g, { clipValue: 3.5 }), 'b')).toEqual([3.5]);
    expect(values(clipGradients(g, { clipNorm: 100 }), 'b')).toEqual([12]);
    const opt = sgd({ lr: 1, clipValue: 0.5 });
    expect(values(opt.update(P({ a: [0, 0], b: [0] }), g, opt.init(g)).params, 'a')).toEqual([-0.5, 0.5]);
  });

  it('takes a schedule as its learning rate, indexed by the step', () => {
    const opt = sgd({ lr: exponentialDecay(1, { rate: 0.5, decaySteps: 1 }) });
    let p = P({ x: [0] });
    let s = opt.init(p);
    for (let i = 0; i < 3; i++) ({ params: p, state: s } = opt.update(p, P({ x: [1] }), s));
    expect(values(p, 'x')[0]).toBeCloseTo(-(1 + 0.5 + 0.25), 12);
    expect(opt.lr(3)).toBeCloseTo(0.125, 12);
  });

  it('bad optimiser input: unknown name, negative lr, missing gradient', () => {
    expect(() => getOptimizer('adagrad' as never)).toThrow(/unknown optimizer "adagrad"; valid optimizers: 'sgd', 'adam', 'adamW', 'rmsprop', 'lion'$/);
    expect(() => sgd({ lr: -0.1 })).toThrow(/sgd: learning rate must be a finite number ≥ 0, got the number -0.1/);
    expect(() => adam({ lr: Number.NaN })).toThrow(/learning rate/);
    const neg = sgd({ lr: (step) => 0.1 - step });
    const p = P({ x: [0] });
    const first = neg.update(p, p, neg.init(p));
    expect(() => neg.update(first.params, p, first.state)).toThrow(/schedule gave -0.9 at step 1/);
    expect(() => sgd({ momentum: 1 })).toThrow(/momentum must be in \[0, 1\)/);
    expect(() => sgd().update(params, P({ 'a/w': [1, 1] }), sgd().init(params))).toThrow(/no gradient for parameter 'a\/b'/);
  });
});
