import { describe, expect, it } from 'vitest';
import { cos, defineOp, gradcheck, mul, randn, sin, sum, tensor, type Tensor } from '@chainrule/core';
import { sampleUnary } from '@chainrule/core/testing';

// An op whose VJP is deliberately wrong (2x instead of 3x² for x³), to prove gradcheck catches it.
const badCubeOp = defineOp({
  name: 'badCube', arity: 1,
  forward: ([x]) => ({ shape: x!.shape, data: mul(mul(x!, x!), x!).data }),
  vjp: ([x], _, g) => [mul(g, mul(x!, 2))],
  sample: sampleUnary(),
});
const badCube = (x: Tensor) => badCubeOp.run([x], {});

// sin with a VJP 1 % too large: a small relative error, ten times rtol, that a check must not miss.
const slightlyOffSinOp = defineOp({
  name: 'slightlyOffSin', arity: 1,
  forward: ([x]) => ({ shape: x!.shape, data: sin(x!).data }),
  vjp: ([x], _, g) => [mul(g, mul(cos(x!), 1.01))],
  sample: sampleUnary(),
});
const slightlyOffSin = (x: Tensor) => slightlyOffSinOp.run([x], {});

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

  describe('random mode at the default seed catches a VJP wrong by 1 % on its first trial', () => {
    // The cotangent and direction are unit vectors, so a trial is never scaled down to nothing
    // (with unmixed seeds, the first cotangent at seed 0 was 3e-7 and atol swallowed any error).
    it.each([
      ['a scalar output (one cotangent entry)', (a: Tensor) => sum(slightlyOffSin(a)), [3, 2]],
      ['an elementwise output', (a: Tensor) => slightlyOffSin(a), [3, 2]],
      ['a large input', (a: Tensor) => sum(slightlyOffSin(a), 1), [200, 50]],
    ] as const)('%s', (_, f, shape) => {
      const input = randn([...shape], { seed: 5, dtype: 'float64' });
      expect(() => gradcheck(f, [input], { mode: 'random', name: 'slightlyOffSin' })).toThrow(/gradcheck failed for 'slightlyOffSin' \(random direction\): input 0, trial 0 \(seed 0\)/);
    });

    it('while the correct sin passes the same checks', () => {
      const input = randn([200, 50], { seed: 5, dtype: 'float64' });
      expect(gradcheck((a) => sum(sin(a!), 1), [input])).toBe(true);
      expect(gradcheck((a) => sum(sin(a!)), [x], { mode: 'random', trials: 20 })).toBe(true);
    });
  });

  it('uses random mode automatically for large inputs and still agrees', () => {
    const big = randn([200, 50], { seed: 2, dtype: 'float64' });
    expect(gradcheck((a) => a!.tanh().mul(a!).sum(1), [big])).toBe(true);
  });

  it('insists on float64 computation', () => {
    expect(() => gradcheck((a) => a!.cast('float32'), [x])).toThrow(/must compute in float64/);
  });

  it('takes an option given as undefined as left out', () => {
    expect(gradcheck((a) => a!.sin(), [x], { mode: 'random', seed: undefined, atol: undefined })).toBe(true);
  });
});

// The bad-input catalogue for gradcheck, by class; each message names the argument.
describe('gradcheck: bad input', () => {
  const x = randn([3, 2], { seed: 1, dtype: 'float64' });
  type AnyF = (...xs: Tensor[]) => Tensor;
  const check = (f: unknown, inputs: unknown, options?: unknown) => () => gradcheck(f as AnyF, inputs as Tensor[], options as object);

  describe('late or misleading errors (f returns something other than a Tensor)', () => {
    it.each([
      ['a number (.item())', (a: Tensor) => sum(a).item(), /gradcheck: f returned the number -?[\d.]+, not a Tensor/],
      ['its data', (a: Tensor) => a.sin().data, /gradcheck: f returned a Float64Array, not a Tensor/],
      ['an array', (a: Tensor) => [a.sin()], /gradcheck: f returned an array of length 1, not a Tensor/],
      ['nothing', () => undefined, /gradcheck: f returned undefined, not a Tensor/],
    ])('f returning %s', (_, f, message) => {
      expect(check(f, [x])).toThrow(message);
    });
  });

  describe('wrong types (arguments)', () => {
    it.each([
      ['a nested array as an input', [[[1, 2], [3, 4]]], /gradcheck: inputs\[0\] is an array of length 2, not a Tensor; wrap it with tensor/],
      ['a number as the second input', [x, 2], /gradcheck: inputs\[1\] is the number 2, not a Tensor; wrap it with tensor/],
      ['a single Tensor for inputs', x, /gradcheck: inputs must be an array of Tensors, got a single Tensor; pass \[x\]/],
      ['no inputs', [], /gradcheck: inputs is empty/],
      ['undefined inputs', undefined, /gradcheck: inputs must be an array of Tensors, got undefined/],
    ])('%s', (_, inputs, message) => {
      expect(check((a: Tensor) => a, inputs)).toThrow(message);
    });

    it('f that is not a function', () => {
      expect(check(tensor([1, 2]), [x])).toThrow(/gradcheck: f must be a function of the input tensors, got a Tensor/);
    });
  });

  describe('bad options', () => {
    it.each([
      [{ eps: 0 }, /gradcheck: eps must be a positive number, got 0/],
      [{ eps: -1e-6 }, /gradcheck: eps must be a positive number, got -0.000001/],
      [{ atol: NaN }, /gradcheck: atol must be a number ≥ 0, got NaN/],
      [{ rtol: -1 }, /gradcheck: rtol must be a number ≥ 0, got -1/],
      [{ mode: 'fast' }, /gradcheck: mode must be 'auto', 'full' or 'random', got fast/],
      [{ trials: 0 }, /gradcheck: trials must be a positive integer, got 0/],
      [{ trials: 1.5 }, /gradcheck: trials must be a positive integer, got 1.5/],
      [{ maxJacobian: -1 }, /gradcheck: maxJacobian must be an integer ≥ 0, got -1/],
      [{ seed: 0.5 }, /gradcheck: seed must be an integer, got 0.5/],
      [{ seed: '0' }, /gradcheck: seed must be a number, got the string "0"/],
      [{ seed: 2 ** 64 }, /gradcheck: seed must be a safe integer/],
    ])('%o', (options, message) => {
      expect(check((a: Tensor) => a.sin(), [x], options)).toThrow(message);
    });
  });
});
