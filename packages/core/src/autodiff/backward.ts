/**
 * The backward pass as a stepping iterator. `grad` runs on it, and so can anything that wants to watch
 * the chain rule happen (the playground's backprop stepper): each step is one node's VJP, newest node
 * first, with the cotangent that arrived, what it sent to each input, and each input's gradient so far.
 * There is no second walk: `grad(y, xs)` is `backwardPass(y, xs).gradients()`.
 */
import { fmt, sameShape } from '../shape.ts';
import { Tensor } from '../tensor.ts';
import { add } from '../ops/elementwise.ts';
import { full } from '../creation.ts';
import { currentPhase, isRecording, setRecordingMode } from './state.ts';
import { checkCotangent, checkCotangentList } from './check-vjp.ts';
import { inUserWords } from '../ops/failure.ts';
import { notATensor } from '../validate.ts';
import { flatten, unflatten, type Tree } from './tree.ts';
import { topologicalOrder } from './topological.ts';
import { sumToShape } from './sum-to-shape.ts';

/** Options of `grad`, `valueAndGrad` and `backwardPass`. */
export interface GradOptions {
  /** The cotangent of y (dL/dy), of y's shape and dtype; required unless y has one element (then it defaults to 1). */
  readonly seed?: Tensor;
  /** Record the backward pass as ops, so the gradients can themselves be differentiated and drawn. */
  readonly createGraph?: boolean;
}

/** One step of the backward pass: one node's VJP, as the engine ran it. */
export interface BackwardStep {
  /** The step's position in the pass, from 0 (the node nearest y). */
  readonly index: number;
  /** The node's output tensor: `tensor.node` holds its op, inputs and attributes. */
  readonly tensor: Tensor;
  /** The name of the node's op. */
  readonly op: string;
  /** ∂L/∂tensor: the cotangent that arrived at this node, summed over every use of the tensor. */
  readonly cotangent: Tensor;
  /** The node's inputs (`tensor.node.inputs`). */
  readonly inputs: readonly Tensor[];
  /**
   * What the VJP sent to each input, summed to the input's shape; null where it sent nothing (no
   * gradient flows there, or nothing asked for that input's gradient).
   */
  readonly sent: readonly (Tensor | null)[];
  /** Each input's gradient after this step (everything sent to it so far); null where none has arrived. */
  readonly accumulated: readonly (Tensor | null)[];
}

/** Which forward tensor each gradient (made with createGraph) is the gradient of; viz links them. */
const gradientOf = new WeakMap<Tensor, Tensor>();

/**
 * The tensor `g` is the gradient of, when `g` came out of `grad` with `createGraph`; otherwise undefined.
 * Graph drawings use it to link each gradient to its forward tensor.
 *
 * @example
 * ```ts
 * import { grad, gradientTarget, scalar } from '@chainrule/core';
 * const x = scalar(2);
 * gradientTarget(grad(x.mul(x), x, { createGraph: true })) === x;   // true
 * ```
 */
export const gradientTarget = (g: Tensor): Tensor | undefined => gradientOf.get(g);

const someNeeded = (inputs: readonly Tensor[], needed: ReadonlySet<number>): boolean => {
  for (let i = 0; i < inputs.length; i++) if (needed.has(inputs[i]!.id)) return true;
  return false;
};

/**
 * A backward pass in progress: iterate it for its {@link BackwardStep}s, or call `gradients()` to run the
 * rest and get dy/dx for every x. Made by {@link backwardPass}. Plain loops and no closure per step:
 * `grad` runs this once per training step, and under tsx every named closure costs ~1 µs.
 */
export class BackwardPass<T extends Tree = Tree> implements IterableIterator<BackwardStep> {
  /**
   * The nodes the pass will visit, in order: every node between y and an x, newest first. A node is
   * skipped only when no cotangent reaches it (every VJP above it sent null, as compare ops do).
   */
  readonly planned: readonly Tensor[];
  private readonly xs: readonly Tensor[];
  private readonly rebuild: ReturnType<typeof flatten>['rebuild'];
  private readonly needed: Set<number>;
  private readonly grads: Map<number, Tensor>;
  private readonly createGraph: boolean;
  private next_ = 0;
  private steps = 0;
  private result: T | undefined;

  /** @internal Use {@link backwardPass}. */
  constructor(y: Tensor, xs: T, options: GradOptions) {
    if (!(y instanceof Tensor)) throw notATensor('grad', 'y (the value to differentiate)', y);
    const { leaves, rebuild } = flatten(xs);
    leaves.forEach((x, i) => { if (!(x instanceof Tensor)) throw notATensor('grad', `xs[${i}]`, x); });
    if (options.seed !== undefined && !(options.seed instanceof Tensor)) throw notATensor('grad', 'seed', options.seed);
    const seed = options.seed ?? unitSeed(y);
    if (!sameShape(seed.shape, y.shape) || seed.dtype !== y.dtype) {
      throw new Error(`grad: seed ${fmt(seed.shape)} ${seed.dtype} does not match y ${fmt(y.shape)} ${y.dtype}`);
    }
    this.xs = leaves;
    this.rebuild = rebuild;
    this.createGraph = options.createGraph === true;
    const order = topologicalOrder([y]);
    // Only tensors on a path to some x need a gradient; a node runs its VJP when one of its inputs does
    // (an x made by an op is needed either way, but runs only then). One pass, inputs first.
    const needed = new Set<number>();
    for (let i = 0; i < leaves.length; i++) needed.add(leaves[i]!.id);
    const planned: Tensor[] = [];
    for (let k = 0; k < order.length; k++) {
      const t = order[k]!;
      if (t.node === undefined || !someNeeded(t.node.inputs, needed)) continue;
      needed.add(t.id);
      planned.push(t);
    }
    planned.reverse();
    this.planned = planned;
    this.needed = needed;
    this.grads = new Map();
    this.grads.set(y.id, seed);
  }

