/** jacobian, hessian and hvp: closed forms, finite differences, each against the others, trees, dtypes and bad input. */
import { describe, expect, it } from 'vitest';
import { OrderedMap } from 'immutable';
import {
  add, exp, grad, matmul, mul, noGrad, randn, sin, square, sub, sum, tanh, tensor, Tensor, type DType,
} from '@chainrule/core';
import { hessian, hvp, jacobian } from '../src/autodiff/derivatives.ts';
import { expectClose } from './helpers.ts';

const f64 = { dtype: 'float64' as const };

/** Central differences in float64, as gradcheck's full mode takes them: J[j, e] = (f(x+εe) − f(x−εe)) / 2ε. */
function numericJacobian(f: (x: Tensor) => Tensor, x: Tensor, eps = 1e-6): number[][] {
  const at = (e: number, s: number) => {
    const d = Float64Array.from(x.data);
    d[e]! += s * eps;
    return f(new Tensor(d, x.shape)).data;
  };
  const m = f(x).size;
  const J = Array.from({ length: m }, () => new Array<number>(x.size).fill(0));
  for (let e = 0; e < x.size; e++) {
    const [p, q] = [at(e, 1), at(e, -1)];
    for (let j = 0; j < m; j++) J[j]![e] = (p[j]! - q[j]!) / (2 * eps);
  }
  return J;
}

/** Rosenbrock's function in n dimensions: Σ 100(x[i+1] − x[i]²)² + (1 − x[i])². */
const rosenbrock = (x: Tensor): Tensor => {
  const n = x.shape[0]!;
  const head = x.slice([0], [n - 1]), tail = x.slice([1], [n - 1]);
  return add(mul(sum(square(sub(tail, square(head)))), 100), sum(square(sub(1, head))));
};

/** Its Hessian, by hand: tridiagonal. */
function rosenbrockHessian(x: number[]): number[][] {
  const n = x.length;
  const H = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n - 1; i++) {
    H[i]![i]! += 1200 * x[i]! ** 2 - 400 * x[i + 1]! + 2;
    H[i + 1]![i + 1]! += 200;
    H[i]![i + 1] = H[i + 1]![i] = -400 * x[i]!;
  }
  return H;
}

