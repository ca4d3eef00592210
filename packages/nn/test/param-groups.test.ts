/**
 * Parameter groups: per-group weight decay and learning-rate scale reach each optimiser's fused update
 * (checked against updates written out by hand in float64), the first group that picks a parameter
 * wins, and a malformed group is named.
 */
import { tensor, type Tensor } from '@chainrule/core';
import { OrderedMap } from 'immutable';
import { describe, expect, it } from 'vitest';
import { adam, adamW, lion, rmsprop, sgd, type Optimizer, type Params } from '../src/index.ts';
import { sameBits } from './helpers.ts';

const P = (entries: Record<string, number[]>, dtype: 'float32' | 'float64' = 'float64'): Params =>
  OrderedMap(Object.entries(entries).map(([k, v]) => [k, tensor(v, { dtype }).withName(k)] as [string, Tensor]));
const values = (p: Params, k: string) => Array.from(p.get(k)!.data);

const params = P({ 'dense0/w': [1, -2], 'dense0/b': [0.5], 'norm0/scale': [2] });
const grads = P({ 'dense0/w': [0.5, -1], 'dense0/b': [2], 'norm0/scale': [-1] });
const noDecay = [{ params: /\/b$|norm/, weightDecay: 0 }];

describe('parameter groups', () => {
  it('sgd: weight decay 0 on biases and norms, L2 decay on the weights', () => {
    const lr = 0.1, wd = 0.5;
    const opt = sgd({ lr, weightDecay: wd, groups: noDecay });
    const { params: next } = opt.update(params, grads, opt.init(params));
    expect(values(next, 'dense0/w')).toEqual([1 - lr * (0.5 + wd * 1), -2 - lr * (-1 + wd * -2)].map((v) => expect.closeTo(v, 14)));
    expect(values(next, 'dense0/b')).toEqual([expect.closeTo(0.5 - lr * 2, 14)]);
    expect(values(next, 'norm0/scale')).toEqual([expect.closeTo(2 + lr, 14)]);
  });

  it('adamW: two steps, decoupled decay on the weights only, by hand', () => {
    const lr = 0.01, wd = 0.1, b1 = 0.9, b2 = 0.999, eps = 1e-8;
    const opt = adamW({ lr, weightDecay: wd, groups: noDecay });
    let p = params, s = opt.init(params);
    for (let i = 0; i < 2; i++) ({ params: p, state: s } = opt.update(p, grads, s));
    const byHand = (p0: number, g: number, decay: number) => {
      let x = p0, m = 0, v = 0;
      for (let t = 1; t <= 2; t++) {
        m = b1 * m + (1 - b1) * g;
        v = b2 * v + (1 - b2) * g * g;
        x = x * (1 - lr * decay) - (lr * m / (1 - b1 ** t)) / (Math.sqrt(v / (1 - b2 ** t)) + eps);
      }
      return x;
    };
    expect(values(p, 'dense0/w')).toEqual([byHand(1, 0.5, wd), byHand(-2, -1, wd)].map((v) => expect.closeTo(v, 12)));
    expect(values(p, 'dense0/b')).toEqual([expect.closeTo(byHand(0.5, 2, 0), 12)]);
    expect(values(p, 'norm0/scale')).toEqual([expect.closeTo(byHand(2, -1, 0), 12)]);
    // AdamW's own default decay (0.01) reaches the ungrouped weights.
    const byDefault = adamW({ lr, groups: noDecay });
    const once = byDefault.update(params, grads, byDefault.init(params)).params;
    const firstStep = (p0: number, g: number) => p0 * (1 - lr * 0.01) - lr * Math.sign(g) * (1 / (1 + eps / Math.abs(g)));
    expect(values(once, 'dense0/w')).toEqual([firstStep(1, 0.5), firstStep(-2, -1)].map((v) => expect.closeTo(v, 12)));
  });

  it('lrScale multiplies the learning rate of its group (the decay of adamW and lion with it)', () => {
    const opt = sgd({ lr: 0.1, groups: [{ params: ['dense0/b'], lrScale: 0.25 }] });
    const { params: next } = opt.update(params, grads, opt.init(params));
    expect(values(next, 'dense0/b')).toEqual([expect.closeTo(0.5 - 0.025 * 2, 14)]);
    expect(values(next, 'dense0/w')).toEqual([expect.closeTo(0.95, 14), expect.closeTo(-1.9, 14)]);
    const l = lion({ lr: 0.1, weightDecay: 0.25, groups: [{ params: (n) => n.startsWith('norm'), lrScale: 2 }] });
    // p − lr·s·(sign(c) + λ·p) with c = 0.1·g: 2 − 0.2·(−1 + 0.5)
    expect(values(l.update(params, grads, l.init(params)).params, 'norm0/scale')).toEqual([expect.closeTo(2.1, 14)]);
  });

  it('a parameter takes the first group that picks it', () => {
    const opt = sgd({ lr: 0.1, weightDecay: 1, groups: [{ params: /norm/, weightDecay: 0.5 }, { params: /norm|\/b$/, weightDecay: 0 }] });
    const { params: next } = opt.update(params, grads, opt.init(params));
    expect(values(next, 'norm0/scale')).toEqual([expect.closeTo(2 - 0.1 * (-1 + 0.5 * 2), 14)]);
    expect(values(next, 'dense0/b')).toEqual([expect.closeTo(0.5 - 0.1 * 2, 14)]);
  });

  it('a /g pattern picks the same parameters at every update', () => {
    const opt = sgd({ lr: 0.1, weightDecay: 1, groups: [{ params: /\/b$/g, weightDecay: 0 }] });
    let p = params, s = opt.init(params);
    for (let i = 0; i < 3; i++) ({ params: p, state: s } = opt.update(p, P({ 'dense0/w': [0, 0], 'dense0/b': [0], 'norm0/scale': [0] }), s));
    expect(values(p, 'dense0/b')).toEqual([0.5]);
    expect(values(p, 'norm0/scale')[0]).toBeCloseTo(2 * 0.9 ** 3, 14);
  });

  const same: [string, () => Optimizer, () => Optimizer][] = [
    ['sgd', () => sgd({ lr: 0.1, momentum: 0.9, weightDecay: 0.01 }), () => sgd({ lr: 0.1, momentum: 0.9, weightDecay: 0.01, groups: [{ params: /./ }] })],
    ['adam', () => adam({ weightDecay: 0.01 }), () => adam({ weightDecay: 0.01, groups: [{ params: /./, weightDecay: 0.01, lrScale: 1 }] })],
    ['adamW', () => adamW(), () => adamW({ groups: [{ params: () => true }] })],
    ['rmsprop', () => rmsprop({ weightDecay: 0.01 }), () => rmsprop({ weightDecay: 0.01, groups: [{ params: ['dense0/w', 'dense0/b', 'norm0/scale'] }] })],
    ['lion', () => lion({ weightDecay: 0.1 }), () => lion({ weightDecay: 0.1, groups: [{ params: /./ }] })],
  ];
  it.each(same)('%s: a group with the optimiser\'s own options gives the same float32 bits as none', (_, plain, grouped) => {
    const p32 = params.map((t) => t.cast('float32')), g32 = grads.map((t) => t.cast('float32'));
    const [a, b] = [plain(), grouped()].map((opt) => {
      let p = p32, s = opt.init(p32);
      for (let i = 0; i < 3; i++) ({ params: p, state: s } = opt.update(p, g32, s));
      return p;
    });
    for (const key of params.keys()) expect(sameBits(a!.get(key)!, b!.get(key)!)).toBe(true);
  });
});

