/** Elementwise arithmetic and math functions, each a forward kernel plus a VJP written with ops. */
import { assertDType, type DType } from '../dtype.ts';
import { allocate } from '../backend/index.ts';
import { kernels } from '../backend/index.ts';
import { broadcastShapes, broadcastStrides, sizeOf } from '../shape.ts';
import type { Tensor } from '../tensor.ts';
import { sampleBinary, sampleFrom, broadcastGroup, sampleUnary } from '../testing/sample.ts';
import { greater, less, sign } from './compare.ts';
import { defineOp, type OpSample } from './define.ts';
import { texNumber, type OpFormula } from './formula.ts';
import { opRow, opTable, type SelfMethod } from './table.ts';
import { binaryKernel, liftPair, unaryKernel, type TensorLike } from './util.ts';
import { scaled, sumTerms } from './tangents.ts';
import { expectTensor } from '../validate.ts';

// ---- binary arithmetic (broadcasting; the engine sums each cotangent back to its input's shape)

/** A broadcasting op's formula, saying that each cotangent is summed back to its input's shape. */
const sumsBack = ({ text, tex }: OpFormula): OpFormula => ({
  text: `${text}  (each summed back to its input's shape)`,
  tex: String.raw`${tex} \quad \text{(each summed back to its input's shape)}`,
});

const addOp = defineOp({
  name: 'add', arity: 2,
  formula: sumsBack({ text: 'y = a + b;  ā = ȳ,  b̄ = ȳ', tex: String.raw`y = a + b \qquad \bar{a} = \bar{y},\; \bar{b} = \bar{y}` }),
  forward: ([a, b]) => binaryKernel('add', 'add', a, b),
  vjp: (_, __, g) => [g, g],
  // d(a + b) = da + db
  jvp: (_, __, [da, db]) => sumTerms(da, db),
  sample: sampleBinary(),
});

const subOp = defineOp({
  name: 'sub', arity: 2,
  formula: sumsBack({ text: 'y = a − b;  ā = ȳ,  b̄ = −ȳ', tex: String.raw`y = a - b \qquad \bar{a} = \bar{y},\; \bar{b} = -\bar{y}` }),
  forward: ([a, b]) => binaryKernel('sub', 'sub', a, b),
  vjp: (_, __, g) => [g, neg(g)],
  // d(a − b) = da − db
  jvp: (_, __, [da, db]) => (da && db ? sub(da, db) : da ?? (db && neg(db))),
  sample: sampleBinary(),
});

const mulOp = defineOp({
  name: 'mul', arity: 2,
  formula: sumsBack({ text: 'y = a · b;  ā = ȳ · b,  b̄ = ȳ · a', tex: String.raw`y = a \odot b \qquad \bar{a} = \bar{y} \odot b,\; \bar{b} = \bar{y} \odot a` }),
  forward: ([a, b]) => binaryKernel('mul', 'mul', a, b),
  vjp: ([a, b], _, g) => [mul(g, b), mul(g, a)],
  // d(a·b) = da·b + a·db
  jvp: ([a, b], _, [da, db]) => sumTerms(scaled(da, () => b), scaled(db, () => a)),
  sample: sampleBinary(),
});

const divOp = defineOp({
  name: 'div', arity: 2,
  formula: sumsBack({ text: 'y = a / b;  ā = ȳ / b,  b̄ = −ȳ · y / b', tex: String.raw`y = \frac{a}{b} \qquad \bar{a} = \frac{\bar{y}}{b},\; \bar{b} = -\frac{\bar{y} \odot y}{b}` }),
  forward: ([a, b]) => binaryKernel('div', 'div', a, b),
  // d(a/b)/da = 1/b, d(a/b)/db = -a/b² = -out/b
  vjp: ([, b], out, g) => [div(g, b), neg(div(mul(g, out), b))],
  // d(a/b) = (da − (a/b)·db) / b
  jvp: ([, b], out, [da, db]) => {
    const top = da && db ? sub(da, mul(out, db)) : da ?? (db && neg(mul(out, db)));
    return top && div(top, b);
  },
  sample: sampleBinary({}, { min: 0.5, max: 3 }),
});

