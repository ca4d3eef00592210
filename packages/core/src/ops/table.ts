/**
 * The rows of an op family's table. Each family file lists its built-in ops (each with its public
 * function) and its composites (public functions built from other ops, such as mean). The registry
 * listing `builtinOps`, `BuiltinOpName`, the Tensor methods and core's exports derive from these
 * tables (see ./builtins.ts), so adding an op is one edit in its family file.
 */
import type { OpDef } from './define.ts';
import type { Tensor } from '../tensor.ts';

type Fn = (...args: any[]) => unknown;

/**
 * How a public function becomes a Tensor method. Methods take positional arguments, ops take attributes:
 * `self`: x.f(...args) is f(x, ...args); `list`: x.f(others, ...args) is f([x, ...others], ...args); `none`: no method.
 */
export type MethodStyle = 'self' | 'list' | 'none';

export interface OpRow<N extends string = string, F extends Fn | undefined = Fn | undefined, M extends MethodStyle = MethodStyle> {
  readonly op: OpDef<any, N>;
  /** The public function; undefined for an op that only other ops run (scatterAdd, gather's adjoint). */
  readonly fn: F;
  readonly method: M;
}

export interface CompositeRow<F extends Fn = Fn, M extends MethodStyle = MethodStyle> {
  readonly fn: F;
  readonly method: M;
}

// Overloads, so that a row without `method` is typed 'self' (a default type argument would be
// widened to MethodStyle by the table's contextual type).

/** A table row: the op and the public function that runs it (a method of the same name unless `method` says otherwise). */
export function opRow<N extends string, F extends Fn | undefined>(op: OpDef<any, N>, fn: F): OpRow<N, F, 'self'>;
export function opRow<N extends string, F extends Fn | undefined, M extends MethodStyle>(op: OpDef<any, N>, fn: F, method: M): OpRow<N, F, M>;
export function opRow(op: OpDef, fn: Fn | undefined, method: MethodStyle = 'self'): OpRow {
  return { op, fn, method };
}

/** A row for a public function that is not an op: a composite of ops such as mean or stack. */
export function compositeRow<F extends Fn>(fn: F): CompositeRow<F, 'self'>;
export function compositeRow<F extends Fn, M extends MethodStyle>(fn: F, method: M): CompositeRow<F, M>;
export function compositeRow(fn: Fn, method: MethodStyle = 'self'): CompositeRow {
  return { fn, method };
}

/** A family's op table. Each key must be its op's name: a `sum: opRow(maxOp, …)` row does not compile. */
export const opTable = <T extends { readonly [K in keyof T]: OpRow<K & string> }>(rows: T): T => rows;

/** A family's composites, keyed by the name they are exported under. */
export const compositeTable = <T extends { readonly [K in keyof T]: CompositeRow }>(rows: T): T => rows;

/** The method a `self` row gives: x.f(...args) for f(x, ...args). */
export type SelfMethod<F> = F extends (x: any, ...args: infer P) => infer T ? (...args: P) => T : never;
/** The method a `list` row gives: x.f(others, ...args) for f([x, ...others], ...args). */
export type ListMethod<F> = F extends (xs: any, ...args: infer P) => infer T ? (others: readonly Tensor[], ...args: P) => T : never;

type MethodOf<R> =
  R extends { readonly method: 'self'; readonly fn: infer F } ? SelfMethod<F>
  : R extends { readonly method: 'list'; readonly fn: infer F } ? ListMethod<F>
  : never;

/**
 * The Tensor methods a table gives: one per row whose method style is not `none`. Tensor cannot extend
 * this type (the ops' types need Tensor's members, a cycle), so each family file declares its methods
 * on Tensor beside its table, and ./builtins.ts checks the declarations against this type.
 */
export type MethodsOf<T> = {
  [K in keyof T as T[K] extends { readonly method: 'self' | 'list'; readonly fn: Fn } ? K : never]: MethodOf<T[K]>;
};

/** The ops of a table, by name. */
export type OpsOf<T> = { readonly [K in keyof T]: T[K] extends { readonly op: infer O } ? O : never };
