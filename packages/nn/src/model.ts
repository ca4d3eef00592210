/**
 * Models: a spec (an Immutable Record, JSON-serialisable) plus functions over Params and ModelState.
 * `sequential` stacks layers of any registered kind; `mlp` is the shorthand for a stack of dense layers.
 */
import { assertDType, describeValue, formatShape, Rng, sameShape, Tensor, type DType } from '@chainrule/core';
import { List, OrderedMap, Record, type RecordOf } from 'immutable';
import { activation, checkActivation, type ActivationName } from './activations.ts';
import { describeLayerSpec, getLayer, LayerSpec, registeredLayers, type LayerJSON } from './layers/define.ts';
import { dense } from './layers/index.ts';
import type { Layer, RunOptions, Shape } from './layers/layer.ts';
import type { InitName } from './init.ts';
import type { ModelState } from './model-state.ts';
import { positiveInt } from './names.ts';
import type { Params } from './params.ts';
import { summarize } from './summary.ts';
import { seedRng } from './validate.ts';
import { checkAgainstSpec, checkParamSizes } from './validate-state.ts';

/** The fields of a {@link ModelSpec}. */
export interface SequentialConfig {
  /** Always 'sequential' (the one model kind so far). */
  readonly kind: 'sequential';
  /** One sample's shape (no batch axis): [features] for a table, [1, 28, 28] for an image. */
  readonly inputShape: List<number>;
  /** The dtype of the params and of the inputs the model takes. */
  readonly dtype: DType;
  /** The layers in order, each named. */
  readonly layers: List<LayerSpec>;
}
/** A model's architecture as an Immutable Record: what {@link fromSpec} builds a Model from, and `model.spec`. */
export type ModelSpec = RecordOf<SequentialConfig>;
/** Makes a ModelSpec (defaults: input shape [1], float32, no layers); {@link sequential} and {@link mlp} are the usual way. */
export const ModelSpec = Record<SequentialConfig>({ kind: 'sequential', inputShape: List([1]), dtype: 'float32', layers: List() }, 'ModelSpec');

/** Options of `model.apply` and `model.forward`. */
export interface ApplyOptions extends RunOptions {
  /** The layer state (`model.initState()`, or FitResult.state); needed when the model has stateful layers (batchNorm). */
  readonly state?: ModelState;
}

/**
 * A model: its architecture plus pure functions over {@link Params} and {@link ModelState}. It holds no
 * weights: `init` makes them and `apply` takes them, so one model serves any number of parameter sets.
 */
export interface Model {
  /** The architecture, as an Immutable Record. */
  readonly spec: ModelSpec;
  /** The layers with their input shapes and names resolved. */
  readonly layers: readonly Layer[];
  /** One sample's shape: the model takes x of shape [batch, ...inputShape]. */
  readonly inputShape: Shape;
  /** One sample's output shape: the model returns [batch, ...outputShape]. */
  readonly outputShape: Shape;
  /** Values per input sample (the input width for [features] inputs). */
  readonly inputs: number;
  /** Values per output sample (the output width for [outputs] outputs). */
  readonly outputs: number;
  /** The dtype of its params and inputs (float32 or float64). */
  readonly dtype: DType;
  /** The activation of the last layer ('softmax' or 'sigmoid' lets losses use their fused forms). */
  readonly outputActivation: ActivationName;
  /** Parameter names and shapes, in the order of Params. */
  readonly paramShapes: OrderedMap<string, readonly number[]>;
  /** Layer state names and shapes (batchNorm's running statistics), in the order of ModelState; empty for most models. */
  readonly stateShapes: OrderedMap<string, readonly number[]>;
  /**
   * Fresh params from a seed or an Rng: each layer's weights by its initialiser, biases zero, in the
   * model's dtype. The same seed gives the same params.
   *
   * @throws Error when `rng` is neither an integer seed nor an Rng, or a parameter would exceed {@link MAX_PARAM_BYTES}.
   */
  init(rng: Rng | number): Params;
  /** The layer state before any training (running means 0, variances 1); empty for a model without stateful layers. */
  initState(): ModelState;
  /**
   * The forward pass, on the tape (differentiable): x [batch, ...inputShape] → [batch, ...outputShape].
   * Evaluation mode unless `training: true`.
   *
   * @throws Error when x does not have the model's input shape and dtype, a parameter or state entry is
   *   missing, or a layer returns another shape than it declares (naming the layer).
   */
  apply(params: Params, x: Tensor, options?: ApplyOptions): Tensor;
  /** As apply, and the layer state after the pass (updated in training: batchNorm's running statistics). */
  forward(params: Params, x: Tensor, options?: ApplyOptions): {
    /** The output, [batch, ...outputShape]. */
    y: Tensor;
    /** Every layer's state after this pass (unchanged outside training). */
    state: ModelState;
  };
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
  /** Input width, for a model on vectors (what files written before input shapes hold). */
  inputs?: number;
  /** One sample's shape, for a model on inputs of rank ≥ 2. */
  inputShape?: number[];
  /** 'float32' or 'float64'. */
  dtype: DType;
  /** Each layer: its kind, its config's fields, its name (and `trainable: false` when frozen). */
  layers: LayerJSON[];
}