const powOp = defineOp({
  name: 'pow', arity: 2,
  formula: sumsBack({
    text: 'y = a^b;  ā = ȳ · b · a^(b − 1),  b̄ = ȳ · y · log a (0 where a ≤ 0)',
    tex: String.raw`y = a^{b} \qquad \bar{a} = \bar{y} \odot b \odot a^{b-1},\; \bar{b} = \bar{y} \odot y \odot \log a \;\; (0 \text{ where } a \le 0)`,
  }),
  forward: ([a, b]) => binaryKernel('pow', 'pow', a, b),
  // d(a^b)/da = b·a^(b-1); d(a^b)/db = a^b·log a, defined only for a > 0 (0 elsewhere, as in JAX).
  vjp: ([a, b], out, g) => [
    mul(g, mul(b, pow(a, sub(b, 1)))),
    mul(g, mul(out, where(greater(a, 0), log(abs(a)), 0))),
  ],
  // d(a^b) = b·a^(b−1)·da + a^b·log a·db (the db term 0 where a ≤ 0, as the VJP takes it)
  jvp: ([a, b], out, [da, db]) => sumTerms(
    scaled(da, () => mul(b, pow(a, sub(b, 1)))),
    scaled(db, () => mul(out, where(greater(a, 0), log(abs(a)), 0))),
  ),
  sample: sampleBinary({ min: 0.5, max: 2 }, { min: -2, max: 2 }),
});

const maximumOp = defineOp({
  name: 'maximum', arity: 2,
  formula: sumsBack({
    text: 'y = max(a, b);  ā = ȳ · 𝟙[a > b],  b̄ = ȳ · (1 − 𝟙[a > b]) (a tie goes to b)',
    tex: String.raw`y = \max(a, b) \qquad \bar{a} = \bar{y} \odot \mathbb{1}[a > b],\; \bar{b} = \bar{y} \odot (1 - \mathbb{1}[a > b])`,
  }),
  forward: ([a, b]) => binaryKernel('maximum', 'maximum', a, b),
  vjp: ([a, b], _, g) => { const m = greater(a, b); return [mul(g, m), mul(g, sub(1, m))]; },
  // d max(a, b) = da where a > b, else db (ties go to b, as in the VJP)
  jvp: ([a, b], _, [da, db]) => (da || db ? where(greater(a, b), da ?? 0, db ?? 0) : null),
  sample: sampleBinary({ distinct: true }),
});

const minimumOp = defineOp({
  name: 'minimum', arity: 2,
  formula: sumsBack({
    text: 'y = min(a, b);  ā = ȳ · 𝟙[a < b],  b̄ = ȳ · (1 − 𝟙[a < b]) (a tie goes to b)',
    tex: String.raw`y = \min(a, b) \qquad \bar{a} = \bar{y} \odot \mathbb{1}[a < b],\; \bar{b} = \bar{y} \odot (1 - \mathbb{1}[a < b])`,
  }),
  forward: ([a, b]) => binaryKernel('minimum', 'minimum', a, b),
  vjp: ([a, b], _, g) => { const m = less(a, b); return [mul(g, m), mul(g, sub(1, m))]; },
  // d min(a, b) = da where a < b, else db (ties go to b, as in the VJP)
  jvp: ([a, b], _, [da, db]) => (da || db ? where(less(a, b), da ?? 0, db ?? 0) : null),
  sample: sampleBinary({ distinct: true }),
});

// ---- unary math

