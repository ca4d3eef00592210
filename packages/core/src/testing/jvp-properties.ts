/**
 * The forward-mode checks of the op property suite. A VJP and a JVP derived from each other always
 * agree, so the checks that can fail are: forward mode against central differences of the op itself
 * (whatever gives the op its forward mode: its own rule or the fallback through its VJP), and, for an
 * op with its own rule, that rule against the VJP, two rules written independently, by the transpose
 * identity ⟨u, J v⟩ = ⟨Jᵀu, v⟩.
 */
import fc from 'fast-check';
import { grad } from '../autodiff/grad.ts';
import { jvp } from '../autodiff/jvp.ts';
import { noGrad } from '../autodiff/state.ts';
import { tensor } from '../creation.ts';
import type { OpDef, OpSample } from '../ops/define.ts';
import { Rng } from '../random.ts';
import { fmt } from '../shape.ts';
import type { Tensor } from '../tensor.ts';
import { assertProperty, DEFAULT_SEED, inputsOf, samplerOf, type PropertyOptions } from './properties.ts';

/** Options of {@link checkOpJvp}: the cases, and the central differences' step and tolerances. */
export interface JvpPropertyOptions extends PropertyOptions {
  /** Step of the central differences along the tangent (default 1e-6). */
  readonly eps?: number;
  /** Analytic a and numeric n agree when |a − n| ≤ atol + rtol·|n| (default 1e-5, as gradcheck's). */
  readonly atol?: number;
  /** See atol (default 1e-3, as gradcheck's). */
  readonly rtol?: number;
}

/** Options of {@link checkOpJvpTranspose}: the cases and the relative tolerance of the identity. */
export interface TransposePropertyOptions extends PropertyOptions {
  /** |⟨u, J v⟩ − ⟨Jᵀu, v⟩| may be at most tol times the sum of the magnitudes of their terms (default 1e-10). */
  readonly tol?: number;
}

type Case<A> = [OpSample<A>, number];

/** A sample of the op's inputs, and a seed for the random directions drawn with it. */
const casesOf = <A>(op: OpDef<A>): fc.Arbitrary<Case<A>> => fc.tuple(samplerOf(op)(fc), fc.integer({ min: 0, max: 2 ** 31 - 1 }));

/** Random float64 directions of the given tensors' shapes, normalised together to a unit vector. */
function unitDirections(like: readonly Tensor[], rng: Rng): Tensor[] {
  const draws = like.map((x) => Float64Array.from({ length: x.size }, () => rng.normal()));
  const norm = Math.sqrt(draws.reduce((n, d) => d.reduce((m, v) => m + v * v, n), 0)) || 1;
  return draws.map((d, i) => tensor(d.map((v) => v / norm), { shape: like[i]!.shape, dtype: 'float64' }));
}

const shapes = (xs: readonly Tensor[]) => xs.map((x) => fmt(x.shape)).join(', ') || '(none)';
const howForward = (op: OpDef) => (op.spec.jvp ? 'its jvp rule' : 'the fallback through its VJP (it has no jvp rule)');

/**
 * Forward mode against central differences, in float64, on `runs` random samples of the op (drawn by
 * its spec's `sample`) and a random unit tangent for each: jvp's J·v against Σₖ (f(xₖ + εvₖ) − f(xₖ − εvₖ)) / 2ε
 * (one input moved at a time), element by element. Checks the op's own `jvp` rule, or, for an op without one, the fallback through its VJP.
 *
 * @throws Error when the op has no `sample` or is declared not differentiable, or on the first sample
 *   where they disagree: the op, which forward mode it used, the element, both values and the input
 *   shapes, then fast-check's seed and path to replay it.
 * @example
 * ```ts
 * import { getOp } from '@chainrule/core';
 * import { checkOpJvp } from '@chainrule/core/testing';
 * checkOpJvp(getOp('tanh')!, { runs: 10 });
 * ```
 */
