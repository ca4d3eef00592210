/**
 * What defineOp and the engine promise about user-defined VJPs: a VJP whose result has the wrong
 * shape or dtype makes grad throw naming the op, and a differentiable op without a VJP does not
 * compile. The ops here have no `sample`, so the registry's gradcheck suite leaves them alone.
 */
import { describe, expect, it } from 'vitest';
import { defineOp, grad, tensor, zeros, type Tensor } from '@chainrule/core';

/** The identity's forward pass (tensors are immutable, so it may share the data). */
const forward = ([a]: readonly Tensor[]) => ({ shape: a!.shape, data: a!.data });

/** The identity, with the VJP under test. */
const identityWith = (name: string, vjp: (g: Tensor) => Tensor) => defineOp({ name, arity: 1, forward, vjp: (_, __, g) => [vjp(g)] });

const x = tensor([[1, 2, 3], [4, 5, 6]]);

describe('the engine checks every VJP result', () => {
  it('a correct VJP passes (the check is not a false alarm)', () => {
    const op = identityWith('testIdentityGoodVjp', (g) => g.mul(2));
    expect(Array.from(grad(op.run([x], {}).sum(), x).data)).toEqual([2, 2, 2, 2, 2, 2]);
  });

  it('a VJP returning the wrong shape makes grad throw, naming the op and both shapes', () => {
    const op = identityWith('testIdentityWrongShape', () => zeros([4, 3]));
    expect(() => grad(op.run([x], {}).sum(), x)).toThrow(
      "grad: the VJP of 'testIdentityWrongShape' returned [4,3] float32 for input 0, which is [2,3] float32");
  });

  it('a VJP returning fewer dimensions than its input is caught too', () => {
    const op = identityWith('testIdentityDroppedAxis', (g) => g.sum(0));
    expect(() => grad(op.run([x], {}).sum(), x)).toThrow(/grad: the VJP of 'testIdentityDroppedAxis' returned \[3\] float32 for input 0, which is \[2,3\] float32/);
  });

  it('a VJP returning a transposed cotangent (right size, wrong shape) is caught, not reshaped', () => {
    const op = identityWith('testIdentityTransposed', (g) => g.transpose());
    expect(() => grad(op.run([x], {}).sum(), x)).toThrow(/grad: the VJP of 'testIdentityTransposed' returned \[3,2\] float32 for input 0, which is \[2,3\] float32/);
  });

  it('a VJP returning the wrong dtype makes grad throw, naming the op and both dtypes', () => {
    const op = identityWith('testIdentityWrongDtype', (g) => g.cast('float64'));
    expect(() => grad(op.run([x], {}).sum(), x)).toThrow(
      "grad: the VJP of 'testIdentityWrongDtype' returned [2,3] float64 for input 0, which is [2,3] float32");
  });

  it('a cotangent broadcast beyond the op\'s output is an error, not summed down into a gradient 3× too big', () => {
    const op = identityWith('testIdentityBroadcastVjp', (g) => g.broadcastTo([3, 2, 3]));
    expect(() => grad(op.run([x], {}).sum(), x)).toThrow(
      /grad: the VJP of 'testIdentityBroadcastVjp' returned \[3,2,3\] float32 for input 0, which is \[2,3\] float32 \(a broadcast the op's output \[2,3\] does not account for/);
  });

  it('a broadcast cotangent the output accounts for is summed back to the input shape by the engine', () => {
    // The op repeats x three times along a new axis; its VJP hands back g as is, [3,2,3], and the engine sums it.
    const repeat3 = defineOp({
      name: 'testRepeat3', arity: 1,
      forward: ([a]) => ({ shape: [3, ...a!.shape], data: Float32Array.from([...a!.data, ...a!.data, ...a!.data]) }),
      vjp: (_, __, g) => [g],
    });
    expect(Array.from(grad(repeat3.run([x], {}).sum(), x).data)).toEqual([3, 3, 3, 3, 3, 3]);
  });
});

/**
 * Compile-time checks: `tsc --noEmit` covers test files, and each line below must fail to compile
 * (an unused @ts-expect-error is itself an error). Never called, so nothing is registered.
 */
export function specsThatMustNotCompile() {
  // @ts-expect-error: a differentiable op must give a vjp
  defineOp({ name: 'testMissingVjp', arity: 1, forward });
  // @ts-expect-error: an op that says it is not differentiable must not give a vjp
  defineOp({ name: 'testContradictory', arity: 1, forward, differentiable: false, vjp: (_: readonly Tensor[], __: Tensor, g: Tensor) => [g] });
}

describe('defineOp without a vjp', () => {
  it('is allowed for an op that says differentiable: false, which then records no graph node', () => {
    const mask = defineOp({ name: 'testNotDifferentiable', arity: 1, forward, differentiable: false });
    const traced = defineOp({ name: 'testTraced', arity: 1, forward, vjp: (_, __, g) => [g] });
    expect(mask.differentiable).toBe(false);
    expect(mask.run([x], {}).node).toBeUndefined();
    expect(traced.run([x], {}).node?.op.name).toBe('testTraced');
  });
});
