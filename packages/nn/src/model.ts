/**
 * Models: a spec (an Immutable Record, JSON-serialisable) plus functions over Params.
 * `sequential` stacks layers; `mlp` is the shorthand for a stack of dense layers.
 */
import { assertDType, describeValue, Rng, Tensor, type DType } from '@chainrule/core';
import { List, OrderedMap, Record, type RecordOf } from 'immutable';
import { activation, checkActivation, type ActivationName } from './activations.ts';
import { dense, DenseSpec, denseLayer, type DenseConfig } from './layers/dense.ts';
import type { Layer } from './layers/layer.ts';
import type { InitName } from './init.ts';
import { positiveInt } from './names.ts';
import type { Params } from './params.ts';
import { seedRng } from './validate.ts';
import { checkParamSizes } from './validate-state.ts';

/** The fields of a {@link ModelSpec}. */
export interface SequentialConfig {
  /** Always 'sequential' (the one model kind so far). */
  readonly kind: 'sequential';
  /** Input width: features per sample. */
  readonly inputs: number;
  /** The dtype of the params and of the inputs the model takes. */
  readonly dtype: DType;
  /** The layers in order, each named. */
  readonly layers: List<DenseSpec>;
}
/** A model's architecture as an Immutable Record: what {@link fromSpec} builds a Model from, and `model.spec`. */
export type ModelSpec = RecordOf<SequentialConfig>;
/** Makes a ModelSpec (defaults: 1 input, float32, no layers); {@link sequential} and {@link mlp} are the usual way. */
export const ModelSpec = Record<SequentialConfig>({ kind: 'sequential', inputs: 1, dtype: 'float32', layers: List() }, 'ModelSpec');

/** Options of `model.apply`. */
export interface ApplyOptions {
  /** Return the last layer's pre-activation (e.g. logits before a softmax) for the fused losses. */
  readonly logits?: boolean;
}

/**
 * A model: its architecture plus pure functions over {@link Params}. It holds no weights: `init`
 * makes them and `apply` takes them, so one model serves any number of parameter sets.
 */
export interface Model {
  /** The architecture, as an Immutable Record. */
  readonly spec: ModelSpec;
  /** The layers with their input widths and names resolved. */
  readonly layers: readonly Layer[];
  /** Input width: the model takes x of shape [batch, inputs]. */
  readonly inputs: number;
  /** Output width: the model returns [batch, outputs]. */
  readonly outputs: number;
  /** The dtype of its params and inputs (float32 or float64). */
  readonly dtype: DType;
  /** The activation of the last layer ('softmax' or 'sigmoid' lets losses use their fused forms). */
  readonly outputActivation: ActivationName;
  /** Parameter names and shapes, in the order of Params. */
  readonly paramShapes: OrderedMap<string, readonly number[]>;
  /**
   * Fresh params from a seed or an Rng: each layer's weights by its initialiser, biases zero, in the
   * model's dtype. The same seed gives the same params.
   *
   * @throws Error when `rng` is neither an integer seed nor an Rng, or a parameter would exceed {@link MAX_PARAM_BYTES}.
   */
  init(rng: Rng | number): Params;
  /**
   * The forward pass, on the tape (differentiable): x [batch, inputs] → [batch, outputs].
   *
   * @throws Error when x is not a rank-2 tensor of the model's width and dtype, or a parameter is missing.
   */
  apply(params: Params, x: Tensor, options?: ApplyOptions): Tensor;
  /** Applies the last layer's activation to what `apply(…, { logits: true })` returned. */
  activateOutput(logits: Tensor): Tensor;
  /** A text table of the layers: name, kind, activation, output shape and parameter count, with the total. */
  summary(): string;
  /** The architecture as plain JSON; {@link fromSpec} rebuilds the model from it. */
  toJSON(): SequentialJSON;
}

/** A model's architecture as plain JSON (`model.toJSON()`), as model files and checkpoints store it. */
export interface SequentialJSON {
  /** Always 'sequential'. */
  kind: 'sequential';
  /** Input width. */
  inputs: number;
  /** 'float32' or 'float64'. */
  dtype: DType;
  /** Each layer's configuration, in order. */
  layers: DenseConfig[];
}

/** Options of {@link sequential}. */
export interface SequentialOptions {
  /** Input width (features per sample). */
  readonly inputs: number;
  /** The params' and inputs' dtype (default 'float32'). */
  readonly dtype?: DType;
}

