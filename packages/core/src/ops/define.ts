/**
 * defineOp: the one way ops are made, built-in or not. An op is a forward computation on typed
 * arrays plus a VJP written with other ops (so gradients of gradients come for free).
 */
import { describeValue } from '../describe-value.ts';
import { currentPhase, currentScope, isRecording } from '../autodiff/state.ts';
import { checkFinite, isDebug } from '../debug.ts';
import type { DType, TypedArray } from '../dtype.ts';
import { allocate } from '../backend/index.ts';
import { fmt, type Shape } from '../shape.ts';
import { Tensor } from '../tensor.ts';
import { notATensor } from '../validate.ts';
import { checkSpec } from './check-spec.ts';
import { inUserWords } from './failure.ts';

/** What a forward pass returns: the output values, and anything its VJP needs that is not a tensor. */
export interface Computed {
  readonly shape: Shape;
  readonly data: TypedArray;
  readonly saved?: unknown;
}

/**
 * The cotangent of each input (null: no gradient, e.g. an integer-like mask). Shapes may be broadcast.
 * `needs[i]` is false when nothing asked for input i's gradient (e.g. a network's input batch): a VJP
 * may return null there instead of computing it (PyTorch's `needs_input_grad`).
 */
export type Vjp<A> = (inputs: readonly Tensor[], out: Tensor, dOut: Tensor, attrs: A, saved: any, needs: readonly boolean[]) => readonly (Tensor | null)[];

/** A random test case for the property suite: input shapes and values (float64) and attributes. */
export interface OpSample<A> {
  readonly inputs: readonly { readonly shape: number[]; readonly values: number[] }[];
  readonly attrs: A;
}

/**
 * The types of an op's `sample`, filled in by `@chainrule/core/testing` (which needs fast-check), so
 * that core itself names no fast-check type: import that entry to write a typed sampler.
 */
export interface SamplerTypes<A> {}
type SamplerType<A, K extends string> = SamplerTypes<A> extends Record<K, infer T> ? T : unknown;

/**
 * Makes a zeroed buffer for an op's output. A forward pass takes its outputs from it rather than `new
 * Float32Array(…)`, so a training loop reuses them step after step (see core's `reusing`).
 */
export type Allocate = (dtype: DType, size: number) => TypedArray;
const allocateOutput: Allocate = (dtype, size) => allocate(dtype, size);

interface SpecBase<A> {
  readonly name: string;
  /** Number of tensor inputs; omitted for variadic ops such as concat. */
  readonly arity?: number;
  readonly forward: (inputs: readonly Tensor[], attrs: A, allocate: Allocate) => Computed;
  /** Random inputs inside the op's domain, away from kinks, for the gradcheck property suite. */
  readonly sample?: (fc: SamplerType<A, 'fc'>) => SamplerType<A, 'arbitrary'>;
  /** Short text for attributes in graph drawings, e.g. 'axis=1'. */
  readonly describe?: (attrs: A) => string;
}

/** A differentiable op must give a VJP; leaving it out is a compile error unless it says it is not differentiable. */
export type OpSpec<A> = SpecBase<A> & ({ readonly vjp: Vjp<A>; readonly differentiable?: true } | { readonly differentiable: false; readonly vjp?: undefined });

/** `N` is the op's name as a literal type when it can be inferred, so a family table can check its keys. */
export interface OpDef<A = any, N extends string = string> {
  readonly name: N;
  readonly spec: OpSpec<A>;
  readonly differentiable: boolean;
  /** Runs the op and, when recording, links the result into the graph. */
  run(inputs: readonly Tensor[], attrs: A): Tensor;
}

const registry = new Map<string, OpDef>();

export function defineOp<A = Record<string, never>, N extends string = string>(spec: OpSpec<A> & { readonly name: N }): OpDef<A, N> {
  checkSpec(spec);
  if (registry.has(spec.name)) throw new Error(`defineOp: an op named '${spec.name}' is already registered`);
  const op: OpDef<A, N> = {
    name: spec.name,
    spec,
    differentiable: spec.differentiable !== false,
    run: (inputs, attrs) => runOp(op, inputs, attrs),
  };
  registry.set(spec.name, op);
  return op;
}

/** Every registered op, built-in and user-defined, in the order they were defined. */
export const registeredOps = (): OpDef[] => [...registry.values()];
export const getOp = (name: string): OpDef | undefined => registry.get(name);

/** The number of values a shape holds, or NaN when a dimension is not a non-negative whole number. */
function outputSize(shape: readonly number[]): number {
  let n = 1;
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i];
    n *= Number.isInteger(d) && d >= 0 ? d : NaN;
  }
  return n;
}

function runOp<A>(op: OpDef<A, string>, inputs: readonly Tensor[], attrs: A): Tensor {
  const { spec } = op;
  if (!Array.isArray(inputs)) throw new Error(`${op.name}: inputs must be an array of tensors, got ${describeValue(inputs)}`);
  if (attrs === null || typeof attrs !== 'object') throw new Error(`${op.name}: attributes must be an object ({} for none), got ${describeValue(attrs)}`);
  if (spec.arity !== undefined && inputs.length !== spec.arity) {
    throw new Error(`${op.name}: expected ${spec.arity} input(s), got ${inputs.length}`);
  }
  // Plain loops: this runs for every op, and tiny ops are dominated by it.
  let dtype: string | undefined;
  for (let i = 0; i < inputs.length; i++) {
    const x = inputs[i];
    if (!(x instanceof Tensor)) throw notATensor(op.name, `input ${i}`, x);
    dtype ??= x.dtype;
    if (x.dtype !== dtype) {
      const shapes = inputs.map((t) => (t instanceof Tensor ? fmt(t.shape) : describeValue(t))).join(', ');
      throw new Error(`${op.name}: inputs mix ${dtype} and ${x.dtype} (shapes ${shapes}); cast one with .cast('${dtype}')`);
    }
  }
  let result: Computed;
  try {
    result = spec.forward(inputs, attrs, allocateOutput);
  } catch (e) {
    throw inUserWords(e, () => `${op.name}: the forward pass failed on inputs ${inputs.map((x) => fmt(x.shape)).join(', ') || '(none)'}`);
  }
  if (result === null || typeof result !== 'object' || !(result.data instanceof Float32Array || result.data instanceof Float64Array) || !Array.isArray(result.shape)) {
    throw new Error(`${op.name}: forward must return { shape, data } with data a Float32Array or Float64Array, got ${describeValue(result)}`);
  }
  if (result.data.length !== outputSize(result.shape)) {
    throw new Error(`${op.name}: forward returned ${result.data.length} values for shape ${fmt(result.shape)}`);
  }
  if (isDebug()) checkFinite(op.name, result.data, result.shape, inputs.map((x) => x.shape));
  const node = isRecording() && op.differentiable
    ? { op, attrs, inputs, saved: result.saved, scope: currentScope(), phase: currentPhase() }
    : undefined;
  return new Tensor(result.data, result.shape, node);
}
