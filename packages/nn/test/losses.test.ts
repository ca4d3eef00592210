import { fromData, grad, gradcheck, log, mean, neg, softmax, sum, tensor, type Tensor } from '@chainrule/core';
import { describe, expect, it } from 'vitest';
import { binaryCrossEntropy, crossEntropy, getLoss, mae, mse, toOneHot } from '../src/index.ts';

const f64 = (v: number[][]) => tensor(v, { dtype: 'float64' });

describe('losses', () => {
  it('mse and mae are the means of squared and absolute errors', () => {
    const p = tensor([[1], [2], [4]]);
    const t = tensor([[0], [2], [1]]);
    expect(mse(p, t).item()).toBeCloseTo((1 + 0 + 9) / 3, 6);
    expect(mae(p, t).item()).toBeCloseTo((1 + 0 + 3) / 3, 6);
    // A flat target is accepted for a one-column prediction.
    expect(mse(p, tensor([0, 2, 1])).item()).toBeCloseTo(10 / 3, 6);
    expect(() => mse(p, tensor([[1, 2]]))).toThrow(/target shape \[1,2\] does not match prediction shape \[3,1\]/);
  });

  it('crossEntropy from logits equals −mean log softmax of the true class, for labels and one-hot alike', () => {
    const logits = f64([[2, 1, 0.1], [0.5, 2.5, -1]]);
    const labels = [0, 1];
    const p = softmax(logits, 1).toArray() as number[][];
    const expected = -(Math.log(p[0]![0]!) + Math.log(p[1]![1]!)) / 2;
    expect(crossEntropy(logits, labels).item()).toBeCloseTo(expected, 12);
    expect(crossEntropy(logits, Int32Array.from(labels)).item()).toBeCloseTo(expected, 12);
    expect(crossEntropy(logits, toOneHot(labels, 3, { dtype: 'float64' })).item()).toBeCloseTo(expected, 12);
  });

  it('crossEntropy stays finite where log(softmax) gives log(0)', () => {
    const logits = tensor([[1000, 0, -1000]]);
    const naive = neg(mean(sum(log(softmax(logits, 1)).mul(toOneHot([2], 3)), 1)));
    expect(Number.isFinite(naive.item())).toBe(false);
    const fused = crossEntropy(logits, [2]);
    expect(fused.item()).toBeCloseTo(2000, 2);
    const g = grad(fused, logits);
    expect(Array.from(g.data).every(Number.isFinite)).toBe(true);
    expect(g.toArray()).toEqual([[1, 0, -1]]);
  });

  it('binaryCrossEntropy from logits is softplus(z) − z·y and is stable for large |z|', () => {
    const z = f64([[0], [3], [-50]]);
    const y = f64([[1], [0], [1]]);
    const expected = (Math.log(2) + Math.log1p(Math.exp(3)) + 50) / 3;
    expect(binaryCrossEntropy(z, y).item()).toBeCloseTo(expected, 10);
    expect(binaryCrossEntropy(tensor([[800]]), tensor([[0]])).item()).toBeCloseTo(800, 3);
  });

  it('gradients of the losses pass gradcheck', () => {
    const logits = fromData(Float64Array.from([0.3, -1.2, 2, 0.7, 0.1, -0.4]), [2, 3]);
    const probs = fromData(Float64Array.from([0.2, 0.5, 0.3, 0.6, 0.1, 0.3]), [2, 3]);
    expect(() => gradcheck((x: Tensor) => crossEntropy(x, [2, 0]), [logits])).not.toThrow();
    expect(() => gradcheck((x: Tensor) => crossEntropy(x, probs), [logits])).not.toThrow();
    expect(() => gradcheck((x: Tensor) => binaryCrossEntropy(x, fromData(Float64Array.from([1, 0, 1, 0, 0, 1]), [2, 3])), [logits])).not.toThrow();
    expect(() => gradcheck((x: Tensor) => mse(x, probs), [logits])).not.toThrow();
  });

  it('labels out of range for crossEntropy name the label, its position and the class count', () => {
    expect(() => crossEntropy(tensor([[1, 2, 3], [1, 2, 3]]), [0, 3])).toThrow(/label 3 at position 1 is out of range for 3 classes \(valid labels 0..2\)/);
    expect(() => crossEntropy(tensor([[1, 2, 3]]), [-1])).toThrow(/label -1/);
    expect(() => crossEntropy(tensor([[1, 2, 3]]), [0.5])).toThrow(/label 0.5 at position 0 is not an integer/);
    expect(() => crossEntropy(tensor([[1, 2, 3]]), [0, 1])).toThrow(/2 labels for 1 rows/);
    // Int32Array labels are taken as they are (no copy), and checked all the same.
    expect(() => crossEntropy(tensor([[1, 2, 3], [1, 2, 3]]), Int32Array.of(0, 3))).toThrow(/label 3 at position 1 is out of range for 3 classes \(valid labels 0..2\)/);
    expect(() => crossEntropy(tensor([[1, 2, 3]]), Int32Array.of(-1))).toThrow(/label -1 at position 0/);
    expect(() => crossEntropy(tensor([[1, 2, 3]]), Int32Array.of(0, 1))).toThrow(/2 labels for 1 rows/);
    expect(() => crossEntropy(tensor([[1, 2, 3]]), tensor([2.5]))).toThrow(/label 2.5 at position 0 is not an integer/);
  });

  it('an unknown loss name lists the valid ones', () => {
    expect(() => getLoss('hinge' as never)).toThrow(/unknown loss "hinge"; valid losses: 'mse', 'mae', 'crossEntropy', 'binaryCrossEntropy'/);
    expect(getLoss('mse')).toBe(mse);
  });
});
