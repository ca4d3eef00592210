/**
 * Who may reuse a buffer. In the spirit of JAX's buffer donation, `reusing(fn, { pure, donate })`
 * gives a version of fn whose calls hand buffers back to the pool (./pool.ts):
 *
 * - declared `pure` (fn keeps no tensor it makes, other than those it returns), the buffers it made
 *   and did not return are reused by the next calls: activations, cotangents, a batch's rows;
 * - arguments it `donate`s (the caller will not use them again, e.g. last step's params and optimiser
 *   state) are reused too, but only buffers this same function handed out earlier: never the caller's
 *   own tensors, never anything that has escaped.
 *
 * A buffer escapes, and is never reused, when it is `expose`d (handed to code that may keep it, such
 * as a user's callback), when it is given to or made by a function not declared pure, or when it was
 * made outside any such call. Purity is declared, never guessed, so the default is safe: an undeclared
 * function runs as if none of this existed.
 *
 * What a result holds is found by walking it: tensors, and the graph behind them (inputs and saved
 * values, which a later `grad` needs), inside arrays, plain objects, Maps and Immutable collections.
 */
import type { DType, TypedArray } from '../dtype.ts';
import { isImmutable, isRecord, isSeq } from 'immutable';
import { Tensor } from '../tensor.ts';
import { describeValue } from '../describe-value.ts';
import { giveBackRecord, isPooledSize, recordOfBuffer, take, takeRecord, type PooledBuffer } from './pool.ts';

/** One running call of a `reusing` function: the buffers made while it ran. */
class Scope {
  readonly made: PooledBuffer[] = [];
  constructor(readonly pure: boolean) {}
}
/** The function that handed a buffer out: it alone may take it back, when it is donated to it. */
interface Handout { readonly by: string }

/** Running calls, innermost last. */
const open: Scope[] = [];
/**
 * A buffer's owner is kept in its pool record (`owner`): the call that made it, or the function that
 * returned it (a Handout). No owner: escaped. Records, not a WeakMap of buffers: a step makes dozens of
 * buffers, and each lookup was a measurable part of it.
 */

/**
 * A buffer of `size` values for an op's output (zeroed unless `'overwritten'`: the caller writes every
 * value), taken from the pool when one is free. The running `reusing` call, if any, owns it.
 *
 * @throws Error when `size` is not a non-negative whole number or exceeds what a typed array holds (2^32 values).
 * @example
 * ```ts
 * import { allocate } from '@chainrule/core/backend';
 * const out = allocate('float32', 128);   // a zeroed Float32Array(128), maybe reused
 * ```
 */
export function allocate(dtype: DType, size: number, contents: 'zeros' | 'overwritten' = 'zeros'): TypedArray {
  const scope = open[open.length - 1];
  if (scope === undefined || !isPooledSize(dtype, size)) return take(dtype, size, contents);
  const record = takeRecord(dtype, size, contents);
  record.owner = scope;
  scope.made.push(record);
  return record.buf;
}

/** What `reusing` may assume about the function it wraps. */
export interface ReuseOptions {
  /** fn keeps no tensor it makes except those it returns (and none of its arguments): required, true or false. */
  readonly pure: boolean;
  /** Positions of arguments the caller will not use again, whose buffers the call may reuse (needs pure). */
  readonly donate?: readonly number[];
}

/**
 * fn, with the buffers it no longer needs handed back for reuse (JAX's buffer donation): declared
 * `pure`, what a call made and did not return (nor kept in the graph of what it returned) is reused by
 * the next calls; `donate`d arguments' buffers too, when this same function made them. A buffer that
 * has escaped (through `expose`, or to or from a function not declared pure) is never reused. A training
 * step wrapped this way allocates almost nothing after its first calls; its results are unchanged.
 *
 * @throws Error when fn is not a function, `pure` is not given as true or false, `donate` is not an
 *   array of argument positions, or arguments are donated to a function not declared pure.
 * @example
 * ```ts
 * import { grad, noGrad, randn, reusing, type Tensor } from '@chainrule/core';
 * const update = (w: Tensor, x: Tensor) => { const g = grad(x.matmul(w).square().mean(), w); return noGrad(() => w.sub(g.mul(0.1))); };
 * const step = reusing(update, { pure: true, donate: [0] });
 * let w = randn([64, 64], { seed: 0 }); const x = randn([32, 64], { seed: 1 });
 * for (let i = 0; i < 100; i++) w = step(w, x);   // each call may reuse the last w's buffer: never read an old w
 * ```
 */
