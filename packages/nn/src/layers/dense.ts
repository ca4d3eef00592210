/** A fully connected layer: y = act(x·W + b), W of shape [inputs, units]. */
import { describeValue, linear, matmul, nameScope, type DType, type Rng, type Tensor } from '@chainrule/core';
import { Record, type RecordOf } from 'immutable';
import { activation, checkActivation, type ActivationName } from '../activations.ts';
import { checkInit, initialize, type InitName } from '../init.ts';
import { positiveInt } from '../names.ts';
import type { Params } from '../params.ts';
import type { Layer } from './layer.ts';

/** The fields of a {@link DenseSpec}: a dense layer's configuration, as model JSON stores it. */
export interface DenseConfig {
  /** Always 'dense'. */
  readonly kind: 'dense';
  /** Output width. */
  readonly units: number;
  /** Applied to x·W + b. */
  readonly activation: ActivationName;
  /** How W is initialised ('auto': He for rectifiers, Xavier otherwise); b starts at zero. */
  readonly init: InitName;
  /** Whether the layer adds a bias b. */
  readonly useBias: boolean;
  /** null until sequential names it 'dense<i>'. */
  readonly name: string | null;
}

/** A dense layer's configuration as an Immutable Record, before its input width is known; made by {@link dense}. */
export type DenseSpec = RecordOf<DenseConfig>;
/** Makes a DenseSpec without checks (defaults: 1 unit, linear, auto init, with bias); {@link dense} checks its options. */
export const DenseSpec = Record<DenseConfig>(
  { kind: 'dense', units: 1, activation: 'linear', init: 'auto', useBias: true, name: null },
  'DenseSpec',
);

/** Options of {@link dense}. */
export interface DenseOptions {
  /** Applied to x·W + b (default 'linear'). */
  readonly activation?: ActivationName;
  /** How W is initialised (default 'auto': He for relu, leakyRelu and gelu, Xavier otherwise). */
  readonly init?: InitName;
  /** Whether to add a bias (default true). */
  readonly useBias?: boolean;
  /** The layer's name, which prefixes its params ('name/w', 'name/b'); default 'dense<i>' by position. */
  readonly name?: string;
}

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
export function dense(units: number, options: DenseOptions = {}): DenseSpec {
  const where = `dense${options.name ? ` '${options.name}'` : ''}`;
  positiveInt(where, 'units', units);
  if (options === null || typeof options !== 'object') throw new Error(`${where}: options must be an object such as { activation: 'relu' }, got ${describeValue(options)}`);
  if (options.useBias !== undefined && typeof options.useBias !== 'boolean') throw new Error(`${where}: useBias must be true or false, got ${describeValue(options.useBias)}`);
  if (options.name !== undefined && (typeof options.name !== 'string' || options.name === '' || options.name.includes('/'))) {
    throw new Error(`${where}: a layer name must be a non-empty string without '/', got ${JSON.stringify(options.name)}`);
  }
  return DenseSpec({
    units,
    activation: checkActivation(options.activation ?? 'linear'),
    init: checkInit(options.init ?? 'auto'),
    useBias: options.useBias ?? true,
    name: options.name ?? null,
  });
}

/** The dense layer with its input width and name resolved. */
export function denseLayer(spec: DenseSpec, name: string, inputs: number): Layer {
  const { units, useBias } = spec;
  const act = activation(spec.activation);
  const [wKey, bKey] = [`${name}/w`, `${name}/b`];
  return {
    kind: 'dense',
    name,
    inputs,
    units,
    activation: spec.activation,
    params: useBias ? [{ key: wKey, shape: [inputs, units] }, { key: bKey, shape: [units] }] : [{ key: wKey, shape: [inputs, units] }],
    init(rng: Rng, dtype: DType) {
      const w = initialize(spec.init, spec.activation, { shape: [inputs, units], fanIn: inputs, fanOut: units, rng, dtype });
      const out: [string, Tensor][] = [[wKey, w.withName(wKey)]];
      if (useBias) out.push([bKey, initialize('zeros', spec.activation, { shape: [units], fanIn: inputs, fanOut: units, rng, dtype }).withName(bKey)]);
      return out;
    },
    apply(params: Params, x: Tensor, options = {}) {
      return nameScope(name, () => {
        const w = params.get(wKey);
        if (!w) throw new Error(`layer '${name}': params have no '${wKey}' (keys: ${[...params.keys()].join(', ')})`);
        let z: Tensor;
        if (useBias) {
          const b = params.get(bKey);
          if (!b) throw new Error(`layer '${name}': params have no '${bKey}'`);
          z = linear(x, w, b); // x·W + b as one op, like PyTorch's addmm
        } else {
          z = matmul(x, w);
        }
        return options.skipActivation ? z : act(z);
      });
    },
  };
}
