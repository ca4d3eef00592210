/**
 * Integer labels and indices: the list type batches carry them in, and the one check that turns
 * numbers into them (a 2.5 is refused by name, never truncated to 2).
 */

/** Integer class labels as a plain list, the form besides a tensor that targets take. */
export type Labels = Int32Array | readonly number[];

/**
 * The values as an Int32Array, each checked to be a whole number. `where` starts the error and `noun`
 * names what a value is ('index' for gather's indices, 'label' for class labels).
 *
 * @throws Error when a value is not an integer, giving it and its position (2.5 is refused, never truncated).
 * @example
 * ```ts
 * import { toIntegers } from '@chainrule/core';
 * toIntegers('myLoss', [0, 2, 1], 'label');   // Int32Array [0, 2, 1]
 * ```
 */
export function toIntegers(where: string, values: ArrayLike<number>, noun = 'index'): Int32Array {
  const out = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isInteger(v)) throw new Error(`${where}: ${noun} ${v} at position ${i} is not an integer`);
    out[i] = v;
  }
  return out;
}
