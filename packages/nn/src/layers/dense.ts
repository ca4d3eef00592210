/** A fully connected layer: y = act(x·W + b), W of shape [inputs, units]. */
import { describeValue, linear, matmul } from '@chainrule/core';
import { activation, checkActivation, type ActivationName } from '../activations.ts';
import { checkInit, type InitName } from '../init.ts';
import { boolean, onlyKnown, positiveInteger } from './checks.ts';
import { defineLayer, type CommonLayerOptions, type LayerSpec } from './define.ts';

/** A dense layer's config, as model JSON stores it (with its kind and name). */
export interface DenseConfig {
  /** Output width. */
  readonly units: number;
  /** Applied to x·W + b: a built-in activation or a registered unary op. */
  readonly activation: ActivationName;
  /** How W is initialised ('auto': He for rectifiers, Xavier otherwise); b starts at zero. */
  readonly init: InitName;
  /** Whether the layer adds a bias b. */
  readonly useBias: boolean;
}

/** Options of {@link dense}. */
export interface DenseOptions extends CommonLayerOptions {
  /** Applied to x·W + b (default 'linear'): a built-in activation or a registered unary op such as a user's swish. */
  readonly activation?: ActivationName;
  /** How W is initialised (default 'auto': He for relu, leakyRelu and gelu, Xavier otherwise). */
  readonly init?: InitName;
  /** Whether to add a bias (default true). */
  readonly useBias?: boolean;
}

/** The dense layer kind, registered with defineLayer like any user layer. */
export const denseLayer = defineLayer<DenseConfig, { units: number } & DenseOptions>({
  kind: 'dense',
  config: (o) => {
    onlyKnown(o, ['units', 'activation', 'init', 'useBias']);
    return {
      units: positiveInteger('units', o.units),
      activation: checkActivation(o.activation ?? 'linear'),
      init: checkInit(o.init ?? 'auto'),
      useBias: boolean('useBias', o.useBias, true),
    };
  },
  params: (c, inputShape) => {
    if (inputShape.length !== 1) throw new Error(`dense takes one sample as a vector of features [features], not [${inputShape.join(',')}]; put a flatten() before it`);
    const shapes: Record<string, number[]> = { w: [inputShape[0]!, c.units] };
    if (c.useBias) shapes.b = [c.units];
    return shapes;
  },
  outputShape: (c) => [c.units],
  activation: (c) => c.activation,
  apply: (p, _state, x, { config, logits }) => {
    // x·W + b as one op, like PyTorch's addmm.
    const z = p.b ? linear(x, p.w!, p.b) : matmul(x, p.w!);
    return { y: logits ? z : activation(config.activation)(z) };
  },
  describe: (c) => `${c.units} units, ${c.activation}${c.useBias ? '' : ', no bias'}`,
  sample: (fc) => fc.record({
    options: fc.record({
      units: fc.integer({ min: 1, max: 4 }),
      activation: fc.constantFrom('linear', 'tanh', 'sigmoid', 'softmax', 'gelu'),
      useBias: fc.boolean(),
    }),
    inputShape: fc.tuple(fc.integer({ min: 1, max: 4 })),
  }),
});

/**
 * A fully connected layer for {@link sequential}: y = act(x·W + b), x: [batch, inputs] →
 * [batch, units], with W [inputs, units] and b [units] (inputs is the previous layer's width).
 *
 * @throws Error when units is not a positive integer, an option has the wrong type, the activation or
 *   initialiser name is unknown (listing the valid ones), or the name is empty or contains '/'.
 * @example
 * ```ts
 * import { dense, sequential } from '@chainrule/nn';
 * const model = sequential([dense(64, { activation: 'gelu', name: 'hidden' }), dense(1)], { inputs: 8 });
 * ```
 */
export function dense(units: number, options: DenseOptions = {}): LayerSpec {
  if (options === null || typeof options !== 'object') throw new Error(`dense: options must be an object such as { activation: 'relu' }, got ${describeValue(options)}`);
  return denseLayer({ ...options, units });
}
