/** Elementwise arithmetic and math functions, each a forward kernel plus a VJP written with ops. */
import { assertDType, type DType } from '../dtype.ts';
import { allocate } from '../backend/index.ts';
import { kernels } from '../backend/index.ts';
import { broadcastShapes, broadcastStrides, sizeOf } from '../shape.ts';
import type { Tensor } from '../tensor.ts';
import { sampleBinary, sampleFrom, broadcastGroup, sampleUnary } from '../testing/sample.ts';
import { greater, less, sign } from './compare.ts';
import { defineOp, type OpSample } from './define.ts';
import { opRow, opTable, type SelfMethod } from './table.ts';
import { binaryKernel, liftPair, unaryKernel, type TensorLike } from './util.ts';
import { expectTensor } from '../validate.ts';

// ---- binary arithmetic (broadcasting; the engine sums each cotangent back to its input's shape)

const addOp = defineOp({
  name: 'add', arity: 2,
  forward: ([a, b]) => binaryKernel('add', 'add', a, b),
  vjp: (_, __, g) => [g, g],
  sample: sampleBinary(),
});

const subOp = defineOp({
  name: 'sub', arity: 2,
  forward: ([a, b]) => binaryKernel('sub', 'sub', a, b),
  vjp: (_, __, g) => [g, neg(g)],
  sample: sampleBinary(),
});

const mulOp = defineOp({
  name: 'mul', arity: 2,
  forward: ([a, b]) => binaryKernel('mul', 'mul', a, b),
  vjp: ([a, b], _, g) => [mul(g, b), mul(g, a)],
  sample: sampleBinary(),
});

const divOp = defineOp({
  name: 'div', arity: 2,
  forward: ([a, b]) => binaryKernel('div', 'div', a, b),
  // d(a/b)/da = 1/b, d(a/b)/db = -a/b² = -out/b
  vjp: ([, b], out, g) => [div(g, b), neg(div(mul(g, out), b))],
  sample: sampleBinary({}, { min: 0.5, max: 3 }),
});

const powOp = defineOp({
  name: 'pow', arity: 2,
  forward: ([a, b]) => binaryKernel('pow', 'pow', a, b),
  // d(a^b)/da = b·a^(b-1); d(a^b)/db = a^b·log a, defined only for a > 0 (0 elsewhere, as in JAX).
  vjp: ([a, b], out, g) => [
    mul(g, mul(b, pow(a, sub(b, 1)))),
    mul(g, mul(out, where(greater(a, 0), log(abs(a)), 0))),
  ],
  sample: sampleBinary({ min: 0.5, max: 2 }, { min: -2, max: 2 }),
});

const maximumOp = defineOp({
  name: 'maximum', arity: 2,
  forward: ([a, b]) => binaryKernel('maximum', 'maximum', a, b),
  vjp: ([a, b], _, g) => { const m = greater(a, b); return [mul(g, m), mul(g, sub(1, m))]; },
  sample: sampleBinary({ distinct: true }),
});

const minimumOp = defineOp({
  name: 'minimum', arity: 2,
  forward: ([a, b]) => binaryKernel('minimum', 'minimum', a, b),
  vjp: ([a, b], _, g) => { const m = less(a, b); return [mul(g, m), mul(g, sub(1, m))]; },
  sample: sampleBinary({ distinct: true }),
});

// ---- unary math

