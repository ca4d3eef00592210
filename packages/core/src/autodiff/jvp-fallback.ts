/**
 * Forward mode for an op without its own `jvp` rule, from its VJP: the VJP c(u) = Jᵀu is linear in the
 * cotangent u, so ⟨c(u), v⟩ = ⟨u, J v⟩ and its gradient with respect to u is exactly J v (the
 * double-VJP identity). Costs two reverse passes through the VJP, but keeps every op one object.
 */
import { full } from '../creation.ts';
import type { OpDef } from '../ops/define.ts';
import { add, mul } from '../ops/elementwise.ts';
import { inUserWords } from '../ops/failure.ts';
import { sum } from '../ops/reduce.ts';
import { fmt } from '../shape.ts';
import type { Tensor } from '../tensor.ts';
import { checkCotangent, checkCotangentList } from './check-vjp.ts';
import { grad, sumToShape } from './grad.ts';
import { currentPhase, isRecording, withRecording } from './state.ts';

/** J·tangents for one application of `op` (inputs → out), through its VJP; null when no tangent flows. */
export function jvpByVjp(op: OpDef, inputs: readonly Tensor[], out: Tensor, tangents: readonly (Tensor | null)[], attrs: unknown, saved: unknown): Tensor | null {
  const outer = isRecording();
  // u's value does not matter (the VJP is linear in it); ones keeps clear of 0/0 in a VJP that divides by a norm of g.
  const u = full(out.shape, 1, { dtype: out.dtype });
  const needs = tangents.map((t) => t !== null);
  // Recorded, whatever the caller's state: the gradient with respect to u needs the VJP's graph.
  const pairing = withRecording(true, currentPhase(), () => {
    let returned: unknown;
    try {
      returned = op.spec.vjp!(inputs, out, u, attrs, saved, needs);
    } catch (e) {
      throw inUserWords(e, () => `jvp: the VJP of '${op.name}' (used for its forward mode: the op has no jvp rule) failed on inputs ${inputs.map((x) => fmt(x.shape)).join(', ')}`);
    }
    const cotangents = checkCotangentList(op.name, inputs, returned);
    let total: Tensor | null = null;
    inputs.forEach((input, i) => {
      const c = cotangents[i], v = tangents[i];
      if (c === null || !v) return;
      checkCotangent(op.name, i, input, out, c);
      const term = sum(mul(sumToShape(c, input.shape), v));
      total = total ? add(total, term) : term;
    });
    return total as Tensor | null;
  });
  if (!pairing) return null;
  // createGraph when the caller records, so the tangent stays differentiable (nested derivatives).
  return grad(pairing, u, { createGraph: outer });
}
