/**
 * The argument checks the dataset generators share: options objects, whole numbers and sizes, each
 * named in the user's words (a string '10' is called a string, not shown as 10), and sizes checked
 * before anything is allocated.
 */
import { Rng } from '@chainrule/core';

/** A value as a message should show it: a string is quoted and called a string. */
export function shown(value: unknown): string {
  if (typeof value === 'string') return `the string '${value}'`;
  if (typeof value !== 'object' || value === null) return String(value);
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  const name = (value as object).constructor?.name;
  return name && name !== 'Object' ? `${/^[AEIOU]/.test(name) ? 'an' : 'a'} ${name}` : 'an object';
}

/** `options` is undefined or a plain object: spiral(100) must not quietly mean spiral(). */
export function checkOptions(where: string, options: unknown, example: string): void {
  if (options !== undefined && (options === null || typeof options !== 'object' || Array.isArray(options))) {
    throw new Error(`${where}: options must be an object such as ${example}, got ${shown(options)}`);
  }
}

export function wholeNumber(where: string, what: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) throw new Error(`${where}: ${what} must be a whole number ≥ ${min}, got ${shown(value)}`);
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