const negOp = defineOp({ name: 'neg', arity: 1, forward: ([x]) => unaryKernel('neg', x), vjp: (_, __, g) => [neg(g)], sample: sampleUnary() });
const expOp = defineOp({ name: 'exp', arity: 1, forward: ([x]) => unaryKernel('exp', x), vjp: (_, out, g) => [mul(g, out)], sample: sampleUnary() });
const logOp = defineOp({ name: 'log', arity: 1, forward: ([x]) => unaryKernel('log', x), vjp: ([x], _, g) => [div(g, x)], sample: sampleUnary({ min: 0.2, max: 5 }) });
// log(1 + x) by its own kernel: log(add(1, x)) loses x's digits when x is near 0.
const log1pOp = defineOp({ name: 'log1p', arity: 1, forward: ([x]) => unaryKernel('log1p', x), vjp: ([x], _, g) => [div(g, add(x, 1))], sample: sampleUnary({ min: -0.8, max: 5 }) });
const sqrtOp = defineOp({ name: 'sqrt', arity: 1, forward: ([x]) => unaryKernel('sqrt', x), vjp: (_, out, g) => [div(g, mul(out, 2))], sample: sampleUnary({ min: 0.2, max: 5 }) });
const absOp = defineOp({ name: 'abs', arity: 1, forward: ([x]) => unaryKernel('abs', x), vjp: ([x], _, g) => [mul(g, sign(x))], sample: sampleUnary({ avoid: [0] }) });
const sinOp = defineOp({ name: 'sin', arity: 1, forward: ([x]) => unaryKernel('sin', x), vjp: ([x], _, g) => [mul(g, cos(x))], sample: sampleUnary() });
const cosOp = defineOp({ name: 'cos', arity: 1, forward: ([x]) => unaryKernel('cos', x), vjp: ([x], _, g) => [neg(mul(g, sin(x)))], sample: sampleUnary() });
const tanhOp = defineOp({ name: 'tanh', arity: 1, forward: ([x]) => unaryKernel('tanh', x), vjp: (_, out, g) => [mul(g, sub(1, mul(out, out)))], sample: sampleUnary() });
const squareOp = defineOp({ name: 'square', arity: 1, forward: ([x]) => unaryKernel('square', x), vjp: ([x], _, g) => [mul(g, mul(x, 2))], sample: sampleUnary() });

// ---- selection

/** where's first input drawn in [-1, 1] becomes a 0/1 mask, as `where` (the function) casts it. */
const conditionAsMask = <S extends OpSample<unknown>>(s: S): S => {
  const [cond, ...rest] = s.inputs;
  return { ...s, inputs: [{ ...cond, values: cond.values.map((v) => (v > 0 ? 1 : 0)) }, ...rest] };
};

const whereOp = defineOp({
  name: 'where', arity: 3,
  forward: ([c, a, b]) => {
    const shape = broadcastShapes('where', c.shape, a.shape, b.shape);
    const out = allocate(a.dtype, sizeOf(shape));
    kernels().select(c.data, broadcastStrides(c.shape, shape), a.data, broadcastStrides(a.shape, shape), b.data, broadcastStrides(b.shape, shape), shape, out);
    return { shape, data: out };
  },
  vjp: ([c], _, g) => [null, where(c, g, 0), where(c, 0, g)],
  sample: (fc) => sampleFrom(fc, broadcastGroup(fc, 3), [{ min: -1, max: 1, avoid: [0] }, {}, {}]).map(conditionAsMask),
});

type ClipAttrs = { min: number; max: number };
const clipOp = defineOp({
  name: 'clip', arity: 1,
  forward: ([x], { min, max }: ClipAttrs) => {
    if (typeof min !== 'number' || typeof max !== 'number' || !(min <= max)) {
      throw new Error(`clip: min and max must be numbers with min ≤ max, got min ${JSON.stringify(min) ?? min} and max ${JSON.stringify(max) ?? max}`);
    }
    const out = allocate(x.dtype, x.size);
    kernels().clip(x.data, min, max, out);
    return { shape: x.shape, data: out };
  },
  vjp: ([x], _, g, { min, max }) => [mul(g, mul(greater(x, min), less(x, max)))],
  sample: sampleUnary({ avoid: [-1, 1] }, (_, fc) => fc.constant({ min: -1, max: 1 })),
  describe: ({ min, max }) => `[${min}, ${max}]`,
});

const castOp = defineOp({
  name: 'cast', arity: 1,
  forward: ([x], { dtype }: { dtype: DType }) => {
    const out = allocate(assertDType('cast', dtype), x.size);
    out.set(x.data);
    return { shape: x.shape, data: out };
  },
  vjp: ([x], _, g) => [cast(g, x.dtype)],
  describe: ({ dtype }) => dtype,
});

// ---- public functions (numbers are lifted to scalars of the other operand's dtype)

