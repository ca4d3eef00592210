/**
 * One table cell's text for any settings or metrics value. Reports are written at the end of long
 * runs, so this never throws: a missing value is a dash, and anything JSON cannot say still gets text.
 */
export const MISSING = '—';

const number = (v: number): string =>
  Number.isInteger(v) || !Number.isFinite(v) ? String(v) : String(Number(v.toPrecision(6)));

/** JSON, except that what JSON cannot encode (bigint, functions, cycles) becomes text instead of an error. */
function json(v: object): string {
  const seen = new WeakSet<object>();
  try {
    const text = JSON.stringify(v, (_, x: unknown) => {
      if (typeof x === 'bigint') return x.toString();
      if (typeof x === 'function') return `[function ${x.name || 'anonymous'}]`;
      if (typeof x === 'symbol') return x.toString();
      if (typeof x === 'object' && x !== null) {
        if (seen.has(x)) return '[circular]';
        seen.add(x);
      }
      return x;
    });
    return text ?? String(v);
  } catch {
    return String(v);
  }
}

export function formatValue(v: unknown): string {
  if (v === undefined || v === null) return MISSING;
  switch (typeof v) {
    case 'string': return v;
    case 'number': return number(v);
    case 'boolean': case 'bigint': case 'symbol': return v.toString();
    case 'function': return `[function ${v.name || 'anonymous'}]`;
    default: return v instanceof Date ? v.toISOString() : json(v);
  }
}
