/**
 * The names a typed expression may use: the functions (each mapped to chainrule ops) and the constants.
 * The list of valid names in every error comes from these two tables, so adding a row here is all it takes.
 */
import { abs, cos, exp, gelu, log, log1p, maximum, mean, minimum, pow, relu, sigmoid, sin, softplus, sqrt, square, sum, tanh, type Tensor } from '@chainrule/core';

/** A function an expression may call: how many arguments it takes, the ops it builds, and a line of help. */
export interface ExpressionFunction {
  readonly arity: 1 | 2;
  readonly build: (...args: Tensor[]) => Tensor;
  readonly about: string;
}

const unary = (build: (x: Tensor) => Tensor, about: string): ExpressionFunction => ({ arity: 1, build: (x) => build(x), about });
const binary = (build: (a: Tensor, b: Tensor) => Tensor, about: string): ExpressionFunction => ({ arity: 2, build: (a, b) => build(a, b), about });

/** Every function name an expression may call, in alphabetical order, and what each builds. */
export const EXPRESSION_FUNCTIONS: Readonly<Record<string, ExpressionFunction>> = Object.freeze({
  abs: unary(abs, '|x|'),
  cos: unary(cos, 'cosine'),
  exp: unary(exp, 'eˣ'),
  gelu: unary(gelu, 'GELU (tanh approximation)'),
  log: unary(log, 'natural logarithm'),
  log1p: unary(log1p, 'log(1 + x), exact near 0'),
  max: binary(maximum, 'the larger of a and b, elementwise'),
  mean: unary((x) => mean(x), 'mean of all elements (a scalar)'),
  min: binary(minimum, 'the smaller of a and b, elementwise'),
  pow: binary(pow, 'a^b'),
  relu: unary(relu, 'max(x, 0)'),
  sigmoid: unary(sigmoid, '1 / (1 + e^(−x))'),
  sin: unary(sin, 'sine'),
  softplus: unary(softplus, 'log(1 + eˣ)'),
  sqrt: unary(sqrt, '√x'),
  square: unary(square, 'x²'),
  sum: unary((x) => sum(x), 'sum of all elements (a scalar)'),
  tanh: unary(tanh, 'hyperbolic tangent'),
});

/** The named constants an expression may use; they become scalar tensors in the inputs' dtype. */
export const EXPRESSION_CONSTANTS: Readonly<Record<string, number>> = Object.freeze({ e: Math.E, pi: Math.PI });

/** The function names, sorted: what an unknown-function error lists. */
export const FUNCTION_NAMES: readonly string[] = Object.freeze(Object.keys(EXPRESSION_FUNCTIONS).sort());

/** Names a variable may not take: the functions' and the constants'. */
export const RESERVED_NAMES: readonly string[] = Object.freeze([...FUNCTION_NAMES, ...Object.keys(EXPRESSION_CONSTANTS)].sort());

export const isFunctionName = (name: string): boolean => Object.hasOwn(EXPRESSION_FUNCTIONS, name);
export const isConstantName = (name: string): boolean => Object.hasOwn(EXPRESSION_CONSTANTS, name);
