/**
 * One property suite over the whole op registry: every differentiable op (built-in or defined by a
 * user, like swish in fixtures/user-ops.ts) is gradchecked in float64 on random shapes and values
 * from its own `sample`, its forward mode is checked against central differences, its own jvp rule (if
 * it has one) against its VJP by the transpose identity, and its float32 forward is compared with the
 * float64 one.
 */
import { describe, expect, it } from 'vitest';
import { builtinOps, gradcheck, randn, registeredOps } from '@chainrule/core';
import { checkOpFloat32, checkOpGradients, checkOpJvp, checkOpJvpTranspose } from '@chainrule/core/testing';
import './fixtures/user-ops.ts';
import { cubeWrongJvp } from './fixtures/jvp-ops.ts';
import { propertySeed } from './helpers.ts';

const seed = propertySeed('op registry');
const runs = Number(process.env.CHAINRULE_RUNS ?? 40);
// Every op but the fixture whose jvp rule is wrong on purpose (shown below to fail the checks).
const differentiable = registeredOps().filter((op) => op.differentiable && op !== cubeWrongJvp);

describe('op registry', () => {
  it('holds every built-in and the user-defined swish', () => {
    const names = registeredOps().map((op) => op.name);
    for (const name of Object.keys(builtinOps)) expect(names).toContain(name);
    expect(names).toContain('swish');
    expect(names).toContain('cubeWithJvp');
  });

  it('gives every differentiable built-in op a jvp rule of its own (none left to the fallback through its VJP)', () => {
    const builtins = new Set(Object.keys(builtinOps));
    const withoutRule = differentiable.filter((op) => builtins.has(op.name) && !op.spec.jvp).map((op) => op.name);
    expect(withoutRule.sort()).toEqual([]);
  });

  it('checks forward mode for user ops, with and without a jvp rule of their own', () => {
    expect(differentiable.find((op) => op.name === 'swish')?.spec.jvp).toBeUndefined();
    expect(differentiable.find((op) => op.name === 'cubeWithJvp')?.spec.jvp).toBeTypeOf('function');
  });

  it('checks the forward mode of the ops without a sampler (cast, scatterAdd) on hand-picked cases, against central differences', () => {
    const g = randn([2, 3], { seed: 3, dtype: 'float64' });
    // into a [2, 4] result at columns 0, 2, 2 (row 0) and 3, 1, 3 (row 1): repeated indices accumulate
    const scatter = { axis: 1, indices: Int32Array.from([0, 2, 2, 3, 1, 3]), indicesShape: [2, 3], shape: [2, 4] };
    expect(gradcheck((t) => builtinOps.scatterAdd.run([t!], scatter), [g], { autodiff: 'both' })).toBe(true);
    expect(gradcheck((t) => builtinOps.cast.run([t!], { dtype: 'float64' }), [g], { autodiff: 'both' })).toBe(true);
  });

  it('catches a wrong jvp rule with both forward-mode checks', () => {
    expect(() => checkOpJvp(cubeWrongJvp, { seed, runs: 5 })).toThrow(/cubeWrongJvp: forward mode by its jvp rule gives .* central differences/);
    expect(() => checkOpJvpTranspose(cubeWrongJvp, { seed, runs: 5 })).toThrow(/cubeWrongJvp: its jvp rule and its VJP disagree/);
  });

  it('gives every differentiable op a sampler, except the internal adjoints checked through their twins', () => {
    const missing = differentiable.filter((op) => !op.spec.sample).map((op) => op.name);
    // cast is checked in the dtype tests; scatterAdd is gather's adjoint and is checked by gather's second-order test.
    expect(missing.sort()).toEqual(['cast', 'scatterAdd']);
  });
});

const sampled = differentiable.filter((op) => !!op.spec.sample);

// The same checks a package outside this repository runs on its own ops from @chainrule/core/testing.
// Each op's name is in its describe and its tests, so `vitest -t logsumexp` runs that op's checks.
describe.each(sampled.map((op) => [op.name, op] as const))('op %s', (name, op) => {
  it(`${name}: gradients match central differences (float64, ${runs} random cases)`, () => {
    checkOpGradients(op, { seed, runs });
  });

  it(`${name}: forward mode (jvp) matches central differences (float64, ${runs} random cases)`, () => {
    checkOpJvp(op, { seed, runs });
  });

  // Only an op with a rule of its own: the fallback is its VJP transposed, and would agree with it by construction.
  if (op.spec.jvp) {
    it(`${name}: its jvp rule agrees with its VJP, ⟨u, J v⟩ = ⟨Jᵀu, v⟩ (float64, ${runs} random cases)`, () => {
      checkOpJvpTranspose(op, { seed, runs });
    });
  }

  it(`${name}: computes in float32 what it computes in float64, to float32 precision`, () => {
    checkOpFloat32(op, { seed, runs: 20 });
  });
});