describe('parameter groups: bad input', () => {
  it('names the malformed group and what it should be', () => {
    expect(() => adamW({ groups: { params: /b/ } as never })).toThrow(/adamW: groups must be a list such as \[\{ params: \/\\\/b\$\/, weightDecay: 0 \}\], got/);
    expect(() => adamW({ groups: [null as never] })).toThrow(/adamW: groups\[0\] must be an object/);
    expect(() => adamW({ groups: [{ params: /b/ }, { weightDecay: 0 } as never] })).toThrow(/adamW: groups\[1\]\.params must be a RegExp .*got undefined/);
    expect(() => sgd({ groups: [{ params: 'dense0/b' as never }] })).toThrow(/sgd: groups\[0\]\.params must be a RegExp/);
    expect(() => sgd({ groups: [{ params: /b/, lr: 0.1, weight_decay: 0 } as never] }))
      .toThrow("sgd: groups[0] has unknown options 'lr', 'weight_decay'; a group takes params, weightDecay, lrScale");
    expect(() => adam({ groups: [{ params: /b/, weightDecay: -1 }] })).toThrow('adam: groups[0]: weightDecay must be a finite number ≥ 0, got the number -1');
    expect(() => lion({ groups: [{ params: /b/, lrScale: Infinity }] })).toThrow('lion: groups[0]: lrScale must be a finite number ≥ 0, got the number Infinity');
  });
  it('a listed name that is not a parameter is named at the update, with the parameters listed', () => {
    const opt = adamW({ groups: [{ params: ['dense0/bias'], weightDecay: 0 }] });
    expect(() => opt.update(params, grads, opt.init(params)))
      .toThrow("adamW: groups[0].params: 'dense0/bias' matches no parameter; the parameters are dense0/w, dense0/b, norm0/scale");
  });
});
