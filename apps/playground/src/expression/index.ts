/**
 * Typed expressions as chainrule graphs: `parseExpression('tanh(a*b + sin(a))')` parses the text with
 * mathjs's parser (parse only: no user text is ever evaluated or compiled by mathjs), checks it against the
 * operators and EXPRESSION_FUNCTIONS this module maps, and returns the variables it needs and a `build`
 * that computes it with chainrule ops, so `grad` works on the result. Every refusal is an ExpressionError.
 *
 * ```ts
 * const parsed = parseExpression('tanh(a*b + sin(a))');   // parsed.variables: ['a', 'b']
 * const xs = parsed.inputs({ a: 0.5, b: -1.2 });           // scalar leaves named 'a' and 'b'
 * const y = parsed.build(xs);
 * const { a: da, b: db } = grad(y, xs);
 * ```
 */
import { create, parseDependencies } from 'mathjs/number';
import { tensor, type DType, type Tensor } from '@chainrule/core';
import { buildTree } from './build.ts';
import { ExpressionError, caretAt } from './errors.ts';
import { countNodes, toTree, variablesOf, type ExprTree } from './tree.ts';

export { ExpressionError, caretAt, type ExpressionErrorKind, type ExpressionErrorDetails } from './errors.ts';
export { EXPRESSION_FUNCTIONS, EXPRESSION_CONSTANTS, FUNCTION_NAMES, RESERVED_NAMES, type ExpressionFunction } from './functions.ts';
export type { ExprTree, BinaryOp } from './tree.ts';

/** The most nodes (numbers, variable uses, operators, calls) an expression may have: its graph must stay drawable. */
export const MAX_EXPRESSION_NODES = 200;
/** The most characters of text parsed (mathjs's parser recurses per parenthesis). */
export const MAX_EXPRESSION_CHARS = 1000;

/** A parsed, checked expression: what it needs and how to build its graph. */
export interface ParsedExpression {
  /** The text as typed. */
  readonly text: string;
  /** The variable names it uses, each once, in alphabetical order (stable while the user edits, so sliders keep their places). */
  readonly variables: readonly string[];
  /** The checked tree (parentheses dropped, −literal folded into one number). */
  readonly tree: ExprTree;
  /** Its number of nodes, at most MAX_EXPRESSION_NODES. */
  readonly nodeCount: number;
  /**
   * Computes the expression with chainrule ops on `values` (a Tensor for each variable, used as given:
   * take gradients with respect to these same tensors). Tensors broadcast, so a variable may be a small
   * tensor; numbers become scalars in the first variable's dtype (`dtype` when there is none).
   * @throws ExpressionError ('missing-variable' or 'bad-value') naming the variable; core's Error when shapes do not broadcast.
   */
  build(values: Readonly<Record<string, Tensor>>, dtype?: DType): Tensor;
  /**
   * A leaf tensor for each variable, named after it (graph drawings label it): a number gives a scalar,
   * a list a [n] tensor. Pass the result to `build` and to `grad`.
   * @throws ExpressionError ('missing-variable' or 'bad-value') naming the variable.
   */
  inputs(values: Readonly<Record<string, number | readonly number[]>>, dtype?: DType): Record<string, Tensor>;
}

let mathjsParse: ReturnType<typeof create>['parse'] | undefined;
/** mathjs's parser alone, on plain numbers (its 'mathjs/number' build): ~44 kB gzipped, a fifth of all of mathjs. */
const parser = () => (mathjsParse ??= create({ parseDependencies }).parse);

/** mathjs reports a syntax error's position as "(char N)", N counted from 1; the 0-based index is N − 1. */
function syntaxError(text: string, e: unknown): ExpressionError {
  const message = e instanceof Error ? e.message : String(e);
  const char = (e as { char?: unknown }).char;
  const reason = message.replace(/\s*\(char \d+\)$/, '');
  const lower = reason.charAt(0).toLowerCase() + reason.slice(1);
  if (typeof char !== 'number') return new ExpressionError('syntax', `cannot parse the expression: ${lower}`);
  const index = Math.max(0, Math.min(text.length, char - 1));
  const caret = caretAt(text, index);
  return new ExpressionError('syntax', `cannot parse the expression: ${lower} at index ${index}\n${caret}`, { index, caret });
}

/**
 * Parses and checks a typed expression.
 *
 * Syntax: numbers (2, 2.5e-1), the constants pi and e, variables (any other identifier), + - * / ^,
 * unary - and +, parentheses, and calls of the functions in EXPRESSION_FUNCTIONS. `-a^2` is −(a²), as in
 * mathjs. Implicit multiplication (`2a`) is refused, so every multiplication the graph shows was typed.
 * @throws ExpressionError: 'syntax' (with `index` and a `caret` line), 'empty', 'too-long', 'too-large'
 * (with `count`), 'unknown-function' (with `validNames`), 'arity', 'reserved-name' or 'unsupported'
 * (assignment, matrices, ranges, strings, conditionals, function definitions, property access, other operators).
 */
export function parseExpression(text: string): ParsedExpression {
  if (typeof text !== 'string') throw new ExpressionError('bad-value', `the expression must be a string, got ${typeof text}`);
  if (text.length > MAX_EXPRESSION_CHARS) {
    throw new ExpressionError('too-long', `the expression has ${text.length} characters; at most ${MAX_EXPRESSION_CHARS} are parsed`, { count: text.length });
  }
  if (text.trim() === '') throw new ExpressionError('empty', 'the expression is empty: type one, such as tanh(a*b + sin(a))');
  let node;
  try {
    node = parser()(text);
  } catch (e) {
    throw syntaxError(text, e);
  }
  // Only a comment (# …) parses to an undefined constant.
  if (node.type === 'ConstantNode' && (node as { value?: unknown }).value === undefined) {
    throw new ExpressionError('empty', 'the expression is empty (only a comment): type one, such as tanh(a*b + sin(a))');
  }
  const tree = toTree(node);
  const nodeCount = countNodes(tree);
  if (nodeCount > MAX_EXPRESSION_NODES) {
    throw new ExpressionError('too-large', `the expression has ${nodeCount} nodes; at most ${MAX_EXPRESSION_NODES} make a graph that can still be drawn`, { count: nodeCount });
  }
  const variables = Object.freeze(variablesOf(tree));
  return {
    text, variables, tree, nodeCount,
    build: (values, dtype) => buildTree(tree, variables, values, dtype),
    inputs: (values, dtype = 'float32') => namedInputs(variables, values, dtype),
  };
}

function namedInputs(variables: readonly string[], values: Readonly<Record<string, number | readonly number[]>>, dtype: DType): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const name of variables) {
    if (!Object.hasOwn(values, name)) {
      throw new ExpressionError('missing-variable', `no value for the variable '${name}' (needed: ${variables.join(', ')})`, { culprit: name });
    }
    const v: unknown = values[name];
    const ok = typeof v === 'number' || (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'number'));
    if (!ok) throw new ExpressionError('bad-value', `the value of '${name}' must be a number or a non-empty list of numbers, got ${JSON.stringify(v) ?? typeof v}`, { culprit: name });
    out[name] = typeof v === 'number' ? tensor([v], { shape: [], dtype, name }) : tensor(v as number[], { dtype, name });
  }
  return out;
}
