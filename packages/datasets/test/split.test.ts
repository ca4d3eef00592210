import { Rng, tensor } from '@chainrule/core';
import { describe, expect, it } from 'vitest';
import { sampleFunction, takeRows, trainTestSplit } from '../src/index.ts';

describe('trainTestSplit', () => {
  const n = 103;
  // Row i of x is [i, -i], y is 10·i: rows can be traced after shuffling.
  const x = tensor(Array.from({ length: n }, (_, i) => [i, -i]), { dtype: 'float64' });
  const y = tensor(Array.from({ length: n }, (_, i) => [10 * i]));

  it('sizes follow testFraction and the parts are disjoint and cover all rows', () => {
    const s = trainTestSplit(x, y, { testFraction: 0.25, seed: 1 });
    expect(s.xTest.shape).toEqual([26, 2]);
    expect(s.xTrain.shape).toEqual([77, 2]);
    expect(s.yTest.shape).toEqual([26, 1]);
    expect(s.yTrain.shape).toEqual([77, 1]);
    expect(s.xTrain.dtype).toBe('float64');
    expect(s.yTrain.dtype).toBe('float32');
    const train = new Set((s.xTrain.toArray() as number[][]).map((r) => r[0]));
    const test = new Set((s.xTest.toArray() as number[][]).map((r) => r[0]));
    expect(train.size + test.size).toBe(n);
    expect([...test].filter((v) => train.has(v))).toEqual([]);
    expect(new Set([...train, ...test]).size).toBe(n);
    expect([...train].sort((a, b) => a! - b!)).not.toEqual([...Array(77).keys()]); // shuffled
  });

  it('x and y rows stay paired, and the indices say where each row went', () => {
    const s = trainTestSplit(x, y, { testFraction: 0.3, seed: 2 });
    (s.xTest.toArray() as number[][]).forEach((r, i) => {
      expect(r).toEqual([s.testIndex[i], -s.testIndex[i]!]);
      expect(s.yTest.data[i]).toBe(10 * r[0]!);
    });
    (s.xTrain.toArray() as number[][]).forEach((r, i) => expect(s.yTrain.data[i]).toBe(10 * r[0]!));
  });

  it('default fraction is 0.2; seeds reproduce; shuffle: false keeps order', () => {
    const a = trainTestSplit(x, y, { seed: 5 });
    const b = trainTestSplit(x, y, { rng: new Rng(5) });
    expect(a.testIndex.length).toBe(21);
    expect(Array.from(a.testIndex)).toEqual(Array.from(b.testIndex));
    expect(Array.from(trainTestSplit(x, y, { seed: 6 }).testIndex)).not.toEqual(Array.from(a.testIndex));
    const ordered = trainTestSplit(x, y, { shuffle: false, testFraction: 0.1 });
    expect(Array.from(ordered.trainIndex)).toEqual([...Array(93).keys()]);
    expect(Array.from(ordered.testIndex)).toEqual([93, 94, 95, 96, 97, 98, 99, 100, 101, 102]);
  });

  it('works on synthetic data', () => {
    const d = sampleFunction('sinPlusCos', { n: 1000, seed: 1 });
    const s = trainTestSplit(d.x, d.y, { testFraction: 0.2, seed: 1 });
    expect(s.xTrain.shape).toEqual([800, 2]);
    expect(s.yTest.shape).toEqual([200, 1]);
  });

  it('bad input fails early', () => {
    expect(() => trainTestSplit(x, tensor([1, 2, 3]), { seed: 1 })).toThrow(/x \[103,2\] and y \[3\] must have the same number of rows/);
    expect(() => trainTestSplit(x, y, { testFraction: 1, seed: 1 })).toThrow(/testFraction must be in \(0, 1\), got the number 1$/);
    expect(() => trainTestSplit(x, y)).toThrow(/pass \{ seed \} or \{ rng \}/);
  });

  it('takeRows copies the given rows of any rank', () => {
    const t = tensor([[[1, 2]], [[3, 4]], [[5, 6]]]);
    expect(takeRows(t, Int32Array.of(2, 0)).toArray()).toEqual([[[5, 6]], [[1, 2]]]);
    expect(() => takeRows(t, Int32Array.of(3))).toThrow(/row 3 \(at position 0\) is out of range for a tensor of 3 rows/);
  });
});
