/**
 * The expression tree this module keeps: mathjs's AST checked and narrowed to what maps onto chainrule ops
 * (numbers, variables, + − × ÷ ^, unary minus and the calls of EXPRESSION_FUNCTIONS). Everything mathjs
 * parses beyond that is refused here, naming the construct, before any tensor is made.
 */
import type { ConstantNode, FunctionNode, MathNode, OperatorNode, ParenthesisNode, SymbolNode } from 'mathjs';
import { ExpressionError } from './errors.ts';
import { EXPRESSION_CONSTANTS, EXPRESSION_FUNCTIONS, FUNCTION_NAMES, RESERVED_NAMES, isConstantName, isFunctionName } from './functions.ts';

/** The binary operators, by the chainrule op each becomes. */
export type BinaryOp = 'add' | 'sub' | 'mul' | 'div' | 'pow';

/** A checked expression: every call names a known function with the right number of arguments. */
export type ExprTree =
  | { readonly kind: 'number'; readonly value: number; readonly text: string }
  | { readonly kind: 'variable'; readonly name: string }
  | { readonly kind: 'neg'; readonly arg: ExprTree }
  | { readonly kind: 'binary'; readonly op: BinaryOp; readonly left: ExprTree; readonly right: ExprTree }
  | { readonly kind: 'call'; readonly name: string; readonly args: readonly ExprTree[] };

/** mathjs's operator functions this module accepts, and the op each becomes. */
const BINARY: Readonly<Record<string, BinaryOp>> = { add: 'add', subtract: 'sub', multiply: 'mul', divide: 'div', pow: 'pow' };

/** What each refused mathjs node type is, in the words of an error message. */
const CONSTRUCTS: Readonly<Record<string, string>> = {
  AccessorNode: 'property or index access (a.b, a[1])',
  ArrayNode: 'a matrix or array literal ([1, 2])',
  AssignmentNode: 'assignment (x = …)',
  BlockNode: 'more than one expression (separated by ; or a line break)',
  ConditionalNode: 'a conditional (c ? a : b)',
  FunctionAssignmentNode: 'a function definition (f(x) = …)',
  IndexNode: 'indexing',
  ObjectNode: 'an object literal ({a: 1})',
  RangeNode: 'a range (1:3)',
  RelationalNode: 'a chained comparison (a < b < c)',
};

const OPERATORS_HELP = 'the operators + - * / ^ and unary -';

/** "<what> is not supported[: hint]", then what an expression may contain. */
const unsupported = (what: string, culprit: string, hint = ''): ExpressionError =>
  new ExpressionError('unsupported', `${what} is not supported${hint && `: ${hint}`}; an expression may use numbers, variables, ${OPERATORS_HELP}, parentheses and the functions ${FUNCTION_NAMES.join(', ')}`, { culprit });

/** Narrows mathjs's AST to an ExprTree, refusing (with an ExpressionError) whatever does not map to chainrule ops. */
export function toTree(node: MathNode): ExprTree {
  switch (node.type) {
    case 'ParenthesisNode': return toTree((node as ParenthesisNode).content);
    case 'ConstantNode': return constant(node as ConstantNode<number>);
    case 'SymbolNode': return symbol((node as SymbolNode).name);
    case 'OperatorNode': return operator(node as OperatorNode<never, never>);
    case 'FunctionNode': return call(node as FunctionNode<MathNode>);
    default: throw unsupported(CONSTRUCTS[node.type] ?? `${node.type} (${node.toString()})`, node.type);
  }
}

function constant(node: ConstantNode<number>): ExprTree {
  const value: unknown = node.value;
  if (typeof value === 'string') throw unsupported(`a string (${JSON.stringify(value)})`, 'string');
  if (typeof value !== 'number') throw unsupported(`the constant ${String(value)}`, String(value));
  if (!Number.isFinite(value)) throw unsupported(`the non-finite number ${node.toString()} (a literal too large for a float, or Infinity or NaN)`, node.toString());
  return { kind: 'number', value, text: node.toString() };
}

function symbol(name: string): ExprTree {
  if (isConstantName(name)) return { kind: 'number', value: EXPRESSION_CONSTANTS[name]!, text: name };
  if (isFunctionName(name)) {
    throw new ExpressionError('reserved-name', `'${name}' is a function, not a variable: call it as ${name}(…), or name the variable otherwise (reserved: ${RESERVED_NAMES.join(', ')})`, { culprit: name, validNames: RESERVED_NAMES });
  }
  return { kind: 'variable', name };
}

function operator(node: OperatorNode<never, never>): ExprTree {
  const args = node.args;
  if (node.implicit) {
    throw unsupported(`implicit multiplication (${node.toString()})`, node.toString(), `write ${args.map((a) => a.toString()).join(' * ')}`);
  }
  if (args.length === 1 && node.fn === 'unaryPlus') return toTree(args[0]!);
  if (args.length === 1 && node.fn === 'unaryMinus') {
    const arg = toTree(args[0]!);
    // −2.5 written as a literal is one constant, not neg(2.5): the graph shows the number the user typed.
    return arg.kind === 'number' && args[0]!.type === 'ConstantNode' ? { kind: 'number', value: -arg.value, text: `-${arg.text}` } : { kind: 'neg', arg };
  }
  const op = Object.hasOwn(BINARY, node.fn) ? BINARY[node.fn] : undefined;
  if (args.length === 2 && op) return { kind: 'binary', op, left: toTree(args[0]!), right: toTree(args[1]!) };
  throw unsupported(`the operator '${node.op}' (${node.fn})`, node.op);
}

function call(node: FunctionNode<MathNode>): ExprTree {
  if (node.fn.type !== 'SymbolNode') throw unsupported(`calling ${node.fn.toString()} (a method or a computed function)`, node.fn.toString());
  const name = (node.fn as unknown as SymbolNode).name;
  const fn = isFunctionName(name) ? EXPRESSION_FUNCTIONS[name]! : undefined;
  if (!fn) {
    throw new ExpressionError('unknown-function', `unknown function '${name}'; the functions are ${FUNCTION_NAMES.join(', ')}`, { culprit: name, validNames: FUNCTION_NAMES });
  }
  if (node.args.length !== fn.arity) {
    const plural = (n: number) => `${n} argument${n === 1 ? '' : 's'}`;
    throw new ExpressionError('arity', `${name} takes ${plural(fn.arity)} (${name}: ${fn.about}), got ${plural(node.args.length)} in ${node.toString()}`, { culprit: name });
  }
  return { kind: 'call', name, args: node.args.map(toTree) };
}

/** The number of nodes of a tree: its numbers, variable uses, operators and calls (what a graph drawing shows). */
export function countNodes(tree: ExprTree): number {
  switch (tree.kind) {
    case 'number': case 'variable': return 1;
    case 'neg': return 1 + countNodes(tree.arg);
    case 'binary': return 1 + countNodes(tree.left) + countNodes(tree.right);
    case 'call': return tree.args.reduce((n, a) => n + countNodes(a), 1);
  }
}

/** The variable names a tree uses, each once, sorted alphabetically. */
export function variablesOf(tree: ExprTree): string[] {
  const names = new Set<string>();
  const visit = (t: ExprTree): void => {
    if (t.kind === 'variable') names.add(t.name);
    else if (t.kind === 'neg') visit(t.arg);
    else if (t.kind === 'binary') { visit(t.left); visit(t.right); }
    else if (t.kind === 'call') t.args.forEach(visit);
  };
  visit(tree);
  return [...names].sort();
}
