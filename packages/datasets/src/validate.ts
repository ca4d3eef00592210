/**
 * The argument checks the dataset generators share: options objects, whole numbers and sizes, each
 * named in the user's words by core's describeValue (a string '10' is called a string, not shown as 10),
 * and sizes checked before anything is allocated.
 */
import { describeValue, Rng } from '@chainrule/core';

/** `options` is undefined or a plain object: spiral(100) must not quietly mean spiral(). */
export function checkOptions(where: string, options: unknown, example: string): void {
  if (options !== undefined && (options === null || typeof options !== 'object' || Array.isArray(options))) {
    throw new Error(`${where}: options must be an object such as ${example}, got ${describeValue(options)}`);
  }
}

export function wholeNumber(where: string, what: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) throw new Error(`${where}: ${what} must be a whole number ≥ ${min}, got ${describeValue(value)}`);
  return value;
}

/** The most bytes one generated array may take; a larger typed array fails deep inside, or exhausts memory. */
export const MAX_ARRAY_BYTES = 2 ** 31;

/** Checked before allocating `count` values of `bytesPer` bytes: names what and its size in bytes. */
export function checkSize(where: string, what: string, count: number, bytesPer: number): void {
  const bytes = count * bytesPer;
  if (bytes > MAX_ARRAY_BYTES) {
    throw new Error(`${where}: ${what} would need ${bytes} bytes (${(bytes / 2 ** 30).toFixed(1)} GiB); one array may take at most ${MAX_ARRAY_BYTES} bytes (2 GiB)`);
  }
}

/** The stream for a seed; core's Rng checks the seed, and its message is prefixed with the function the user called. */
export function seeded(where: string, seed: unknown): Rng {
  try {
    return new Rng(seed as number);
  } catch (e) {
    throw new Error(`${where}: ${(e as Error).message}`);
  }
}