describe('jacobian', () => {
  it('matches closed forms: a polynomial map and sin·exp, shaped [...out, ...in]', () => {
    const x = tensor([0.5, -1.5], f64);
    // f(x) = [x0²·x1, 5·x0 + x1³]  →  J = [[2·x0·x1, x0²], [5, 3·x1²]]
    const poly = (v: Tensor) => {
      const [a, b] = [v.slice([0], [1]), v.slice([1], [1])];
      return tensor([0, 0], f64).add(mul(mul(a, a), b).mul(tensor([1, 0], f64))).add(add(mul(a, 5), mul(mul(b, b), b)).mul(tensor([0, 1], f64)));
    };
    for (const mode of ['rev', 'fwd'] as const) {
      const J = jacobian(poly, x, { mode });
      expect(J.shape).toEqual([2, 2]);
      expectClose(J.data, [2 * 0.5 * -1.5, 0.25, 5, 3 * 2.25], 1e-14);
    }
    const v = tensor([[0.1, 0.7, -2]], f64);
    const J = jacobian((t: Tensor) => mul(sin(t), exp(t)), v);
    expect(J.shape).toEqual([1, 3, 1, 3]);
    const d = Array.from(v.data, (t) => Math.exp(t) * (Math.sin(t) + Math.cos(t)));
    expectClose(J.data, [d[0]!, 0, 0, 0, d[1]!, 0, 0, 0, d[2]!], 1e-14);
  });

  it("agrees with gradcheck's central-difference Jacobian on a small network, in both modes", () => {
    const w = randn([3, 4], { seed: 1, ...f64 });
    const f = (x: Tensor) => tanh(matmul(x.reshape([2, 3]), w)).mul(x.sum());
    const x = randn([6], { seed: 2, ...f64 });
    const numeric = numericJacobian(f, x).flat();
    for (const mode of ['rev', 'fwd'] as const) {
      const J = jacobian(f, x, { mode });
      expect(J.shape).toEqual([2, 4, 6]);
      expectClose(J.data, numeric, 1e-8, 1e-6);
    }
  });

  it('gives equal Jacobians in forward and reverse mode, and picks one when not told', () => {
    const f = (x: Tensor) => sin(x).mul(x.sum()).exp();
    for (const shape of [[2], [5], [2, 3]]) {
      const x = randn(shape, { seed: 3, ...f64 });
      const [rev, fwd, auto] = [jacobian(f, x, { mode: 'rev' }), jacobian(f, x, { mode: 'fwd' }), jacobian(f, x)];
      expect(fwd.shape).toEqual([...shape, ...shape]);
      expectClose(fwd.data, rev.data, 1e-12, 1e-12);
      expectClose(auto.data, rev.data, 1e-12, 1e-12);
    }
  });

  it('takes trees: the result has x’s structure, a block [...out, ...x_i] per leaf', () => {
    const w = randn([2, 3], { seed: 4, ...f64 }), b = randn([3], { seed: 5, ...f64 }), x = randn([4, 2], { seed: 6, ...f64 });
    const model = (p: { w: Tensor; b: Tensor }) => tanh(matmul(x, p.w).add(p.b));
    for (const mode of ['rev', 'fwd'] as const) {
      const J = jacobian(model, { w, b }, { mode });
      expect(J.w.shape).toEqual([4, 3, 2, 3]);
      expect(J.b.shape).toEqual([4, 3, 3]);
      expectClose(J.w.data, numericJacobian((t) => model({ w: t, b }), w).flat(), 1e-8, 1e-6);
      expectClose(J.b.data, numericJacobian((t) => model({ w, b: t }), b).flat(), 1e-8, 1e-6);
    }
    // An Immutable map (nn's Params) and an array work as well.
    const params = OrderedMap<string, Tensor>([['w', w], ['b', b]]);
    const Jp = jacobian((p: OrderedMap<string, Tensor>) => tanh(matmul(x, p.get('w')!).add(p.get('b')!)), params);
    expect(Jp.get('w')!.shape).toEqual([4, 3, 2, 3]);
    const [Ja, Jb] = jacobian(([u, v]: Tensor[]) => mul(u!, v!), [b, b.mul(2)]);
    expectClose(Ja!.data, [2 * b.data[0]!, 0, 0, 0, 2 * b.data[1]!, 0, 0, 0, 2 * b.data[2]!], 1e-15);
    expectClose(Jb!.data, [b.data[0]!, 0, 0, 0, b.data[1]!, 0, 0, 0, b.data[2]!], 1e-15);
  });

  it('takes a tree-valued f: a tree of f’s structure holding trees of x’s', () => {
    const x = tensor([1, 2], f64), y = tensor([3], f64);
    const J = jacobian((p: { x: Tensor; y: Tensor }) => ({ s: p.x.mul(p.y), t: [p.y.square()] }), { x, y }) as unknown as
      { s: { x: Tensor; y: Tensor }; t: { x: Tensor; y: Tensor }[] };
    expect(J.s.x.shape).toEqual([2, 2]);
    expect(Array.from(J.s.y.data)).toEqual([1, 2]);
    expect(Array.from(J.t[0]!.x.data)).toEqual([0, 0]);
    expect(Array.from(J.t[0]!.y.data)).toEqual([6]);
  });

  it('keeps the dtype: float32 in, float32 out; float64 in, float64 out', () => {
    for (const dtype of ['float32', 'float64'] as DType[]) {
      const x = randn([3], { seed: 7, dtype });
      for (const mode of ['rev', 'fwd'] as const) {
        const J = jacobian((t: Tensor) => tanh(t).mul(2), x, { mode });
        expect(J.dtype).toBe(dtype);
        const expected = [0, 1, 2].flatMap((i) => [0, 1, 2].map((k) => (i === k ? 2 * (1 - Math.tanh(x.data[i]!) ** 2) : 0)));
        expectClose(J.data, expected, dtype === 'float32' ? 1e-6 : 1e-15, dtype === 'float32' ? 1e-5 : 1e-13);
      }
    }
  });

  it('is differentiable, and works under noGrad (where it records nothing the caller sees)', () => {
    const x = tensor([0.3, -0.8], f64);
    // Σ_ij ∂(x_i³)/∂x_j = Σ 3x_i², whose gradient is 6x.
    const J = jacobian((t: Tensor) => t.mul(t).mul(t), x, { mode: 'rev' });
    expectClose(grad(sum(J), x).data, [6 * 0.3, 6 * -0.8], 1e-14);
    // So a Jacobian of a Jacobian is a Hessian.
    const f = (t: Tensor) => sum(sin(t).mul(t.square()));
    expectClose(jacobian((t: Tensor) => jacobian(f, t), x).data, hessian(f, x).data, 1e-14, 1e-14);
    const quiet = noGrad(() => jacobian((t: Tensor) => t.mul(t).mul(t), x));
    expectClose(quiet.data, J.data, 0);
    expect(quiet.node).toBeUndefined();
  });

  it('gives zeros for an output that does not depend on x, and handles empty shapes', () => {
    const x = tensor([1, 2], f64);
    expect(Array.from(jacobian(() => tensor([5, 6, 7], f64), x).data)).toEqual(new Array(6).fill(0));
    expect(jacobian((t: Tensor) => t.slice([0], [0]), x).shape).toEqual([0, 2]);
  });
});