export function checkOpJvp<A>(op: OpDef<A>, options: JvpPropertyOptions = {}): void {
  const { seed = DEFAULT_SEED, runs = 40, eps = 1e-6, atol = 1e-5, rtol = 1e-3 } = options;
  if (!op.differentiable) throw new Error(`${op.name}: the op is declared not differentiable; there is no forward mode to check`);
  assertProperty(op.name, casesOf(op), ([s, directionSeed]) => {
    const xs = inputsOf(s);
    const vs = unitDirections(xs, new Rng(directionSeed));
    const run = (ins: Tensor[]) => op.run(ins, s.attrs);
    const [, dy] = jvp(run, xs, vs);
    // J v = Σ_k J_k v_k: one input moved at a time, as gradcheck does, so that an input used as a mask
    // (where's condition: 0 or 1) moves symmetrically off 0 and gives no difference, not a flipped branch.
    const numeric = new Float64Array(dy.size);
    xs.forEach((x, k) => {
      const at = (sign: number) => noGrad(() => run(xs.map((xi, i) => (i !== k ? xi
        : tensor(x.data.map((v, j) => v + sign * eps * vs[k]!.data[j]!), { shape: x.shape, dtype: 'float64' }))))).data;
      const [plus, minus] = [at(1), at(-1)];
      for (let j = 0; j < dy.size; j++) numeric[j]! += (plus[j]! - minus[j]!) / (2 * eps);
    });
    for (let j = 0; j < dy.size; j++) {
      const a = dy.data[j]!, n = numeric[j]!;
      if (!(Math.abs(a - n) <= atol + rtol * Math.abs(n))) {
        throw new Error(`${op.name}: forward mode by ${howForward(op)} gives ${a} for output element ${j}, central differences ${n} ` +
          `(eps ${eps}, atol ${atol}, rtol ${rtol}; input shapes ${shapes(xs)})`);
      }
    }
  }, seed, runs);
}

/**
 * The op's own `jvp` rule against its VJP on `runs` random samples and random unit directions u (of the
 * output) and v (of the inputs), in float64: ⟨u, J v⟩ by the jvp rule must equal ⟨Jᵀu, v⟩ by the VJP to
 * `tol` relative to the magnitudes of their terms. The two are written independently, so a mistake in
 * either shows.
 *
 * @throws Error when the op has no `jvp` rule of its own (the identity would compare its VJP with itself)
 *   or no `sample`, or on the first sample where the two disagree: the op, both inner products, their
 *   relative difference and the input shapes, then fast-check's seed and path.
 * @example
 * ```ts
 * import { getOp } from '@chainrule/core';
 * import { checkOpJvpTranspose } from '@chainrule/core/testing';
 * checkOpJvpTranspose(getOp('mul')!, { runs: 10 });
 * ```
 */
export function checkOpJvpTranspose<A>(op: OpDef<A>, options: TransposePropertyOptions = {}): void {
  const { seed = DEFAULT_SEED, runs = 40, tol = 1e-10 } = options;
  if (!op.spec.jvp) {
    throw new Error(`${op.name}: the op has no jvp rule of its own, so the transpose identity would compare its VJP with itself; checkOpJvp checks its forward mode`);
  }
  assertProperty(op.name, casesOf(op), ([s, directionSeed]) => {
    const xs = inputsOf(s);
    const rng = new Rng(directionSeed);
    const vs = unitDirections(xs, rng);
    const run = (ins: Tensor[]) => op.run(ins, s.attrs);
    const [, jv] = jvp(run, xs, vs);
    const [u] = unitDirections([jv], rng);
    const jtu = grad(run(xs), xs, { seed: u });
    let left = 0, right = 0, scale = 0;
    for (let j = 0; j < jv.size; j++) { const t = u!.data[j]! * jv.data[j]!; left += t; scale += Math.abs(t); }
    jtu.forEach((g, i) => {
      for (let j = 0; j < g.size; j++) { const t = g.data[j]! * vs[i]!.data[j]!; right += t; scale += Math.abs(t); }
    });
    if (!(Math.abs(left - right) <= tol * scale)) {
      throw new Error(`${op.name}: its jvp rule and its VJP disagree: ⟨u, J v⟩ = ${left} by the jvp rule, ⟨Jᵀu, v⟩ = ${right} by the VJP ` +
        `(relative difference ${Math.abs(left - right) / scale}, tolerance ${tol}; input shapes ${shapes(xs)})`);
    }
  }, seed, runs);
}
