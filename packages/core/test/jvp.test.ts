import { describe, expect, it } from 'vitest';
import {
  add, defineOp, exp, grad, gradcheck, jvp, mul, noGrad, randn, scalar, sigmoid, sin, sub, sum, tensor, zeros, type DType, type Tensor,
} from '@chainrule/core';
import { cubeWrongJvp } from './fixtures/jvp-ops.ts';
import { swish, swishOp } from './fixtures/user-ops.ts';
import { expectClose } from './helpers.ts';

const f64 = (values: number[]) => tensor(values, { dtype: 'float64' });
const at = (xs: number[], fn: (x: number) => number) => xs.map(fn);

/** Rosenbrock's banana: (1 − x)² + 100 (y − x²)². */
const rosenbrock = ({ x, y }: { x: Tensor; y: Tensor }): Tensor =>
  add(mul(sub(1, x), sub(1, x)), mul(100, mul(sub(y, mul(x, x)), sub(y, mul(x, x)))));

describe('jvp against closed forms', () => {
  const xs = [-1.5, -0.2, 0.7, 2];
  const vs = [1, -2, 0.5, 3];

  for (const dtype of ['float64', 'float32'] as DType[]) {
    const tol = dtype === 'float64' ? 1e-12 : 1e-5;
    const x = tensor(xs, { dtype }), v = tensor(vs, { dtype });

    it(`differentiates a polynomial, x³ − 2x² + x, along v (${dtype})`, () => {
      const [y, dy] = jvp((t) => add(sub(mul(mul(t, t), t), mul(2, mul(t, t))), t), x, v);
      expectClose(y.data, at(xs, (a) => a ** 3 - 2 * a ** 2 + a), tol, tol);
      expect(dy.dtype).toBe(dtype);
      expectClose(dy.data, xs.map((a, i) => (3 * a ** 2 - 4 * a + 1) * vs[i]!), tol, tol);
    });

    it(`differentiates sin(x)·exp(x) along v (${dtype})`, () => {
      const [, dy] = jvp((t) => mul(sin(t), exp(t)), x, v);
      expectClose(dy.data, xs.map((a, i) => (Math.cos(a) + Math.sin(a)) * Math.exp(a) * vs[i]!), tol, tol);
    });
  }

  it("gives Rosenbrock's directional derivative ∇f·v, for a tree of primals", () => {
    const [x, y] = [1.3, 0.4];
    const [value, d] = jvp(rosenbrock, { x: scalar(x, 'float64'), y: scalar(y, 'float64') }, { x: scalar(0.6, 'float64'), y: scalar(-2, 'float64') });
    expect(value.item()).toBeCloseTo((1 - x) ** 2 + 100 * (y - x * x) ** 2, 12);
    const [gx, gy] = [-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)];
    expect(d.item()).toBeCloseTo(gx * 0.6 + gy * -2, 10);
  });

  it('is linear in the tangent and zero along a zero tangent', () => {
    const x = f64([0.3, -1]);
    const f = (t: Tensor) => sum(mul(sin(t), t));
    const [, a] = jvp(f, x, f64([1, 0]));
    const [, b] = jvp(f, x, f64([0, 1]));
    const [, ab] = jvp(f, x, f64([2, -3]));
    expect(ab.item()).toBeCloseTo(2 * a.item() - 3 * b.item(), 12);
    expect(jvp(f, x, f64([0, 0]))[1].item()).toBe(0);
  });
});

