/** How a value reads in an error message, in the user's words: 'an array', 'the string "2"', 'undefined'. */
export function describeValue(x: unknown): string {
  if (x === null) return 'null';
  if (x === undefined) return 'undefined';
  if (Array.isArray(x)) return 'an array';
  switch (typeof x) {
    case 'string': return `the string ${JSON.stringify(x)}`;
    case 'number': return `the number ${x}`;
    case 'boolean': return `${x}`;
    case 'bigint': return `the bigint ${x}n`;
    case 'function': return 'a function';
    case 'symbol': return 'a symbol';
    default: break;
  }
  const name = (x as { constructor?: { name?: string } }).constructor?.name;
  if (!name || name === 'Object') return 'an object';
  return /^[AEIOU]/.test(name) ? `an ${name}` : `a ${name}`;
}
