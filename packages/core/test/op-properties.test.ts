/**
 * One property suite over the whole op registry: every differentiable op (built-in or defined by a
 * user, like swish in fixtures/user-ops.ts) is gradchecked in float64 on random shapes and values
 * from its own `sample`, and its float32 forward is compared with the float64 one.
 */
import { describe, expect, it } from 'vitest';
import { builtinOps, registeredOps } from '@chainrule/core';
import { checkOpFloat32, checkOpGradients } from '@chainrule/core/testing';
import './fixtures/user-ops.ts';
import { propertySeed } from './helpers.ts';

const seed = propertySeed('op registry');
const runs = Number(process.env.CHAINRULE_RUNS ?? 40);
const differentiable = registeredOps().filter((op) => op.differentiable);

describe('op registry', () => {
  it('holds every built-in and the user-defined swish', () => {
    const names = registeredOps().map((op) => op.name);
    for (const name of Object.keys(builtinOps)) expect(names).toContain(name);
    expect(names).toContain('swish');
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

  it(`${name}: computes in float32 what it computes in float64, to float32 precision`, () => {
    checkOpFloat32(op, { seed, runs: 20 });
  });
});
