import { describe, expect, it } from 'vitest';
import { OrderedMap } from 'immutable';
import {
  add, cast, grad, gradientTarget, matmul, mean, mul, noGrad, randn, relu, scalar, sin, sum, tanh, tensor,
  valueAndGrad, zeros, setBackend, softmaxCrossEntropy, gather, logSoftmax, gradcheck, type Tensor,
} from '@chainrule/core';
import { kernels } from '@chainrule/core/backend';
import { expectClose } from './helpers.ts';

describe('grad', () => {
  it('differentiates a small expression (fan-out is summed)', () => {
    const x = scalar(3, 'float64');
    const y = add(mul(x, x), mul(x, 2)); // x² + 2x → 2x + 2
    expect(grad(y, x).item()).toBeCloseTo(8, 12);
  });

  it('returns zeros for an x that y does not depend on', () => {
    const [x, z] = [tensor([1, 2]), tensor([[5, 6], [7, 8]])];
    const [gx, gz] = grad(sum(mul(x, x)), [x, z]);
    expect(Array.from(gx!.data)).toEqual([2, 4]);
    expect(gz!.shape).toEqual([2, 2]);
    expect(Array.from(gz!.data)).toEqual([0, 0, 0, 0]);
  });

  it('computes no gradient that nobody asked for (matmul skips dX when only dW is wanted)', () => {
    const calls: string[] = [];
    const before = kernels();
    setBackend({ ...before, name: 'counting', matmul: (...args) => { calls.push(`${args[3]}x${args[4]}x${args[5]}`); before.matmul(...args); } });
    try {
      const x = randn([5, 3], { seed: 1 }), w = randn([3, 2], { seed: 2 });
      const y = sum(matmul(x, w));
      calls.length = 0;
      const gw = grad(y, w);
      expect(calls).toEqual(['3x5x2']); // xᵀ·g only; g·wᵀ (5x2x3) would be dX
      const both = grad(y, [x, w]);
      expect(calls).toHaveLength(3);
      expect(Array.from(both[1]!.data)).toEqual(Array.from(gw.data));
    } finally {
      setBackend(before);
    }
  });

  it('sums broadcast gradients back to the input shape', () => {
    const a = tensor([[1, 2, 3], [4, 5, 6]]);
    const b = tensor([10, 20, 30]);
    const [ga, gb] = grad(sum(mul(a, b)), [a, b]);
    expect(ga!.shape).toEqual([2, 3]);
    expect(Array.from(gb!.data)).toEqual([5, 7, 9]);
  });

  it('accepts a seed cotangent for a non-scalar y', () => {
    const x = tensor([1, 2, 3]);
    const g = grad(mul(x, x), x, { seed: tensor([1, 0, -1]) });
    expect(Array.from(g.data)).toEqual([2, 0, -6]);
  });

  it('walks a chain of 100 000 ops without overflowing the stack', () => {
    const x = scalar(0.5, 'float64');
    let y: Tensor = x;
    for (let i = 0; i < 100_000; i++) y = add(y, 1e-5).mul(1);
    expect(y.item()).toBeCloseTo(1.5, 6);
    expect(grad(y, x).item()).toBe(1);
  });

  it('returns gradients for a tree of parameters with the same keys (Immutable OrderedMap)', () => {
    const params = OrderedMap<string, Tensor>([['w', tensor([[2]])], ['b', tensor([1])]]);
    const x = tensor([[3]]);
    const loss = (p: typeof params) => sum(add(matmul(x, p.get('w')!), p.get('b')!));
    const { value, grads: [g] } = valueAndGrad(loss)(params);
    expect(value.item()).toBe(7);
    expect(OrderedMap.isOrderedMap(g)).toBe(true);
    expect([...g.keys()]).toEqual(['w', 'b']);
    expect(g.get('w')!.item()).toBe(3);
    expect(g.get('b')!.item()).toBe(1);
  });

  it('records nothing under noGrad and stops at detach()', () => {
    const x = scalar(2);
    const y = noGrad(() => mul(x, x));
    expect(y.node).toBeUndefined();
    expect(grad(add(mul(x, x).detach(), x), x).item()).toBe(1);
  });

  it('keeps gradients float64 for float64 inputs and float32 for float32 ones', () => {
    const x64 = tensor([1, 2], { dtype: 'float64' });
    expect(grad(sum(sin(x64)), x64).dtype).toBe('float64');
    expect(grad(sum(sin(cast(x64, 'float32'))), x64).dtype).toBe('float64');
  });
});

