/**
 * The family tables are the one list of built-in ops and public functions: each key is its op's name,
 * every registered built-in is in exactly one table, and every row's function is exported by the
 * package and (unless the row says 'none') is a Tensor method that calls it.
 */
import { describe, expect, it } from 'vitest';
import * as core from '@chainrule/core';
import { builtinOps, registeredOps, Tensor, tensor } from '@chainrule/core';
import { compositeTables, opTables } from '../src/ops/builtins.ts';
import type { CompositeRow, OpRow } from '../src/ops/table.ts';

const opRows = opTables.flatMap((table) => Object.entries(table) as [string, OpRow][]);
const compositeRows = compositeTables.flatMap((table) => Object.entries(table) as [string, CompositeRow][]);
const publicRows = [...opRows, ...compositeRows];
const exported = core as unknown as Record<string, unknown>;
const prototype = Tensor.prototype as unknown as Record<string, unknown>;

describe('op tables', () => {
  it('key every op by its own name', () => {
    const mismatched = opRows.filter(([key, row]) => row.op.name !== key).map(([key, row]) => `${key}: ${row.op.name}`);
    expect(mismatched).toEqual([]);
  });

  it('list every registered built-in exactly once (this file defines no op of its own)', () => {
    const listed = opRows.map(([, row]) => row.op);
    for (const op of registeredOps()) expect(listed.filter((o) => o === op), op.name).toHaveLength(1);
    expect(listed).toHaveLength(registeredOps().length);
  });

  it('give no name to two rows', () => {
    const names = publicRows.map(([key]) => key);
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
  });

  it('are what builtinOps lists, in table order', () => {
    expect(Object.entries(builtinOps)).toEqual(opRows.map(([key, row]) => [key, row.op]));
  });

  it('are all gathered by ops/builtins.ts: every table the package exports is one of them', () => {
    const tables = Object.entries(exported).filter(([name, value]) => /(Ops|Composites)$/.test(name) && typeof value === 'object' && name !== 'builtinOps');
    expect(tables.length).toBeGreaterThan(0);
    const gathered = new Set<unknown>([...opTables, ...compositeTables]);
    expect(tables.filter(([, table]) => !gathered.has(table)).map(([name]) => name)).toEqual([]);
    expect(tables).toHaveLength(gathered.size);
  });
});

describe('public functions of the tables', () => {
  it('are exported by @chainrule/core under their row names', () => {
    const missing = publicRows.filter(([key, row]) => row.fn !== undefined && exported[key] !== row.fn).map(([key]) => key);
    expect(missing).toEqual([]);
  });

  it("are Tensor methods unless the row says 'none', and only then", () => {
    const methodless = publicRows.filter(([key, row]) => (row.fn !== undefined && row.method !== 'none') !== (typeof prototype[key] === 'function'));
    expect(methodless.map(([key, row]) => `${key} (${row.method})`)).toEqual([]);
  });

  it('leave ops without a public function (scatterAdd) out of the exports', () => {
    const internal = opRows.filter(([, row]) => row.fn === undefined).map(([key]) => key);
    expect(internal).toEqual(['scatterAdd', 'conv2dInputGrad', 'conv2dWeightGrad', 'avgPool2dBackward']);
    expect(exported.scatterAdd).toBeUndefined();
  });

  it("make methods that call them: 'self' with the tensor first, 'list' with it heading the list", () => {
    const x = tensor([[1, -2], [3, 4]]);
    const y = tensor([[5, 6], [7, -8]]);
    expect(x.add(y).toArray()).toEqual(core.add(x, y).toArray());
    expect(x.clip(-1, 2).toArray()).toEqual(core.clip(x, -1, 2).toArray());
    expect(x.sum(1, true).toArray()).toEqual(core.sum(x, 1, true).toArray());
    expect(x.mean().item()).toBe(core.mean(x).item());
    expect(x.concat([y], 1).toArray()).toEqual(core.concat([x, y], 1).toArray());
    expect(x.stack([y]).toArray()).toEqual(core.stack([x, y]).toArray());
    expect(tensor([0, 2]).oneHot(3).toArray()).toEqual([[1, 0, 0], [0, 0, 1]]);
  });
});