describe('hessian', () => {
  it("matches Rosenbrock's Hessian, in 2 and 5 dimensions", () => {
    for (const point of [[-1.2, 1], [0.5, -0.3, 1.1, 2, -0.7]]) {
      const H = hessian(rosenbrock, tensor(point, f64));
      expect(H.shape).toEqual([point.length, point.length]);
      expect(H.dtype).toBe('float64');
      expectClose(H.data, rosenbrockHessian(point).flat(), 1e-10, 1e-13);
    }
  });

  it('matches sin·exp and a polynomial, is symmetric, and equals the Hessian built column by column from hvp', () => {
    const x = randn([2, 3], { seed: 8, ...f64 });
    const fs: [string, (t: Tensor) => Tensor][] = [
      ['sin·exp', (t) => sum(mul(sin(t), exp(t)))],
      ['cubic with cross terms', (t) => sum(t.mul(t).mul(t)).add(sum(t).square())],
      ['small network', (t) => sum(tanh(matmul(t, randn([3, 2], { seed: 9, ...f64 }))).square())],
    ];
    for (const [name, f] of fs) {
      const H = hessian(f, x);
      expect(H.shape, name).toEqual([2, 3, 2, 3]);
      const n = x.size;
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) expect(Math.abs(H.data[i * n + j]! - H.data[j * n + i]!), name).toBeLessThan(1e-12);
      const columns = Array.from({ length: n }, (_, k) => {
        const e = new Float64Array(n); e[k] = 1;
        return hvp(f, x, new Tensor(e, x.shape)).data;
      });
      expectClose(H.data, Array.from({ length: n * n }, (_, ij) => columns[ij % n]![Math.floor(ij / n)]!), 1e-12, 1e-12);
    }
    const diag = Array.from(x.data, (t) => 2 * Math.cos(t) * Math.exp(t));
    expectClose(hessian(fs[0]![1], x).data, Array.from({ length: 36 }, (_, ij) => (ij % 7 === 0 ? diag[ij / 7]! : 0)), 1e-13);
    const cubic = Array.from({ length: 36 }, (_, ij) => 2 + (ij % 7 === 0 ? 6 * x.data[ij / 7]! : 0));
    expectClose(hessian(fs[1]![1], x).data, cubic, 1e-12);
  });

  it('takes trees: H[a][b] = ∂²f/∂x_a∂x_b shaped [...x_a, ...x_b]', () => {
    const a = tensor([0.4, -0.2], f64), b = tensor([1.5], f64);
    // f = Σ a² · b²  →  ∂²/∂a² = 2b²·I, ∂²/∂a∂b = 4ab, ∂²/∂b² = 2Σa²
    const H = hessian((p: { a: Tensor; b: Tensor }) => sum(square(p.a)).mul(sum(square(p.b))), { a, b }) as
      { a: { a: Tensor; b: Tensor }; b: { a: Tensor; b: Tensor } };
    expect(H.a.b.shape).toEqual([2, 1]);
    expect(H.b.a.shape).toEqual([1, 2]);
    expectClose(H.a.a.data, [4.5, 0, 0, 4.5], 1e-14);
    expectClose(H.a.b.data, [4 * 0.4 * 1.5, 4 * -0.2 * 1.5], 1e-14);
    expectClose(H.b.a.data, H.a.b.data, 1e-14);
    expectClose(H.b.b.data, [2 * (0.16 + 0.04)], 1e-14);
  });

  it('works under noGrad, giving the same Hessian and H·v', () => {
    const x = tensor([0.5, -0.3, 1.1], f64), v = tensor([1, 2, -1], f64);
    const [H, Hv] = noGrad(() => [hessian(rosenbrock, x), hvp(rosenbrock, x, v)] as const);
    expectClose(H.data, rosenbrockHessian([0.5, -0.3, 1.1]).flat(), 1e-10, 1e-13);
    expectClose(Hv.data, hvp(rosenbrock, x, v).data, 1e-13);
    expect(H.node).toBeUndefined();
  });

  it('works in float32', () => {
    const x = tensor([-1.2, 1]);
    const H = hessian(rosenbrock, x);
    expect(H.dtype).toBe('float32');
    expectClose(H.data, rosenbrockHessian([-1.2, 1]).flat(), 1e-2, 1e-5);
  });
});

