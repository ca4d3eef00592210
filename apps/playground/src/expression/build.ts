/**
 * An ExprTree turned into chainrule ops on given tensors: the recorded graph whose gradients the page
 * draws and steps through. Each use of a variable is the same tensor (so the graph fans out from it);
 * each number is a fresh scalar leaf in the variables' dtype, as core lifts a number in `mul(a, 3)`.
 */
import { Tensor, add, div, full, mul, neg, pow, sub, type DType } from '@chainrule/core';
import { ExpressionError } from './errors.ts';
import { EXPRESSION_FUNCTIONS } from './functions.ts';
import type { BinaryOp, ExprTree } from './tree.ts';

const BINARY_OPS: Readonly<Record<BinaryOp, (a: Tensor, b: Tensor) => Tensor>> = { add, sub, mul, div, pow };

/** Checks that `values` holds a Tensor for each variable; returns them in `variables`' order. */
function variableTensors(variables: readonly string[], values: Readonly<Record<string, Tensor>>): Map<string, Tensor> {
  const given = Object.keys(values);
  const tensors = new Map<string, Tensor>();
  for (const name of variables) {
    if (!Object.hasOwn(values, name)) {
      throw new ExpressionError('missing-variable', `no value for the variable '${name}' (given: ${given.length ? given.join(', ') : 'none'}; needed: ${variables.join(', ')})`, { culprit: name });
    }
    const value: unknown = values[name];
    if (!(value instanceof Tensor)) throw new ExpressionError('bad-value', `the value of '${name}' must be a Tensor, got ${typeof value}`, { culprit: name });
    tensors.set(name, value);
  }
  return tensors;
}

/** The tree's value computed with chainrule ops, recording the graph; numbers take the first variable's dtype (else `dtype`). */
export function buildTree(tree: ExprTree, variables: readonly string[], values: Readonly<Record<string, Tensor>>, dtype: DType = 'float32'): Tensor {
  const tensors = variableTensors(variables, values);
  const numberDType = tensors.values().next().value?.dtype ?? dtype;
  const visit = (t: ExprTree): Tensor => {
    switch (t.kind) {
      case 'number': return full([], t.value, { dtype: numberDType });
      case 'variable': return tensors.get(t.name)!;
      case 'neg': return neg(visit(t.arg));
      case 'binary': return BINARY_OPS[t.op](visit(t.left), visit(t.right));
      case 'call': return EXPRESSION_FUNCTIONS[t.name]!.build(...t.args.map(visit));
    }
  };
  return visit(tree);
}
