import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  add, arange, broadcastTo, concat, eye, gather, grad, linspace, logSoftmax, logsumexp, matmul, oneHot, randn, reshape,
  slice, softmax, stack, sum, tensor, transpose, full,
} from '@chainrule/core';
import { broadcastGroup } from '@chainrule/core/testing';
import { expectClose, propertySeed } from './helpers.ts';

const seed = propertySeed('identities');

describe('numerical identities', () => {
  it('softmax rows sum to 1 and match exp(logSoftmax)', () => {
    const x = randn([7, 5], { seed: 3 }).mul(10);
    expectClose(sum(softmax(x), 1).data, new Array(7).fill(1), 1e-6);
    expectClose(logSoftmax(x).exp().data, softmax(x).data, 1e-6);
  });

  it('logsumexp and softmax stay finite and right for huge inputs', () => {
    expect(logsumexp(tensor([1000, 1000])).item()).toBeCloseTo(1000 + Math.log(2), 3);
    expect(logsumexp(tensor([-1000, -1000])).item()).toBeCloseTo(-1000 + Math.log(2), 3);
    expectClose(softmax(tensor([1000, 1000, -1000])).data, [0.5, 0.5, 0], 1e-7);
    expectClose(logSoftmax(tensor([1000, 0])).data, [0, -1000], 1e-4);
  });

  it('logsumexp over several axes equals the log of the summed exps', () => {
    const x = randn([2, 3, 4], { seed: 5, dtype: 'float64' });
    expectClose(logsumexp(x, [0, 2]).data, sum(x.exp(), [0, 2]).log().data, 1e-12);
    expect(logsumexp(x, [0, 2], true).shape).toEqual([1, 3, 1]);
  });

  it('matmul equals a naive triple loop, including batched broadcast and transposed flags', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 3 }), (m, k, n, b) => {
      const a = randn([b, m, k], { seed: m * 100 + k, dtype: 'float64' });
      const c = randn([k, n], { seed: k * 100 + n, dtype: 'float64' });
      const out = matmul(a, c);
      expect(out.shape).toEqual([b, m, n]);
      const naive = new Float64Array(b * m * n);
      for (let t = 0; t < b; t++) for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) s += a.data[t * m * k + i * k + p]! * c.data[p * n + j]!;
        naive[t * m * n + i * n + j] = s;
      }
      expectClose(out.data, naive, 1e-12, 1e-12);
      expectClose(matmul(c, a, { transA: true, transB: true }).data, transpose(out, [0, 2, 1]).data, 1e-12, 1e-12);
    }), { seed, numRuns: 30 });
  });

  it('matmul treats 1-D operands as vectors like NumPy', () => {
    const m = tensor([[1, 2], [3, 4]]);
    const v = tensor([1, 1]);
    expect(matmul(m, v).toArray()).toEqual([3, 7]);
    expect(matmul(v, m).toArray()).toEqual([4, 6]);
    expect(matmul(v, v).shape).toEqual([]);
  });

  it('broadcasting equals explicit tiling', () => {
    fc.assert(fc.property(broadcastGroup(fc, 2), ([sa, sb]) => {
      const a = randn(sa!, { seed: 1, dtype: 'float64' });
      const b = randn(sb!, { seed: 2, dtype: 'float64' });
      const out = add(a, b);
      const tiled = add(broadcastTo(a, out.shape), broadcastTo(b, out.shape));
      expect(tiled.shape).toEqual(out.shape);
      expectClose(out.data, tiled.data, 0, 0);
    }), { seed, numRuns: 50 });
  });

  it('float32 matmul and reductions match float64 within float32 precision', () => {
    const a = randn([64, 100], { seed: 7, dtype: 'float64' });
    const b = randn([100, 32], { seed: 8, dtype: 'float64' });
    const y64 = softmax(matmul(a, b));
    const y32 = softmax(matmul(a.cast('float32'), b.cast('float32')));
    expectClose(y32.data, y64.data, 1e-5, 1e-4);
  });
});

describe('shape ops and constructors', () => {
  it('arange, linspace, eye, full', () => {
    expect(arange(4).toArray()).toEqual([0, 1, 2, 3]);
    expect(arange(1, 2, 0.25).toArray()).toEqual([1, 1.25, 1.5, 1.75]);
    expect(linspace(0, 1, 5).toArray()).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(eye(2, 3).toArray()).toEqual([[1, 0, 0], [0, 1, 0]]);
    expect(full([2], 7, { dtype: 'float64' }).dtype).toBe('float64');
  });

  it('tensor() infers shapes, keeps values and makes distinct ids for equal data', () => {
    const a = tensor([[1, 2, 3], [4, 5, 6]]);
    const b = tensor([[1, 2, 3], [4, 5, 6]]);
    expect(a.shape).toEqual([2, 3]);
    expect(a.toArray()).toEqual([[1, 2, 3], [4, 5, 6]]);
    expect(a.id).not.toBe(b.id);
    expect(tensor(5).shape).toEqual([]);
    expect(tensor(5).item()).toBe(5);
  });

  it('reshape (with -1), transpose, slice, concat, stack, gather and oneHot', () => {
    const x = arange(6);
    expect(reshape(x, [2, -1]).toArray()).toEqual([[0, 1, 2], [3, 4, 5]]);
    expect(transpose(reshape(x, [2, 3])).toArray()).toEqual([[0, 3], [1, 4], [2, 5]]);
    expect(slice(reshape(x, [2, 3]), [0, 1], [2, 2]).toArray()).toEqual([[1, 2], [4, 5]]);
    expect(concat([tensor([[1]]), tensor([[2]])], 1).toArray()).toEqual([[1, 2]]);
    expect(stack([tensor([1, 2]), tensor([3, 4])], 1).toArray()).toEqual([[1, 3], [2, 4]]);
    const logits = tensor([[0.1, 0.7, 0.2], [0.5, 0.3, 0.2]]);
    expectClose(gather(logits, [[1], [0]], 1).data, [0.7, 0.5], 1e-7);
    expect(oneHot([2, 0], 3).toArray()).toEqual([[0, 0, 1], [1, 0, 0]]);
  });

  it('concat, stack and oneHot as methods put the tensor first', () => {
    const [a, b, c] = [tensor([[1, 2]]), tensor([[3, 4]]), tensor([[5, 6]])];
    expect(a.concat([b, c]).toArray()).toEqual([[1, 2], [3, 4], [5, 6]]);
    expect(a.concat([b], 1).toArray()).toEqual([[1, 2, 3, 4]]);
    expect(a.stack([b], 2).toArray()).toEqual([[[1, 3], [2, 4]]]);
    expect(tensor([2, 0]).oneHot(3, { dtype: 'float64' }).toArray()).toEqual([[0, 0, 1], [1, 0, 0]]);
    expect(tensor([2, 0]).oneHot(3).dtype).toBe('float32');
    // concat as a method records the same graph: the gradient splits back to each input.
    const [ga, gb] = grad(a.concat([b], 1).mul(tensor([[1, 2, 3, 4]])).sum(), [a, b]);
    expect(ga!.toArray()).toEqual([[1, 2]]);
    expect(gb!.toArray()).toEqual([[3, 4]]);
  });

  it('tensors are values: ops never change their inputs', () => {
    const x = tensor([1, -2, 3]);
    const before = Array.from(x.data);
    x.relu(); x.exp(); reshape(x, [3, 1]); x.add(1);
    expect(Array.from(x.data)).toEqual(before);
    expect(Object.isFrozen(x.shape)).toBe(true);
  });
});
