/**
 * Typed expressions: each builds the same ops as the expression written by hand with core's functions
 * (so values and gradients agree to the bit), its gradients match a float64 central difference, and every
 * refused input says what is wrong and where.
 */
import fc from 'fast-check';
import {
  Tensor, abs, add, cos, div, exp, full, gelu, grad, log, log1p, maximum, mean, minimum, mul, neg, noGrad, pow, relu,
  sigmoid, sin, softplus, sqrt, square, sub, sum, tanh, tensor, topologicalOrder, type DType,
} from '@chainrule/core';
import { describe, expect, it } from 'vitest';
import {
  EXPRESSION_FUNCTIONS, ExpressionError, FUNCTION_NAMES, MAX_EXPRESSION_NODES, RESERVED_NAMES, parseExpression, type ExpressionErrorKind,
} from '../src/expression/index.ts';

type Vars = Record<string, Tensor>;
/** A number as the module makes it: a scalar leaf in the variables' dtype. */
type Konst = (value: number) => Tensor;

interface Case {
  readonly text: string;
  readonly hand: (v: Vars, k: Konst) => Tensor;
  readonly at: Record<string, number | number[]>;
}

// The points stay away from kinks (relu at 0, max/min ties, abs at 0) so the central difference is meaningful.
const CASES: readonly Case[] = [
  { text: 'tanh(a*b + sin(a))', hand: ({ a, b }) => tanh(add(mul(a, b), sin(a))), at: { a: 0.5, b: -1.2 } },
  { text: 'a^2 + 3*a*b - b/2', hand: ({ a, b }) => sub(add(pow(a, 2), mul(mul(3, a), b)), div(b, 2)), at: { a: 0.7, b: 1.3 } },
  { text: 'exp(-a^2)*cos(b)', hand: ({ a, b }) => mul(exp(neg(pow(a, 2))), cos(b)), at: { a: 0.4, b: 2.1 } },
  { text: 'sigmoid(a)*relu(b-1)', hand: ({ a, b }) => mul(sigmoid(a), relu(sub(b, 1))), at: { a: -0.3, b: 1.8 } },
  { text: '-(-a) * -b + --a', hand: ({ a, b }) => add(mul(neg(neg(a)), neg(b)), neg(neg(a))), at: { a: 0.9, b: -0.6 } },
  { text: '2.5e-1*a + pi/e - b', hand: ({ a, b }, k) => sub(add(mul(0.25, a), div(k(Math.PI), k(Math.E))), b), at: { a: 1.5, b: 0.2 } },
  { text: '-2.5 * a + a^-2', hand: ({ a }) => add(mul(-2.5, a), pow(a, -2)), at: { a: 1.1 } },
  { text: 'a - b - c / a * b', hand: ({ a, b, c }) => sub(sub(a, b), mul(div(c, a), b)), at: { a: 1.2, b: 0.3, c: -0.8 } },
  { text: 'a^b^2 + +a', hand: ({ a, b }) => add(pow(a, pow(b, 2)), a), at: { a: 1.3, b: 0.9 } },
  { text: 'log(1 + a^2) * sqrt(abs(b)) + square(a) - log1p(b^2)', hand: ({ a, b }) => sub(add(mul(log(add(1, pow(a, 2))), sqrt(abs(b))), square(a)), log1p(pow(b, 2))), at: { a: 0.6, b: -1.7 } },
  { text: 'max(a, b) * min(a, 2) + softplus(a) - gelu(b)', hand: ({ a, b }) => sub(add(mul(maximum(a, b), minimum(a, 2)), softplus(a)), gelu(b)), at: { a: 0.8, b: -0.4 } },
  { text: 'pow(a, b) / (a + b)', hand: ({ a, b }) => div(pow(a, b), add(a, b)), at: { a: 1.6, b: 0.7 } },
  { text: 'sum(x * w) + mean(tanh(x)) * s', hand: ({ s, w, x }) => add(sum(mul(x, w)), mul(mean(tanh(x)), s)), at: { s: 0.5, w: [0.2, -1, 0.7], x: [1, -0.5, 0.25] } },
];

/** What the graph records, leaf to output: op names, and the names of the named leaves. */
const opSequence = (y: Tensor): string[] => topologicalOrder([y]).map((t) => t.node?.op.name ?? t.name ?? `const ${t.item()}`);

const bits = (t: Tensor): number[] => Array.from(t.data);

function handInputs(at: Case['at'], dtype: DType): Vars {
  return Object.fromEntries(Object.entries(at).map(([name, v]) => [name, tensor(typeof v === 'number' ? [v] : v, { dtype, name, ...(typeof v === 'number' ? { shape: [] } : {}) })]));
}

