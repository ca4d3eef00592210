/**
 * Every registered op, fed malformed input through its `run` (wrong shapes and counts of inputs,
 * non-tensors, axes out of range or fractional, indices past the end, attributes of the wrong type or
 * missing), either computes a tensor or throws a plain Error naming what is wrong: never a TypeError or
 * RangeError from inside, never a hang. Sizes in the attributes stay small or far beyond what a typed
 * array holds, so nothing here allocates gigabytes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { registeredOps, Tensor } from '@chainrule/core';
import './fixtures/user-ops.ts';
import { propertySeed } from './helpers.ts';

const seed = propertySeed('malformed op input');
const runs = Number(process.env.CHAINRULE_RUNS ?? 150);

const dim = fc.oneof(fc.integer({ min: 0, max: 4 }), fc.constantFrom(1, 2, 3));
const shape = fc.array(dim, { maxLength: 4 });
const tensorArb = fc.tuple(shape, fc.boolean()).map(([s, f64]) => {
  const n = s.reduce((a, b) => a * b, 1);
  const data = f64 ? new Float64Array(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = ((i * 7) % 5) - 2;
  return new Tensor(data, s);
});
/** What a user might pass where a tensor belongs. */
const notTensor = fc.constantFrom<unknown>([1, 2], 3, 'x', null, undefined, Float32Array.of(1, 2), { shape: [2] });
const input = fc.oneof({ weight: 6, arbitrary: tensorArb }, { weight: 1, arbitrary: notTensor });

/** Malformed values for any attribute: bad numbers, strings, lists with bad entries, wrong kinds of arrays. */
const badNumber = fc.constantFrom(-1, -5, 1.5, 7, NaN, Infinity, -Infinity, 1e12, 2 ** 53, 0);
const attrValue = fc.oneof(
  badNumber,
  fc.integer({ min: -3, max: 5 }),
  fc.constantFrom<unknown>('1', '', true, false, null, undefined, {}, 'float16'),
  fc.array(fc.oneof(badNumber, fc.integer({ min: -2, max: 5 })), { maxLength: 5 }),
  fc.array(fc.constantFrom<unknown>('2', null, 1), { maxLength: 3 }),
  fc.array(fc.integer({ min: -3, max: 8 }), { maxLength: 12 }).map((xs) => Int32Array.from(xs)),
  fc.array(fc.integer({ min: -3, max: 8 }), { maxLength: 12 }).map((xs) => Float32Array.from(xs)),
);
const KEYS = ['axis', 'axes', 'keepDims', 'shape', 'perm', 'begin', 'size', 'before', 'after', 'indices', 'indicesShape',
  'labels', 'alpha', 'min', 'max', 'dtype', 'transA', 'transB'];
const attrs = fc.oneof(
  { weight: 1, arbitrary: fc.constantFrom<unknown>(undefined, null, {}, 3, 'axis') },
  { weight: 6, arbitrary: fc.dictionary(fc.constantFrom(...KEYS), attrValue, { maxKeys: 5 }) },
);

const ops = registeredOps();

describe('every registered op, given malformed input, returns a tensor or throws a plain Error', () => {
  it.each(ops.map((op) => [op.name, op] as const))('%s', (_, op) => {
    fc.assert(fc.property(fc.array(input, { maxLength: 4 }), attrs, (inputs, a) => {
      let result: unknown;
      try {
        result = op.run(inputs as Tensor[], a as never);
      } catch (e) {
        if (!(e instanceof Error) || e.constructor !== Error) {
          throw new Error(`${op.name} threw ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`);
        }
        expect((e as Error).message.length).toBeGreaterThan(0);
        return;
      }
      expect(result).toBeInstanceOf(Tensor);
    }), { seed, numRuns: runs });
  });
});
