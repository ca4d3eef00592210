/** An activation as a layer of its own: any built-in activation or registered unary op, user ops included. */
import { activation, checkActivation, type ActivationName } from '../activations.ts';
import { onlyKnown } from './checks.ts';
import { defineLayer, type CommonLayerOptions, type LayerSpec } from './define.ts';

/** The activation layer's config. */
export interface ActivationConfig {
  /** A built-in activation or the name of a registered unary op. */
  readonly activation: ActivationName;
}

/** The activation layer kind, registered with defineLayer. */
export const activationKind = defineLayer<ActivationConfig, { activation: ActivationName } & CommonLayerOptions>({
  kind: 'activation',
  config: (o) => {
    onlyKnown(o, ['activation']);
    if (o.activation === undefined) throw new Error("give the activation, e.g. activationLayer('relu')");
    return { activation: checkActivation(o.activation) };
  },
  outputShape: (_c, inputShape) => inputShape,
  activation: (c) => c.activation,
  apply: (_p, _s, x, { config, logits }) => ({ y: logits ? x : activation(config.activation)(x) }),
  describe: (c) => c.activation,
  sample: (fc) => fc.record({
    options: fc.record({ activation: fc.constantFrom('relu', 'tanh', 'sigmoid', 'softmax', 'gelu', 'leakyRelu') }),
    inputShape: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 2 }),
  }),
});

/**
 * A layer that applies an activation: a built-in name or any registered unary op (e.g. a user's swish).
 *
 * @example
 * ```ts
 * import { activationLayer, dense, sequential } from '@chainrule/nn';
 * const model = sequential([dense(8), activationLayer('tanh'), dense(1)], { inputs: 2 });
 * ```
 */
export const activationLayer = (name: ActivationName, options: CommonLayerOptions = {}): LayerSpec => activationKind({ ...options, activation: name });
