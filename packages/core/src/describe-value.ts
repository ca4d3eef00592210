/** Strings longer than this are cut (with '…') when described, so a whole file read by mistake does not fill the message. */
const MAX_STRING = 40;

/**
 * How a value reads in an error message, in the user's words, so that '2' is not mistaken for 2:
 * 'the string "2"' (cut to 40 characters with '…'), 'the number 2', 'true', 'the bigint 2n',
 * 'an array of length 3', 'an Immutable List', 'a Float32Array', 'a Promise', 'an object',
 * 'a function', 'a symbol', 'null' and 'undefined'.
 *
 * @example
 * ```ts
 * import { describeValue } from '@chainrule/core';
 * throw new Error(`myLayer: units must be a number, got ${describeValue('64')}`);   // … got the string "64"
 * ```
 */
export function describeValue(x: unknown): string {
  if (x === null) return 'null';
  if (x === undefined) return 'undefined';
  if (Array.isArray(x)) return `an array of length ${x.length}`;
  switch (typeof x) {
    case 'string': return `the string ${JSON.stringify(truncate(x))}`;
    case 'number': return `the number ${x}`;
    case 'boolean': return `${x}`;
    case 'bigint': return `the bigint ${x}n`;
    case 'function': return 'a function';
    case 'symbol': return 'a symbol';
    default: break;
  }
  const name = (x as { constructor?: { name?: unknown } }).constructor?.name;
  const named = typeof name === 'string' && name !== '' ? name : undefined;
  // Immutable.js collections mark themselves; name them as such ('an Immutable List', 'an Immutable Map').
  if ((x as { '@@__IMMUTABLE_ITERABLE__@@'?: unknown })['@@__IMMUTABLE_ITERABLE__@@']) return `an Immutable ${named ?? 'collection'}`;
  if (named === undefined || named === 'Object') return 'an object';
  return `${article(named)} ${named}`;
}

function truncate(s: string): string {
  if (s.length <= MAX_STRING) return s;
  // Do not cut a surrogate pair in half (it would print as an escape such as \ud83d).
  const end = /[\uD800-\uDBFF]/.test(s[MAX_STRING - 1]!) ? MAX_STRING - 1 : MAX_STRING;
  return `${s.slice(0, end)}…`;
}

/** 'an' before a vowel sound: an Int32Array, an Error, but a Uint8Array and a URL. */
function article(name: string): string {
  return /^[AEIOU]/.test(name) && !/^(Uint|URL|URI)/.test(name) ? 'an' : 'a';
}
