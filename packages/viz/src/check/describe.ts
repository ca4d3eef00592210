/** The option checks viz's entry points share; values are described with @chainrule/core's describeValue. */

/** A plain object such as `{ a: 1 }` (not an array, a Map, a class instance or null). */
export function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (typeof x !== 'object' || x === null) return false;
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

/** Refuses keys the options type does not have: a misspelt option would otherwise do nothing. */
export function checkKnownKeys(where: string, what: string, o: object, known: readonly string[]): void {
  for (const key of Object.keys(o)) {
    if (!known.includes(key)) throw new Error(`${where}: unknown ${what} '${key}'; the ${what}s are ${known.join(', ')}`);
  }
}
