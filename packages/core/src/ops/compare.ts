/** Comparisons and sign: piecewise-constant, so they record no gradient (they return 0/1 masks). */
import type { Tensor } from '../tensor.ts';
import { defineOp } from './define.ts';
import type { OpFormula } from './formula.ts';
import { binaryKernel, liftPair, unaryKernel, type TensorLike } from './util.ts';
import type { BinaryKernel } from '../backend/index.ts';
import { opRow, opTable, type SelfMethod } from './table.ts';

/** A piecewise-constant op's formula: its output, and that no gradient flows back. */
const noGradient = (text: string, tex: string): OpFormula => ({
  text: `${text};  no gradient flows (piecewise constant)`,
  tex: String.raw`${tex} \qquad \text{no gradient flows (piecewise constant)}`,
});

/** `text` and `tex` spell the comparison, e.g. '≥' and '\ge'. */
const comparison = <N extends BinaryKernel>(name: N, text: string, tex: string) => defineOp({
  name, arity: 2, differentiable: false,
  formula: noGradient(`y = 𝟙[a ${text} b]`, String.raw`y = \mathbb{1}[a ${tex} b]`),
  forward: ([a, b]) => binaryKernel(name, name, a, b),
});

const equalOp = comparison('equal', '=', '=');
const notEqualOp = comparison('notEqual', '≠', String.raw`\neq`);
const greaterOp = comparison('greater', '>', '>');
const greaterEqualOp = comparison('greaterEqual', '≥', String.raw`\ge`);
const lessOp = comparison('less', '<', '<');
const lessEqualOp = comparison('lessEqual', '≤', String.raw`\le`);
const signOp = defineOp({
  name: 'sign', arity: 1, differentiable: false,
  formula: noGradient('y = sign(x)', String.raw`y = \operatorname{sign}(x)`),
  forward: ([x]) => unaryKernel('sign', x),
});
/** The Heaviside step: 1 where x > 0, else 0 (relu's derivative, as one fast unary kernel). */
const heavisideOp = defineOp({
  name: 'heaviside', arity: 1, differentiable: false,
  formula: noGradient('y = 𝟙[x > 0]', String.raw`y = \mathbb{1}[x > 0]`),
  forward: ([x]) => unaryKernel('step', x),
});

/**
 * 1 where a = b, else 0, elementwise with broadcasting; the mask has the inputs' dtype.
 * Not differentiable: it records no gradient. A number is lifted to a scalar of the other operand's dtype.
 *
 * a and b: any shapes that broadcast; returns their broadcast shape.
 * @throws Error when the shapes do not broadcast (naming both), or when a and b mix float32 and float64.
 * @example
 * ```ts
 * import { equal, tensor } from '@chainrule/core';
 * equal(tensor([1, 2, 3]), 2).toArray(); // [0, 1, 0]
 * ```
 */
export const equal = (a: TensorLike, b: TensorLike): Tensor => equalOp.run(liftPair('equal', a, b), {});

/**
 * 1 where a ≠ b, else 0, elementwise with broadcasting; the mask has the inputs' dtype.
 * Not differentiable: it records no gradient. A number is lifted to a scalar of the other operand's dtype.
 *
 * a and b: any shapes that broadcast; returns their broadcast shape.
 * @throws Error when the shapes do not broadcast (naming both), or when a and b mix float32 and float64.
 * @example
 * ```ts
 * import { notEqual, tensor } from '@chainrule/core';
 * notEqual(tensor([1, 2, 3]), 2).toArray(); // [1, 0, 1]
 * ```
 */
export const notEqual = (a: TensorLike, b: TensorLike): Tensor => notEqualOp.run(liftPair('notEqual', a, b), {});

/**
 * 1 where a > b, else 0, elementwise with broadcasting; the mask has the inputs' dtype.
 * Not differentiable: it records no gradient. A number is lifted to a scalar of the other operand's dtype.
 *
 * a and b: any shapes that broadcast; returns their broadcast shape.
 * @throws Error when the shapes do not broadcast (naming both), or when a and b mix float32 and float64.
 * @example
 * ```ts
 * import { greater, tensor } from '@chainrule/core';
 * greater(tensor([1, 2, 3]), 2).toArray(); // [0, 0, 1]
 * ```
 */
export const greater = (a: TensorLike, b: TensorLike): Tensor => greaterOp.run(liftPair('greater', a, b), {});

/**
 * 1 where a ≥ b, else 0, elementwise with broadcasting; the mask has the inputs' dtype.
 * Not differentiable: it records no gradient. A number is lifted to a scalar of the other operand's dtype.
 *
 * a and b: any shapes that broadcast; returns their broadcast shape.
 * @throws Error when the shapes do not broadcast (naming both), or when a and b mix float32 and float64.
 * @example
 * ```ts
 * import { greaterEqual, tensor } from '@chainrule/core';
 * greaterEqual(tensor([1, 2, 3]), 2).toArray(); // [0, 1, 1]
 * ```
 */