  /** The next step, after running it; done when every planned node has sent its cotangents. */
  next(): IteratorResult<BackwardStep, undefined> {
    const step = this.advance(true);
    return step ? { done: false, value: step } : { done: true, value: undefined };
  }

  /** The pass itself: a `for … of` loop takes its remaining steps. */
  [Symbol.iterator](): this {
    return this;
  }

  /** The gradient of `t` from what has been sent to it so far (undefined before anything has). */
  gradientSoFar(t: Tensor): Tensor | undefined {
    return this.grads.get(t.id);
  }

  /**
   * Runs the steps not yet taken and returns dy/dx for every x, with xs's structure (zeros where y does
   * not depend on x). Calling it again returns the same gradients.
   */
  gradients(): T {
    if (this.result === undefined) {
      while (this.advance(false) !== undefined);
      const out = this.xs.map((x) => {
        const g = this.grads.get(x.id) ?? full(x.shape, 0, { dtype: x.dtype });
        if (this.createGraph) gradientOf.set(g, x);
        return g;
      });
      this.result = unflatten(this.rebuild, out) as T;
    }
    return this.result;
  }

  /**
   * Runs the next node's VJP (checked, summed to its inputs' shapes and added to their gradients),
   * recording it only with createGraph. Returns the step (with its record when `describe`), or undefined at the end.
   */
  private advance(describe: boolean): BackwardStep | undefined {
    const planned = this.planned;
    while (this.next_ < planned.length) {
      const t = planned[this.next_++]!;
      const g = this.grads.get(t.id);
      if (g === undefined) continue;
      const wasRecording = isRecording(), wasPhase = currentPhase();
      setRecordingMode(this.createGraph, this.createGraph ? 'backward' : wasPhase);
      try {
        return this.runVjp(t, g, describe);
      } finally {
        setRecordingMode(wasRecording, wasPhase);
      }
    }
    return undefined;
  }

  private runVjp(t: Tensor, g: Tensor, describe: boolean): BackwardStep {
    const node = t.node!;
    const inputs = node.inputs;
    const needs = new Array<boolean>(inputs.length);
    for (let i = 0; i < inputs.length; i++) needs[i] = this.needed.has(inputs[i]!.id);
    let returned: unknown;
    try {
      returned = node.op.spec.vjp!(inputs, t, g, node.attrs, node.saved, needs);
    } catch (e) {
      throw inUserWords(e, () => `grad: the VJP of '${node.op.name}' failed on inputs ${inputs.map((x) => fmt(x.shape)).join(', ')}`);
    }
    const cotangents = checkCotangentList(node.op.name, inputs, returned);
    const sent: (Tensor | null)[] = describe ? new Array(inputs.length).fill(null) : NOTHING_SENT;
    for (let i = 0; i < inputs.length; i++) {
      const c = cotangents[i];
      const input = inputs[i]!;
      if (c === null || !needs[i]) continue;
      checkCotangent(node.op.name, i, input, t, c);
      const ci = sumToShape(c, input.shape);
      const prev = this.grads.get(input.id);
      this.grads.set(input.id, prev ? add(prev, ci) : ci);
      if (describe) sent[i] = ci;
    }
    if (!describe) return NO_RECORD;
    return {
      index: this.steps++, tensor: t, op: node.op.name, cotangent: g, inputs, sent,
      accumulated: inputs.map((x) => this.grads.get(x.id) ?? null),
    };
  }
}

/** `sent` when no step record is made: never written (runVjp writes it only when describing). */
const NOTHING_SENT: (Tensor | null)[] = [];

/** What `advance(false)` returns for a step taken: grad's loop needs to know a step ran, not what it was. */
const NO_RECORD = {} as BackwardStep;

function unitSeed(y: Tensor): Tensor {
  if (y.size !== 1) throw new Error(`grad: y has shape ${fmt(y.shape)}; pass { seed } (the cotangent dL/dy) to differentiate a non-scalar`);
  return full(y.shape, 1, { dtype: y.dtype });
}

/**
 * The backward pass from y to the xs, one VJP at a time: the engine's own walk, which `grad` runs to the
 * end. Iterate it to watch each node send its cotangents (see {@link BackwardStep}); `gradients()` runs
 * what is left and returns what `grad(y, xs, options)` would. Nothing runs until it is stepped.
 *
 * @throws Error as `grad` does: when y or an x is not a Tensor, y has more than one element and no seed
 *   is given, or the seed's shape or dtype differs from y's; a step throws when an op's VJP fails or
 *   returns a cotangent of the wrong shape (naming the op).
 * @example
 * ```ts
 * import { backwardPass, tensor } from '@chainrule/core';
 * const a = tensor([2], { name: 'a' }), b = tensor([3], { name: 'b' });
 * const pass = backwardPass(a.mul(b).tanh(), { a, b });
 * for (const step of pass) console.log(step.index, step.op, step.cotangent.toArray());   // 0 tanh [1], then 1 mul …
 * const { a: da } = pass.gradients();                                               // what grad would give
 * ```
 */
export function backwardPass<T extends Tree>(y: Tensor, xs: T, options: GradOptions = {}): BackwardPass<T> {
  return new BackwardPass(y, xs, options);
}
