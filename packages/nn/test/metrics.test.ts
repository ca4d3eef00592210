import { tensor } from '@chainrule/core';
import { describe, expect, it } from 'vitest';
import { accuracy, confusionMatrix, meanAbsoluteError, meanSquaredError, MinMaxScaler, toOneHot, r2, StandardScaler } from '../src/index.ts';

describe('metrics', () => {
  const scores = tensor([[0.1, 0.7, 0.2], [0.8, 0.1, 0.1], [0.2, 0.3, 0.5], [0.3, 0.4, 0.3]]);
  it('accuracy from scores against labels or one-hot rows', () => {
    expect(accuracy(scores, [1, 0, 2, 2])).toBe(0.75);
    expect(accuracy(scores, toOneHot([1, 0, 2, 2], 3))).toBe(0.75);
    expect(accuracy(tensor([[0.9], [0.2], [0.6]]), tensor([[1], [1], [0]]))).toBeCloseTo(1 / 3, 12);
  });

  it('confusionMatrix counts [true][predicted]', () => {
    expect(confusionMatrix(scores, [1, 0, 2, 2])).toEqual([[1, 0, 0], [0, 1, 0], [0, 1, 1]]);
  });

  it('mse, mae and r2', () => {
    const p = tensor([[1], [2], [3]]);
    const t = tensor([[1], [2], [5]]);
    expect(meanSquaredError(p, t)).toBeCloseTo(4 / 3, 12);
    expect(meanAbsoluteError(p, t)).toBeCloseTo(2 / 3, 12);
    // mean 8/3; SS_tot = 25/9 + 4/9 + 49/9 = 78/9; SS_res = 4
    expect(r2(p, t)).toBeCloseTo(1 - 4 / (78 / 9), 12);
    expect(r2(t, t)).toBe(1);
  });
});

describe('scalers and toOneHot', () => {
  const x = tensor([[1, 10, 5], [3, 20, 5], [5, 60, 5]], { dtype: 'float64' });

  it('StandardScaler gives mean 0 and std 1 per column and inverts exactly', () => {
    const s = StandardScaler.fit(x);
    const z = s.transform(x).toArray() as number[][];
    expect(z.map((r) => r[0])).toEqual([expect.closeTo(-Math.sqrt(1.5), 12), 0, expect.closeTo(Math.sqrt(1.5), 12)]);
    expect(z.map((r) => r[2])).toEqual([0, 0, 0]); // a constant column does not divide by zero
    const back = s.inverseTransform(s.transform(x));
    back.data.forEach((v, i) => expect(v).toBeCloseTo(x.data[i]!, 12));
  });

  it('MinMaxScaler maps each column to [0, 1] and inverts', () => {
    const s = MinMaxScaler.fit(x);
    expect(s.transform(x).toArray()).toEqual([[0, 0, 0], [0.5, 0.2, 0], [1, 1, 0]]);
    const back = s.inverseTransform(s.transform(x));
    back.data.forEach((v, i) => expect(v).toBeCloseTo(x.data[i]!, 12));
    expect(() => s.transform(tensor([[1, 2]]))).toThrow(/fitted on 3 features, x has 2/);
  });

  it('toOneHot infers the class count and checks labels', () => {
    expect(toOneHot([2, 0]).toArray()).toEqual([[0, 0, 1], [1, 0, 0]]);
    expect(toOneHot(new Int32Array([1]), 4).toArray()).toEqual([[0, 1, 0, 0]]);
    expect(() => toOneHot([3], 2)).toThrow(/label 3 at position 0 is out of range for depth 2/);
  });
});