/** d value / d xs[name][i] by (f(x + h) − f(x − h)) / 2h in float64, for each element of each variable. */
function centralDifference(build: (v: Vars) => Tensor, xs: Vars, name: string, h = 1e-6): number[] {
  const x = xs[name]!;
  return Array.from(x.data, (_, i) => {
    const at = (delta: number) => {
      const data = Float64Array.from(x.data);
      data[i]! += delta;
      return noGrad(() => build({ ...xs, [name]: tensor(data, { shape: x.shape }) })).item();
    };
    return (at(h) - at(-h)) / (2 * h);
  });
}

describe('a typed expression builds the ops written by hand', () => {
  for (const c of CASES) {
    it(`${c.text}: same ops, same value and the same gradient bits, in float32 and float64`, () => {
      const parsed = parseExpression(c.text);
      expect(parsed.variables).toEqual(Object.keys(c.at).sort());
      for (const dtype of ['float32', 'float64'] as const) {
        const xs = parsed.inputs(c.at, dtype);
        const y = parsed.build(xs);
        const hx = handInputs(c.at, dtype);
        const hy = c.hand(hx, (value) => full([], value, { dtype }));
        expect(y.dtype).toBe(dtype);
        expect(opSequence(y)).toEqual(opSequence(hy));
        expect(bits(y)).toEqual(bits(hy));
        const g = grad(y, xs), hg = grad(hy, hx);
        for (const name of parsed.variables) {
          expect(g[name]!.shape).toEqual(xs[name]!.shape);
          expect(bits(g[name]!), `d/d${name} (${dtype})`).toEqual(bits(hg[name]!));
        }
      }
    });

    it(`${c.text}: gradients match a float64 central difference`, () => {
      const parsed = parseExpression(c.text);
      const xs = parsed.inputs(c.at, 'float64');
      const g = grad(parsed.build(xs), xs);
      for (const name of parsed.variables) {
        const numeric = centralDifference((v) => parsed.build(v), xs, name);
        bits(g[name]!).forEach((analytic, i) => {
          expect(Math.abs(analytic - numeric[i]!), `d/d${name}[${i}]: ${analytic} vs ${numeric[i]}`).toBeLessThan(1e-6 * (1 + Math.abs(analytic)));
        });
      }
    });
  }

  it('names each variable leaf after the variable, uses one leaf per variable, and sorts the variables', () => {
    const parsed = parseExpression('z * a + a');
    expect(parsed.variables).toEqual(['a', 'z']);
    const xs = parsed.inputs({ a: 2, z: 3 });
    expect([xs.a!.name, xs.z!.name]).toEqual(['a', 'z']);
    const leaves = topologicalOrder([parsed.build(xs)]).filter((t) => !t.node);
    expect(leaves.map((t) => t.name)).toEqual(['z', 'a']);
  });

  it('builds on the tensors it is given, so grad with respect to them works; numbers take their dtype', () => {
    const parsed = parseExpression('a * 3');
    const a = tensor([1, 2], { dtype: 'float64' });
    const y = parsed.build({ a });
    expect(y.dtype).toBe('float64');
    expect(bits(grad(sum(y), a))).toEqual([3, 3]);
  });

  it('a constant expression builds a scalar in the given dtype', () => {
    const parsed = parseExpression('2 * pi');
    expect(parsed.variables).toEqual([]);
    const y = parsed.build({}, 'float64');
    expect([y.dtype, y.item()]).toEqual(['float64', 2 * Math.PI]);
  });

  it('folds a minus before a literal into one number, but keeps neg before a parenthesis or a variable', () => {
    expect(parseExpression('-2').tree).toEqual({ kind: 'number', value: -2, text: '-2' });
    expect(parseExpression('-(2)').tree).toEqual({ kind: 'neg', arg: { kind: 'number', value: 2, text: '2' } });
    expect(parseExpression('-a^2').tree.kind).toBe('neg');
  });
});

/** Runs `f`, expecting an ExpressionError of `kind`; returns it for the caller's checks. */
function refusal(kind: ExpressionErrorKind, f: () => unknown): ExpressionError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ExpressionError);
    expect((e as ExpressionError).kind, (e as Error).message).toBe(kind);
    return e as ExpressionError;
  }
  throw new Error(`expected an ExpressionError of kind '${kind}', but nothing was thrown`);
}

