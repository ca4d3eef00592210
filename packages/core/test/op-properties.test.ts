/**
 * One property suite over the whole op registry: every differentiable op (built-in or defined by a
 * user, like swish in fixtures/user-ops.ts) is gradchecked in float64 on random shapes and values
 * from its own `sample`, and its float32 forward is compared with the float64 one.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { builtinOps, gradcheck, registeredOps, type OpDef } from '@chainrule/core';
import './fixtures/user-ops.ts';
import { expectClose, inputsOf, propertySeed } from './helpers.ts';

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

const sampled = differentiable.filter((op): op is OpDef & { spec: { sample: NonNullable<OpDef['spec']['sample']> } } => !!op.spec.sample);

describe.each(sampled.map((op) => [op.name, op] as const))('%s', (_, op) => {
  it(`matches central differences (float64, ${runs} random cases)`, () => {
    fc.assert(
      fc.property(op.spec.sample(fc), (s) => {
        const xs = inputsOf(s);
        gradcheck((...ys) => op.run(ys, s.attrs), xs, { name: op.name });
      }),
      { seed, numRuns: runs },
    );
  });

  it('computes in float32 what it computes in float64, to float32 precision', () => {
    fc.assert(
      fc.property(op.spec.sample(fc), (s) => {
        const y64 = op.run(inputsOf(s, 'float64'), s.attrs);
        const y32 = op.run(inputsOf(s, 'float32'), s.attrs);
        expect(y32.dtype).toBe('float32');
        expect(y32.shape).toEqual(y64.shape);
        // Inputs are rounded to float32 first, so allow for that rounding amplified by the op.
        expectClose(y32.data, y64.data, 1e-4, 1e-4);
      }),
      { seed, numRuns: 20 },
    );
  });
});
