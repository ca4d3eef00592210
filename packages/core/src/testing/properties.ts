/**
 * The op property suite as functions, so a package outside this repository can run on its own ops
 * what core's test suite runs on every registered op: gradients in float64 against central
 * differences, and the float32 forward against the float64 one. Each throws on the first failure,
 * naming the op, the case (fast-check prints its seed and path) and the worst element.
 */
import fc from 'fast-check';
import { gradcheck } from '../gradcheck.ts';
import type { OpDef, OpSample } from '../ops/define.ts';
import { tensor } from '../creation.ts';
import type { DType } from '../dtype.ts';
import type { Tensor } from '../tensor.ts';
import type { FC } from './sample.ts';

/** How many random cases `checkOpGradients` and `checkOpFloat32` run, and from which seed. */
export interface PropertyOptions {
  /** fast-check seed (default: a fixed one, so runs repeat). */
  readonly seed?: number;
  /** Random cases (default 40 for gradients, 20 for float32). */
  readonly runs?: number;
}

/**
 * The tensors of a sample, in the given dtype (float64 by default), one per input with its shape.
 *
 * @example
 * ```ts
 * import { inputsOf } from '@chainrule/core/testing';
 * const [x] = inputsOf({ inputs: [{ shape: [2], values: [1, 2] }], attrs: {} });   // float64 [2]
 * ```
 */
export const inputsOf = (s: OpSample<unknown>, dtype: DType = 'float64'): Tensor[] =>
  s.inputs.map(({ shape, values }) => tensor(values, { shape, dtype }));

export const DEFAULT_SEED = 20261125;

export function samplerOf<A>(op: OpDef<A>): (fc: FC) => fc.Arbitrary<OpSample<A>> {
  const sample = op.spec.sample;
  if (!sample) throw new Error(`${op.name}: the op has no \`sample\` to draw test inputs from; give its spec one (see sampleUnary)`);
  return sample as never;
}

/** fast-check's assert, with the failure's own message first (fast-check keeps it in `cause`). */
export function assertProperty<T>(opName: string, arb: fc.Arbitrary<T>, check: (t: T) => void, seed: number, runs: number): void {
  try {
    fc.assert(fc.property(arb, check), { seed, numRuns: runs });
  } catch (e) {
    const cause = (e as { cause?: unknown }).cause;
    const first = cause instanceof Error ? cause.message : `${opName}: property failed`;
    throw new Error(`${first}\n${(e as Error).message}`, { cause: e });
  }
}

/**
 * gradcheck (float64, full Jacobian and a random direction) on `runs` random samples of the op, drawn
 * by its spec's `sample`.
 *
 * @throws Error when the op has no `sample` or is declared not differentiable, or on the first sample
 *   whose gradients disagree: the gradcheck message first, then fast-check's seed and path to replay it.
 * @example
 * ```ts
 * import { getOp } from '@chainrule/core';
 * import { checkOpGradients } from '@chainrule/core/testing';
 * checkOpGradients(getOp('tanh')!, { runs: 10 });
 * ```
 */
export function checkOpGradients<A>(op: OpDef<A>, { seed = DEFAULT_SEED, runs = 40 }: PropertyOptions = {}): void {
  if (!op.differentiable) throw new Error(`${op.name}: the op is declared not differentiable; there is no gradient to check`);
  assertProperty(op.name, samplerOf(op)(fc), (s) => { gradcheck((...ys) => op.run(ys, s.attrs), inputsOf(s), { name: op.name }); }, seed, runs);
}

/**
 * Checks that the op's float32 forward equals its float64 one to float32 precision (|a − e| ≤ 1e-4 +
 * 1e-4·|e|; inputs rounded to float32 first), and keeps float32, on `runs` random samples.
 *
 * @throws Error when the op has no `sample`, or on the first sample whose float32 output has another
 *   dtype or shape or strays from the float64 one (naming the element and both values).
 * @example
 * ```ts
 * import { getOp } from '@chainrule/core';
 * import { checkOpFloat32 } from '@chainrule/core/testing';
 * checkOpFloat32(getOp('softmax')!);
 * ```
 */
export function checkOpFloat32<A>(op: OpDef<A>, { seed = DEFAULT_SEED, runs = 20 }: PropertyOptions = {}): void {
  assertProperty(op.name, samplerOf(op)(fc), (s) => {
    const y64 = op.run(inputsOf(s, 'float64'), s.attrs);
    const y32 = op.run(inputsOf(s, 'float32'), s.attrs);
    if (y32.dtype !== 'float32') throw new Error(`${op.name}: float32 inputs gave a ${y32.dtype} output`);
    if (y32.shape.join() !== y64.shape.join()) throw new Error(`${op.name}: float32 output shape [${y32.shape}] differs from float64's [${y64.shape}]`);
    const tol = 1e-4;
    for (let i = 0; i < y64.data.length; i++) {
      const [a, e] = [y32.data[i], y64.data[i]];
      if (!(Math.abs(a - e) <= tol + tol * Math.abs(e))) {
        throw new Error(`${op.name}: float32 element ${i} is ${a}, float64 gives ${e} (tolerance ${tol} + ${tol}·|e|)`);
      }
    }
  }, seed, runs);
}