export function reusing<A extends unknown[], R>(fn: (...args: A) => R, options: ReuseOptions): (...args: A) => R {
  const name = typeof fn === 'function' ? fn.name || 'the function' : '';
  if (!name) throw new Error(`reusing: fn must be a function, got ${describeValue(fn)}`);
  if (options === null || typeof options !== 'object' || typeof options.pure !== 'boolean') {
    throw new Error(`reusing: say whether ${name} is pure: { pure: true } (it keeps no tensor it makes) or { pure: false }, got ${describeValue(options)}`);
  }
  const { pure, donate = [] } = options;
  if (!Array.isArray(donate) || !donate.every((i) => Number.isInteger(i) && i >= 0)) {
    throw new Error(`reusing: donate must be an array of argument positions, got ${describeValue(donate)}`);
  }
  if (donate.length > 0 && !pure) throw new Error(`reusing: ${name} is not declared pure, so it may keep its arguments: none can be donated`);
  if (!pure) return (...args) => runForeign(fn, args);
  const handout: Handout = { by: name };
  return (...args) => {
    // Inside another pure call this one is part of it: that call's end reuses what this one made and
    // nobody kept, with one walk of the results instead of two.
    const parent = open[open.length - 1];
    if (parent?.pure && donate.length === 0) return fn(...args);
    const scope = new Scope(true);
    open.push(scope);
    let result: R;
    try {
      result = fn(...args);
    } catch (e) {
      // What it made may be looked at while the error is handled: nothing is reused.
      settle(scope, undefined, handout);
      throw e;
    }
    const kept = pooledIn(result, true, false);
    settle(scope, kept, handout);
    if (donate.length > 0) giveBackDonated(args, donate, kept, handout);
    return result;
  };
}

/**
 * The buffers of the donated arguments that this function handed out (or that the running calls made),
 * and that the result does not hold, go back to the pool. One walk over all of them.
 */
function giveBackDonated(args: readonly unknown[], donate: readonly number[], kept: Found, handout: Handout): void {
  // Only the buffers themselves, not views of them: what the donated arguments are, not what they share.
  const walk = startWalk(false, true);
  for (let j = 0; j < donate.length; j++) visit(args[donate[j]!], walk);
  const donated = walk.records;
  kept.mark(); // this walk marked the records it found as its own, kept ones too
  for (let i = 0; i < donated.length; i++) {
    const record = donated[i]!;
    const o = record.owner;
    // o is undefined for a buffer that escaped (e.g. params shown to an epoch's callbacks): tested first, as
    // `undefined instanceof Scope` deoptimised this walk once it had only seen owners.
    if (o !== undefined && (o === handout || (o instanceof Scope && open.includes(o))) && !kept.has(record)) {
      record.owner = undefined;
      giveBackRecord(record);
    }
  }
}

/**
 * Ends a call: buffers it keeps (those in `kept`; all of them without it) go to the enclosing call (or
 * become its handout); the rest go back to the pool.
 */
function settle(scope: Scope, kept: Found | undefined, handout: Handout): void {
  open.pop();
  const parent = open[open.length - 1];
  const made = scope.made;
  for (let i = 0; i < made.length; i++) {
    const record = made[i]!;
    if (record.owner !== scope) continue; // exposed or donated meanwhile
    if (kept !== undefined && !kept.has(record)) {
      record.owner = undefined;
      giveBackRecord(record);
    } else if (parent) {
      record.owner = parent;
      parent.made.push(record);
    } else {
      record.owner = handout;
    }
  }
}

