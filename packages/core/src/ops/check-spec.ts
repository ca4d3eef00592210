/**
 * defineOp's check of a spec, when the op is defined: a spec with no name or no forward would otherwise
 * fail only when the op first runs (or is differentiated), far from the mistake.
 */
import { describeValue } from '../describe-value.ts';

export function checkSpec(spec: unknown): void {
  if (spec === null || typeof spec !== 'object') throw new Error(`defineOp: the spec must be an object ({ name, forward, vjp, … }), got ${describeValue(spec)}`);
  const s = spec as Record<string, unknown>;
  if (typeof s.name !== 'string' || s.name.trim() === '') {
    throw new Error(`defineOp: the spec has no name (name must be a non-empty string, got ${describeValue(s.name)})`);
  }
  const op = `defineOp '${s.name}'`;
  const fn = (key: string, required: boolean, why = '') => {
    if (s[key] === undefined && !required) return;
    if (typeof s[key] !== 'function') throw new Error(`${op}: ${key} must be a function${why}, got ${describeValue(s[key])}`);
  };
  fn('forward', true);
  if (s.differentiable !== undefined && typeof s.differentiable !== 'boolean') {
    throw new Error(`${op}: differentiable must be true or false, got ${describeValue(s.differentiable)}`);
  }
  if (s.differentiable === false) {
    if (s.vjp !== undefined) throw new Error(`${op}: says differentiable: false but gives a vjp; drop one of them`);
    if (s.jvp !== undefined) throw new Error(`${op}: says differentiable: false but gives a jvp; drop one of them`);
  } else {
    fn('vjp', true, ' (or say differentiable: false)');
    fn('jvp', false);
  }
  if (s.arity !== undefined && (typeof s.arity !== 'number' || !Number.isInteger(s.arity) || s.arity < 0)) {
    throw new Error(`${op}: arity must be a non-negative whole number (or left out for a variadic op), got ${describeValue(s.arity)}`);
  }
  fn('sample', false);
  fn('describe', false);
}
