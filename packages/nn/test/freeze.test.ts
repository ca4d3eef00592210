/**
 * Freezing: a frozen parameter and its slot entries come back bit-identical after N updates of every
 * optimiser, whether frozen by the update's `frozen` set or by the optimiser's `frozen` option, while
 * the other parameters train exactly as if the frozen one were not there.
 */
import { randn, type Tensor } from '@chainrule/core';
import { OrderedMap } from 'immutable';
import { describe, expect, it } from 'vitest';
import { adam, adamW, dense, fit, lion, mlp, rmsprop, sequential, sgd, type Optimizer, type OptState, type Params, type UpdateOptions } from '../src/index.ts';
import { sameBits, spiral } from './helpers.ts';

const SHAPES: Record<string, number[]> = { 'dense0/w': [3, 4], 'dense0/b': [4], 'dense1/w': [4, 2], 'dense1/b': [2] };
const params0: Params = OrderedMap(Object.entries(SHAPES).map(([k, s], i) => [k, randn(s, { seed: i }).withName(k)] as [string, Tensor]));
/** Gradients that differ every step, none of them zero. */
const gradsAt = (step: number, keys = Object.keys(SHAPES)): Params =>
  OrderedMap(keys.map((k) => [k, randn(SHAPES[k]!, { seed: 100 + 10 * step + Object.keys(SHAPES).indexOf(k) }).add(3)] as [string, Tensor]));

const optimizers: [string, () => Optimizer][] = [
  ['sgd', () => sgd({ lr: 0.1, weightDecay: 0.01 })],
  ['sgd nesterov', () => sgd({ lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01 })],
  ['adam', () => adam({ lr: 0.01, weightDecay: 0.01 })],
  ['adamW', () => adamW({ lr: 0.01, weightDecay: 0.1 })],
  ['rmsprop momentum', () => rmsprop({ lr: 0.01, momentum: 0.9, weightDecay: 0.01 })],
  ['lion', () => lion({ lr: 0.01, weightDecay: 0.1 })],
  ['adamW with clipping', () => adamW({ lr: 0.01, clipNorm: 1 })],
];

function train(opt: Optimizer, params: Params, steps: number, update: UpdateOptions = {}, keys?: string[]): { params: Params; state: OptState; first: OptState } {
  let state = opt.init(params);
  let first = state;
  for (let t = 0; t < steps; t++) {
    ({ params, state } = opt.update(params, gradsAt(t, keys), state, undefined, update));
    if (t === 0) first = state;
  }
  return { params, state, first };
}

const slotEntries = (state: OptState, key: string) => [...state.slots.values()].map((slot) => slot.get(key)!);

