/**
 * The takeRows kernel (a batch's rows cut from a data set): the reference set against the formula
 * out[i·rowLength + j] = x[rows[i]·rowLength + j], the WebAssembly sets and every native code path against
 * the reference (the same bits: a copy), the boundary's checks, and the addon's own.
 *
 * If the addon is not built, this file fails with its loading error (build it: `npx -y pnpm@12.21.0 install`).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { kernels, referenceKernels as ref, setBackend, type Kernels } from '../src/backend/index.ts';
import { loadNativeKernels, nativeLevels } from '../src/backend/native/index.ts';
import { loadAddon } from '../src/backend/native/addon.ts';
import type { TypedArray } from '../src/dtype.ts';
import { expectAgree, seededValues as values } from './kernel-agreement.ts';
import { fastSets } from './wasm-sets.ts';

type Ctor = Float32ArrayConstructor | Float64ArrayConstructor;
const DTYPES: readonly [string, Ctor][] = [['float32', Float32Array], ['float64', Float64Array]];
const exact = () => 0;

/** The rows as the formula gives them. */
function formula(x: TypedArray, rowLength: number, rows: Int32Array, C: Ctor): TypedArray {
  const out = new C(rows.length * rowLength);
  for (let i = 0; i < rows.length; i++) for (let j = 0; j < rowLength; j++) out[i * rowLength + j] = x[rows[i]! * rowLength + j]!;
  return out;
}

/** Row sets worth naming: the first and last rows, one row, none, repeats; then random ones. */
const named = (n: number): [string, Int32Array][] => [
  ['first and last', Int32Array.of(0, n - 1)],
  ['one row', Int32Array.of(n >> 1)],
  ['no rows', new Int32Array(0)],
  ['a row repeated', Int32Array.of(n - 1, 0, n - 1, n - 1)],
];
const randomRows = fc.integer({ min: 1, max: 40 }).chain((n) =>
  fc.tuple(fc.constant(n), fc.constantFrom(1, 2, 3, 7, 16, 33, 784), fc.array(fc.integer({ min: 0, max: n - 1 }), { maxLength: 70 }), fc.nat()));

describe.each(DTYPES)('takeRows %s', (_dtype, C) => {
  it('the reference set follows the formula', () => {
    for (const rowLength of [1, 5]) {
      const x = values(C, 6 * rowLength, 1);
      for (const [what, rows] of named(6)) {
        const out = new C(rows.length * rowLength).fill(NaN);
        ref.takeRows(x, rowLength, rows, out);
        expectAgree(`${what}, rowLength ${rowLength}`, out, formula(x, rowLength, rows, C), exact);
      }
    }
    fc.assert(fc.property(randomRows, ([n, rowLength, rows, seed]) => {
      const x = values(C, n * rowLength, seed), index = Int32Array.from(rows);
      const out = new C(index.length * rowLength).fill(NaN);
      ref.takeRows(x, rowLength, index, out);
      expectAgree(`${index.length} of ${n} rows of ${rowLength}`, out, formula(x, rowLength, index, C), exact);
    }), { numRuns: 100 });
  });

  const sets = [...fastSets(), ...nativeLevels().map((level) => loadNativeKernels({ level, allNative: true }))];
  describe.each(sets.map((ks) => [ks.name, ks] as const))('%s', (_name, ks: Kernels) => {
    it('agrees with the reference: named row sets, rowLength 1 and longer', () => {
      for (const rowLength of [1, 3, 784]) {
        const x = values(C, 6 * rowLength, 2);
        for (const [what, rows] of named(6)) {
          const out = new C(rows.length * rowLength).fill(NaN), want = new C(rows.length * rowLength);
          ks.takeRows(x, rowLength, rows, out);
          ref.takeRows(x, rowLength, rows, want);
          expectAgree(`${what}, rowLength ${rowLength}`, out, want, exact);
        }
      }
    });

    it('agrees with the reference on random row sets (more rows than it prefetches ahead, too)', () => {
      fc.assert(fc.property(randomRows, ([n, rowLength, rows, seed]) => {
        const x = values(C, n * rowLength, seed), index = Int32Array.from(rows);
        const out = new C(index.length * rowLength).fill(NaN), want = new C(index.length * rowLength);
        ks.takeRows(x, rowLength, index, out);
        ref.takeRows(x, rowLength, index, want);
        expectAgree(`${index.length} of ${n} rows of ${rowLength}`, out, want, exact);
      }), { numRuns: 100 });
      const x = values(C, 1000 * 16, 3), index = Int32Array.from({ length: 300 }, (_, i) => (i * 7919) % 1000);
      const out = new C(300 * 16).fill(NaN), want = new C(300 * 16);
      ks.takeRows(x, 16, index, out);
      ref.takeRows(x, 16, index, want);
      expectAgree('300 of 1000 rows of 16', out, want, exact);
    });
  });
});

describe('the boundary checks takeRows calls', () => {
  const f = (n: number) => new Float32Array(n);
  it.each([
    ['an x that is not whole rows', [f(7), 2, Int32Array.of(0), f(2)], /^kernel takeRows \(reference\): x has 7 values, not a whole number of rows of rowLength = 2$/],
    ['a rowLength that is not a count', [f(4), 1.5, Int32Array.of(0), f(2)], /^kernel takeRows \(reference\): rowLength must be a non-negative whole number, got the number 1.5$/],
    ['rows that are not an Int32Array', [f(4), 2, [0], f(2)], /^kernel takeRows \(reference\): rows must be an Int32Array, got an array/],
    ['a short out', [f(4), 2, Int32Array.of(0, 1), f(3)], /^kernel takeRows \(reference\): out has 3 values, expected 4 \(rows·rowLength = 2·2\)$/],
    ['out of another dtype', [f(4), 2, Int32Array.of(1), new Float64Array(2)], /^kernel takeRows \(reference\): out is a Float64Array, x a Float32Array$/],
    ['a rowLength of 0 with values in x', [f(4), 0, new Int32Array(0), f(0)], /^kernel takeRows \(reference\): x has 4 values, not a whole number of rows of rowLength = 0$/],
  ])('%s', (_what, args, message) => {
    const before = kernels();
    setBackend('reference');
    try {
      expect(() => (kernels().takeRows as (...a: unknown[]) => void)(...args)).toThrow(message);
    } finally {
      setBackend(before);
    }
  });
});

describe('the native addon checks takeRows calls', () => {
  const addon = loadAddon();
  it.each([
    ['a row out of range', () => addon.takeRows(new Float32Array(6), 2, Int32Array.of(0, 3), new Float32Array(4)), /^chainrule native takeRows: index 3 at 1 is outside \[0, 3\)/],
    ['a negative row', () => addon.takeRows(new Float64Array(6), 3, Int32Array.of(-1), new Float64Array(3)), /^chainrule native takeRows: index -1 at 0 is outside \[0, 2\)/],
    ['a short out', () => addon.takeRows(new Float32Array(6), 2, Int32Array.of(0, 1), new Float32Array(3)), /^chainrule native takeRows: for rowLength=2 the arrays have 6, 2 \(rows\), 3 elements/],
    ['mixed dtypes', () => addon.takeRows(new Float32Array(6), 2, Int32Array.of(0), new Float64Array(2)), /^chainrule native takeRows: argument 3 has another dtype/],
  ])('%s is a RangeError naming the kernel and sizes', (_what, call, message) => {
    expect(call).toThrow(RangeError);
    expect(call).toThrow(message);
  });
});