// Each unary op's jvp is its derivative times the tangent: d f(x) = f'(x)·dx.
const negOp = defineOp({
  name: 'neg', arity: 1, forward: ([x]) => unaryKernel('neg', x), vjp: (_, __, g) => [neg(g)], sample: sampleUnary(),
  formula: { text: 'y = −x;  x̄ = −ȳ', tex: String.raw`y = -x \qquad \bar{x} = -\bar{y}` },
  jvp: (_, __, [dx]) => dx && neg(dx), // d(−x) = −dx
});
const expOp = defineOp({
  name: 'exp', arity: 1, forward: ([x]) => unaryKernel('exp', x), vjp: (_, out, g) => [mul(g, out)], sample: sampleUnary(),
  formula: { text: 'y = eˣ;  x̄ = ȳ · y', tex: String.raw`y = e^{x} \qquad \bar{x} = \bar{y} \odot y` },
  jvp: (_, out, [dx]) => scaled(dx, () => out), // d eˣ = eˣ·dx
});
const logOp = defineOp({
  name: 'log', arity: 1, forward: ([x]) => unaryKernel('log', x), vjp: ([x], _, g) => [div(g, x)], sample: sampleUnary({ min: 0.2, max: 5 }),
  formula: { text: 'y = log x;  x̄ = ȳ / x', tex: String.raw`y = \log x \qquad \bar{x} = \frac{\bar{y}}{x}` },
  jvp: ([x], _, [dx]) => dx && div(dx, x), // d log x = dx / x
});
// log(1 + x) by its own kernel: log(add(1, x)) loses x's digits when x is near 0.
const log1pOp = defineOp({
  name: 'log1p', arity: 1, forward: ([x]) => unaryKernel('log1p', x), vjp: ([x], _, g) => [div(g, add(x, 1))], sample: sampleUnary({ min: -0.8, max: 5 }),
  formula: { text: 'y = log(1 + x);  x̄ = ȳ / (1 + x)', tex: String.raw`y = \log(1 + x) \qquad \bar{x} = \frac{\bar{y}}{1 + x}` },
  jvp: ([x], _, [dx]) => dx && div(dx, add(x, 1)), // d log(1 + x) = dx / (1 + x)
});
const sqrtOp = defineOp({
  name: 'sqrt', arity: 1, forward: ([x]) => unaryKernel('sqrt', x), vjp: (_, out, g) => [div(g, mul(out, 2))], sample: sampleUnary({ min: 0.2, max: 5 }),
  formula: { text: 'y = √x;  x̄ = ȳ / (2y)', tex: String.raw`y = \sqrt{x} \qquad \bar{x} = \frac{\bar{y}}{2y}` },
  jvp: (_, out, [dx]) => dx && div(dx, mul(out, 2)), // d √x = dx / (2√x)
});
const absOp = defineOp({
  name: 'abs', arity: 1, forward: ([x]) => unaryKernel('abs', x), vjp: ([x], _, g) => [mul(g, sign(x))], sample: sampleUnary({ avoid: [0] }),
  formula: { text: 'y = |x|;  x̄ = ȳ · sign(x)', tex: String.raw`y = \lvert x \rvert \qquad \bar{x} = \bar{y} \odot \operatorname{sign}(x)` },
  jvp: ([x], _, [dx]) => scaled(dx, () => sign(x)), // d |x| = sign(x)·dx
});
const sinOp = defineOp({
  name: 'sin', arity: 1, forward: ([x]) => unaryKernel('sin', x), vjp: ([x], _, g) => [mul(g, cos(x))], sample: sampleUnary(),
  formula: { text: 'y = sin x;  x̄ = ȳ · cos x', tex: String.raw`y = \sin x \qquad \bar{x} = \bar{y} \odot \cos x` },
  jvp: ([x], _, [dx]) => scaled(dx, () => cos(x)), // d sin x = cos x·dx
});
const cosOp = defineOp({
  name: 'cos', arity: 1, forward: ([x]) => unaryKernel('cos', x), vjp: ([x], _, g) => [neg(mul(g, sin(x)))], sample: sampleUnary(),
  formula: { text: 'y = cos x;  x̄ = −ȳ · sin x', tex: String.raw`y = \cos x \qquad \bar{x} = -\bar{y} \odot \sin x` },
  jvp: ([x], _, [dx]) => scaled(dx, () => neg(sin(x))), // d cos x = −sin x·dx
});
const tanhOp = defineOp({
  name: 'tanh', arity: 1, forward: ([x]) => unaryKernel('tanh', x), vjp: (_, out, g) => [mul(g, sub(1, mul(out, out)))], sample: sampleUnary(),
  formula: { text: 'y = tanh x;  x̄ = ȳ · (1 − y²)', tex: String.raw`y = \tanh x \qquad \bar{x} = \bar{y} \odot (1 - y^2)` },
  jvp: (_, out, [dx]) => scaled(dx, () => sub(1, mul(out, out))), // d tanh x = (1 − tanh²x)·dx
});
const squareOp = defineOp({
  name: 'square', arity: 1, forward: ([x]) => unaryKernel('square', x), vjp: ([x], _, g) => [mul(g, mul(x, 2))], sample: sampleUnary(),
  formula: { text: 'y = x²;  x̄ = ȳ · 2x', tex: String.raw`y = x^2 \qquad \bar{x} = 2\,\bar{y} \odot x` },
  jvp: ([x], _, [dx]) => scaled(dx, () => mul(x, 2)), // d x² = 2x·dx
});

// ---- selection