describe('frozen parameters', () => {
  it.each(optimizers)('%s: a frozen parameter and its slots are bit-identical after 5 updates; the others train as without it', (_, make) => {
    const opt = make();
    const init = opt.init(params0);
    const { params, state } = train(opt, params0, 5, { frozen: new Set(['dense0/w']) });
    expect(sameBits(params.get('dense0/w')!, params0.get('dense0/w')!)).toBe(true);
    slotEntries(state, 'dense0/w').forEach((s, i) => expect(sameBits(s, slotEntries(init, 'dense0/w')[i]!)).toBe(true));
    expect(state.step).toBe(5);
    // The same optimiser over the other parameters alone: the same bits (clipping measures only trained gradients).
    const rest = Object.keys(SHAPES).filter((k) => k !== 'dense0/w');
    const alone = train(make(), params0.delete('dense0/w'), 5, {}, rest);
    for (const key of rest) {
      expect(sameBits(params.get(key)!, alone.params.get(key)!)).toBe(true);
      expect(sameBits(params.get(key)!, params0.get(key)!)).toBe(false);
      slotEntries(state, key).forEach((s, i) => expect(sameBits(s, slotEntries(alone.state, key)[i]!)).toBe(true));
    }
    expect([...params.keys()]).toEqual(Object.keys(SHAPES));
  });

  it('zero gradients are not a freeze: AdamW still decays the weights, frozen it does not', () => {
    const opt = adamW({ lr: 0.1, weightDecay: 0.1 });
    const zeros = params0.map((p) => p.mul(0));
    const decayed = opt.update(params0, zeros, opt.init(params0)).params.get('dense0/w')!;
    expect(sameBits(decayed, params0.get('dense0/w')!)).toBe(false);
    const frozen = opt.update(params0, zeros, opt.init(params0), undefined, { frozen: new Set(['dense0/w']) }).params.get('dense0/w')!;
    expect(sameBits(frozen, params0.get('dense0/w')!)).toBe(true);
  });

  it('the frozen option freezes by pattern, list or test, together with the update\'s set', () => {
    const byPattern = train(adamW({ lr: 0.01, frozen: /^dense0\// }), params0, 3, { frozen: new Set(['dense1/b']) }).params;
    const byList = train(adamW({ lr: 0.01, frozen: ['dense0/w', 'dense0/b'] }), params0, 3, { frozen: new Set(['dense1/b']) }).params;
    const byTest = train(adamW({ lr: 0.01, frozen: (name) => name.startsWith('dense0/') || name === 'dense1/b' }), params0, 3).params;
    for (const p of [byPattern, byList, byTest]) {
      for (const key of ['dense0/w', 'dense0/b', 'dense1/b']) expect(sameBits(p.get(key)!, params0.get(key)!)).toBe(true);
      expect(sameBits(p.get('dense1/w')!, params0.get('dense1/w')!)).toBe(false);
      expect(sameBits(p.get('dense1/w')!, byTest.get('dense1/w')!)).toBe(true);
    }
  });

  it('a frozen parameter needs no gradient', () => {
    const opt = adam({ lr: 0.01 });
    const { params } = opt.update(params0, gradsAt(0).delete('dense1/w'), opt.init(params0), undefined, { frozen: new Set(['dense1/w']) });
    expect(params.get('dense1/w')).toBe(params0.get('dense1/w'));
    expect(() => opt.update(params0, gradsAt(0).delete('dense1/w'), opt.init(params0))).toThrow(/adam.update: no gradient for parameter 'dense1\/w'/);
  });
});

describe('frozen parameters through fit', () => {
  it('an AdamW with a frozen option leaves the first layer bit-identical through fit, slots at zero', () => {
    const model = mlp([2, 16, 3], { output: 'softmax' });
    const params = model.init(0);
    const optimizer = adamW({ lr: 0.01, weightDecay: 0.1, frozen: /^dense0\// });
    const r = fit(model, params, spiral(30, 0), { loss: 'crossEntropy', optimizer, epochs: 3, batchSize: 16, progress: false });
    for (const key of ['dense0/w', 'dense0/b']) {
      expect(sameBits(r.params.get(key)!, params.get(key)!)).toBe(true);
      for (const slot of r.optState.slots.values()) expect([...slot.get(key)!.data].every((v) => Object.is(v, 0))).toBe(true);
    }
    expect(sameBits(r.params.get('dense1/w')!, params.get('dense1/w')!)).toBe(false);
    expect(r.optState.step).toBe(3 * Math.ceil(90 / 16));
  });
  it('a layer built with trainable: false is left alone by fit (every optimiser), the others train', () => {
    for (const [name, make] of optimizers) {
      const model = sequential([dense(16, { activation: 'tanh', trainable: false }), dense(3, { activation: 'softmax' })], { inputs: 2 });
      const params = model.init(0);
      const r = fit(model, params, spiral(30, 0), { loss: 'crossEntropy', optimizer: make(), epochs: 2, batchSize: 16, progress: false });
      for (const key of ['dense0/w', 'dense0/b']) expect(sameBits(r.params.get(key)!, params.get(key)!), `${name} ${key}`).toBe(true);
      expect(sameBits(r.params.get('dense1/w')!, params.get('dense1/w')!), name).toBe(false);
    }
  });
});

describe('frozen: bad input', () => {
  const opt = sgd({ lr: 0.1 });
  const state = opt.init(params0);
  it('a frozen name that is not a parameter is named, with the parameters listed', () => {
    expect(() => opt.update(params0, gradsAt(0), state, undefined, { frozen: new Set(['dense0/W', 'dense0/w']) }))
      .toThrow("sgd.update: frozen: 'dense0/W' matches no parameter; the parameters are dense0/w, dense0/b, dense1/w, dense1/b");
    expect(() => sgd({ frozen: ['dense9/w', 'dense8/b'] }).update(params0, gradsAt(0), state))
      .toThrow("sgd: frozen: 'dense9/w', 'dense8/b' match no parameter; the parameters are dense0/w, dense0/b, dense1/w, dense1/b");
  });
  it('frozen must be a Set in update and a pattern, list or test in the options', () => {
    expect(() => opt.update(params0, gradsAt(0), state, undefined, { frozen: ['dense0/w'] as unknown as Set<string> }))
      .toThrow(/sgd.update: frozen must be a Set of parameter names, got/);
    expect(() => opt.update(params0, gradsAt(0), state, undefined, 'dense0/w' as unknown as UpdateOptions))
      .toThrow(/sgd.update: options must be an object such as \{ frozen: new Set/);
    expect(() => adamW({ frozen: 'dense0/w' as unknown as RegExp })).toThrow(/adamW: frozen must be a RegExp such as \/\\\/b\$\/, a list of parameter names, or a function of the name; got/);
  });
});