/** Options of {@link sequential}: give `inputs` (a width) or `inputShape` (one sample's shape). */
export interface SequentialOptions {
  /** Input width (features per sample): the same as inputShape [inputs]. */
  readonly inputs?: number;
  /** One sample's shape, e.g. [1, 28, 28]; the batch axis is not part of it. */
  readonly inputShape?: readonly number[];
  /** The params' and inputs' dtype (default 'float32'). */
  readonly dtype?: DType;
}

/** Names that would make tensor names in checkpoints ambiguous ('optimizer/…' slots, 'state/…' layer state). */
const RESERVED_NAMES = ['optimizer', 'state'];

function inputShapeOf(options: SequentialOptions): number[] {
  if (options.inputs !== undefined && options.inputShape !== undefined) throw new Error('sequential: give inputs or inputShape, not both');
  if (options.inputShape !== undefined) {
    const s = options.inputShape;
    if (!Array.isArray(s) || s.length === 0 || !s.every((d) => Number.isInteger(d) && d >= 1)) {
      throw new Error(`sequential: inputShape must be one sample's shape, a non-empty list of positive integers (no batch axis), got ${describeValue(s)}`);
    }
    return [...s];
  }
  if (options.inputs === undefined) throw new Error('sequential: give the input width, e.g. sequential(layers, { inputs: 2 }), or one sample\'s shape, e.g. { inputShape: [1, 28, 28] }');
  return [positiveInt('sequential', 'inputs', options.inputs)];
}

/**
 * A model that applies `layers` in order to x of shape [batch, ...inputShape]. Unnamed layers are
 * named '<kind><position>' ('dense0', 'dropout1', …), and their params '<name>/w', …. Shapes are checked
 * layer by layer here, so a layer that does not fit its input is named before any data is seen.
 *
 * @throws Error when neither `inputs` nor `inputShape` is given or either is malformed, there are no
 *   layers, a layer is not a layer spec or its kind is not registered, two layers share a name, or a
 *   layer does not fit the shape it is given (naming the layer and the shapes).
 * @example
 * ```ts
 * import { dense, dropout, flatten, sequential } from '@chainrule/nn';
 * const model = sequential([dense(32, { activation: 'relu' }), dense(3, { activation: 'softmax' })], { inputs: 4 });
 * const params = model.init(0); // dense0/w [4, 32], dense0/b [32], dense1/w [32, 3], dense1/b [3]
 * const images = sequential([flatten(), dense(64, { activation: 'relu' }), dropout({ rate: 0.2 }), dense(10)], { inputShape: [28, 28] });
 * ```
 */
