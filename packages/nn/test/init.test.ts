import { Rng } from '@chainrule/core';
import { describe, expect, it } from 'vitest';
import { autoInit, dense, initialize, initVariance, sequential, type InitName } from '../src/index.ts';

const sampleVariance = (d: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < d.length; i++) m += d[i]!;
  m /= d.length;
  let v = 0;
  for (let i = 0; i < d.length; i++) v += (d[i]! - m) ** 2;
  return { mean: m, variance: v / (d.length - 1) };
};

describe('initialisers', () => {
  const [fanIn, fanOut] = [200, 100];
  const cases: [Exclude<InitName, 'auto'>, number][] = [
    ['he', 2 / fanIn], ['heNormal', 2 / fanIn], ['heUniform', 2 / fanIn],
    ['xavier', 2 / (fanIn + fanOut)], ['glorotNormal', 2 / (fanIn + fanOut)], ['xavierUniform', 2 / (fanIn + fanOut)], ['glorotUniform', 2 / (fanIn + fanOut)],
    ['lecun', 1 / fanIn], ['lecunUniform', 1 / fanIn],
  ];
  it.each(cases)('%s has sample variance near its formula', (name, expected) => {
    const w = initialize(name, 'linear', { shape: [fanIn, fanOut], fanIn, fanOut, rng: new Rng(3), dtype: 'float64' });
    const { mean, variance } = sampleVariance(w.data);
    // 20 000 samples: the sample variance is within a few percent.
    expect(Math.abs(variance / expected - 1)).toBeLessThan(0.04);
    expect(Math.abs(mean)).toBeLessThan(4 * Math.sqrt(expected / w.size));
    expect(initVariance(name, fanIn, fanOut)).toBeCloseTo(expected, 12);
  });

  it('uniform initialisers stay inside ±√(3·variance)', () => {
    const w = initialize('heUniform', 'relu', { shape: [fanIn, fanOut], fanIn, fanOut, rng: new Rng(4), dtype: 'float32' });
    const limit = Math.sqrt(6 / fanIn);
    expect(Math.max(...w.data.map(Math.abs))).toBeLessThanOrEqual(limit);
    expect(Math.max(...w.data.map(Math.abs))).toBeGreaterThan(0.98 * limit);
  });

  it("'auto' picks He for rectifiers and Xavier for saturating or linear outputs", () => {
    expect(['relu', 'leakyRelu', 'gelu'].map((a) => autoInit(a as never))).toEqual(['he', 'he', 'he']);
    expect(['sigmoid', 'tanh', 'softmax', 'linear'].map((a) => autoInit(a as never))).toEqual(['xavier', 'xavier', 'xavier', 'xavier']);
    const model = sequential([dense(300, { activation: 'relu' }), dense(300, { activation: 'tanh' })], { inputs: 300, dtype: 'float64' });
    const p = model.init(0);
    expect(sampleVariance(p.get('dense0/w')!.data).variance / (2 / 300)).toBeCloseTo(1, 1);
    expect(sampleVariance(p.get('dense1/w')!.data).variance / (2 / 600)).toBeCloseTo(1, 1);
  });

  it("'zeros' gives zeros", () => {
    const w = initialize('zeros', 'relu', { shape: [3, 2], fanIn: 3, fanOut: 2, rng: new Rng(0), dtype: 'float32' });
    expect(Array.from(w.data)).toEqual([0, 0, 0, 0, 0, 0]);
  });
});
