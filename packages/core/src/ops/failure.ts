/**
 * The last line of the engine's boundary: an op's forward or VJP that throws a TypeError or RangeError
 * (reading a missing attribute, a typed array it cannot make) is reported as an Error naming the op and
 * its input shapes, with the original as `cause`. Errors the op threw on purpose pass through unchanged.
 * A try/catch costs nothing until something throws, so this stays off the hot path.
 */
export function inUserWords(e: unknown, context: () => string): unknown {
  if (e instanceof Error && e.constructor === Error) return e;
  const message = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return new Error(`${context()} (${message})`, { cause: e });
}