/** where's first input drawn in [-1, 1] becomes a 0/1 mask, as `where` (the function) casts it. */
const conditionAsMask = <S extends OpSample<unknown>>(s: S): S => {
  const [cond, ...rest] = s.inputs;
  return { ...s, inputs: [{ ...cond, values: cond.values.map((v) => (v > 0 ? 1 : 0)) }, ...rest] };
};

const whereOp = defineOp({
  name: 'where', arity: 3,
  formula: sumsBack({
    text: 'y = a where c ≠ 0, else b;  ā = ȳ where c ≠ 0, else 0,  b̄ = ȳ where c = 0, else 0;  c gets no gradient',
    tex: String.raw`y = \operatorname{where}(c, a, b) \qquad \bar{a} = \operatorname{where}(c, \bar{y}, 0),\; \bar{b} = \operatorname{where}(c, 0, \bar{y}),\; c \text{ gets no gradient}`,
  }),
  forward: ([c, a, b]) => {
    const shape = broadcastShapes('where', c.shape, a.shape, b.shape);
    const out = allocate(a.dtype, sizeOf(shape));
    kernels().select(c.data, broadcastStrides(c.shape, shape), a.data, broadcastStrides(a.shape, shape), b.data, broadcastStrides(b.shape, shape), shape, out);
    return { shape, data: out };
  },
  vjp: ([c], _, g) => [null, where(c, g, 0), where(c, 0, g)],
  // d(c ? a : b) = c ? da : db; the condition is piecewise constant, so its tangent is ignored.
  jvp: ([c], _, [, da, db]) => (da || db ? where(c, da ?? 0, db ?? 0) : null),
  sample: (fc) => sampleFrom(fc, broadcastGroup(fc, 3), [{ min: -1, max: 1, avoid: [0] }, {}, {}]).map(conditionAsMask),
});

type ClipAttrs = { min: number; max: number };
const clipOp = defineOp({
  name: 'clip', arity: 1,
  formula: ({ min, max }: ClipAttrs) => ({
    text: `y = clip(x, ${min}, ${max});  x̄ = ȳ · 𝟙[${min} < x < ${max}]`,
    tex: String.raw`y = \min(\max(x, ${texNumber(min)}), ${texNumber(max)}) \qquad \bar{x} = \bar{y} \odot \mathbb{1}[${texNumber(min)} < x < ${texNumber(max)}]`,
  }),
  forward: ([x], { min, max }: ClipAttrs) => {
    if (typeof min !== 'number' || typeof max !== 'number' || !(min <= max)) {
      throw new Error(`clip: min and max must be numbers with min ≤ max, got min ${JSON.stringify(min) ?? min} and max ${JSON.stringify(max) ?? max}`);
    }
    const out = allocate(x.dtype, x.size);
    kernels().clip(x.data, min, max, out);
    return { shape: x.shape, data: out };
  },
  vjp: ([x], _, g, { min, max }) => [mul(g, mul(greater(x, min), less(x, max)))],
  // d clip(x) = dx strictly inside (min, max), 0 at or beyond the bounds
  jvp: ([x], _, [dx], { min, max }) => dx && where(mul(greater(x, min), less(x, max)), dx, 0),
  sample: sampleUnary({ avoid: [-1, 1] }, (_, fc) => fc.constant({ min: -1, max: 1 })),
  describe: ({ min, max }) => `[${min}, ${max}]`,
});

const castOp = defineOp({
  name: 'cast', arity: 1,
  formula: ({ dtype }: { dtype: DType }) => ({
    text: `y = cast(x, ${dtype});  x̄ = cast(ȳ, dtype of x)`,
    tex: String.raw`y = \operatorname{cast}(x, \text{${dtype}}) \qquad \bar{x} = \operatorname{cast}(\bar{y}, \operatorname{dtype}(x))`,
  }),
  forward: ([x], { dtype }: { dtype: DType }) => {
    const out = allocate(assertDType('cast', dtype), x.size);
    out.set(x.data);
    return { shape: x.shape, data: out };
  },
  vjp: ([x], _, g) => [cast(g, x.dtype)],
  // cast is linear: its tangent is the input's tangent cast to the output's dtype.
  jvp: (_, __, [dx], { dtype }) => dx && cast(dx, dtype),
  describe: ({ dtype }) => dtype,
});

// ---- public functions (numbers are lifted to scalars of the other operand's dtype)

