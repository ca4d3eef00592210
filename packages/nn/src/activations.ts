/** The activations a layer can name; 'softmax' and 'sigmoid' also tell the losses which fused form to use. */
import { gelu, leakyRelu, relu, sigmoid, softmax, tanh, type Tensor } from '@chainrule/core';
import { lookup } from './names.ts';

/** An activation a layer can name: core's relu, sigmoid, tanh, softmax (over the last axis), leakyRelu (slope 0.01), gelu, or 'linear' (none). */
export type ActivationName = 'relu' | 'sigmoid' | 'tanh' | 'linear' | 'softmax' | 'leakyRelu' | 'gelu';

const ACTIVATIONS: Readonly<Record<ActivationName, (x: Tensor) => Tensor>> = {
  relu,
  sigmoid,
  tanh,
  linear: (x) => x,
  softmax: (x) => softmax(x, -1),
  leakyRelu: (x) => leakyRelu(x, 0.01),
  gelu,
};

/** Every {@link ActivationName}. */
export const activationNames = Object.keys(ACTIVATIONS) as ActivationName[];

/** Throws, listing the valid names, unless `name` is a known activation. */
export function checkActivation(name: unknown): ActivationName {
  lookup('activation', ACTIVATIONS, name);
  return name as ActivationName;
}

/**
 * The function an activation name stands for.
 *
 * @throws Error for an unknown name, listing the valid ones.
 */
export const activation = (name: ActivationName): ((x: Tensor) => Tensor) => lookup('activation', ACTIVATIONS, name);