/** An undeclared function: what it is given, what it makes and what it returns all escape. */
function runForeign<A extends unknown[], R>(fn: (...args: A) => R, args: A): R {
  expose(args);
  const scope = new Scope(false);
  open.push(scope);
  try {
    return fn(...args);
  } finally {
    open.pop();
    for (const record of scope.made) record.owner = undefined;
  }
}

/**
 * Marks every buffer in `value` (and in the graphs behind its tensors) as seen by code that may keep
 * it, so that it is never reused; returns value. Use it before handing tensors to a user's function.
 *
 * @example
 * ```ts
 * import { expose, randn } from '@chainrule/core';
 * const kept: unknown[] = [];
 * const onStep = (info: unknown) => kept.push(info);   // a user's callback, which may keep what it gets
 * onStep(expose({ w: randn([64, 64], { seed: 0 }) }));  // so its buffers are never handed out again
 * ```
 */
export function expose<T>(value: T): T {
  // Views too: a view shown to such code shows it the whole buffer.
  const records = pooledIn(value, true, false).records;
  for (let i = 0; i < records.length; i++) records[i]!.owner = undefined;
  return value;
}

/**
 * An object's answer to the ownership walk: what it holds. An object with this key is walked through that
 * value alone, not its own keys: a result whose property is computed when first read (a getter) says here
 * what the getter reads, so finding its buffers neither runs the getter nor misses them.
 *
 * @example
 * ```ts
 * import { HOLDS } from '@chainrule/core/backend';
 * import { tensor, type Tensor } from '@chainrule/core';
 * const x = tensor([1, 2]), held: Tensor[] = [x];
 * const result = { get doubled() { return x.mul(2); }, [HOLDS]: held };   // the walk sees x, and runs no getter
 * ```
 */
export const HOLDS: unique symbol = Symbol('chainrule.holds');

/**
 * The pooled buffers in a value, found by a walk: those of its float arrays (`exact`: only arrays that are
 * pooled buffers themselves; otherwise views of them too, which share their buffer's fate). With `graphs`,
 * also those behind each tensor's recorded inputs and saved values.
 */
function pooledIn(value: unknown, graphs: boolean, exact: boolean): Found {
  const walk = startWalk(graphs, exact);
  visit(value, walk);
  const found = new Found(walk.id, walk.records);
  found.mark(); // a walk run meanwhile (a lazy Seq's function may start one) re-marked some
  return found;
}

/**
 * A walk's pooled buffers. Each record notes the last walk that found it (`foundBy`), so membership is one
 * comparison instead of a Map of buffers per walk; another walk re-marks records, so a holder calls `mark`
 * again after any walk that ran since it was made.
 */
class Found {
  constructor(readonly id: number, readonly records: readonly PooledBuffer[]) {}
  /** Marks its records as found by it (again). */
  mark(): void {
    const records = this.records, id = this.id;
    for (let i = 0; i < records.length; i++) records[i]!.foundBy = id;
  }
  /** Whether the walk found this record (valid until another walk runs). */
  has(record: PooledBuffer): boolean { return record.foundBy === this.id; }
}

/** One walk's state. A module-level visitor, not a closure per walk: tsx names every closure it makes, at ~1 µs each. */
interface Walk {
  /** Marks the records this walk found (their `foundBy`); never 0, a fresh record's mark. */
  readonly id: number;
  /** The records it found, each once (twice at most when a walk run meanwhile re-marked one). */
  readonly records: PooledBuffer[];
  readonly seen: Set<object>;
  readonly graphs: boolean;
  readonly exact: boolean;
}
let walks = 0;
const startWalk = (graphs: boolean, exact: boolean): Walk => ({ id: ++walks, records: [], seen: new Set(), graphs, exact });