describe('jvp on trees', () => {
  it('takes a tree of primals and returns the tangent in the shape of a tree of outputs', () => {
    const a = f64([1, 2]), b = f64([3, -1]);
    const [value, tangent] = jvp(
      ({ a, b }: { a: Tensor; b: Tensor }) => ({ total: add(a, b), parts: [mul(a, b), sum(mul(a, a))], constant: f64([7, 7, 7]) }),
      { a, b }, { a: f64([1, 0]), b: f64([0.5, 2]) },
    );
    expect(Array.from(value.total.data)).toEqual([4, 1]);
    expect(Array.from(tangent.total.data)).toEqual([1.5, 2]);
    // d(a·b) = da·b + a·db
    expect(Array.from(tangent.parts[0]!.data)).toEqual([1 * 3 + 1 * 0.5, 0 * -1 + 2 * 2]);
    expect(tangent.parts[1]!.item()).toBe(2 * 1 * 1);
    // an output that does not depend on the primals has a zero tangent of its shape and dtype
    expect(tangent.constant.shape).toEqual([3]);
    expect(tangent.constant.dtype).toBe('float64');
    expect(Array.from(tangent.constant.data)).toEqual([0, 0, 0]);
  });

  it('treats each primal as an independent input, even one tensor given twice', () => {
    const x = f64([1, 2, 3]);
    const [, d] = jvp(([a, b]: Tensor[]) => sum(mul(a!, b!)), [x, x], [f64([1, 1, 1]), f64([0, 0, 0])]);
    expect(d.item()).toBe(6); // Σ b: only a moves
    // a primal computed from another is an input of its own, not a function of the other
    const y = mul(x, 2);
    const [, e] = jvp(([p, q]: Tensor[]) => sum(add(p!, q!)), [x, y], [f64([1, 1, 1]), f64([0, 0, 0])]);
    expect(e.item()).toBe(3);
  });

  it('broadcasts a tangent that a rule returns in an input’s smaller shape (add of [3] and [2, 3])', () => {
    const a = f64([1, 2, 3]), b = zeros([2, 3], { dtype: 'float64' });
    const [, d] = jvp(([p, q]: Tensor[]) => add(p!, q!), [a, b], [f64([1, 2, 3]), zeros([2, 3], { dtype: 'float64' })]);
    expect(d.shape).toEqual([2, 3]);
    expect(Array.from(d.data)).toEqual([1, 2, 3, 1, 2, 3]);
  });
});

describe('jvp nested with grad', () => {
  it("gives a Hessian-vector product as the jvp of a gradient: Rosenbrock's H·v", () => {
    const [x, y] = [-0.8, 1.1];
    const p = { x: scalar(x, 'float64'), y: scalar(y, 'float64') };
    const v = { x: scalar(0.7, 'float64'), y: scalar(-1.5, 'float64') };
    const [gradient, hv] = jvp((q: typeof p) => grad(rosenbrock(q), q, { createGraph: true }), p, v);
    expect(gradient.x.item()).toBeCloseTo(-2 * (1 - x) - 400 * x * (y - x * x), 10);
    const [hxx, hxy, hyy] = [2 - 400 * y + 1200 * x * x, -400 * x, 200];
    expect(hv.x.item()).toBeCloseTo(hxx * 0.7 + hxy * -1.5, 9);
    expect(hv.y.item()).toBeCloseTo(hxy * 0.7 + hyy * -1.5, 9);
  });

  it('gives tangents that reverse mode differentiates (d/dx of f′(x)·v is f″(x)·v)', () => {
    const x = f64([0.4, -1.2]), v = f64([1, 2]);
    const [, d] = jvp((t) => mul(sin(t), exp(t)), x, v); // (cos + sin)·eˣ·v
    const g = grad(sum(d), x); // 2 cos(x) eˣ · v
    expectClose(g.data, [0.4, -1.2].map((a, i) => 2 * Math.cos(a) * Math.exp(a) * [1, 2][i]!), 1e-12, 1e-12);
  });

  it('nests in itself: the jvp of a jvp is vᵀ H w, also under noGrad', () => {
    // f = x₀² x₁: H = [[2x₁, 2x₀], [2x₀, 0]]
    const f = (t: Tensor) => mul(mul(t.slice([0], [1]), t.slice([0], [1])), t.slice([1], [1])).sum();
    const x = f64([0.5, 1.5]), v = f64([1, 2]), w = f64([-1, 3]);
    const second = (t: Tensor) => jvp(f, t, v)[1];
    const expected = 1 * (3 * -1 + 1 * 3) + 2 * (1 * -1 + 0 * 3);
    expect(jvp(second, x, w)[1].item()).toBeCloseTo(expected, 12);
    expect(noGrad(() => jvp(second, x, w))[1].item()).toBeCloseTo(expected, 12);
  });

  it('works under noGrad, and its tangent then records no graph', () => {
    const x = f64([0.5]);
    const [y, d] = noGrad(() => jvp((t) => mul(t, exp(t)), x, f64([1])));
    expect(d.item()).toBeCloseTo(1.5 * Math.exp(0.5), 12);
    expect(d.node).toBeUndefined();
    expect(y.item()).toBeCloseTo(0.5 * Math.exp(0.5), 12);
  });
});