/**
 * A model that applies `layers` in order to x of shape [batch, inputs]. Unnamed layers are named
 * 'dense0', 'dense1', … by position, and their params 'dense0/w', 'dense0/b', ….
 *
 * @throws Error when `inputs` is missing or not a positive integer, there are no layers, a layer is
 *   not a layer spec, or two layers share a name.
 * @example
 * ```ts
 * import { dense, sequential } from '@chainrule/nn';
 * const model = sequential([dense(32, { activation: 'relu' }), dense(3, { activation: 'softmax' })], { inputs: 4 });
 * const params = model.init(0); // dense0/w [4, 32], dense0/b [32], dense1/w [32, 3], dense1/b [3]
 * ```
 */
export function sequential(layers: readonly DenseSpec[], options: SequentialOptions): Model {
  if (options !== undefined && (options === null || typeof options !== 'object')) throw new Error(`sequential: options must be { inputs, dtype }, got ${describeValue(options)}`);
  if (!options || options.inputs === undefined) throw new Error('sequential: give the input width, e.g. sequential(layers, { inputs: 2 })');
  positiveInt('sequential', 'inputs', options.inputs);
  if (!Array.isArray(layers) || layers.length === 0) throw new Error('sequential: needs at least one layer');
  const named = layers.map((l, i) => {
    if (!(l instanceof DenseSpec)) throw new Error(`sequential: layer ${i} is not a layer spec (make one with dense(units, …))`);
    return l.name === null ? l.set('name', `dense${i}`) : l;
  });
  const seen = new Set<string>();
  for (const l of named) {
    if (seen.has(l.name!)) throw new Error(`sequential: two layers are named '${l.name}'; layer names must be unique`);
    seen.add(l.name!);
  }
  return fromSpec(ModelSpec({ inputs: options.inputs, dtype: assertDType('sequential', options.dtype ?? 'float32'), layers: List(named) }));
}

/** Options of {@link mlp}. */
export interface MlpOptions {
  /** Activation of every hidden layer, or one per hidden layer (default 'relu'). */
  readonly hidden?: ActivationName | readonly ActivationName[];
  /** Activation of the output layer (default 'linear'). */
  readonly output?: ActivationName;
  /** Initialiser of every layer's weights (default 'auto': He for rectifiers, Xavier otherwise). */
  readonly init?: InitName;
  /** The params' and inputs' dtype (default 'float32'). */
  readonly dtype?: DType;
}

/**
 * A multilayer perceptron: dense layers with the given widths from input to output, e.g.
 * mlp([784, 128, 64, 10], { hidden: 'relu', output: 'softmax' }). `options` may instead be a list of
 * activations with one entry per layer (widths.length - 1 entries).
 *
 * @param widths The input width, then each layer's units; at least two entries.
 * @throws Error when there are fewer than two widths, a width is not a positive integer, the number
 *   of activations does not match the layers, or an activation or initialiser name is unknown.
 * @example
 * ```ts
 * import { mlp } from '@chainrule/nn';
 * const model = mlp([784, 128, 10], { hidden: 'relu', output: 'softmax' });
 * console.log(model.summary());
 * ```
 */
export function mlp(widths: readonly number[], options: MlpOptions | readonly ActivationName[] = {}): Model {
  if (!Array.isArray(widths) || widths.length < 2) throw new Error(`mlp: give at least an input and an output width, got ${JSON.stringify(widths)}`);
  widths.forEach((w, i) => positiveInt('mlp', `the width at index ${i}`, w));
  if (options === null || typeof options !== 'object') throw new Error(`mlp: options must be { hidden, output, init, dtype } or a list of activations, got ${describeValue(options)}`);
  const nLayers = widths.length - 1;
  let acts: ActivationName[];
  let opts: MlpOptions = {};
  if (Array.isArray(options)) {
    if (options.length !== nLayers) throw new Error(`mlp: ${options.length} activations given for ${nLayers} layers`);
    acts = options.map(checkActivation);
  } else {
    opts = options as MlpOptions;
    const hidden = opts.hidden ?? 'relu';
    if (Array.isArray(hidden) && hidden.length !== nLayers - 1) throw new Error(`mlp: ${hidden.length} hidden activations given for ${nLayers - 1} hidden layers`);
    acts = Array.from({ length: nLayers }, (_, i) =>
      i === nLayers - 1 ? checkActivation(opts.output ?? 'linear') : checkActivation(Array.isArray(hidden) ? hidden[i] : hidden));
  }
  return sequential(
    widths.slice(1).map((units, i) => dense(units, { activation: acts[i]!, init: opts.init ?? 'auto' })),
    { inputs: widths[0]!, dtype: opts.dtype },
  );
}