/**
 * a + b elementwise, with broadcasting.
 *
 * a and b: shapes that broadcast (NumPy's rules); returns their broadcast shape, in their dtype. A number is
 * lifted to a scalar of the other operand's dtype. Each operand's gradient is summed back to its own shape.
 * @throws Error when the shapes do not broadcast (naming both), when a and b mix float32 and float64 (cast
 * one), or when an operand is neither a Tensor nor a number.
 * @example
 * ```ts
 * import { add, tensor } from '@chainrule/core';
 * add(tensor([1, 2]), 10).toArray(); // [11, 12]
 * add(tensor([[1], [2]]), tensor([10, 20])).toArray(); // [[11, 21], [12, 22]]
 * ```
 */
export const add = (a: TensorLike, b: TensorLike): Tensor => addOp.run(liftPair('add', a, b), {});

/**
 * a − b elementwise, with broadcasting.
 *
 * a and b: shapes that broadcast (NumPy's rules); returns their broadcast shape, in their dtype. A number is
 * lifted to a scalar of the other operand's dtype. Each operand's gradient is summed back to its own shape.
 * @throws Error when the shapes do not broadcast (naming both), when a and b mix float32 and float64 (cast
 * one), or when an operand is neither a Tensor nor a number.
 * @example
 * ```ts
 * import { sub, tensor } from '@chainrule/core';
 * sub(tensor([5, 7]), tensor([1, 2])).toArray(); // [4, 5]
 * sub(1, tensor([0.25, 0.5])).toArray(); // [0.75, 0.5]
 * ```
 */
export const sub = (a: TensorLike, b: TensorLike): Tensor => subOp.run(liftPair('sub', a, b), {});

/**
 * a · b elementwise (not a matrix product: see {@link matmul}), with broadcasting.
 *
 * a and b: shapes that broadcast (NumPy's rules); returns their broadcast shape, in their dtype. A number is
 * lifted to a scalar of the other operand's dtype. Each operand's gradient is summed back to its own shape.
 * @throws Error when the shapes do not broadcast (naming both), when a and b mix float32 and float64 (cast
 * one), or when an operand is neither a Tensor nor a number.
 * @example
 * ```ts
 * import { mul, tensor } from '@chainrule/core';
 * mul(tensor([1, 2, 3]), 2).toArray(); // [2, 4, 6]
 * ```
 */
export const mul = (a: TensorLike, b: TensorLike): Tensor => mulOp.run(liftPair('mul', a, b), {});

/**
 * a / b elementwise, with broadcasting. Dividing by zero gives ±Infinity or NaN, as in JavaScript.
 *
 * a and b: shapes that broadcast (NumPy's rules); returns their broadcast shape, in their dtype. A number is
 * lifted to a scalar of the other operand's dtype. Each operand's gradient is summed back to its own shape.
 * @throws Error when the shapes do not broadcast (naming both), when a and b mix float32 and float64 (cast
 * one), or when an operand is neither a Tensor nor a number.
 * @example
 * ```ts
 * import { div, tensor } from '@chainrule/core';
 * div(tensor([1, 3]), tensor([2, 4])).toArray(); // [0.5, 0.75]
 * ```
 */
export const div = (a: TensorLike, b: TensorLike): Tensor => divOp.run(liftPair('div', a, b), {});

/**
 * a raised to the power b elementwise, with broadcasting.
 *
 * a and b: shapes that broadcast (NumPy's rules); returns their broadcast shape, in their dtype. A number is
 * lifted to a scalar of the other operand's dtype. Each operand's gradient is summed back to its own shape.
 * A negative a with a fractional b gives NaN. The gradient with respect to b, a^b·log a, is taken as 0
 * where a ≤ 0 (as in JAX).
 * @throws Error when the shapes do not broadcast (naming both), when a and b mix float32 and float64 (cast
 * one), or when an operand is neither a Tensor nor a number.
 * @example
 * ```ts
 * import { pow, tensor } from '@chainrule/core';
 * pow(tensor([2, 3]), 2).toArray(); // [4, 9]
 * pow(2, tensor([0, 1, 3])).toArray(); // [1, 2, 8]
 * ```
 */
export const pow = (a: TensorLike, b: TensorLike): Tensor => powOp.run(liftPair('pow', a, b), {});