export const add = (a: TensorLike, b: TensorLike): Tensor => addOp.run(liftPair('add', a, b), {});
export const sub = (a: TensorLike, b: TensorLike): Tensor => subOp.run(liftPair('sub', a, b), {});
export const mul = (a: TensorLike, b: TensorLike): Tensor => mulOp.run(liftPair('mul', a, b), {});
export const div = (a: TensorLike, b: TensorLike): Tensor => divOp.run(liftPair('div', a, b), {});
export const pow = (a: TensorLike, b: TensorLike): Tensor => powOp.run(liftPair('pow', a, b), {});
export const maximum = (a: TensorLike, b: TensorLike): Tensor => maximumOp.run(liftPair('maximum', a, b), {});
export const minimum = (a: TensorLike, b: TensorLike): Tensor => minimumOp.run(liftPair('minimum', a, b), {});
export const neg = (x: Tensor): Tensor => negOp.run([x], {});
export const exp = (x: Tensor): Tensor => expOp.run([x], {});
export const log = (x: Tensor): Tensor => logOp.run([x], {});
/** log(1 + x), accurate for x near 0. */
export const log1p = (x: Tensor): Tensor => log1pOp.run([x], {});
export const sqrt = (x: Tensor): Tensor => sqrtOp.run([x], {});
export const abs = (x: Tensor): Tensor => absOp.run([x], {});
export const sin = (x: Tensor): Tensor => sinOp.run([x], {});
export const cos = (x: Tensor): Tensor => cosOp.run([x], {});
export const tanh = (x: Tensor): Tensor => tanhOp.run([x], {});
export const square = (x: Tensor): Tensor => squareOp.run([x], {});
export const clip = (x: Tensor, min: number, max: number): Tensor => clipOp.run([x], { min, max });
/** Converts to another dtype; the only way to mix float32 and float64. */
export const cast = (x: Tensor, dtype: DType): Tensor => (x.dtype === dtype ? x : castOp.run([x], { dtype }));

/** cond ? a : b elementwise, with broadcasting; cond is any tensor, non-zero meaning true. */
export function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  expectTensor('where', 'cond', cond);
  const [ta, tb] = liftPair('where', a, b, cond.dtype);
  return whereOp.run([cast(cond, ta.dtype), ta, tb], {});
}

export const elementwiseOps = opTable({
  add: opRow(addOp, add), sub: opRow(subOp, sub), mul: opRow(mulOp, mul), div: opRow(divOp, div), pow: opRow(powOp, pow),
  maximum: opRow(maximumOp, maximum), minimum: opRow(minimumOp, minimum),
  neg: opRow(negOp, neg), exp: opRow(expOp, exp), log: opRow(logOp, log), log1p: opRow(log1pOp, log1p), sqrt: opRow(sqrtOp, sqrt), abs: opRow(absOp, abs),
  sin: opRow(sinOp, sin), cos: opRow(cosOp, cos), tanh: opRow(tanhOp, tanh), square: opRow(squareOp, square),
  where: opRow(whereOp, where), clip: opRow(clipOp, clip), cast: opRow(castOp, cast),
});

// The methods this table gives (x.f(...) for f(x, ...)), checked against it in ./builtins.ts.
declare module '../tensor.ts' {
  interface Tensor {
    add: SelfMethod<typeof add>;
    sub: SelfMethod<typeof sub>;
    mul: SelfMethod<typeof mul>;
    div: SelfMethod<typeof div>;
    pow: SelfMethod<typeof pow>;
    maximum: SelfMethod<typeof maximum>;
    minimum: SelfMethod<typeof minimum>;
    neg: SelfMethod<typeof neg>;
    exp: SelfMethod<typeof exp>;
    log: SelfMethod<typeof log>;
    log1p: SelfMethod<typeof log1p>;
    sqrt: SelfMethod<typeof sqrt>;
    abs: SelfMethod<typeof abs>;
    sin: SelfMethod<typeof sin>;
    cos: SelfMethod<typeof cos>;
    tanh: SelfMethod<typeof tanh>;
    square: SelfMethod<typeof square>;
    /** this ? a : b elementwise (non-zero meaning true). */
    where: SelfMethod<typeof where>;
    clip: SelfMethod<typeof clip>;
    cast: SelfMethod<typeof cast>;
  }
}
