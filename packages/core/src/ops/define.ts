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
import { checkedTensor, Tensor } from '../tensor.ts';
import { notATensor } from '../validate.ts';
import { checkSpec } from './check-spec.ts';
import { checkFormula, formulaFor, type FormulaSpec, type OpFormula } from './formula.ts';
import { inUserWords } from './failure.ts';

export type { OpFormula } from './formula.ts';

/**
 * What a forward pass returns: the output values, and anything its VJP needs that is not a tensor.
 * `data` must hold exactly the number of values `shape` has (checked when the op runs).
 * @example
 * ```ts
 * // inside a spec: x doubled, saving nothing
 * forward: ([x], _attrs, allocate) => {
 *   const data = allocate(x.dtype, x.size);
 *   x.data.forEach((v, i) => { data[i] = 2 * v; });
 *   return { shape: x.shape, data };
 * },
 * ```
 */
export interface Computed {
  /** The output's shape. */
  readonly shape: Shape;
  /** The output's values in row-major order: a Float32Array or Float64Array, usually from `allocate`. */
  readonly data: TypedArray;
  /** Anything else the VJP needs (say, softmax's probabilities), passed to it as `saved`; not a tensor. */
  readonly saved?: unknown;
}

/**
 * An op's vector-Jacobian product: from the cotangent of its output, the cotangent of each input
 * (null: no gradient, e.g. an integer-like mask). Written with ops, so that gradients of gradients
 * (`createGraph`) work. A cotangent may have a broadcast shape: the engine sums it back to its input's shape.
 * `needs[i]` is false when nothing asked for input i's gradient (e.g. a network's input batch): a VJP
 * may return null there instead of computing it (PyTorch's `needs_input_grad`).
 *
 * Its arguments: the op's `inputs`; its output `out`; `dOut`, the cotangent of out (out's shape); the
 * op's `attrs`; `saved`, what forward returned as `saved`; and `needs`. It returns one entry per input.
 * @example
 * ```ts
 * // inside a spec: d(a·b) = (g·b, g·a)
 * vjp: ([a, b], _out, g) => [mul(g, b), mul(g, a)],
 * ```
 */
export type Vjp<A> = (inputs: readonly Tensor[], out: Tensor, dOut: Tensor, attrs: A, saved: any, needs: readonly boolean[]) => readonly (Tensor | null)[];

/**
 * An op's Jacobian-vector product (forward mode): from the tangents of its inputs, the tangent of its
 * output. `tangents[i]` has `inputs[i]`'s shape and dtype, or is null (a zero tangent: nothing flows from
 * that input). It returns out's tangent, or null when every tangent it uses is null. The returned tangent
 * has out's shape (or a shape that broadcasts to it: the engine broadcasts it up). Written with ops, so
 * it composes with reverse mode (a Hessian-vector product is `jvp` of a gradient). Optional: an op
 * without one still works in forward mode through its VJP (the double-VJP identity), only slower.
 *
 * Its arguments: the op's `inputs`; its output `out`; `tangents`, one per input; the op's `attrs`; and
 * `saved`, what forward returned as `saved`.
 * @example
 * ```ts
 * // inside a spec: d(a·b) = da·b + a·db (a null tangent contributes nothing)
 * jvp: ([a, b], _out, [da, db]) => {
 *   const left = da && mul(da, b), right = db && mul(a, db);
 *   return left && right ? add(left, right) : left ?? right;
 * },
 * ```
 */
export type Jvp<A> = (inputs: readonly Tensor[], out: Tensor, tangents: readonly (Tensor | null)[], attrs: A, saved: any) => Tensor | null;

/**
 * A random test case for the property suite: input shapes and values (float64) and attributes. An op's
 * `sample` draws them (with fast-check, through `@chainrule/core/testing`), and the suite gradchecks the op
 * on each one; `inputsOf` there turns one into tensors.
 * @example
 * ```ts
 * import type { OpSample } from '@chainrule/core';
 * // a case for matmul: [2, 3] × [3, 1]
 * const s: OpSample<{ transA: boolean; transB: boolean }> = {
 *   inputs: [{ shape: [2, 3], values: [1, 2, 3, 4, 5, 6] }, { shape: [3, 1], values: [1, 0, -1] }],
 *   attrs: { transA: false, transB: false },
 * };
 * ```
 */
export interface OpSample<A> {
  /** One entry per tensor input: its shape and its values in row-major order. */
  readonly inputs: readonly {
    /** The input's shape. */
    readonly shape: number[];
    /** The input's values, as many as the shape holds, in row-major order. */
    readonly values: number[];
  }[];
  /** The attributes the op runs with. */
  readonly attrs: A;
}

/**
 * The types of an op's `sample`, filled in by `@chainrule/core/testing` (which needs fast-check), so
 * that core itself names no fast-check type: import that entry to write a typed sampler.
 */
