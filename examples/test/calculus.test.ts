/** The calculus example: backprop by hand equals grad, jvp and jacobian; the Hessian's eigenpairs hold; Newton converges fast. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { grad, randn } from '@chainrule/core';
import {
  backpropByHand, initParams, logisticData, logisticLoss, loss, newton, runCalculus, sineData, solve, symmetricEigen,
} from '../src/calculus.ts';

describe('calculus example', () => {
  it('runs a short seeded version: every library derivative agrees with the hand-written one to 1e-12; the report has both heatmaps', async () => {
    const out = mkdtempSync(join(tmpdir(), 'chainrule-calculus-'));
    const lines: string[] = [];
    const r = await runCalculus({ hidden: 3, n: 12, steps: 300, lr: 0.2, seed: 4 }, { out, log: (l) => lines.push(l) });
    for (const [what, d] of Object.entries(r.agreement)) expect(d, what).toBeLessThan(1e-12);
    expect(r.losses.at(-1)!).toBeLessThan(r.losses[0]! / 4);
    expect(r.eigen.symmetry).toBeLessThan(1e-12);
    expect(r.eigen.residual).toBeLessThan(1e-10);
    expect(r.eigen.max).toBeGreaterThan(r.eigen.min);
    expect(r.newton.at(-1)!.gradNorm).toBeLessThan(1e-12);
    expect(r.newton.length - 1).toBeLessThanOrEqual(8);
    expect(lines.join('\n')).toContain('∂L/∂z  = ∂L/∂h ⊙ (1 − h²)');
    const html = readFileSync(r.report.index, 'utf8');
    for (const f of ['jacobian-of-the-outputs.svg', 'hessian-of-the-loss.svg']) expect(html).toContain(`src="${f}"`);
    expect(readFileSync(join(out, 'hessian-of-the-loss.svg'), 'utf8')).toContain('W2[1,0]');
  });

  it('the hand-written gradient is not grad by construction: a wrong chain-rule step shows', () => {
    const { x, y } = sineData(8);
    const p = initParams(3, 2);
    const lib = grad(loss(p, x, y), p);
    const hand = backpropByHand(p, x, y);
    expect(Math.max(...Array.from(hand.grads.W1, (v, i) => Math.abs(v - lib.W1.data[i]!)))).toBeLessThan(1e-14);
    // Dropping tanh's derivative (1 − h²) from ∂L/∂z would change ∂L/∂W1 by far more than rounding.
    const h = Array.from({ length: 8 }, (_, n) => Array.from({ length: 3 }, (_, j) => Math.tanh(x.data[n]! * p.W1.data[j]! + p.b1.data[j]!)));
    const wrong = Array.from({ length: 3 }, (_, j) => h.reduce((s, hn, n) => {
      const yHat = hn.reduce((a, v, k) => a + v * p.W2.data[k]!, p.b2.data[0]!);
      return s + x.data[n]! * ((2 * (yHat - y.data[n]!)) / 8) * p.W2.data[j]!;
    }, 0));
    expect(Math.max(...wrong.map((v, j) => Math.abs(v - lib.W1.data[j]!)))).toBeGreaterThan(1e-4);
  });

  it('symmetricEigen and solve are exact on known matrices', () => {
    const { values, vectors } = symmetricEigen([[2, 1, 0], [1, 2, 0], [0, 0, -1]]);
    expect(values.map((v) => +v.toFixed(12))).toEqual([-1, 1, 3]);
    expect(Math.abs(vectors[2]![0]!)).toBeCloseTo(Math.SQRT1_2, 12);
    const A = [[4, 1, 2], [1, 3, 0], [2, 0, 5]];
    const xs = solve(A, [7, 4, 7]);
    xs.forEach((v) => expect(v).toBeCloseTo(1, 12));
  });

  it('Newton reaches the minimum of the regularised logistic loss in a handful of steps, faster than linearly', () => {
    const { X, t } = logisticData(100, 3);
    const { w, steps } = newton(X, t, 1e-2);
    expect(steps.length - 1).toBeLessThanOrEqual(8);
    expect(steps.at(-1)!.gradNorm).toBeLessThan(1e-12);
    // Quadratic convergence: near the end each gradient norm is far below the previous one squared times a constant.
    const last = steps.slice(-3).map((s) => s.gradNorm);
    expect(last[2]!).toBeLessThan(10 * last[1]! ** 2 + 1e-15);
    // A random nearby point has a larger loss.
    const L = logisticLoss(w, X, t, 1e-2).item();
    expect(logisticLoss(w.add(randn([3], { seed: 1, dtype: 'float64' }).mul(1e-3)), X, t, 1e-2).item()).toBeGreaterThan(L);
  });
});