describe('the fallback through the VJP', () => {
  it('differentiates a user op without a jvp rule (swish) as its closed form says', () => {
    expect(swishOp.spec.jvp).toBeUndefined();
    const xs = [-3, -0.5, 0, 1.2, 4], vs = [1, 2, -1, 0.5, 3];
    const [, d] = jvp(swish, f64(xs), f64(vs));
    const s = (a: number) => 1 / (1 + Math.exp(-a));
    expectClose(d.data, xs.map((a, i) => s(a) * (1 + a * (1 - s(a))) * vs[i]!), 1e-12, 1e-12);
  });

  it('composes with rules: a Hessian-vector product through an op with no rule', () => {
    // f = Σ swish(x): H = diag(swish″(x)); swish″ = σ′·(2 + x(1 − 2σ))
    const xs = [-1, 0.3, 2], vs = [1, -2, 0.5];
    const [, hv] = jvp((t) => grad(sum(swish(t)), t, { createGraph: true }), f64(xs), f64(vs));
    const s = (a: number) => 1 / (1 + Math.exp(-a));
    const second = (a: number) => s(a) * (1 - s(a)) * (2 + a * (1 - 2 * s(a)));
    expectClose(hv.data, xs.map((a, i) => second(a) * vs[i]!), 1e-10, 1e-10);
  });

  it("uses an op's own rule when it has one", () => {
    let calls = 0;
    const twice = defineOp({
      name: 'jvpTestTwice', arity: 1,
      forward: ([x], _attrs, allocate) => ({ shape: x!.shape, data: allocate(x!.dtype, x!.size).map((_, i) => 2 * x!.data[i]!) }),
      vjp: (_inputs, _out, g) => [mul(g, 2)],
      jvp: (_inputs, _out, [dx]) => { calls++; return dx && mul(dx, 2); },
    });
    const [, d] = jvp((t) => twice.run([t], {}), f64([1, 2]), f64([3, 4]));
    expect(calls).toBe(1);
    expect(Array.from(d.data)).toEqual([6, 8]);
  });
});

describe('jvp bad input', () => {
  const x = f64([1, 2, 3]);
  const square = (t: Tensor) => mul(t, t);

  it('names a tangent whose shape or dtype differs from its primal, and both shapes', () => {
    expect(() => jvp(square, x, f64([1, 2]))).toThrow('jvp: tangents is [2] float64 but primals is [3] float64; each tangent must match its primal in shape and dtype');
    expect(() => jvp(square, x, tensor([1, 2, 3]))).toThrow('jvp: tangents is [3] float32 but primals is [3] float64');
    expect(() => jvp(({ a }: { a: Tensor }) => a, { a: x }, { a: f64([[1, 2, 3]] as never) })).toThrow('jvp: tangents.a is [1,3] float64 but primals.a is [3] float64');
  });

  it('names tangents whose structure is not the primals’', () => {
    expect(() => jvp(([a]: Tensor[]) => a!, [x, x], [x] as never)).toThrow('jvp: tangents holds 1 tensor(s) ([3] float64) but primals holds 2 ([3] float64, [3] float64); give one tangent per primal');
    expect(() => jvp(({ a }: Record<string, Tensor>) => a!, { a: x }, { b: x })).toThrow("jvp: tangents does not have primals' structure: tangents.b stands where primals has primals.a");
    expect(() => jvp(square, x, [1, 2, 3] as never)).toThrow('jvp: tangents[0] is the number 1, not a Tensor');
  });

  it('names a function with no inputs, or that is not a function', () => {
    expect(() => jvp(() => x, [], [])).toThrow('jvp: primals holds no tensors');
    expect(() => jvp('square' as never, x, x)).toThrow('jvp: f must be a function of primals, got the string "square"');
    expect(() => jvp(square, [1, 2] as never, x)).toThrow('jvp: primals[0] is the number 1, not a Tensor');
  });

  it('names a non-tensor output', () => {
    expect(() => jvp((t) => sum(t).item() as never, x, x)).toThrow('jvp: f returned the number 6, not a Tensor (or a tree of tensors)');
    expect(() => jvp((t) => ({ y: t, n: 3 }) as never, x, x)).toThrow('jvp: f(primals).n is the number 3, not a Tensor');
  });

  it('names an op whose jvp rule returns a wrong shape, dtype or value, or throws', () => {
    const make = (name: string, rule: (dx: Tensor) => unknown) => defineOp({
      name, arity: 1,
      forward: ([a], _attrs, allocate) => ({ shape: a!.shape, data: allocate(a!.dtype, a!.size).map((_, i) => a!.data[i]!) }),
      vjp: (_inputs, _out, g) => [g],
      jvp: (_inputs, _out, [dx]) => rule(dx!) as Tensor,
    });
    const run = (op: ReturnType<typeof make>) => () => jvp((t) => op.run([t], {}), x, f64([1, 1, 1]));
    expect(run(make('jvpBadShape', () => f64([1, 2])))).toThrow("jvp: the JVP of 'jvpBadShape' returned [2] float64, but its output is [3] float64 (inputs [3], output [3] float64)");
    expect(run(make('jvpBadDtype', (dx) => dx.cast('float32')))).toThrow("jvp: the JVP of 'jvpBadDtype' returned [3] float32, but its output is [3] float64");
    expect(run(make('jvpBadValue', () => [1, 1, 1]))).toThrow("jvp: the JVP of 'jvpBadValue' returned an array of length 3; expected a Tensor of the output's shape");
    expect(run(make('jvpThrows', () => { throw new TypeError('boom'); }))).toThrow("jvp: the JVP of 'jvpThrows' failed on inputs [3] (TypeError: boom)");
  });

  it("names an op whose VJP fails when the fallback uses it", () => {
    const op = defineOp({
      name: 'jvpFallbackThrows', arity: 1,
      forward: ([a]) => ({ shape: a!.shape, data: Float64Array.from(a!.data) }),
      vjp: () => { throw new TypeError('no'); },
    });
    expect(() => jvp((t) => op.run([t], {}), x, x)).toThrow("jvp: the VJP of 'jvpFallbackThrows' (used for its forward mode: the op has no jvp rule) failed on inputs [3] (TypeError: no)");
  });

  it('refuses a jvp that is not a function, or on an op that is not differentiable, naming the op', () => {
    const forward = ([a]: readonly Tensor[]) => ({ shape: a!.shape, data: Float64Array.from(a!.data) });
    expect(() => defineOp({ name: 'jvpNotFn', arity: 1, forward, vjp: (_i, _o, g) => [g], jvp: 3 as never }))
      .toThrow("defineOp 'jvpNotFn': jvp must be a function, got the number 3");
    expect(() => defineOp({ name: 'jvpNotDiff', arity: 1, forward, differentiable: false, jvp: (() => null) as never }))
      .toThrow("defineOp 'jvpNotDiff': says differentiable: false but gives a jvp; drop one of them");
  });
});

