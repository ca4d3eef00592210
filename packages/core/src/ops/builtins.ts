/**
 * The built-in ops and public functions, gathered from the family tables. Nothing here names an op:
 * `builtinOps`, `BuiltinOpName` and the Tensor methods (../methods.ts installs them) derive from the
 * tables, so an op added to its family's table is listed and (unless its row says 'none') a method.
 */
import { activationComposites, activationOps } from './activation.ts';
import { compareOps } from './compare.ts';
import { convOps } from './conv.ts';
import { crossEntropyOps } from './cross-entropy.ts';
import { elementwiseOps } from './elementwise.ts';
import { indexingComposites, indexingOps } from './indexing.ts';
import { linalgOps } from './linalg.ts';
import { poolComposites, poolOps } from './pool.ts';
import { reduceComposites, reduceOps } from './reduce.ts';
import { shapeComposites, shapeOps } from './shape.ts';
import type { Tensor } from '../tensor.ts';
import type { CompositeRow, MethodsOf, OpRow, OpsOf } from './table.ts';

/** Every family's op table, in the order `builtinOps` lists them. */
export const opTables = [elementwiseOps, compareOps, activationOps, reduceOps, linalgOps, crossEntropyOps, shapeOps, indexingOps, convOps, poolOps] as const;
/** Every family's table of public functions that are not ops. */
export const compositeTables = [activationComposites, reduceComposites, shapeComposites, indexingComposites, poolComposites] as const;

type Union<T extends readonly unknown[]> = T[number];
type Merge<U> = (U extends unknown ? (u: U) => void : never) extends (m: infer M) => void ? M : never;
type AllOpRows = Merge<Union<typeof opTables>>;
type AllCompositeRows = Merge<Union<typeof compositeTables>>;

/**
 * The name of every built-in op, `'add' | 'sub' | … | 'gather' | 'scatterAdd'`: the keys of {@link builtinOps}.
 * Composites such as mean are not ops, so not among them.
 */
export type BuiltinOpName = keyof AllOpRows & string;

/**
 * The built-in ops by name, each typed with its attributes (see {@link OpDef}). Their `run` takes the
 * attributes as they are, unchecked; the public functions of the same names check and normalise them.
 * @example
 * ```ts
 * import { builtinOps, tensor } from '@chainrule/core';
 * builtinOps.relu.differentiable; // true
 * builtinOps.sum.run([tensor([[1, 2], [3, 4]])], { axes: [1], keepDims: false }).toArray(); // [3, 7]
 * ```
 */
export const builtinOps: OpsOf<AllOpRows> = Object.fromEntries(
  opTables.flatMap((table) => Object.values(table).map((row: OpRow) => [row.op.name, row.op])),
) as OpsOf<AllOpRows>;

/** Every public row, op or not, by name: what ../methods.ts installs. */
export const publicRows: Readonly<Record<string, OpRow | CompositeRow>> = Object.assign({}, ...opTables, ...compositeTables);

/** The Tensor methods all the tables give (see MethodStyle). */
export type BuiltinMethods = MethodsOf<AllOpRows> & MethodsOf<AllCompositeRows>;

// Compile-time check: every method a row gives is declared on Tensor (in the row's family file) with the type the row implies.
const declaredMethods: { readonly [K in keyof BuiltinMethods]: BuiltinMethods[K] } = undefined as unknown as Pick<Tensor, keyof BuiltinMethods>;
void declaredMethods;