/**
 * The larger of a and b elementwise, with broadcasting (not a reduction: see {@link max}).
 *
 * a and b: shapes that broadcast (NumPy's rules); returns their broadcast shape, in their dtype. A number is
 * lifted to a scalar of the other operand's dtype. Each operand's gradient is summed back to its own shape.
 * The gradient goes to the larger operand; at a tie it goes to b.
 * @throws Error when the shapes do not broadcast (naming both), when a and b mix float32 and float64 (cast
 * one), or when an operand is neither a Tensor nor a number.
 * @example
 * ```ts
 * import { maximum, tensor } from '@chainrule/core';
 * maximum(tensor([1, 5, 3]), tensor([4, 2, 3])).toArray(); // [4, 5, 3]
 * ```
 */
export const maximum = (a: TensorLike, b: TensorLike): Tensor => maximumOp.run(liftPair('maximum', a, b), {});

/**
 * The smaller of a and b elementwise, with broadcasting (not a reduction: see {@link min}).
 *
 * a and b: shapes that broadcast (NumPy's rules); returns their broadcast shape, in their dtype. A number is
 * lifted to a scalar of the other operand's dtype. Each operand's gradient is summed back to its own shape.
 * The gradient goes to the smaller operand; at a tie it goes to b.
 * @throws Error when the shapes do not broadcast (naming both), when a and b mix float32 and float64 (cast
 * one), or when an operand is neither a Tensor nor a number.
 * @example
 * ```ts
 * import { minimum, tensor } from '@chainrule/core';
 * minimum(tensor([1, 5]), 2).toArray(); // [1, 2]
 * ```
 */
export const minimum = (a: TensorLike, b: TensorLike): Tensor => minimumOp.run(liftPair('minimum', a, b), {});

/**
 * −x elementwise.
 *
 * x: any shape; returns x's shape and dtype.
 * @throws Error when x is not a Tensor.
 * @example
 * ```ts
 * import { neg, tensor } from '@chainrule/core';
 * neg(tensor([1, -2])).toArray(); // [-1, 2]
 * ```
 */
export const neg = (x: Tensor): Tensor => negOp.run([x], {});

/**
 * e^x elementwise.
 *
 * x: any shape; returns x's shape and dtype.
 * Large x overflows to Infinity (above about 88 in float32, 709 in float64).
 * @throws Error when x is not a Tensor.
 * @example
 * ```ts
 * import { exp, tensor } from '@chainrule/core';
 * exp(tensor([0, 1])).toArray(); // [1, 2.718…]
 * ```
 */
export const exp = (x: Tensor): Tensor => expOp.run([x], {});

/**
 * The natural logarithm elementwise.
 *
 * x: any shape; returns x's shape and dtype.
 * log(0) is -Infinity and a negative x gives NaN (no error, unless `setDebug(true)`, which makes
 * any op that produces a non-finite value throw). For log(1 + x) with x near 0, use {@link log1p}.
 * @throws Error when x is not a Tensor.
 * @example
 * ```ts
 * import { log, tensor } from '@chainrule/core';
 * log(tensor([1, Math.E], { dtype: 'float64' })).toArray(); // [0, 1]
 * ```
 */
export const log = (x: Tensor): Tensor => logOp.run([x], {});

/**
 * log(1 + x) elementwise, accurate for x near 0 where `log(add(1, x))` loses x's digits.
 *
 * x: any shape; returns x's shape and dtype. x = −1 gives -Infinity and x < −1 gives NaN.
 * @throws Error when x is not a Tensor.
 * @example
 * ```ts
 * import { log1p, tensor } from '@chainrule/core';
 * log1p(tensor([0, 1e-10], { dtype: 'float64' })).toArray(); // [0, 9.9999999995e-11]
 * ```
 */
export const log1p = (x: Tensor): Tensor => log1pOp.run([x], {});

/**
 * The square root elementwise.
 *
 * x: any shape; returns x's shape and dtype.
 * A negative x gives NaN; the gradient 1/(2√x) is infinite at 0.
 * @throws Error when x is not a Tensor.
 * @example
 * ```ts
 * import { sqrt, tensor } from '@chainrule/core';
 * sqrt(tensor([4, 9])).toArray(); // [2, 3]
 * ```
 */
export const sqrt = (x: Tensor): Tensor => sqrtOp.run([x], {});

/**
 * |x| elementwise.
 *
 * x: any shape; returns x's shape and dtype.
 * The gradient is sign(x): 0 at x = 0.
 * @throws Error when x is not a Tensor.
 * @example
 * ```ts
 * import { abs, tensor } from '@chainrule/core';
 * abs(tensor([-2, 0, 3])).toArray(); // [2, 0, 3]
 * ```
 */