describe('sigmoid through jvp', () => {
  it('agrees with grad elementwise in float32', () => {
    const x = tensor([-2, 0, 1.5]);
    const [, d] = jvp(sigmoid, x, tensor([1, 1, 1]));
    expectClose(d.data, grad(sum(sigmoid(x)), x).data, 1e-7, 1e-6);
  });
});

describe("gradcheck's forward mode", () => {
  const x = randn([3, 2], { seed: 1, dtype: 'float64' });
  const wrong = (a: Tensor) => cubeWrongJvp.run([a], {});

  it('passes correct derivatives, full Jacobian and random directions, forward and both', () => {
    for (const mode of ['full', 'random'] as const) {
      expect(gradcheck((a) => mul(a!, a!).sin(), [x], { mode, autodiff: 'fwd' })).toBe(true);
      expect(gradcheck((a, b) => mul(swish(a!), b!).sum(0), [x, randn([2], { seed: 2, dtype: 'float64' })], { mode, autodiff: 'both' })).toBe(true);
    }
  });

  it('catches a wrong jvp rule that reverse mode cannot see', () => {
    expect(gradcheck(wrong, [x], { mode: 'full' })).toBe(true); // its VJP is right
    expect(() => gradcheck(wrong, [x], { mode: 'full', autodiff: 'fwd' }))
      .toThrow(/gradcheck failed for 'cubeWrongJvp' \(full Jacobian, forward mode\): input 0, d out\[\d\] \/ d in\[\d\]: analytic/);
    expect(() => gradcheck((a) => sum(wrong(a!)), [x], { mode: 'random', autodiff: 'both', name: 'sum∘cubeWrongJvp' }))
      .toThrow(/gradcheck failed for 'sum∘cubeWrongJvp' \(random direction, forward mode\): input 0, trial 0 \(seed 0\), out\[0\]/);
  });

  it('names a bad autodiff option', () => {
    expect(() => gradcheck((a) => a!, [x], { autodiff: 'forward' as never })).toThrow(`gradcheck: autodiff must be 'rev', 'fwd' or 'both', got the string "forward"`);
  });
});