describe('bad input is refused, saying what and where', () => {
  it('a parse failure gives the character index and a caret under it', () => {
    const open = refusal('syntax', () => parseExpression('tanh(a*b + '));
    expect(open.index).toBe(11);
    expect(open.caret).toBe('tanh(a*b + \n           ^');
    expect(open.message).toBe('cannot parse the expression: unexpected end of expression at index 11\ntanh(a*b + \n           ^');

    const unclosed = refusal('syntax', () => parseExpression('tanh(a*b + sin(a)'));
    expect(unclosed.index).toBe(17);
    expect(unclosed.message).toMatch(/parenthesis \) expected at index 17/);

    const operand = refusal('syntax', () => parseExpression('a + * b'));
    expect([operand.index, operand.caret]).toEqual([4, 'a + * b\n    ^']);
    expect(operand.message).toMatch(/value expected at index 4/);

    const junk = refusal('syntax', () => parseExpression('a @ b'));
    expect(junk.index).toBe(2);
  });

  it('an unknown function is named, with the valid names listed', () => {
    const e = refusal('unknown-function', () => parseExpression('tan(a) + 1'));
    expect(e.culprit).toBe('tan');
    expect(e.validNames).toEqual(FUNCTION_NAMES);
    expect(e.message).toBe(`unknown function 'tan'; the functions are ${FUNCTION_NAMES.join(', ')}`);
    expect(FUNCTION_NAMES).toEqual(Object.keys(EXPRESSION_FUNCTIONS).sort());
    expect(FUNCTION_NAMES).toEqual(expect.arrayContaining(['tanh', 'sin', 'sigmoid', 'relu', 'exp', 'sum', 'mean']));
  });

  const UNSUPPORTED: readonly [string, RegExp][] = [
    ['x = 1', /^assignment \(x = …\) is not supported/],
    ['[1, 2] * a', /^a matrix or array literal/],
    ['1:3', /^a range \(1:3\)/],
    ['5 cm', /^implicit multiplication \(5 cm\) is not supported: write 5 \* cm/],
    ['2a', /^implicit multiplication \(2 a\)/],
    ['"hello"', /^a string \("hello"\)/],
    ['a > 0 ? a : b', /^a conditional/],
    ['f(x) = x^2', /^a function definition/],
    ['a.b', /^property or index access/],
    ['a[1]', /^property or index access/],
    ['x.y(1)', /^calling x\.y/],
    ['{k: 1}', /^an object literal/],
    ['a; b', /^more than one expression/],
    ['a % b', /^the operator '%' \(mod\)/],
    ['a == b', /^the operator '==' \(equal\)/],
    ['a < b < c', /^a chained comparison/],
    ['a!', /^the operator '!' \(factorial\)/],
    ['true', /^the constant true is not supported/],
    ['null', /^the constant null is not supported/],
    ['1e400 * a', /^the non-finite number Infinity/],
  ];
  for (const [text, message] of UNSUPPORTED) {
    it(`refuses ${JSON.stringify(text)}, naming the construct and what is allowed`, () => {
      const e = refusal('unsupported', () => parseExpression(text));
      expect(e.message).toMatch(message);
      expect(e.message).toMatch(/an expression may use numbers, variables, the operators \+ - \* \/ \^ and unary -, parentheses and the functions abs, /);
    });
  }

  it('an empty expression (blanks or only a comment) says so', () => {
    for (const text of ['', '   ', '# a comment']) expect(refusal('empty', () => parseExpression(text)).message).toMatch(/^the expression is empty/);
  });

  it('a variable spelt as a function is refused, listing the reserved names; pi and e are constants', () => {
    const e = refusal('reserved-name', () => parseExpression('sin * 2'));
    expect(e.culprit).toBe('sin');
    expect(e.message).toMatch(/^'sin' is a function, not a variable: call it as sin\(…\)/);
    expect(e.validNames).toEqual(RESERVED_NAMES);
    expect(RESERVED_NAMES).toEqual(expect.arrayContaining(['pi', 'e', 'sum']));
    expect(parseExpression('pi * e').variables).toEqual([]);
  });

  it('a function called with the wrong number of arguments says how many it takes', () => {
    expect(refusal('arity', () => parseExpression('sin(a, b)')).message).toBe('sin takes 1 argument (sin: sine), got 2 arguments in sin(a, b)');
    expect(refusal('arity', () => parseExpression('max(a)')).message).toMatch(/^max takes 2 arguments .*, got 1 argument in max\(a\)$/);
    expect(refusal('arity', () => parseExpression('tanh()')).culprit).toBe('tanh');
  });

  it(`an expression of more than ${MAX_EXPRESSION_NODES} nodes is refused with its count`, () => {
    const terms = (n: number) => Array.from({ length: n }, () => 'a').join(' + ');
    expect(parseExpression(`-(${terms(100)})`).nodeCount).toBe(MAX_EXPRESSION_NODES); // 100 leaves, 99 adds, 1 neg
    const e = refusal('too-large', () => parseExpression(terms(101)));
    expect(e.count).toBe(201);
    expect(e.message).toBe(`the expression has 201 nodes; at most ${MAX_EXPRESSION_NODES} make a graph that can still be drawn`);
  });

  it('text over the length limit is refused before parsing', () => {
    expect(refusal('too-long', () => parseExpression('a+'.repeat(600) + 'a')).count).toBe(1201);
  });

  it('build and inputs name a missing variable and a bad value', () => {
    const parsed = parseExpression('a * b');
    const missing = refusal('missing-variable', () => parsed.build({ a: tensor([1]) }));
    expect(missing.culprit).toBe('b');
    expect(missing.message).toBe("no value for the variable 'b' (given: a; needed: a, b)");
    expect(refusal('missing-variable', () => parsed.inputs({ b: 1 })).culprit).toBe('a');
    expect(refusal('bad-value', () => parsed.build({ a: tensor([1]), b: 2 as unknown as Tensor })).message).toBe("the value of 'b' must be a Tensor, got number");
    expect(refusal('bad-value', () => parsed.inputs({ a: 1, b: ['x'] as unknown as number[] })).culprit).toBe('b');
  });
});