export interface SamplerTypes<A> {}
type SamplerType<A, K extends string> = SamplerTypes<A> extends Record<K, infer T> ? T : unknown;

/**
 * Makes a zeroed buffer for an op's output: `allocate(dtype, size)` is a Float32Array or Float64Array of
 * `size` zeros. A forward pass takes its outputs from it (its third argument) rather than `new
 * Float32Array(…)`, so a training loop reuses them step after step (see core's `reusing`).
 * @example
 * ```ts
 * // inside a spec: the output in the input's dtype
 * forward: ([x], _attrs, allocate) => ({ shape: x.shape, data: allocate(x.dtype, x.size).fill(1) }),
 * ```
 */
export type Allocate = (dtype: DType, size: number) => TypedArray;
const allocateOutput: Allocate = (dtype, size) => allocate(dtype, size);

interface SpecBase<A> {
  /** The op's name: unique in the registry, shown in errors and graph drawings. */
  readonly name: string;
  /** Number of tensor inputs; omitted for variadic ops such as concat. */
  readonly arity?: number;
  /**
   * Computes the output from the inputs' typed arrays (`x.data`, row-major, in `x.dtype`). The inputs
   * are checked to be tensors of one dtype first; throwing an Error refuses the inputs.
   */
  readonly forward: (inputs: readonly Tensor[], attrs: A, allocate: Allocate) => Computed;
  /** Random inputs inside the op's domain, away from kinks, for the gradcheck property suite. */
  readonly sample?: (fc: SamplerType<A, 'fc'>) => SamplerType<A, 'arbitrary'>;
  /** Short text for attributes in graph drawings, e.g. 'axis=1'. */
  readonly describe?: (attrs: A) => string;
  /**
   * The op's rule as a formula (see {@link OpFormula}), for pages that show backprop step by step: a fixed
   * `{ text, tex }`, or a function of the attributes when the rule depends on them (matmul's transposes).
   */
  readonly formula?: FormulaSpec<A>;
  /**
   * The op's forward-mode rule (see {@link Jvp}); optional: without it, forward mode goes through the
   * VJP. Only for differentiable ops.
   */
  readonly jvp?: Jvp<A>;
}

/**
 * What {@link defineOp} takes: the op's `name`, its `arity` (number of tensor inputs; omitted for a variadic
 * op), its `forward` pass, its `vjp`, and optionally a `jvp` for forward mode, a `sample` for the property
 * suite, a `describe` for graph drawings and a `formula` stating its rule. `A` is the type of its attributes (the non-tensor arguments, such as an axis).
 * A differentiable op must give a VJP; leaving it out is a compile error unless it says
 * `differentiable: false` (comparisons, which record no gradient).
 * @example
 * ```ts
 * import type { OpSpec } from '@chainrule/core';
 * const spec: OpSpec<{ k: number }> = {
 *   name: 'scaleBy', arity: 1,
 *   forward: ([x], { k }, allocate) => ({ shape: x.shape, data: allocate(x.dtype, x.size).map((_, i) => k * x.data[i]) }),
 *   vjp: (_inputs, _out, g, { k }) => [g.mul(k)],
 * };
 * ```
 */
export type OpSpec<A> = SpecBase<A> & (
  | {
    /** Computes the inputs' cotangents from the output's (see {@link Vjp}). */
    readonly vjp: Vjp<A>;
    /** True or left out: the op is differentiable and gives a vjp. */
    readonly differentiable?: true;
  }
  | {
    /** False: the op records no gradient (its output is piecewise constant, such as a comparison). */
    readonly differentiable: false;
    /** Left out: a non-differentiable op has no VJP. */
    readonly vjp?: undefined;
    /** Left out: a non-differentiable op has no JVP. */
    readonly jvp?: undefined;
  });

/**
 * A registered op, as {@link defineOp} returns it: call `run` to apply it. `A` is the type of its
 * attributes; `N` is the op's name as a literal type when it can be inferred, so a family table can check
 * its keys.
 * @example
 * ```ts
 * import { builtinOps, tensor } from '@chainrule/core';
 * const a = tensor([[1, 2]]), b = tensor([[3], [4]]);
 * builtinOps.matmul.run([a, b], { transA: false, transB: false }).toArray(); // [[11]]
 * ```
 */
export interface OpDef<A = any, N extends string = string> {
  /** The op's name, as given in its spec. */
  readonly name: N;
  /** The spec it was defined with. */
  readonly spec: OpSpec<A>;
  /** False when the spec says `differentiable: false`: its results are not recorded in the graph. */
  readonly differentiable: boolean;
  /**
   * Runs the op on tensors and attributes as they are (the public functions check and normalise their
   * arguments first) and, when recording, links the result into the graph.
   * @throws Error when inputs is not an array of tensors, attrs is not an object, the number of inputs
   * differs from the spec's arity, the inputs mix float32 and float64, or forward fails or returns a
   * buffer that does not fit its shape; each names the op.
   */
  run(inputs: readonly Tensor[], attrs: A): Tensor;
  /**
   * The op's rule for these attributes (see {@link OpFormula}), or undefined when its spec gives no formula.
   * @throws Error when the spec's formula is a function and returns something other than `{ text, tex }`
   * with two non-empty strings, naming the op.
   */
  formula(attrs: A): OpFormula | undefined;
}

