import { describe, expect, it } from 'vitest';
import { defineOp, gradcheck, mul, randn, sum, type Tensor } from '@chainrule/core';
import { sampleUnary } from '@chainrule/core/testing';

// An op whose VJP is deliberately wrong (2x instead of 3x² for x³), to prove gradcheck catches it.
const badCubeOp = defineOp({
  name: 'badCube', arity: 1,
  forward: ([x]) => ({ shape: x!.shape, data: mul(mul(x!, x!), x!).data }),
  vjp: ([x], _, g) => [mul(g, mul(x!, 2))],
  sample: sampleUnary(),
});
const badCube = (x: Tensor) => badCubeOp.run([x], {});

describe('gradcheck', () => {
  const x = randn([3, 2], { seed: 1, dtype: 'float64' });

  it('passes a correct gradient in both modes', () => {
    expect(gradcheck((a) => mul(a!, a!).sin(), [x], { mode: 'full' })).toBe(true);
    expect(gradcheck((a) => mul(a!, a!).sin(), [x], { mode: 'random' })).toBe(true);
  });

  it('names the op, the sub-check, the worst index and both values in full mode', () => {
    expect(() => gradcheck((a) => badCube(a!), [x], { mode: 'full' }))
      .toThrow(/gradcheck failed for 'badCube' \(full Jacobian\): input 0, d out\[\d+\] \/ d in\[\d+\]: analytic -?[\d.e-]+, numeric -?[\d.e-]+/);
  });

  it('catches the same bug with a random direction and a random cotangent', () => {
    expect(() => gradcheck((a) => sum(badCube(a!)), [x], { mode: 'random', name: 'sum∘badCube' }))
      .toThrow(/gradcheck failed for 'sum∘badCube' \(random direction\): input 0, trial 0/);
  });

  it('uses random mode automatically for large inputs and still agrees', () => {
    const big = randn([200, 50], { seed: 2, dtype: 'float64' });
    expect(gradcheck((a) => a!.tanh().mul(a!).sum(1), [big])).toBe(true);
  });

  it('insists on float64 computation', () => {
    expect(() => gradcheck((a) => a!.cast('float32'), [x])).toThrow(/must compute in float64/);
  });
});
