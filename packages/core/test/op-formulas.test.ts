/**
 * Every op's formula, over the registry: each built-in op states its rule (so a new op without one
 * fails here), in text and in TeX that KaTeX renders, for the attributes its own sampler draws; formulaOf
 * gives the formula of the op that made a tensor with the attributes it ran with; matmul's four formulas
 * compute what its VJP computes; and defineOp refuses a malformed formula, naming the op.
 */
import * as fc from 'fast-check';
import katex from 'katex';
import { describe, expect, it } from 'vitest';
import {
  builtinOps, defineOp, formulaOf, getOp, grad, greater, matmul, mul, noGrad, randn, sum, tanh, tensor,
  type OpDef, type OpFormula, type Tensor,
} from '@chainrule/core';
import '@chainrule/core/testing';
import { propertySeed } from './helpers.ts';

const seed = propertySeed('op formulas');
const builtins = Object.values(builtinOps) as OpDef[];

/** Attributes for the ops without a sampler (cast, scatterAdd, the comparisons), as their callers pass them. */
const typicalAttrs: Record<string, readonly unknown[]> = {
  cast: [{ dtype: 'float32' }, { dtype: 'float64' }],
  scatterAdd: [{ axis: 1, indices: Int32Array.from([0, 2, 2]), indicesShape: [1, 3], shape: [1, 4] }],
};

/** A few attributes the op really runs with: drawn by its sampler, or typical ones. */
function attrsFor(op: OpDef): readonly unknown[] {
  if (op.spec.sample) return fc.sample(op.spec.sample(fc), { seed, numRuns: 6 }).map((s) => s.attrs);
  return typicalAttrs[op.name] ?? [{}];
}

/** How many inputs the text names a cotangent for (x̄ =, ā =, W̄ =, x̄ᵢ = …), after decomposing ā into a + ◌̄. */
const cotangentsNamed = (text: string): number => text.normalize('NFD').match(/\S\u0304ᵢ? =/g)?.length ?? 0;

describe('op formulas', () => {
  it('every built-in op has a formula', () => {
    const without = builtins.filter((op) => op.spec.formula === undefined).map((op) => op.name);
    expect(without).toEqual([]);
  });

  describe.each(builtins.map((op) => [op.name, op] as const))('op %s', (name, op) => {
    it(`${name}: states its rule in text and in TeX that KaTeX renders, for the attributes it runs with`, () => {
      for (const attrs of attrsFor(op)) {
        const f = op.formula(attrs);
        if (!f) throw new Error(`${name} has no formula`);
        // One notation everywhere: the output y first, then the cotangents (ȳ arriving), or that none flows.
        expect(f.text).toMatch(/^y = \S.*;  \S/);
        expect(f.tex).toMatch(/^y = \S.* \\qquad \S/);
        if (op.differentiable) {
          expect(f.text).toContain('ȳ');
          expect(f.tex).toContain(String.raw`\bar{y}`);
        } else {
          expect(f.text).toContain('no gradient flows');
        }
        expect(() => katex.renderToString(f.tex, { throwOnError: true, strict: 'error' })).not.toThrow();
      }
    });

    if (op.differentiable && op.spec.arity !== undefined) {
      it(`${name}: names a cotangent for each of its ${op.spec.arity} input(s), or says which gets none`, () => {
        const f = op.formula(attrsFor(op)[0])!;
        expect(cotangentsNamed(f.text) + (f.text.includes('gets no gradient') ? 1 : 0)).toBe(op.spec.arity);
      });
    }
  });
});

/** Evaluates one side of matmul's formula text, such as 'ȳᵀ @ a', on tensors (ᵀ transposes the last two axes). */
function evaluateProduct(side: string, values: Record<string, Tensor>): Tensor {
  const [left, right] = side.split(' @ ').map((operand) => {
    const t = values[operand.replace('ᵀ', '')];
    if (!t) throw new Error(`unknown operand '${operand}' in '${side}'`);
    return operand.endsWith('ᵀ') ? t.transpose() : t;
  });
  return matmul(left!, right!);
}