describe('hvp', () => {
  it('is H·v without H: Rosenbrock, and a tree of inputs', () => {
    const point = [0.5, -0.3, 1.1, 2];
    const v = [1, -2, 0.5, 3];
    const Hv = hvp(rosenbrock, tensor(point, f64), tensor(v, f64));
    const H = rosenbrockHessian(point);
    expectClose(Hv.data, H.map((row) => row.reduce((s, h, j) => s + h * v[j]!, 0)), 1e-10, 1e-13);
    const a = tensor([0.4, -0.2], f64), b = tensor([1.5], f64);
    const out = hvp((p: Tensor[]) => sum(square(p[0]!)).mul(sum(square(p[1]!))), [a, b], [tensor([1, 0], f64), tensor([2], f64)]);
    // [[4.5, 0, 2.4], [0, 4.5, −1.2], [2.4, −1.2, 0.4]] · [1, 0, 2]
    expectClose(out[0]!.data, [4.5 + 4.8, -2.4], 1e-14);
    expectClose(out[1]!.data, [2.4 + 0.8], 1e-14);
  });
});

describe('bad input names the argument and the shapes', () => {
  const x = tensor([1, 2], f64);
  it('hessian of a non-scalar', () => {
    expect(() => hessian((t: Tensor) => t.mul(t), x)).toThrow('hessian: f must return a scalar (one element), but f(x) has shape [2]; use jacobian for a vector-valued f');
    expect(() => hvp((t: Tensor) => t.mul(t), x, x)).toThrow(/hvp: f must return a scalar \(one element\), but f\(x\) has shape \[2\]/);
  });

  it("v that does not match x's shape, dtype or structure", () => {
    const f = (t: Tensor) => sum(t);
    expect(() => hvp(f, x, tensor([1, 2, 3], f64))).toThrow('hvp: v is [3] float64 but x is [2] float64; it must match in shape and dtype');
    expect(() => hvp(f, x, tensor([1, 2]))).toThrow('hvp: v is [2] float32 but x is [2] float64');
    const g = (p: { w: Tensor }) => sum(p.w);
    expect(() => hvp(g, { w: x }, { w: tensor([[1, 2]], f64) })).toThrow('hvp: v.w is [1,2] float64 but x.w is [2] float64');
    expect(() => hvp((p: Tensor[]) => sum(p[0]!), [x, x], [x])).toThrow("hvp: v holds 1 tensors but x holds 2; it must have x's structure");
  });

  it('f returning a non-tensor', () => {
    expect(() => jacobian(((t: Tensor) => t.sum().item()) as never, x)).toThrow('jacobian: f returned the number 3, not a Tensor (or a tree of tensors); return the tensor itself, not .item() or .data');
    expect(() => jacobian(((t: Tensor) => ({ a: t, b: 2 })) as never, x)).toThrow('jacobian: f(x).b is the number 2, not a Tensor');
    expect(() => hessian(((t: Tensor) => t.data) as never, x)).toThrow('hessian: f returned a Float64Array, not a Tensor; f must return a scalar tensor');
  });

  it('no inputs, a non-tensor input, f not a function, an unknown mode', () => {
    expect(() => jacobian(() => x, [])).toThrow('jacobian: x holds no tensors (an array of length 0); pass the tensor, or tree of tensors, to differentiate with respect to');
    expect(() => hessian(() => sum(x), {} as never)).toThrow(/hessian: x holds no tensors \(an object\)/);
    expect(() => jacobian((t: Tensor) => t, [1, 2] as never)).toThrow('jacobian: x[0] is the number 1, not a Tensor (x must be a Tensor or a tree of tensors: arrays, objects, Immutable maps); wrap numbers with tensor()');
    expect(() => hvp((t: Tensor) => sum(t), x, { v: 'a' } as never)).toThrow(/hvp: v.v is the string "a", not a Tensor/);
    expect(() => jacobian('f' as never, x)).toThrow('jacobian: f must be a function of x, got the string "f"');
    expect(() => jacobian((t: Tensor) => t, x, { mode: 'forward' as never })).toThrow("jacobian: mode must be 'rev' or 'fwd', got the string \"forward\"");
  });
});
