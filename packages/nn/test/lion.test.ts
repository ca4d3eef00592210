/** Lion, the optimiser added as one file: it minimises a quadratic on the fast kernels; its defaults and checks. */
import { backend, fromData, type Tensor } from '@chainrule/core';
import { OrderedMap } from 'immutable';
import { describe, expect, it } from 'vitest';
import { cosineDecay, getOptimizer, lion, optimizerNames, type Params } from '../src/index.ts';

describe('lion', () => {
  it('minimises a convex quadratic on the default (fast: native or wasm) kernel set', () => {
    expect(backend()).toMatch(/^(native|wasm)-/);
    // loss = ½ Σ a·(p − c)², a in [0.5, 2]: gradient a·(p − c), minimum 0 at p = c.
    const n = 256;
    const a = fromData(Float32Array.from({ length: n }, (_, i) => 0.5 + 1.5 * ((i * 37) % n) / n), [n]);
    const c = fromData(Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.7) * 2), [n]);
    const loss = (p: Tensor) => p.sub(c).square().mul(a).sum().item() / 2;
    const opt = lion({ lr: cosineDecay(0.05, { decaySteps: 300 }) });
    let params: Params = OrderedMap([['x', fromData(new Float32Array(n), [n])] as [string, Tensor]]);
    let state = opt.init(params);
    const first = loss(params.get('x')!);
    for (let step = 0; step < 300; step++) {
      const p = params.get('x')!;
      ({ params, state } = opt.update(params, OrderedMap([['x', p.sub(c).mul(a)] as [string, Tensor]]), state));
    }
    const last = loss(params.get('x')!);
    expect(first).toBeGreaterThan(200);
    expect(last).toBeLessThan(first / 1e5); // about 3e-7 from 320
    expect(params.get('x')!.dtype).toBe('float32');
  });

  it('has one slot m, lr 1e-4 by default, and a name in the table', () => {
    const opt = getOptimizer('lion');
    expect(optimizerNames).toContain('lion');
    expect(opt.name).toBe('lion');
    expect(opt.slots).toEqual(['m']);
    expect(opt.lr(0)).toBe(1e-4);
    // Every weight moves by exactly lr on the first step (m = 0: the sign of (1 − β1)·g).
    const p: Params = OrderedMap([['w', fromData(Float64Array.of(1, -1, 0), [3])] as [string, Tensor]]);
    const g: Params = OrderedMap([['w', fromData(Float64Array.of(3, -0.001, 0), [3])] as [string, Tensor]]);
    expect(Array.from(opt.update(p, g, opt.init(p)).params.get('w')!.data)).toEqual([1 - 1e-4, -1 + 1e-4, 0]);
  });

  it('checks its options', () => {
    expect(() => lion({ beta1: 1 })).toThrow(/^lion: beta1 must be in \[0, 1\), got the number 1$/);
    expect(() => lion({ beta2: -0.1 })).toThrow(/^lion: beta2 must be in \[0, 1\), got the number -0.1$/);
    expect(() => lion({ weightDecay: -1 })).toThrow(/^lion: weightDecay must be a finite number ≥ 0, got the number -1$/);
    expect(() => lion({ lr: -1 })).toThrow(/^lion: learning rate must be a finite number ≥ 0, got the number -1/);
  });
});