describe('formulaOf', () => {
  it('gives the formula of the op that made a tensor, with the attributes it ran with', () => {
    const x = tensor([[1, 2], [3, 4]]);
    expect(formulaOf(tanh(x))).toEqual(builtinOps.tanh.formula({}));
    expect(formulaOf(sum(x, 1))?.text).toBe('y = sum(x) over axis 1;  x̄ = ȳ broadcast back over axis 1');
    expect(formulaOf(sum(x))?.text).toContain('over axes 0, 1');
  });

  it("shows matmul's transposes: a @ bᵀ sends ā = ȳ @ b and b̄ = ȳᵀ @ a", () => {
    const a = tensor([[1, 2]]), b = tensor([[3, 4]]);
    const f = formulaOf(matmul(a, b, { transB: true }))!;
    expect(f.text).toBe('y = a @ bᵀ;  ā = ȳ @ b,  b̄ = ȳᵀ @ a');
    expect(f.tex).toBe(String.raw`y = a\, b^{\top} \qquad \bar{a} = \bar{y}\, b,\; \bar{b} = \bar{y}^{\top}\, a`);
    expect(formulaOf(matmul(a, b.transpose()))?.text).toBe('y = a @ b;  ā = ȳ @ bᵀ,  b̄ = aᵀ @ ȳ');
  });

  it.each([[false, false], [false, true], [true, false], [true, true]])(
    "matmul's formula with transA %s, transB %s computes the gradients grad gives",
    (transA, transB) => {
      const a = randn(transA ? [4, 2] : [2, 4], { seed: 1, dtype: 'float64' });
      const b = randn(transB ? [3, 4] : [4, 3], { seed: 2, dtype: 'float64' });
      const ybar = randn([2, 3], { seed: 3, dtype: 'float64' });
      const y = matmul(a, b, { transA, transB });
      const [da, db] = grad(sum(mul(y, ybar)), [a, b]);
      // 'y = … ;  ā = L @ R,  b̄ = L @ R'
      const [, back] = formulaOf(y)!.text.split(';  ');
      const [aSide, bSide] = back!.split(',  ').map((s) => s.replace(/^\S+ = /, ''));
      const values = { a, b, ȳ: ybar };
      expect(Array.from(evaluateProduct(aSide!, values).data)).toEqual(Array.from(da!.data).map((v) => expect.closeTo(v, 12)));
      expect(Array.from(evaluateProduct(bSide!, values).data)).toEqual(Array.from(db!.data).map((v) => expect.closeTo(v, 12)));
    },
  );

  it('is undefined for a tensor no op recorded: made directly, under noGrad, or by a comparison', () => {
    const x = tensor([1, -2]);
    expect(formulaOf(x)).toBeUndefined();
    expect(formulaOf(noGrad(() => tanh(x)))).toBeUndefined();
    expect(formulaOf(greater(x, 0))).toBeUndefined();
  });

  it('names what it got when t is not a tensor', () => {
    expect(() => formulaOf([1, 2] as unknown as Tensor)).toThrow('formulaOf: t is an array of length 2, not a Tensor; wrap it with tensor()');
  });
});

/** The identity's forward pass, for user ops. */
const forward = ([x]: readonly Tensor[]) => ({ shape: x!.shape, data: x!.data });

describe('formula on a user op', () => {
  it('is undefined when the spec gives none', () => {
    const op = defineOp({ name: 'testFormulaNone', arity: 1, forward, vjp: (_, __, g) => [g] });
    expect(op.formula({})).toBeUndefined();
    expect(formulaOf(op.run([tensor([1])], {}))).toBeUndefined();
  });

  it('may depend on the attributes, and formulaOf passes the recorded ones', () => {
    const scale = defineOp({
      name: 'testFormulaScale', arity: 1,
      formula: ({ k }: { k: number }) => ({ text: `y = ${k}·x;  x̄ = ${k}·ȳ`, tex: String.raw`y = ${k}x \qquad \bar{x} = ${k}\bar{y}` }),
      forward: ([x], { k }: { k: number }) => ({ shape: x!.shape, data: x!.data.map((v) => k * v) }),
      vjp: (_, __, g, { k }) => [g.mul(k)],
    });
    expect(formulaOf(scale.run([tensor([1, 2])], { k: 3 }))?.text).toBe('y = 3·x;  x̄ = 3·ȳ');
  });

  it('a formula function returning something else than { text, tex } fails when asked, naming the op', () => {
    const op = defineOp({ name: 'testFormulaBadResult', arity: 1, formula: () => ({ text: 'y = x', tex: '' }), forward, vjp: (_, __, g) => [g] });
    expect(() => op.formula({})).toThrow(`testFormulaBadResult: formula(attrs) must return { text, tex } (two non-empty strings); its tex must be a non-empty string, got the string ""`);
  });

  it.each<[string, unknown, string]>([
    ['testFormulaString', 'y = x', 'got the string "y = x"'],
    ['testFormulaNull', null, 'got null'],
    ['testFormulaNoTex', { text: 'y = x' }, 'its tex must be a non-empty string, got undefined'],
    ['testFormulaBlankText', { text: '  ', tex: 'y = x' }, 'its text must be a non-empty string, got the string "  "'],
    ['testFormulaNumberTex', { text: 'y = x', tex: 1 }, 'its tex must be a non-empty string, got the number 1'],
  ])('defineOp refuses a malformed formula (%s), naming the op', (name, formula, why) => {
    const spec = { name, arity: 1, forward, vjp: (_: readonly Tensor[], __: Tensor, g: Tensor) => [g], formula: formula as OpFormula };
    expect(() => defineOp(spec)).toThrow(`defineOp '${name}': formula must be { text, tex } (two non-empty strings) or a function of the attributes returning one; ${why}`);
    expect(getOp(name)).toBeUndefined(); // not registered
  });
});
