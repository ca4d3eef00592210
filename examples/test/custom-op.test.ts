/** The custom-op example: swish passes gradcheck, a wrong VJP is caught, and training with it lowers the loss. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { defineOp, gradcheck, mul, randn, registeredOps, sigmoid, type Tensor } from '@chainrule/core';
import { checkSwish, defaults, runCustomOp, swish, swishOp } from '../src/custom-op.ts';

describe('swish, defined outside core', () => {
  it('computes x·σ(βx)', () => {
    const x = randn([5], { seed: 3, dtype: 'float64' });
    const y = swish(x, 2);
    x.data.forEach((v, i) => expect(y.data[i]).toBeCloseTo(v / (1 + Math.exp(-2 * v)), 12));
    expect(y.node?.op.name).toBe('swish');
  });

  it('passes gradcheck: Jacobian, random direction, second derivative and sampled cases', () => {
    const checks = checkSwish({ cases: 15, seed: 7 });
    expect(checks.map((c) => c.name)).toEqual(['Jacobian', 'random direction', 'second derivative', 'sampled cases']);
  });

  it('is in the op registry with a sample of varied shapes inside its domain (what the property suite draws from)', () => {
    expect(registeredOps().map((op) => op.name)).toContain('swish');
    const drawn = fc.sample(swishOp.spec.sample!(fc), { seed: 1, numRuns: 40 });
    expect(new Set(drawn.map((s) => s.inputs[0]!.shape.length)).size).toBeGreaterThanOrEqual(3);
    for (const s of drawn) for (const v of s.inputs[0]!.values) expect(Math.abs(v)).toBeLessThanOrEqual(6);
  });

  it('would be caught with a wrong VJP', () => {
    // σ(x) alone, forgetting the x·σ'(x) term.
    const bad = defineOp({
      name: 'badSwish', arity: 1,
      forward: ([x]) => ({ shape: x!.shape, data: mul(x!, sigmoid(x!)).data }),
      vjp: ([x], _, g) => [mul(g, sigmoid(x!))],
    });
    const x = randn([3, 2], { seed: 1, dtype: 'float64' });
    expect(() => gradcheck((a: Tensor) => bad.run([a], {}), [x])).toThrow(/gradcheck failed for 'badSwish'/);
  });
});

describe('custom-op example', () => {
  it('trains the hand-written swish network: the loss falls by 20× in 400 steps; the report is written', async () => {
    const out = mkdtempSync(join(tmpdir(), 'chainrule-custom-op-'));
    const lines: string[] = [];
    const r = await runCustomOp({ ...defaults, steps: 400, n: 1000 }, { out, cases: 5, log: (l) => lines.push(l) });
    const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
    expect(mean(r.swish.stepLoss.slice(-20))).toBeLessThan(mean(r.swish.stepLoss.slice(0, 5)) / 20);
    // sin(x) + cos(y) has variance 1: both networks get well below it.
    expect(r.swish.testMse).toBeLessThan(5e-2);
    expect(r.tanh.testMse).toBeLessThan(5e-2);
    expect(lines.filter((l) => l.startsWith('gradcheck passed'))).toHaveLength(4);
    const html = readFileSync(r.report.index, 'utf8');
    expect(html).toContain('test MSE with swish');
    expect(readFileSync(join(out, 'forward-and-backward-graph-of-sum-swish-a-swish-a-2.svg'), 'utf8')).toContain('swish');
  });
});
