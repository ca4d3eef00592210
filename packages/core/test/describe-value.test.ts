/** describeValue, the one helper every package uses to name a value in an error message. */
import { List, OrderedMap } from 'immutable';
import { describe, expect, it } from 'vitest';
import { describeValue } from '@chainrule/core';

describe('describeValue', () => {
  it('calls a string a string, so "2" is not mistaken for 2', () => {
    expect(describeValue('2')).toBe('the string "2"');
    expect(describeValue(2)).toBe('the number 2');
    expect(describeValue(NaN)).toBe('the number NaN');
    expect(describeValue(3n)).toBe('the bigint 3n');
    expect(describeValue(true)).toBe('true');
  });

  it('cuts long strings to 40 characters', () => {
    expect(describeValue('a'.repeat(41))).toBe(`the string "${'a'.repeat(40)}…"`);
    expect(describeValue('a'.repeat(40))).toBe(`the string "${'a'.repeat(40)}"`);
  });

  it('gives an array its length and names Immutable collections', () => {
    expect(describeValue([1, 2, 3])).toBe('an array of length 3');
    expect(describeValue(List([1]))).toBe('an Immutable List');
    expect(describeValue(OrderedMap())).toBe('an Immutable OrderedMap');
  });

  it('names other objects by their class, with the right article', () => {
    expect(describeValue(new Int32Array(1))).toBe('an Int32Array');
    expect(describeValue(new Uint8Array(1))).toBe('a Uint8Array');
    expect(describeValue(Promise.resolve())).toBe('a Promise');
    expect(describeValue({})).toBe('an object');
    expect(describeValue(Object.create(null))).toBe('an object');
    expect(describeValue(null)).toBe('null');
    expect(describeValue(undefined)).toBe('undefined');
    expect(describeValue(() => 1)).toBe('a function');
  });
});
