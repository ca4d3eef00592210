/**
 * Buffer ownership (src/backend/ownership.ts): `reusing` hands back what a pure function made and did
 * not return, and what is donated to it, and nothing else; `expose` and undeclared functions make
 * buffers escape. Every test checks the safety side (values the caller can still see never change)
 * and the reuse side (fresh allocations, from the pool's counters).
 */
import { defineOp, expose, fromData, grad, matmul, noGrad, randn, relu, reusing, sum, tanh, type Tensor } from '@chainrule/core';
import { bufferStats, HOLDS } from '@chainrule/core/backend';
import { Seq } from 'immutable';
import { describe, expect, it } from 'vitest';

const freshDuring = (fn: () => void): number => {
  const before = bufferStats().fresh;
  fn();
  return bufferStats().fresh - before;
};
const snapshot = (t: Tensor) => Array.from(t.data);

describe('reusing', () => {
  const x = randn([32, 64], { seed: 1 }), w = randn([64, 64], { seed: 2 });
  /** Makes three pooled-size intermediates and returns a fourth (unrecorded: a recorded result keeps its graph). */
  const layer = (a: Tensor) => noGrad(() => tanh(relu(matmul(a, w)).mul(0.5)));

  it('a pure function reuses what it made and did not return, and what it returns stays intact', () => {
    const f = reusing(layer, { pure: true });
    const first = f(x);
    const kept = snapshot(first);
    f(x);
    expect(freshDuring(() => { for (let i = 0; i < 5; i++) f(x); })).toBeLessThanOrEqual(5); // one new result per call, no intermediates
    expect(snapshot(first)).toEqual(kept);
  });

  it('an undeclared function reuses nothing', () => {
    const f = reusing(layer, { pure: false });
    f(x);
    expect(freshDuring(() => { for (let i = 0; i < 5; i++) f(x); })).toBeGreaterThanOrEqual(5 * 4);
  });

  it('a recorded result keeps the graph behind it: nothing it depends on is reused', () => {
    const f = reusing((a: Tensor) => tanh(relu(matmul(a, w)).mul(0.5)), { pure: true });
    f(x);
    expect(freshDuring(() => { for (let i = 0; i < 5; i++) f(x); })).toBe(5 * 4);
  });

  it('keeps the graph behind a returned tensor, so grad afterwards is right', () => {
    const loss = (a: Tensor, b: Tensor) => sum(tanh(relu(matmul(a, b))));
    const want = grad(loss(x, w), [w])[0]!;
    const f = reusing(loss, { pure: true });
    const value = f(x, w);
    for (let i = 0; i < 3; i++) f(randn([32, 64], { seed: 10 + i }), w); // would overwrite released intermediates
    expect(snapshot(grad(value, [w])[0]!)).toEqual(snapshot(want));
  });

  it('reuses donated arguments it handed out itself, never the caller\'s own or another function\'s', () => {
    const step = reusing((p: Tensor) => noGrad(() => p.mul(0.9).add(1)), { pure: true, donate: [0] });
    const other = reusing((p: Tensor) => noGrad(() => p.mul(2)), { pure: true });
    const mine = randn([64, 64], { seed: 3 }), fromOther = other(mine);
    const [mineBefore, otherBefore] = [snapshot(mine), snapshot(fromOther)];
    let p = step(mine);
    step(fromOther);
    for (let i = 0; i < 3; i++) p = step(p);
    expect(freshDuring(() => { for (let i = 0; i < 5; i++) p = step(p); })).toBe(0);
    expect(snapshot(mine)).toEqual(mineBefore);
    expect(snapshot(fromOther)).toEqual(otherBefore);
  });

  it('a donated argument the result still holds is not reused', () => {
    const step = reusing((p: Tensor) => [noGrad(() => p.mul(0.5)), p] as const, { pure: true, donate: [0] });
    let [p] = step(randn([64, 64], { seed: 5 }));
    const [next, held] = step(p), copy = snapshot(held);
    p = next;
    for (let i = 0; i < 4; i++) [p] = step(p);
    expect(snapshot(held)).toEqual(copy);
  });

  it('never reuses what was exposed, even when it is donated', () => {
    const step = reusing((p: Tensor) => noGrad(() => p.mul(0.5)), { pure: true, donate: [0] });
    let p = step(randn([64, 64], { seed: 4 }));
    const seen = expose(p);
    const copy = snapshot(seen);
    for (let i = 0; i < 4; i++) p = step(p);
    expect(snapshot(seen)).toEqual(copy);
  });

  it('a function called inside a pure one without a declaration keeps what it was given and made', () => {
    const kept: Tensor[] = [];
    const keeper = reusing((a: Tensor) => { kept.push(a); const y = a.mul(3); kept.push(y); return y.sum(); }, { pure: false });
    const outer = reusing((a: Tensor) => keeper(relu(a.mul(2))).item(), { pure: true });
    outer(x);
    const copies = kept.map(snapshot);
    for (let i = 0; i < 4; i++) outer(randn([32, 64], { seed: 20 + i }));
    kept.slice(0, 2).forEach((t, i) => expect(snapshot(t)).toEqual(copies[i]));
  });

  it('a nested pure call hands its result to the enclosing call, which reuses it once it is done', () => {
    const inner = reusing((a: Tensor) => relu(a.mul(2)), { pure: true });
    const outer = reusing((a: Tensor) => inner(a).sum().item(), { pure: true });
    outer(x);
    expect(freshDuring(() => { for (let i = 0; i < 5; i++) outer(x); })).toBe(0);
  });

  it('when fn throws nothing is reused: what it made can still be looked at', () => {
    let made: Tensor | undefined;
    const f = reusing((a: Tensor) => { made = a.mul(2); throw new Error('boom'); }, { pure: true });
    expect(() => f(x)).toThrow('boom');
    const copy = snapshot(made!);
    const g = reusing((a: Tensor) => a.mul(5).sum().item(), { pure: true });
    for (let i = 0; i < 3; i++) g(x);
    expect(snapshot(made!)).toEqual(copy);
  });

  it("a user op's output comes from the pool through defineOp's allocator", () => {
    const double = defineOp({
      name: 'ownershipTestDouble', arity: 1, differentiable: false,
      forward: ([a], _attrs, allocate) => {
        const out = allocate(a!.dtype, a!.size);
        a!.data.forEach((v, i) => { out[i] = 2 * v; });
        return { shape: a!.shape, data: out };
      },
    });
    const f = reusing((a: Tensor) => double.run([double.run([a], {})], {}).sum().item(), { pure: true });
    expect(f(x)).toBeCloseTo(4 * sum(x).item(), 2);
    expect(freshDuring(() => { for (let i = 0; i < 5; i++) f(x); })).toBe(0);
  });

  it('an object with HOLDS is walked through what it lists: its getters never run, and what it lists is kept', () => {
    let reads = 0;
    const f = reusing((a: Tensor) => {
      const h = layer(a);
      return { get doubled(): Tensor { reads++; return h.mul(2); }, [HOLDS]: [h] };
    }, { pure: true });
    const first = f(x);
    const kept = snapshot(first.doubled);
    for (let i = 0; i < 3; i++) f(x);
    expect(snapshot(first.doubled)).toEqual(kept); // h was kept: later calls did not write over it
    expect(reads).toBe(2); // only the two reads here, none by the walks
    // What it lists is all it keeps: a tensor only its own keys reach is handed back.
    const g = reusing((a: Tensor) => ({ t: layer(a), [HOLDS]: [] }), { pure: true });
    const lost = g(x).t, lostValues = snapshot(lost);
    g(randn([32, 64], { seed: 9 }));
    expect(snapshot(lost)).not.toEqual(lostValues);
  });

  it('a result that holds only a view of a buffer it made keeps the whole buffer', () => {
    const f = reusing((a: Tensor) => {
      const h = layer(a);
      return fromData(h.data.subarray(64, 128), [64]);
    }, { pure: true });
    const view = f(x), copy = snapshot(view);
    for (let i = 0; i < 3; i++) f(randn([32, 64], { seed: 30 + i }));
    expect(snapshot(view)).toEqual(copy);
  });

  it('a walk run while another walks (a lazy Seq calling a donating function) leaves the outer walk all it found', () => {
    // inner's own walks find `a` too (it returns it): the outer walk must still count `a` as kept.
    const inner = reusing((d: Tensor, keep: Tensor) => [noGrad(() => d.mul(2)), keep], { pure: true, donate: [0] });
    const outer = reusing((b: Tensor) => {
      const a = layer(b);
      return { a, lazy: Seq([0]).map(() => inner(noGrad(() => b.mul(3)), a)[0]) };
    }, { pure: true });
    const first = outer(x), copy = snapshot(first.a);
    for (let i = 0; i < 3; i++) outer(randn([32, 64], { seed: 40 + i }));
    expect(snapshot(first.a)).toEqual(copy);
  });

  it('refuses options that do not say what it may do', () => {
    const fn = (a: Tensor) => a;
    expect(() => reusing(fn, {} as never)).toThrow(/reusing: say whether fn is pure: \{ pure: true \}/);
    expect(() => reusing(fn, { pure: false, donate: [0] })).toThrow(/reusing: fn is not declared pure, so it may keep its arguments: none can be donated/);
    expect(() => reusing(fn, { pure: true, donate: [-1] })).toThrow(/reusing: donate must be an array of argument positions, got an array of length 1/);
    expect(() => reusing('f' as never, { pure: true })).toThrow(/reusing: fn must be a function, got the string "f"/);
  });
});