/**
 * Rebuilds a model from its spec, or from the JSON `model.toJSON()` gave.
 *
 * @throws Error when the JSON is not a sequential spec or names an unknown layer kind.
 * @example
 * ```ts
 * import { fromSpec, mlp } from '@chainrule/nn';
 * const same = fromSpec(JSON.parse(JSON.stringify(mlp([2, 4, 1]).toJSON())));
 * ```
 */
export function fromSpec(spec: ModelSpec | SequentialJSON): Model {
  if (!(spec instanceof ModelSpec)) return fromJSON(spec as SequentialJSON);
  const layers: Layer[] = [];
  let width = spec.inputs;
  for (const l of spec.layers) {
    layers.push(denseLayer(l, l.name!, width));
    width = l.units;
  }
  const last = layers[layers.length - 1]!;
  const finalActivation = activation(last.activation);
  const paramShapes = OrderedMap<string, readonly number[]>(layers.flatMap((l) => l.params.map((p): [string, readonly number[]] => [p.key, p.shape])));
  const model: Model = {
    spec,
    layers,
    inputs: spec.inputs,
    outputs: last.units,
    dtype: spec.dtype,
    outputActivation: last.activation,
    paramShapes,
    init(rng) {
      if (!(rng instanceof Rng) && typeof rng !== 'number') throw new Error(`model.init: give an integer seed or an Rng, got ${describeValue(rng)}`);
      checkParamSizes('model.init', model); // before anything is allocated
      const r = typeof rng === 'number' ? seedRng('model.init', rng) : rng;
      // One split stream per layer: adding a layer at the end does not change the others' weights.
      return OrderedMap<string, Tensor>(layers.flatMap((l) => l.init(r.split(), spec.dtype)));
    },
    apply(params, x, options = {}) {
      if (!(x instanceof Tensor)) throw new Error(`model.apply: x must be a Tensor of shape [batch, ${spec.inputs}], got ${describeValue(x)}`);
      if (x.rank !== 2) {
        throw new Error(`model.apply: layer '${layers[0]!.name}' expects x of shape [batch, ${spec.inputs}], got [${x.shape.join(',')}]`);
      }
      if (x.shape[1] !== spec.inputs) {
        throw new Error(`model.apply: layer '${layers[0]!.name}' expects ${spec.inputs} input features, but x has ${x.shape[1]} (x shape [${x.shape.join(',')}])`);
      }
      if (x.dtype !== spec.dtype) throw new Error(`model.apply: the model is ${spec.dtype} but x is ${x.dtype}; cast x with x.cast('${spec.dtype}')`);
      let h = x;
      layers.forEach((l, i) => { h = l.apply(params, h, { skipActivation: options.logits === true && i === layers.length - 1 }); });
      return h;
    },
    activateOutput: finalActivation,
    summary: () => summarize(model),
    toJSON: () => ({ kind: 'sequential', inputs: spec.inputs, dtype: spec.dtype, layers: spec.layers.map((l) => l.toJS() as DenseConfig).toArray() }),
  };
  return model;
}

function fromJSON(json: SequentialJSON): Model {
  if (!json || json.kind !== 'sequential' || !Array.isArray(json.layers)) {
    throw new Error(`fromSpec: expected a sequential model spec ({ kind: 'sequential', inputs, layers }), got ${JSON.stringify(json)?.slice(0, 200)}`);
  }
  const layers = json.layers.map((l, i) => {
    if (l?.kind !== 'dense') throw new Error(`fromSpec: layer ${i} has unknown kind ${JSON.stringify(l?.kind)}; valid kinds: 'dense'`);
    return dense(l.units, { activation: l.activation, init: l.init, useBias: l.useBias, name: l.name ?? undefined });
  });
  return sequential(layers, { inputs: json.inputs, dtype: json.dtype });
}

/** A fixed-width table: one row per layer with its output shape and parameter count. */
function summarize(model: Model): string {
  const rows = model.layers.map((l) => [
    l.name, l.kind, l.activation, `[batch, ${l.units}]`,
    String(l.params.reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0)),
  ]);
  const header = ['Layer', 'Kind', 'Activation', 'Output shape', 'Params'];
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((r) => r[c]!.length)));
  const line = (r: string[]) => r.map((cell, c) => (c === r.length - 1 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  ');
  const rule = '-'.repeat(widths.reduce((a, b) => a + b, 0) + 2 * (widths.length - 1));
  const total = rows.reduce((n, r) => n + Number(r[4]), 0);
  return [`Input: [batch, ${model.inputs}] ${model.dtype}`, line(header), rule, ...rows.map(line), rule, `Total params: ${total}`].join('\n');
}