const registry = new Map<string, OpDef>();

/**
 * Defines an op and adds it to the registry: the one way ops are made, built-in or not. An op is a
 * forward computation on typed arrays plus a VJP written with other ops, so gradients of gradients come
 * for free. Call the returned op's `run` (usually from a small public function); the result is recorded in
 * the graph, so `grad` differentiates through it. To test it, give it a `sample` and run
 * `checkOpGradients` from `@chainrule/core/testing`, or call `gradcheck` on it. `A` is the type of the
 * op's attributes (none by default).
 *
 * @throws Error when the spec is not an object, has no name, no forward, no vjp (unless it says
 * `differentiable: false`), both `differentiable: false` and a vjp or a jvp, an arity that is not a whole
 * number, a jvp, sample or describe that is not a function, or a formula that is neither `{ text, tex }` (two
 * non-empty strings) nor a function; or when an op of that name is already registered.
 * @example
 * ```ts
 * import { defineOp, grad, mul, tensor, type Tensor } from '@chainrule/core';
 * const cubeOp = defineOp({
 *   name: 'cube', arity: 1,
 *   forward: ([x], _attrs, allocate) => {
 *     const data = allocate(x.dtype, x.size);
 *     for (let i = 0; i < data.length; i++) data[i] = x.data[i] ** 3;
 *     return { shape: x.shape, data };
 *   },
 *   vjp: ([x], _out, g) => [mul(g, mul(mul(x, x), 3))], // d(x³) = 3x²
 *   formula: { text: 'y = x³;  x̄ = ȳ · 3x²', tex: String.raw`y = x^3 \qquad \bar{x} = 3\,\bar{y} \odot x^2` },
 * });
 * const cube = (x: Tensor): Tensor => cubeOp.run([x], {});
 * const x = tensor([1, 2]);
 * grad(cube(x).sum(), [x])[0].toArray(); // [3, 12]
 * ```
 */
export function defineOp<A = Record<string, never>, N extends string = string>(spec: OpSpec<A> & { readonly name: N }): OpDef<A, N> {
  checkSpec(spec);
  checkFormula(spec.name, spec.formula);
  if (registry.has(spec.name)) throw new Error(`defineOp: an op named '${spec.name}' is already registered`);
  const op: OpDef<A, N> = {
    name: spec.name,
    spec,
    differentiable: spec.differentiable !== false,
    run: (inputs, attrs) => runOp(op, inputs, attrs),
    formula: (attrs) => formulaFor(spec.name, spec.formula, attrs),
  };
  registry.set(spec.name, op);
  return op;
}

/**
 * Every registered op, built-in and user-defined, in the order they were defined (a new array each call).
 * @example
 * ```ts
 * import { registeredOps } from '@chainrule/core';
 * registeredOps().map((op) => op.name); // ['equal', 'notEqual', …, 'linear'], then the ops you defined
 * ```
 */
export const registeredOps = (): OpDef[] => [...registry.values()];

/**
 * The registered op of that name, built-in or user-defined, or undefined when there is none.
 * @example
 * ```ts
 * import { getOp, tensor } from '@chainrule/core';
 * getOp('add')?.run([tensor([1]), tensor([2])], {}).item(); // 3
 * getOp('nope'); // undefined
 * ```
 */
export const getOp = (name: string): OpDef | undefined => registry.get(name);

/**
 * The formula of the op that made t, with the attributes it ran with (see {@link OpFormula}): what the
 * cotangent arriving at t becomes for each of the op's inputs. Undefined when t was not recorded (a
 * tensor made directly, one computed under `noGrad` or by a comparison, which records no gradient) or
 * its op gives no formula.
 * @throws Error when t is not a Tensor.
 * @example
 * ```ts
 * import { formulaOf, matmul, tensor } from '@chainrule/core';
 * const a = tensor([[1, 2]]), b = tensor([[3, 4]]);
 * formulaOf(matmul(a, b, { transB: true }))?.text; // 'y = a @ bᵀ;  ā = ȳ @ b,  b̄ = ȳᵀ @ a'
 * formulaOf(a); // undefined: a was not made by an op
 * ```
 */
export function formulaOf(t: Tensor): OpFormula | undefined {
  if (!(t instanceof Tensor)) throw notATensor('formulaOf', 't', t);
  const node = t.node;
  // The node holds the op that ran; the registry, keyed by its unique name, gives its full definition.
  return node ? registry.get(node.op.name)?.formula(node.attrs) : undefined;
}

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
  // Checked above as the constructor would check it (more strictly: whole dimensions), so not again.
  return checkedTensor(result.data, result.shape, node);
}
