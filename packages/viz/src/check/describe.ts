/**
 * How a value reads in an error message, in the user's words: 'an array', 'the string "2"',
 * 'an Immutable List', 'a Promise'. (Core has its own copy; it is not part of core's public API.)
 */
export function describe(x: unknown): string {
  if (x === null) return 'null';
  if (x === undefined) return 'undefined';
  if (Array.isArray(x)) return 'an array';
  switch (typeof x) {
    case 'string': return `the string ${JSON.stringify(x.length > 40 ? `${x.slice(0, 40)}…` : x)}`;
    case 'number': return `the number ${x}`;
    case 'boolean': return `${x}`;
    case 'bigint': return `the bigint ${x}n`;
    case 'function': return 'a function';
    case 'symbol': return 'a symbol';
    default: break;
  }
  // Immutable.js collections name themselves; their constructors are minified or generic.
  const immutable = (x as { '@@__IMMUTABLE_ITERABLE__@@'?: unknown })['@@__IMMUTABLE_ITERABLE__@@'];
  const name = (x as { constructor?: { name?: string } }).constructor?.name;
  if (immutable) return `an Immutable ${name || 'collection'}`;
  if (!name || name === 'Object') return 'an object';
  return /^[AEIOU]/.test(name) ? `an ${name}` : `a ${name}`;
}

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