export const abs = (x: Tensor): Tensor => absOp.run([x], {});

/**
 * The sine elementwise (x in radians).
 *
 * x: any shape; returns x's shape and dtype.
 * @throws Error when x is not a Tensor.
 * @example
 * ```ts
 * import { sin, tensor } from '@chainrule/core';
 * sin(tensor([0, Math.PI / 2])).toArray(); // [0, 1]
 * ```
 */
export const sin = (x: Tensor): Tensor => sinOp.run([x], {});

/**
 * The cosine elementwise (x in radians).
 *
 * x: any shape; returns x's shape and dtype.
 * @throws Error when x is not a Tensor.
 * @example
 * ```ts
 * import { cos, tensor } from '@chainrule/core';
 * cos(tensor([0, Math.PI])).toArray(); // [1, -1]
 * ```
 */
export const cos = (x: Tensor): Tensor => cosOp.run([x], {});

/**
 * The hyperbolic tangent elementwise, in (−1, 1).
 *
 * x: any shape; returns x's shape and dtype.
 * @throws Error when x is not a Tensor.
 * @example
 * ```ts
 * import { tanh, tensor } from '@chainrule/core';
 * tanh(tensor([0, 100])).toArray(); // [0, 1]
 * ```
 */
export const tanh = (x: Tensor): Tensor => tanhOp.run([x], {});

/**
 * x² elementwise (one op, cheaper than `mul(x, x)` and with one input in the graph).
 *
 * x: any shape; returns x's shape and dtype.
 * @throws Error when x is not a Tensor.
 * @example
 * ```ts
 * import { square, tensor } from '@chainrule/core';
 * square(tensor([-3, 2])).toArray(); // [9, 4]
 * ```
 */
export const square = (x: Tensor): Tensor => squareOp.run([x], {});

/**
 * x with every value limited to [min, max] (NumPy's clip).
 *
 * x: any shape; returns x's shape and dtype. The gradient is 1 strictly inside (min, max) and 0 at or
 * beyond the bounds.
 * @throws Error when min or max is not a number, or min > max, naming both.
 * @example
 * ```ts
 * import { clip, tensor } from '@chainrule/core';
 * clip(tensor([-5, 0.5, 5]), -1, 1).toArray(); // [-1, 0.5, 1]
 * ```
 */
export const clip = (x: Tensor, min: number, max: number): Tensor => clipOp.run([x], { min, max });

/**
 * Converts x to another dtype (float32 or float64): the only way to mix them, since ops refuse inputs of
 * two dtypes. Returns x itself when it already has that dtype.
 *
 * x: any shape; returns x's shape. The gradient is cast back to x's dtype. Float64 to float32 rounds each
 * value to the nearest float32.
 * @throws Error when dtype is not 'float32' or 'float64'.
 * @example
 * ```ts
 * import { add, cast, tensor } from '@chainrule/core';
 * const x = tensor([1, 2], { dtype: 'float64' });
 * add(cast(x, 'float32'), tensor([0.5, 0.5])).dtype; // 'float32'
 * ```
 */
export const cast = (x: Tensor, dtype: DType): Tensor => (x.dtype === dtype ? x : castOp.run([x], { dtype }));

/**
 * cond ? a : b elementwise, with broadcasting; cond is any tensor, non-zero meaning true (a mask from
 * {@link greater} and the like).
 *
 * cond, a and b: shapes that broadcast together; returns their broadcast shape in a's and b's dtype (cond is
 * cast to it). A number for a or b is lifted to a scalar. The gradient flows to a where cond is true and
 * to b elsewhere; cond gets none.
 * @throws Error when cond is not a Tensor, when the shapes do not broadcast (naming them), or when a and
 * b mix float32 and float64.
 * @example
 * ```ts
 * import { greater, tensor, where } from '@chainrule/core';
 * const x = tensor([-1, 2, -3]);
 * where(greater(x, 0), x, 0).toArray(); // [0, 2, 0]
 * ```
 */
export function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  expectTensor('where', 'cond', cond);
  const [ta, tb] = liftPair('where', a, b, cond.dtype);
  return whereOp.run([cast(cond, ta.dtype), ta, tb], {});
}

