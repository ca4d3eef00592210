/** @chainrule/core/testing: the property checks a user runs on their own ops fail on a wrong op. */
import { describe, expect, it } from 'vitest';
import { defineOp, mul, type Tensor } from '@chainrule/core';
import { checkOpFloat32, checkOpGradients, sampleUnary } from '@chainrule/core/testing';

// cube(x) = x³ with a VJP that forgets the factor 3: the gradient check must catch it.
const badCube = defineOp({
  name: 'testing.badCube',
  arity: 1,
  forward: ([x]) => ({ shape: x!.shape, data: mul(mul(x!, x!), x!).data }),
  vjp: ([x], _, g) => [mul(g, mul(x!, x!))],
  sample: sampleUnary({ min: 0.5, max: 2 }, undefined, { minRank: 1 }),
});

// A float32 forward that is not the float64 one (it adds 1e-2 only in float32).
const drifting = defineOp({
  name: 'testing.drifting',
  arity: 1,
  forward: ([x]) => ({ shape: x!.shape, data: x!.dtype === 'float32' ? x!.data.map((v: number) => v + 1e-2) : x!.data.slice() }),
  vjp: (_, __, g: Tensor) => [g],
  sample: sampleUnary({}, undefined, { minRank: 1 }),
});

describe('@chainrule/core/testing', () => {
  it('checkOpGradients rejects a wrong VJP, naming the op', () => {
    expect(() => checkOpGradients(badCube, { runs: 5 })).toThrow(/testing\.badCube/);
  });

  it('checkOpFloat32 rejects a float32 forward that drifts from float64', () => {
    expect(() => checkOpFloat32(drifting, { runs: 5 })).toThrow(/testing\.drifting: float32 element/);
  });

  it('says what to add when an op has no sampler', () => {
    const plain = defineOp({ name: 'testing.plain', arity: 1, forward: ([x]) => ({ shape: x!.shape, data: x!.data }), vjp: (_, __, g) => [g] });
    expect(() => checkOpGradients(plain)).toThrow(/testing\.plain: the op has no `sample`/);
  });
});
