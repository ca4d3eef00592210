/**
 * Every public function of the family tables as a Tensor method too (x.add(y).relu().sum()), installed
 * on the prototype from the tables (ops/builtins.ts): nothing here lists them. Their types are declared
 * in each family file, beside its table, and checked against it.
 */
import { publicRows } from './ops/builtins.ts';
import { Tensor } from './tensor.ts';

type Method = (this: Tensor, ...args: unknown[]) => unknown;

/** The method for a row: the tensor is the function's first argument, or the head of its list (concat, stack). */
function methodOf(fn: (...args: any[]) => unknown, style: 'self' | 'list'): Method {
  if (style === 'list') return function (this: Tensor, others: unknown, ...rest: unknown[]) {
    return fn([this, ...(others as readonly Tensor[])], ...rest);
  };
  return function (this: Tensor, ...args: unknown[]) { return fn(this, ...args); };
}

const methods: Record<string, Method> = {};
for (const [name, { fn, method }] of Object.entries(publicRows)) {
  if (fn !== undefined && method !== 'none') methods[name] = methodOf(fn, method);
}

Object.assign(Tensor.prototype, methods);
