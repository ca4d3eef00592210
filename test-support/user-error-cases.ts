/**
 * The shape of a bad-input catalogue: each case is a call and the message it must give. The call
 * must throw a plain Error (never a TypeError or RangeError from inside) whose message matches.
 */
import { expect, it } from 'vitest';

export type UserErrorCase = readonly [name: string, call: () => unknown, message: RegExp];

export function userErrorCases(list: readonly UserErrorCase[]): void {
  it.each(list)('%s', (_name, call, message) => {
    let error: unknown;
    try { call(); } catch (e) { error = e; }
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(TypeError);
    expect(error).not.toBeInstanceOf(RangeError);
    expect((error as Error).message).toMatch(message);
  });
}