export const greaterEqual = (a: TensorLike, b: TensorLike): Tensor => greaterEqualOp.run(liftPair('greaterEqual', a, b), {});

/**
 * 1 where a < b, else 0, elementwise with broadcasting; the mask has the inputs' dtype.
 * Not differentiable: it records no gradient. A number is lifted to a scalar of the other operand's dtype.
 *
 * a and b: any shapes that broadcast; returns their broadcast shape.
 * @throws Error when the shapes do not broadcast (naming both), or when a and b mix float32 and float64.
 * @example
 * ```ts
 * import { less, tensor } from '@chainrule/core';
 * less(tensor([1, 2, 3]), 2).toArray(); // [1, 0, 0]
 * ```
 */
export const less = (a: TensorLike, b: TensorLike): Tensor => lessOp.run(liftPair('less', a, b), {});

/**
 * 1 where a ≤ b, else 0, elementwise with broadcasting; the mask has the inputs' dtype.
 * Not differentiable: it records no gradient. A number is lifted to a scalar of the other operand's dtype.
 *
 * a and b: any shapes that broadcast; returns their broadcast shape.
 * @throws Error when the shapes do not broadcast (naming both), or when a and b mix float32 and float64.
 * @example
 * ```ts
 * import { lessEqual, tensor } from '@chainrule/core';
 * lessEqual(tensor([1, 2, 3]), 2).toArray(); // [1, 1, 0]
 * ```
 */
export const lessEqual = (a: TensorLike, b: TensorLike): Tensor => lessEqualOp.run(liftPair('lessEqual', a, b), {});

/**
 * The sign of each element: -1, 0 or 1, in x's shape and dtype. Not differentiable (its derivative is 0
 * almost everywhere): it records no gradient.
 * @example
 * ```ts
 * import { sign, tensor } from '@chainrule/core';
 * sign(tensor([-2, 0, 3])).toArray(); // [-1, 0, 1]
 * ```
 */
export const sign = (x: Tensor): Tensor => signOp.run([x], {});

/**
 * The Heaviside step: 1 where x > 0, else 0 (so 0 at 0), in x's shape and dtype. It is relu's derivative;
 * not differentiable itself: it records no gradient.
 * @example
 * ```ts
 * import { heaviside, tensor } from '@chainrule/core';
 * heaviside(tensor([-1, 0, 2])).toArray(); // [0, 0, 1]
 * ```
 */
export const heaviside = (x: Tensor): Tensor => heavisideOp.run([x], {});

/**
 * The comparison family's table: each row holds the op (`row.op`, as in {@link builtinOps}), its public
 * function (`row.fn`) and how it becomes a Tensor method. Core derives its exports and methods from it.
 */
export const compareOps = opTable({
  /** The `equal` op and {@link equal}. */
  equal: opRow(equalOp, equal),
  /** The `notEqual` op and {@link notEqual}. */
  notEqual: opRow(notEqualOp, notEqual),
  /** The `greater` op and {@link greater}. */
  greater: opRow(greaterOp, greater),
  /** The `greaterEqual` op and {@link greaterEqual}. */
  greaterEqual: opRow(greaterEqualOp, greaterEqual),
  /** The `less` op and {@link less}. */
  less: opRow(lessOp, less),
  /** The `lessEqual` op and {@link lessEqual}. */
  lessEqual: opRow(lessEqualOp, lessEqual),
  /** The `sign` op and {@link sign}. */
  sign: opRow(signOp, sign),
  /** The `heaviside` op and {@link heaviside}. */
  heaviside: opRow(heavisideOp, heaviside),
});

// The methods this table gives (x.f(...) for f(x, ...)), checked against it in ./builtins.ts.
declare module '../tensor.ts' {
  interface Tensor {
    /** {@link equal} as a method: `a.equal(b)`. */
    equal: SelfMethod<typeof equal>;
    /** {@link notEqual} as a method: `a.notEqual(b)`. */
    notEqual: SelfMethod<typeof notEqual>;
    /** {@link greater} as a method: `a.greater(b)`. */
    greater: SelfMethod<typeof greater>;
    /** {@link greaterEqual} as a method: `a.greaterEqual(b)`. */
    greaterEqual: SelfMethod<typeof greaterEqual>;
    /** {@link less} as a method: `a.less(b)`. */
    less: SelfMethod<typeof less>;
    /** {@link lessEqual} as a method: `a.lessEqual(b)`. */
    lessEqual: SelfMethod<typeof lessEqual>;
    /** {@link sign} as a method: `x.sign()`. */
    sign: SelfMethod<typeof sign>;
    /** {@link heaviside} as a method: `x.heaviside()`. */
    heaviside: SelfMethod<typeof heaviside>;
  }
}
