/** The debug switch: when on, every op's output is checked for NaN/Inf and the op is named. */
import type { TypedArray } from './dtype.ts';
import { fmt, type Shape } from './shape.ts';

// Read through globalThis: core runs in browsers too, where there is no `process`.
const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
let debug = /^(1|true|yes)$/i.test(env?.CHAINRULE_DEBUG ?? '');

/**
 * Turns NaN/Inf checking of every op output on or off (also set by CHAINRULE_DEBUG=1). When on, the
 * first op whose output holds a NaN or ±Infinity throws an Error naming the op, the flat index, the
 * value and the input shapes; every op then costs one extra pass over its output.
 *
 * @example
 * ```ts
 * import { setDebug, tensor } from '@chainrule/core';
 * setDebug(true);
 * tensor([0]).log();   // Error: debug: op 'log' produced -Infinity at flat index 0 …
 * ```
 */
export function setDebug(on: boolean): void { debug = on; }
/** Whether every op output is being checked for NaN/Inf (see `setDebug`). */
export const isDebug = (): boolean => debug;

/**
 * Index of the first NaN or ±Inf in `data`, or -1 (a plain loop: no copy into kernel memory).
 *
 * @example
 * ```ts
 * import { firstNonFinite, tensor } from '@chainrule/core';
 * firstNonFinite(tensor([1, NaN, 3]).data);   // 1
 * ```
 */
export function firstNonFinite(data: TypedArray): number {
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i]!)) return i;
  return -1;
}

export function checkFinite(op: string, data: TypedArray, shape: Shape, inputShapes: readonly Shape[]): void {
  const i = firstNonFinite(data);
  if (i >= 0) {
    throw new Error(`debug: op '${op}' produced ${data[i]} at flat index ${i} of its output ${fmt(shape)} (input shapes ${inputShapes.map(fmt).join(', ') || 'none'})`);
  }
}
