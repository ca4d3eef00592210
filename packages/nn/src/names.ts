import { describeValue } from '@chainrule/core';

/** Looking up things by name, with an error that lists the valid names (typos are the usual cause). */
export function lookup<T>(what: string, table: Readonly<Record<string, T>>, name: unknown, plural = `${what}s`): T {
  if (typeof name === 'string' && Object.prototype.hasOwnProperty.call(table, name)) return table[name]!;
  throw new Error(`unknown ${what} ${JSON.stringify(name)}; valid ${plural}: ${Object.keys(table).map((k) => `'${k}'`).join(', ')}`);
}

/** A number that must be a finite non-negative value (learning rates, decay factors, thresholds). */
export function nonNegative(where: string, what: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new Error(`${where}: ${what} must be a finite number ≥ 0, got ${describeValue(value)}`);
  }
  return value;
}

/** A number in [0, 1): momentum and decay factors such as Adam's beta1. */
export function unitInterval(where: string, what: string, value: unknown): number {
  if (typeof value !== 'number' || !(value >= 0 && value < 1)) throw new Error(`${where}: ${what} must be in [0, 1), got ${describeValue(value)}`);
  return value;
}

/** A finite number > 0 (epsilons, clipping bounds). */
export function positive(where: string, what: string, value: unknown): number {
  if (typeof value !== 'number' || !(value > 0) || value === Infinity) throw new Error(`${where}: ${what} must be a finite number > 0, got ${describeValue(value)}`);
  return value;
}

export function positiveInt(where: string, what: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new Error(`${where}: ${what} must be a positive integer, got ${describeValue(value)}`);
  }
  return value;
}
