import { arange, fromData, reshape } from '@chainrule/core';
import { describe, expect, it } from 'vitest';
import { batches, batchIndices, takeRows } from '../src/index.ts';

describe('batching', () => {
  it('covers every sample once, in order, with the last partial batch', () => {
    expect(batchIndices(10, { batchSize: 4 }).map((b) => Array.from(b))).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
    expect(batchIndices(3, { batchSize: 10 }).map((b) => b.length)).toEqual([3]);
  });

  it('shuffles reproducibly from the seed and still covers every sample', () => {
    const a = batchIndices(50, { batchSize: 8, shuffle: true, rng: 3 }).flatMap((b) => Array.from(b));
    const b = batchIndices(50, { batchSize: 8, shuffle: true, rng: 3 }).flatMap((b) => Array.from(b));
    const c = batchIndices(50, { batchSize: 8, shuffle: true, rng: 4 }).flatMap((b) => Array.from(b));
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect([...a].sort((p, q) => p - q)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('batches picks matching rows of x and y', () => {
    const x = reshape(arange(12), [6, 2]);
    const y = [10, 11, 12, 13, 14, 15];
    const got = [...batches(x, y, { batchSize: 4, shuffle: true, rng: 1 })];
    expect(got.map((b) => b.x.shape)).toEqual([[4, 2], [2, 2]]);
    for (const b of got) {
      const rows = b.x.toArray() as number[][];
      rows.forEach((row, i) => {
        expect(row[0]).toBe(2 * b.indices[i]!);
        expect(b.y[i]).toBe(10 + b.indices[i]!);
      });
    }
  });

  it('takeRows cuts a label list as it cuts a tensor, and names a row out of range', () => {
    expect(Array.from(takeRows([7, 8, 9], Int32Array.of(2, 0, 2)))).toEqual([9, 7, 9]);
    expect(takeRows(Int32Array.of(7, 8, 9), Int32Array.of(1))).toBeInstanceOf(Int32Array);
    expect(() => takeRows([7, 8, 9], Int32Array.of(3))).toThrow(/takeRows: row 3 \(at position 0\) is out of range for a label list of 3 labels/);
    expect(() => takeRows(reshape(arange(6), [3, 2]), Int32Array.of(-1))).toThrow(/row -1 \(at position 0\) is out of range for a tensor of 3 rows/);
  });

  it('bad input: batchSize below 1, shuffle without a seed, mismatched counts', () => {
    expect(() => batchIndices(5, { batchSize: 0 })).toThrow(/batchSize must be a positive integer, got the number 0/);
    expect(() => batchIndices(5, { batchSize: 1.5 })).toThrow(/got the number 1.5/);
    expect(() => batchIndices(5, { batchSize: 2, shuffle: true })).toThrow(/shuffle needs \{ rng \} or a seed/);
    expect(() => [...batches(fromData(new Float32Array(6), [3, 2]), [1, 2], { batchSize: 2 })]).toThrow(/x has 3 samples but y has 2/);
  });
});
