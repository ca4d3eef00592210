/** Comparisons and sign: piecewise-constant, so they record no gradient (they return 0/1 masks). */
import type { Tensor } from '../tensor.ts';
import { defineOp } from './define.ts';
import { binaryKernel, liftPair, unaryKernel, type TensorLike } from './util.ts';
import type { BinaryKernel } from '../backend/index.ts';
import { opRow, opTable, type SelfMethod } from './table.ts';

const comparison = <N extends BinaryKernel>(name: N) => defineOp({
  name, arity: 2, differentiable: false,
  forward: ([a, b]) => binaryKernel(name, name, a, b),
});

const equalOp = comparison('equal');
const notEqualOp = comparison('notEqual');
const greaterOp = comparison('greater');
const greaterEqualOp = comparison('greaterEqual');
const lessOp = comparison('less');
const lessEqualOp = comparison('lessEqual');
const signOp = defineOp({ name: 'sign', arity: 1, differentiable: false, forward: ([x]) => unaryKernel('sign', x) });
/** The Heaviside step: 1 where x > 0, else 0 (relu's derivative, as one fast unary kernel). */
const heavisideOp = defineOp({ name: 'heaviside', arity: 1, differentiable: false, forward: ([x]) => unaryKernel('step', x) });

export const equal = (a: TensorLike, b: TensorLike): Tensor => equalOp.run(liftPair('equal', a, b), {});
export const notEqual = (a: TensorLike, b: TensorLike): Tensor => notEqualOp.run(liftPair('notEqual', a, b), {});
export const greater = (a: TensorLike, b: TensorLike): Tensor => greaterOp.run(liftPair('greater', a, b), {});
export const greaterEqual = (a: TensorLike, b: TensorLike): Tensor => greaterEqualOp.run(liftPair('greaterEqual', a, b), {});
export const less = (a: TensorLike, b: TensorLike): Tensor => lessOp.run(liftPair('less', a, b), {});
export const lessEqual = (a: TensorLike, b: TensorLike): Tensor => lessEqualOp.run(liftPair('lessEqual', a, b), {});
export const sign = (x: Tensor): Tensor => signOp.run([x], {});
export const heaviside = (x: Tensor): Tensor => heavisideOp.run([x], {});

export const compareOps = opTable({
  equal: opRow(equalOp, equal), notEqual: opRow(notEqualOp, notEqual), greater: opRow(greaterOp, greater),
  greaterEqual: opRow(greaterEqualOp, greaterEqual), less: opRow(lessOp, less), lessEqual: opRow(lessEqualOp, lessEqual),
  sign: opRow(signOp, sign), heaviside: opRow(heavisideOp, heaviside),
});

// The methods this table gives (x.f(...) for f(x, ...)), checked against it in ./builtins.ts.
declare module '../tensor.ts' {
  interface Tensor {
    equal: SelfMethod<typeof equal>;
    notEqual: SelfMethod<typeof notEqual>;
    greater: SelfMethod<typeof greater>;
    greaterEqual: SelfMethod<typeof greaterEqual>;
    less: SelfMethod<typeof less>;
    lessEqual: SelfMethod<typeof lessEqual>;
    sign: SelfMethod<typeof sign>;
    heaviside: SelfMethod<typeof heaviside>;
  }
}