describe('higher-order gradients (createGraph)', () => {
  it('d²/dx² sin x = −sin x', () => {
    const x = tensor([0.3, 1.1, -2], { dtype: 'float64' });
    const dx = grad(sum(sin(x)), x, { createGraph: true });
    const d2x = grad(sum(dx), x);
    expectClose(d2x.data, Array.from(x.data, (v) => -Math.sin(v)), 1e-12);
  });

  it('d²/dx² x³ = 6x and d³/dx³ x³ = 6', () => {
    const x = scalar(1.5, 'float64');
    const d1 = grad(mul(mul(x, x), x), x, { createGraph: true });
    const d2 = grad(d1, x, { createGraph: true });
    expect(d1.item()).toBeCloseTo(6.75, 12);
    expect(d2.item()).toBeCloseTo(9, 12);
    expect(grad(d2, x).item()).toBeCloseTo(6, 12);
  });

  it('softmaxCrossEntropy: the fused backward equals the op-written one, and second derivatives are right', () => {
    const x = randn([4, 5], { seed: 31, dtype: 'float64' });
    const labels = [2, 0, 4, 4];
    const fast = grad(softmaxCrossEntropy(x, labels), x); // one kernel, no graph
    const recorded = grad(softmaxCrossEntropy(x, labels), x, { createGraph: true }); // written with ops
    expect(recorded.node).toBeDefined();
    expectClose(fast.data, Array.from(recorded.data), 1e-14);
    // The same gradient as mean(−log softmax) picked by gather.
    const picked = grad(mean(gather(logSoftmax(x, 1), tensor([[2], [0], [4], [4]], { dtype: 'float64' }), 1)).neg(), x);
    expectClose(fast.data, Array.from(picked.data), 1e-14);
    // Hessian-vector products through the op-written backward, against finite differences.
    const v = randn([4, 5], { seed: 32, dtype: 'float64' });
    gradcheck((a) => sum(mul(grad(softmaxCrossEntropy(a!, labels), a!, { createGraph: true }), v)), [x]);
  });

  it('marks the recorded backward pass and links gradients to their tensors', () => {
    const x = scalar(1.5, 'float64');
    const g = grad(sin(x), x, { createGraph: true });
    expect(g.node?.phase).toBe('backward');
    expect(gradientTarget(g)).toBe(x);
  });

  it('Hessian-vector product of a small MLP loss matches finite differences of the gradient', () => {
    const w1 = randn([3, 4], { seed: 11, dtype: 'float64' });
    const w2 = randn([4, 2], { seed: 12, dtype: 'float64' });
    const x = randn([5, 3], { seed: 13, dtype: 'float64' });
    const target = randn([5, 2], { seed: 14, dtype: 'float64' });
    const loss = (a: Tensor, b: Tensor) => mean(matmul(tanh(matmul(x, a)), b).sub(target).square());
    const v1 = randn([3, 4], { seed: 21, dtype: 'float64' });
    const v2 = randn([4, 2], { seed: 22, dtype: 'float64' });
    // Hv = ∇(∇L · v)
    const [g1, g2] = grad(loss(w1, w2), [w1, w2], { createGraph: true });
    const [h1, h2] = grad(add(sum(mul(g1!, v1)), sum(mul(g2!, v2))), [w1, w2]);
    // (∇L(w + εv) − ∇L(w − εv)) / 2ε
    const eps = 1e-5;
    const at = (s: number) => {
      const a = w1.add(v1.mul(s * eps)).detach();
      const b = w2.add(v2.mul(s * eps)).detach();
      return grad(loss(a, b), [a, b]);
    };
    const [p, m] = [at(1), at(-1)];
    expectClose(h1!.data, p[0]!.data.map((v, i) => (v - m[0]!.data[i]!) / (2 * eps)), 1e-6, 1e-5);
    expectClose(h2!.data, p[1]!.data.map((v, i) => (v - m[1]!.data[i]!) / (2 * eps)), 1e-6, 1e-5);
  });

  it('a relu network has zero second derivative almost everywhere', () => {
    const x = tensor([0.7, -0.4], { dtype: 'float64' });
    const d1 = grad(sum(relu(mul(x, 3))), x, { createGraph: true });
    expect(Array.from(d1.data)).toEqual([3, 0]);
    expect(Array.from(grad(sum(d1), x).data)).toEqual([0, 0]);
  });

  it('zeros of the right shape come back for unrelated inputs under createGraph', () => {
    const x = zeros([2]);
    const y = scalar(1);
    expect(grad(mul(y, 2), [x], { createGraph: true })[0]!.shape).toEqual([2]);
  });
});
