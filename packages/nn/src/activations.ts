/**
 * The activations a layer can name: the built-ins below, or any registered unary op (a user's
 * defineOp, such as swish). 'softmax' and 'sigmoid' also tell the losses which fused form to use.
 */
import { gelu, getOp, leakyRelu, relu, sigmoid, softmax, tanh, type Tensor } from '@chainrule/core';

/** The built-in activations: core's relu, sigmoid, tanh, softmax (over the last axis), leakyRelu (slope 0.01), gelu, or 'linear' (none). */
export type BuiltinActivation = 'relu' | 'sigmoid' | 'tanh' | 'linear' | 'softmax' | 'leakyRelu' | 'gelu';

/** A built-in activation, or the name of a registered unary op (`defineOp({ name: 'swish', arity: 1, … })`). */
export type ActivationName = BuiltinActivation | (string & {});

const ACTIVATIONS: Readonly<Record<BuiltinActivation, (x: Tensor) => Tensor>> = {
  relu,
  sigmoid,
  tanh,
  linear: (x) => x,
  softmax: (x) => softmax(x, -1),
  leakyRelu: (x) => leakyRelu(x, 0.01),
  gelu,
};

/** Every built-in {@link ActivationName}. */
export const activationNames = Object.keys(ACTIVATIONS) as BuiltinActivation[];

const isBuiltin = (name: string): name is BuiltinActivation => Object.prototype.hasOwnProperty.call(ACTIVATIONS, name);

/** Throws, listing the valid names, unless `name` is a built-in activation or a registered op of one input. */
export function checkActivation(name: unknown): ActivationName {
  if (typeof name === 'string' && isBuiltin(name)) return name;
  const op = typeof name === 'string' ? getOp(name) : undefined;
  if (op && op.spec.arity === 1) return name as string;
  const valid = activationNames.map((k) => `'${k}'`).join(', ');
  if (op) throw new Error(`unknown activation ${JSON.stringify(name)}: the op '${name}' takes ${op.spec.arity} inputs, an activation takes one; valid activations: ${valid}, or a registered unary op`);
  throw new Error(`unknown activation ${JSON.stringify(name)}; valid activations: ${valid}, or the name of a unary op registered with defineOp (define it before using it)`);
}

/**
 * The function an activation name stands for.
 *
 * @throws Error for an unknown name, listing the valid ones.
 */
export function activation(name: ActivationName): (x: Tensor) => Tensor {
  checkActivation(name);
  if (isBuiltin(name)) return ACTIVATIONS[name];
  const op = getOp(name)!;
  // Attributes: a user op with options takes them as {}, as `op.run([x], {})` does.
  return (x) => op.run([x], {});
}