// ---- property: a random tree printed as text parses back to the same computation

type Gen =
  | { kind: 'num'; value: number }
  | { kind: 'var'; name: 'a' | 'b' | 'c' }
  | { kind: 'neg'; arg: Gen }
  | { kind: 'bin'; op: '+' | '-' | '*' | '/' | '^'; left: Gen; right: Gen }
  | { kind: 'call'; fn: string; args: Gen[] };

const UNARY_NAMES = FUNCTION_NAMES.filter((n) => EXPRESSION_FUNCTIONS[n]!.arity === 1);
const BINARY_NAMES = FUNCTION_NAMES.filter((n) => EXPRESSION_FUNCTIONS[n]!.arity === 2);

const { tree: genTree } = fc.letrec<{ tree: Gen }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    // -0 prints as 0, so it cannot round-trip through text: draw +0 instead.
    fc.double({ min: -100, max: 100, noNaN: true }).map((value): Gen => ({ kind: 'num', value: Object.is(value, -0) ? 0 : value })),
    fc.constantFrom('a', 'b', 'c').map((name): Gen => ({ kind: 'var', name })),
    tie('tree').map((arg): Gen => ({ kind: 'neg', arg })),
    fc.record({ op: fc.constantFrom('+', '-', '*', '/', '^'), left: tie('tree'), right: tie('tree') }).map((r): Gen => ({ kind: 'bin', ...r })),
    fc.tuple(fc.constantFrom(...UNARY_NAMES), tie('tree')).map(([fn, arg]): Gen => ({ kind: 'call', fn, args: [arg] })),
    fc.tuple(fc.constantFrom(...BINARY_NAMES), tie('tree'), tie('tree')).map(([fn, a, b]): Gen => ({ kind: 'call', fn, args: [a, b] })),
  ),
}));

/** Fully parenthesised text; a negative number prints as (-x), which the parser folds back into that number. */
function print(t: Gen): string {
  switch (t.kind) {
    case 'num': return t.value < 0 ? `(${t.value})` : String(t.value);
    case 'var': return t.name;
    // Parenthesised whole: -x ^ y reads as -(x ^ y), since ^ binds tighter than unary minus.
    case 'neg': return `(-(${print(t.arg)}))`;
    case 'bin': return `(${print(t.left)} ${t.op} ${print(t.right)})`;
    case 'call': return `${t.fn}(${t.args.map(print).join(', ')})`;
  }
}

/** The reference: the generated tree computed with core's functions directly. */
function reference(t: Gen, v: Vars): Tensor {
  const ops = { '+': add, '-': sub, '*': mul, '/': div, '^': pow } as const;
  switch (t.kind) {
    case 'num': return full([], t.value);
    case 'var': return v[t.name]!;
    case 'neg': return neg(reference(t.arg, v));
    case 'bin': return ops[t.op](reference(t.left, v), reference(t.right, v));
    case 'call': return EXPRESSION_FUNCTIONS[t.fn]!.build(...t.args.map((a) => reference(a, v)));
  }
}

describe('round trip', () => {
  it('random expression trees printed to text parse back to the same value and gradients', () => {
    const seed = Number(process.env.CHAINRULE_SEED ?? 20261130);
    fc.assert(fc.property(genTree, (t) => {
      const text = print(t);
      const parsed = parseExpression(text);
      const xs = parsed.inputs({ a: 0.7, b: -1.3, c: 2.2 });
      const y = parsed.build(xs);
      const hx: Vars = { a: full([], 0.7, { name: 'a' }), b: full([], -1.3, { name: 'b' }), c: full([], 2.2, { name: 'c' }) };
      const hy = reference(t, hx);
      expect(bits(y), text).toEqual(bits(hy));
      if (parsed.variables.length) {
        const g = grad(y, xs);
        const hg = grad(hy, hx);
        for (const name of parsed.variables) expect(bits(g[name]!), `d/d${name} of ${text}`).toEqual(bits(hg[name]!));
      }
    }), { seed, numRuns: 300 });
  });
});