/**
 * The elementwise family's table: each row holds the op (`row.op`, as in {@link builtinOps}), its public
 * function (`row.fn`) and how it becomes a Tensor method. Core derives its exports and methods from it.
 */
export const elementwiseOps = opTable({
  /** The `add` op and {@link add}. */
  add: opRow(addOp, add),
  /** The `sub` op and {@link sub}. */
  sub: opRow(subOp, sub),
  /** The `mul` op and {@link mul}. */
  mul: opRow(mulOp, mul),
  /** The `div` op and {@link div}. */
  div: opRow(divOp, div),
  /** The `pow` op and {@link pow}. */
  pow: opRow(powOp, pow),
  /** The `maximum` op and {@link maximum}. */
  maximum: opRow(maximumOp, maximum),
  /** The `minimum` op and {@link minimum}. */
  minimum: opRow(minimumOp, minimum),
  /** The `neg` op and {@link neg}. */
  neg: opRow(negOp, neg),
  /** The `exp` op and {@link exp}. */
  exp: opRow(expOp, exp),
  /** The `log` op and {@link log}. */
  log: opRow(logOp, log),
  /** The `log1p` op and {@link log1p}. */
  log1p: opRow(log1pOp, log1p),
  /** The `sqrt` op and {@link sqrt}. */
  sqrt: opRow(sqrtOp, sqrt),
  /** The `abs` op and {@link abs}. */
  abs: opRow(absOp, abs),
  /** The `sin` op and {@link sin}. */
  sin: opRow(sinOp, sin),
  /** The `cos` op and {@link cos}. */
  cos: opRow(cosOp, cos),
  /** The `tanh` op and {@link tanh}. */
  tanh: opRow(tanhOp, tanh),
  /** The `square` op and {@link square}. */
  square: opRow(squareOp, square),
  /** The `where` op and {@link where}. */
  where: opRow(whereOp, where),
  /** The `clip` op and {@link clip}. */
  clip: opRow(clipOp, clip),
  /** The `cast` op and {@link cast}. */
  cast: opRow(castOp, cast),
});

// The methods this table gives (x.f(...) for f(x, ...)), checked against it in ./builtins.ts.
declare module '../tensor.ts' {
  interface Tensor {
    /** {@link add} as a method: `a.add(b)`. */
    add: SelfMethod<typeof add>;
    /** {@link sub} as a method: `a.sub(b)`. */
    sub: SelfMethod<typeof sub>;
    /** {@link mul} as a method: `a.mul(b)`. */
    mul: SelfMethod<typeof mul>;
    /** {@link div} as a method: `a.div(b)`. */
    div: SelfMethod<typeof div>;
    /** {@link pow} as a method: `a.pow(b)`. */
    pow: SelfMethod<typeof pow>;
    /** {@link maximum} as a method: `a.maximum(b)`. */
    maximum: SelfMethod<typeof maximum>;
    /** {@link minimum} as a method: `a.minimum(b)`. */
    minimum: SelfMethod<typeof minimum>;
    /** {@link neg} as a method: `x.neg()`. */
    neg: SelfMethod<typeof neg>;
    /** {@link exp} as a method: `x.exp()`. */
    exp: SelfMethod<typeof exp>;
    /** {@link log} as a method: `x.log()`. */
    log: SelfMethod<typeof log>;
    /** {@link log1p} as a method: `x.log1p()`. */
    log1p: SelfMethod<typeof log1p>;
    /** {@link sqrt} as a method: `x.sqrt()`. */
    sqrt: SelfMethod<typeof sqrt>;
    /** {@link abs} as a method: `x.abs()`. */
    abs: SelfMethod<typeof abs>;
    /** {@link sin} as a method: `x.sin()`. */
    sin: SelfMethod<typeof sin>;
    /** {@link cos} as a method: `x.cos()`. */
    cos: SelfMethod<typeof cos>;
    /** {@link tanh} as a method: `x.tanh()`. */
    tanh: SelfMethod<typeof tanh>;
    /** {@link square} as a method: `x.square()`. */
    square: SelfMethod<typeof square>;
    /** {@link where} as a method, this tensor the condition: `cond.where(a, b)` is this ? a : b (non-zero meaning true). */
    where: SelfMethod<typeof where>;
    /** {@link clip} as a method: `x.clip(min, max)`. */
    clip: SelfMethod<typeof clip>;
    /** {@link cast} as a method: `x.cast('float64')`. */
    cast: SelfMethod<typeof cast>;
  }
}