/** Notes the pooled buffer a float array is (or views) in the walk. */
function note(array: TypedArray, walk: Walk): void {
  const record = recordOfBuffer(array);
  if (record === undefined || record.foundBy === walk.id || (walk.exact && record.buf !== array)) return;
  record.foundBy = walk.id;
  walk.records.push(record);
}

function visit(x: unknown, walk: Walk): void {
  if (x === null || typeof x !== 'object') return;
  if (x instanceof Tensor) {
    // The commonest value, first. Its data (a float array) is noted directly: finding a buffer twice is
    // harmless, so only a tensor whose graph is walked goes in `seen` (shared inputs are walked once).
    const node = x.node;
    note(x.data, walk);
    if (walk.graphs && node !== undefined && !walk.seen.has(x)) {
      walk.seen.add(x);
      const inputs = node.inputs;
      for (let i = 0; i < inputs.length; i++) visit(inputs[i], walk);
      visit(node.saved, walk);
    }
    return;
  }
  if (walk.seen.has(x)) return;
  walk.seen.add(x);
  if (x instanceof Float32Array || x instanceof Float64Array) {
    note(x, walk);
  } else if (ArrayBuffer.isView(x)) {
    // other typed arrays (indices) hold no float buffer
  } else if (Array.isArray(x)) {
    for (let i = 0; i < x.length; i++) visit(x[i], walk);
  } else if (isPlainObject(x)) {
    // A result object (the commonest after tensors), without the collection tests below; in their order.
    if (HOLDS in x) visit((x as { [HOLDS]: unknown })[HOLDS], walk);
    else if (Symbol.iterator in x) for (const item of x as Iterable<unknown>) visit(item, walk);
    else for (const key of Object.keys(x)) visit((x as Record<string, unknown>)[key], walk);
  } else if (isImmutable(x)) {
    const values = immutableValues(x);
    for (let i = 0; i < values.length; i++) visit(values[i], walk);
  } else if (x instanceof Map || x instanceof Set) {
    // Their values only, by forEach: an iterator costs twice as much, and entries a pair each.
    x.forEach((v: unknown) => { visit(v, walk); });
  } else if (HOLDS in x) {
    visit((x as { [HOLDS]: unknown })[HOLDS], walk);
  } else if (Symbol.iterator in x) {
    for (const item of x as Iterable<unknown>) visit(item, walk); // arrays, Maps (their [key, value] pairs), Immutable collections
  } else {
    for (const key of Object.keys(x)) visit((x as Record<string, unknown>)[key], walk);
  }
}

/** An object made by `{ … }` or Object.create(null): no collection, whatever keys it has. */
function isPlainObject(x: object): boolean {
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

/**
 * The values of an Immutable collection (a Record's through its Seq), kept for the collection's life: it
 * never changes, and a training step's results are walked twice (when returned, then when donated to the
 * next step), so the second walk reads an array instead of iterating the collection again. Not kept for a
 * lazy Seq, whose values are computed anew on each pass, nor for a collection being mutated.
 */
const valuesOf = new WeakMap<object, readonly unknown[]>();
/** Where `collect` puts values: a module function for forEach, not a closure per collection. */
let collecting: unknown[] = [];
const collect = (v: unknown): void => { collecting.push(v); };

function immutableValues(x: object): readonly unknown[] {
  const known = valuesOf.get(x);
  if (known !== undefined) return known;
  const values: unknown[] = [], outer = collecting;
  collecting = values;
  try {
    // forEach, not an iterator: an iterator costs twice as much, and a Map's entries a pair each.
    (isRecord(x) ? x.toSeq() : x as unknown as Map<unknown, unknown>).forEach(collect);
  } finally {
    collecting = outer; // a lazy Seq's functions may run another walk meanwhile
  }
  // A collection inside withMutations (an owner set) may still change: not kept either.
  if (!isSeq(x) && (x as { __ownerID?: unknown }).__ownerID === undefined) valuesOf.set(x, values);
  return values;
}
