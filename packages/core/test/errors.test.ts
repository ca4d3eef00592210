/** Bad input fails early, and the message names the op and the shapes or values involved. */
import { describe, expect, it } from 'vitest';
import { add, full, grad, linear, matmul, mean, ones, reshape, setDebug, softmaxCrossEntropy, sum, tensor, zeros, log, randn } from '@chainrule/core';

describe('bad input', () => {
  it('adding shapes [2,3] and [4,3]', () => {
    expect(() => add(zeros([2, 3]), zeros([4, 3]))).toThrow(/add: shapes \[2,3\] and \[4,3\] cannot be broadcast together/);
  });

  it('linear and softmaxCrossEntropy name the shapes and labels they cannot take', () => {
    expect(() => linear(zeros([2, 3]), zeros([4, 5]), zeros([5]))).toThrow('linear: expected x [m,k], W [k,n] and b [n], got [2,3], [4,5] and [5]');
    expect(() => softmaxCrossEntropy(zeros([2, 3]), [0, 3])).toThrow('softmaxCrossEntropy: label 3 at position 1 is out of range for 3 classes (valid labels 0..2)');
    expect(() => softmaxCrossEntropy(zeros([2, 3]), [0.5, 1])).toThrow(/label 0.5 at position 0 is out of range/);
    expect(() => softmaxCrossEntropy(zeros([2, 3]), [0])).toThrow('softmaxCrossEntropy: 1 labels for 2 rows of logits');
    expect(() => softmaxCrossEntropy(zeros([6]), [0])).toThrow('softmaxCrossEntropy: logits must have shape [rows, classes], got [6]');
  });

  it('matmul [2,3]×[4,5]', () => {
    expect(() => matmul(zeros([2, 3]), zeros([4, 5]))).toThrow(/matmul: inner dimensions differ: \[2,3\] × \[4,5\] \(3 ≠ 4\)/);
  });

  it('mixing float32 and float64 without a cast', () => {
    expect(() => add(zeros([2]), zeros([2], { dtype: 'float64' }))).toThrow(/add: inputs mix float32 and float64 .*cast one/);
  });

  it('reshape to a different size', () => {
    expect(() => reshape(zeros([2, 3]), [4, 2])).toThrow(/reshape: cannot reshape \[2,3\] \(6 elements\) to \[4,2\] \(8 elements\)/);
  });

  it('reshape with a -1 that cannot be inferred says why, not a size that seems to match', () => {
    expect(() => reshape(zeros([2, 3]), [-1, 4])).toThrow(
      /^reshape: cannot reshape \[2,3\] \(6 elements\) to \[-1,4\]: the other dimensions multiply to 4, which does not divide 6, so the -1 has no whole-number size$/);
    expect(() => reshape(zeros([2, 3]), [0, -1])).toThrow(/^reshape: cannot reshape \[2,3\] \(6 elements\) to \[0,-1\]: the other dimensions multiply to 0, so the -1 cannot be inferred$/);
    expect(reshape(zeros([2, 3]), [-1, 2]).shape).toEqual([3, 2]);
  });

  it('an axis out of range', () => {
    expect(() => sum(zeros([2, 3]), 2)).toThrow(/sum: axis 2 is out of range for a tensor of rank 2/);
    expect(() => mean(zeros([2, 3]), -3)).toThrow(/mean: axis -3 is out of range/);
  });

  it('grad of a non-scalar without a seed gradient', () => {
    const x = ones([3]);
    expect(() => grad(x.mul(2), x)).toThrow(/grad: y has shape \[3\]; pass \{ seed \}/);
  });

  it('ragged nested arrays in tensor()', () => {
    expect(() => tensor([[1, 2], [3]])).toThrow(/tensor: ragged nested array: element at \[1\] has length 1, expected length 2/);
    expect(() => tensor([[1, 2], 3] as never)).toThrow(/tensor: ragged nested array: element at \[1\]/);
  });

  it('a negative or fractional dimension', () => {
    expect(() => zeros([2, -1])).toThrow(/^zeros: invalid dimension -1 in shape \[2,-1\]/);
    expect(() => ones([1.5])).toThrow(/^ones: invalid dimension 1.5 in shape \[1.5\]/);
    expect(() => full([-3], 7)).toThrow(/^full: invalid dimension -3/);
    expect(() => zeros([2], { dtype: 'int8' as never })).toThrow(/^zeros: unknown dtype "int8"/);
    expect(() => tensor([1, 2], { shape: [2.5] })).toThrow(/tensor: invalid dimension 2.5/);
  });

  it('values that do not fill the shape', () => {
    expect(() => tensor([1, 2, 3], { shape: [2, 2] })).toThrow(/tensor: 3 values do not fill shape \[2,2\]/);
  });

  it('the debug switch names the op that produced NaN or Inf', () => {
    setDebug(true);
    try {
      expect(() => log(tensor([1, 0]))).toThrow(/debug: op 'log' produced -Infinity at flat index 1 of its output \[2\]/);
    } finally {
      setDebug(false);
    }
    expect(log(tensor([0])).item()).toBe(-Infinity);
  });

  it('seeded random tensors insist on a seed', () => {
    expect(() => randn([2])).toThrow(/randn: pass \{ rng \} or \{ seed \}/);
  });
});