export function sequential(layers: readonly LayerSpec[], options: SequentialOptions): Model {
  if (options !== undefined && (options === null || typeof options !== 'object')) throw new Error(`sequential: options must be { inputs, dtype }, got ${describeValue(options)}`);
  const inputShape = inputShapeOf(options ?? {});
  if (!Array.isArray(layers) || layers.length === 0) throw new Error('sequential: needs at least one layer');
  const named = layers.map((l, i) => {
    if (!(l instanceof LayerSpec)) throw new Error(`sequential: layer ${i} is not a layer spec (make one with a layer factory such as dense(units, …) or one defineLayer returned), got ${describeValue(l)}`);
    return l.name === null ? l.set('name', `${l.kind}${i}`) : l;
  });
  const seen = new Set<string>();
  for (const l of named) {
    if (seen.has(l.name!)) throw new Error(`sequential: two layers are named '${l.name}'; layer names must be unique`);
    if (RESERVED_NAMES.includes(l.name!)) throw new Error(`sequential: a layer may not be named '${l.name}' (it prefixes other tensors in checkpoints); choose another name`);
    seen.add(l.name!);
  }
  return fromSpec(ModelSpec({ inputShape: List(inputShape), dtype: assertDType('sequential', options.dtype ?? 'float32'), layers: List(named) }));
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

/** Each layer resolved at the shape the one before it returns: the first that does not fit is named. */
function resolveLayers(spec: ModelSpec): Layer[] {
  const layers: Layer[] = [];
  let shape: Shape = spec.inputShape.toArray();
  spec.layers.forEach((l, i) => {
    const def = getLayer(l.kind);
    if (!def) throw unregistered(`fromSpec: layer ${i}`, l.kind);
    const layer = def.resolve(l, l.name ?? `${l.kind}${i}`, shape);
    layers.push(layer);
    shape = layer.outputShape;
  });
  return layers;
}

const unregistered = (where: string, kind: unknown) => new Error(
  `${where} has unknown kind ${JSON.stringify(kind)}; register it with defineLayer({ kind: ${JSON.stringify(kind)}, … }) before loading `
  + `(registered kinds: ${registeredLayers().map((d) => `'${d.kind}'`).join(', ')})`,
);

/** x of shape [batch, ...inputShape] in the model's dtype, or an error naming the first layer and both shapes. */
function checkInput(where: string, model: Model, x: unknown): asserts x is Tensor {
  // The messages are built only when one is thrown (module-level helpers: a closure made here would be named by tsx each call): this runs every step.
  if (!(x instanceof Tensor)) throw new Error(`${where}: x must be a Tensor of shape ${wantInput(model)}, got ${describeValue(x)}`);
  if (x.rank !== model.inputShape.length + 1) throw new Error(`${where}: ${firstLayerOf(model)} expects x of shape ${wantInput(model)}, got ${formatShape(x.shape)}`);
  if (model.inputShape.length === 1 && x.shape[1] !== model.inputs) {
    throw new Error(`${where}: ${firstLayerOf(model)} expects ${model.inputs} input features, but x has ${x.shape[1]} (x shape ${formatShape(x.shape)})`);
  }
  if (!sameInputShape(x.shape, model.inputShape)) throw new Error(`${where}: ${firstLayerOf(model)} expects x of shape ${wantInput(model)}, got ${formatShape(x.shape)}`);
  if (x.dtype !== model.dtype) throw new Error(`${where}: the model is ${model.dtype} but x is ${x.dtype}; cast x with x.cast('${model.dtype}')`);
}

const wantInput = (model: Model): string => `[batch, ${model.inputShape.join(', ')}]`;
const firstLayerOf = (model: Model): string => `layer '${model.layers[0]!.name}'`;

/** Whether x's shape after its batch axis is `inputShape` (x's rank already checked). */
function sameInputShape(xShape: readonly number[], inputShape: readonly number[]): boolean {
  for (let i = 0; i < inputShape.length; i++) if (xShape[i + 1] !== inputShape[i]) return false;
  return true;
}

/** The layer state of a model without stateful layers. */
const NO_STATE: ModelState = OrderedMap<string, Tensor>();

/**
 * Rebuilds a model from its spec, or from the JSON `model.toJSON()` gave.
 *
 * @throws Error when the JSON is not a sequential spec, names a layer kind that is not registered
 *   (saying to define it first), or a layer does not fit its input shape.
 * @example
 * ```ts
 * import { fromSpec, mlp } from '@chainrule/nn';
 * const same = fromSpec(JSON.parse(JSON.stringify(mlp([2, 4, 1]).toJSON())));
 * ```
 */
export function fromSpec(spec: ModelSpec | SequentialJSON): Model {
  if (!(spec instanceof ModelSpec)) return fromJSON(spec as SequentialJSON);
  const layers = resolveLayers(spec);
  const last = layers[layers.length - 1]!;
  const size = (s: Shape) => s.reduce((a, b) => a * b, 1);
  const entries = (pick: (l: Layer) => Layer['params']) => OrderedMap<string, readonly number[]>(layers.flatMap((l) => pick(l).map((p): [string, readonly number[]] => [p.key, p.shape])));
  const stateShapes = entries((l) => l.state);

  const forward = (params: Params, x: Tensor, options: ApplyOptions = {}) => {
    checkInput('model.apply', model, x);
    const state = options.state ?? (stateShapes.size === 0 ? NO_STATE : undefined);
    if (!state) {
      throw new Error(`model.apply: layers ${[...new Set(layers.filter((l) => l.state.length).map((l) => `'${l.name}'`))].join(', ')} keep state (${stateShapes.keySeq().join(', ')}); pass { state } (model.initState() or FitResult.state)`);
    }
    let h = x;
    const next: [string, Tensor][] = [];
    for (let i = 0; i < layers.length; i++) {
      const r = layers[i]!.apply(params, state, h, { training: options.training, rng: options.rng, logits: options.logits === true && i === layers.length - 1 });
      h = r.y;
      for (let j = 0; j < r.state.length; j++) next.push(r.state[j]!);
    }
    return { y: h, state: next.length === 0 ? NO_STATE : OrderedMap<string, Tensor>(next) };
  };

  const model: Model = {
    spec,
    layers,
    inputShape: spec.inputShape.toArray(),
    outputShape: last.outputShape,
    inputs: size(spec.inputShape.toArray()),
    outputs: size(last.outputShape),
    dtype: spec.dtype,
    outputActivation: last.activation,
    paramShapes: entries((l) => l.params),
    stateShapes,
    init(rng) {
      if (!(rng instanceof Rng) && typeof rng !== 'number') throw new Error(`model.init: give an integer seed or an Rng, got ${describeValue(rng)}`);
      checkParamSizes('model.init', model); // before anything is allocated
      const r = typeof rng === 'number' ? seedRng('model.init', rng) : rng;
      // One split stream per layer: adding a layer at the end does not change the others' weights.
      return OrderedMap<string, Tensor>(layers.flatMap((l) => l.init(r.split(), spec.dtype)));
    },
    initState: () => OrderedMap<string, Tensor>(layers.flatMap((l) => l.initState(spec.dtype))),
    apply: (params, x, options) => forward(params, x, options).y,
    forward,
    activateOutput: activation(last.activation),
    summary: () => summarize(model),
    toJSON: () => {
      const shape = spec.inputShape.toArray();
      return {
        kind: 'sequential',
        ...(shape.length === 1 ? { inputs: shape[0]! } : { inputShape: shape }),
        dtype: spec.dtype,
        layers: spec.layers.map((l) => ({ kind: l.kind, ...(l.config.toJS() as object), name: l.name, ...(l.trainable ? {} : { trainable: false }) })).toArray(),
      };
    },
  };
  return model;
}

function fromJSON(json: SequentialJSON): Model {
  if (!json || json.kind !== 'sequential' || !Array.isArray(json.layers)) {
    throw new Error(`fromSpec: expected a sequential model spec ({ kind: 'sequential', inputs, layers }), got ${JSON.stringify(json)?.slice(0, 200)}`);
  }
  const layers = json.layers.map((l, i) => {
    const def = getLayer(l?.kind);
    if (!def) throw unregistered(`fromSpec: layer ${i}`, l?.kind);
    return def.fromJSON(l);
  });
  return sequential(layers, { inputs: json.inputs, inputShape: json.inputShape, dtype: json.dtype });
}

/** Describes a layer spec for errors: 'dense 3 units, relu'. */
export const describeLayer = describeLayerSpec;

/** Checks state against the model's state names, shapes and dtype (as params are checked). */
export function checkState(where: string, model: Model, state: unknown): asserts state is ModelState {
  checkAgainstSpec(where, model, state as Params, { shapes: model.stateShapes, what: 'layer state', make: 'model.initState()' });
}
