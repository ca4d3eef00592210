/**
 * defineLayer: the layer twin of core's defineOp, and the one way layers are made, built-in or not.
 * A definition gives a layer kind's config check, its parameter shapes from the input shape, their
 * initialisation, its output shape and its forward pass; defineLayer checks every answer it gets and
 * names the layer in every error, and registers the kind so model files that name it load.
 */
import { describeValue, formatShape, nameScope, sameShape, Tensor, type DType, type Rng } from '@chainrule/core';
import { fromJS, Map as ImmutableMap, Record as ImmutableRecord, type RecordOf } from 'immutable';
import type { ActivationName } from '../activations.ts';
import { initialize, type InitName } from '../init.ts';
import type { ModelState } from '../model-state.ts';
import type { Params } from '../params.ts';
import type { Layer, ParamInfo, RunOptions, Shape } from './layer.ts';

/** Tensors by their name inside the layer ('w', 'runningMean'). */
export type Tensors = Readonly<Record<string, Tensor>>;

/** What a definition's `apply` is given beside params, state and x. */
export interface LayerContext<C> {
  /** The layer's validated config. */
  readonly config: C;
  /** Training mode (fit) or not (evaluate, predict, and model.apply by default). */
  readonly training: boolean;
  /** The stream random layers draw from; undefined outside training unless given. */
  readonly rng?: Rng;
  /** Return the pre-activation of the layer's own `activation` (only asked of the last layer). */
  readonly logits: boolean;
  /** The shape of one sample of x (x has a batch axis in front). */
  readonly inputShape: Shape;
}

/** What a definition's `init` is given. */
export interface LayerInitArgs<C> {
  /** The layer's validated config. */
  readonly config: C;
  /** The shape of one sample it takes (no batch axis). */
  readonly inputShape: Shape;
  /** The parameter shapes `params` gave. */
  readonly shapes: Readonly<Record<string, Shape>>;
  /** The layer's own stream (split from the model's seed). */
  readonly rng: Rng;
  /** The model's dtype, for the tensors it makes. */
  readonly dtype: DType;
}

/** A random test case for the layer property suite: a config's options and an input shape. */
export interface LayerSample {
  /** What the layer's factory is called with, e.g. { units: 3, activation: 'tanh' }. */
  readonly options: Record<string, unknown>;
  /** One sample's shape (no batch axis). */
  readonly inputShape: number[];
}

/**
 * What {@link defineLayer} takes. Shapes exclude the batch axis. Only `kind`, `config`, `outputShape`
 * and `apply` are required; a layer without `params` has none.
 */
export interface LayerDefinition<C extends object> {
  /** The kind, as model files store it: a unique name such as 'dense'. */
  readonly kind: string;
  /**
   * Checks the options a user gave (without `name` and `trainable`) and returns the clean config,
   * plain JSON (numbers, strings, booleans, arrays, objects), with defaults filled in. Throw an Error
   * saying what is wrong and how to fix it; defineLayer adds the layer's kind and name in front.
   */
  config(options: Readonly<Record<string, unknown>>): C;
  /** Parameter shapes by name; throw when the input shape does not fit (e.g. a dense layer on [28, 28]). */
  params?(config: C, inputShape: Shape): Record<string, Shape>;
  /**
   * Fresh parameter values by name. Default: weights of rank ≥ 2 by `config.init` (default 'auto': He
   * for rectifiers, Xavier otherwise, from `config.activation`), fan-in the first axis, fan-out the last;
   * parameters of rank ≤ 1 zero.
   */
  init?(args: LayerInitArgs<C>): Record<string, Tensor>;
  /** Non-trainable state by name before any training (running statistics); default none. */
  initialState?(config: C, inputShape: Shape, dtype: DType): Record<string, Tensor>;
  /** One sample's output shape for one sample's input shape; throw when the input does not fit. */
  outputShape(config: C, inputShape: Shape): Shape;
  /**
   * The forward pass on a batch, x [batch, ...inputShape] → y [batch, ...outputShape], with ops chainrule
   * differentiates, and the new state (leave it out when the state does not change). Compute the new
   * state from detached values: it is not trained.
   */
  apply(params: Tensors, state: Tensors, x: Tensor, context: LayerContext<C>): {
    /** The output, [batch, ...outputShape]. */
    y: Tensor;
    /** The new state (training only; left out: unchanged). */
    state?: Tensors;
  };
  /** The activation the layer applies last (default 'linear'): a final softmax or sigmoid lets the losses fuse. */
  activation?(config: C): ActivationName;
  /** A short description for errors and summaries, e.g. '3 units, relu'; default the config as JSON. */
  describe?(config: C): string;
  /**
   * Random configs and input shapes for the layer property suite: given fast-check's module, a fast-check
   * Arbitrary of {@link LayerSample} (typed loosely, so nn itself needs no fast-check).
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  sample?: (fc: any) => any;
}

/** Options every layer factory takes beside its config. */
export interface CommonLayerOptions {
  /** The layer's name, which prefixes its params ('name/w'); default '<kind><position>'. */
  readonly name?: string;
  /** Whether its parameters are trained (default true); kept in model files, for freezing. */
  readonly trainable?: boolean;
}

/** The fields of a {@link LayerSpec}. */
export interface LayerSpecConfig {
  /** The registered kind, e.g. 'dense'. */
  readonly kind: string;
  /** The validated config, deeply immutable (so two specs compare by value). */
  readonly config: ImmutableMap<string, unknown>;
  /** null until sequential names it '<kind><i>'. */
  readonly name: string | null;
  /** Whether its parameters are trained. */
  readonly trainable: boolean;
}
/** A layer before its input shape is known, as a layer factory (`dense(3)`) returns it: an Immutable Record. */
export type LayerSpec = RecordOf<LayerSpecConfig>;
/** Makes a LayerSpec without checks; the factories defineLayer returns are the way to make one. */
export const LayerSpec = ImmutableRecord<LayerSpecConfig>({ kind: '', config: ImmutableMap(), name: null, trainable: true }, 'LayerSpec');

/** A layer's JSON in a model file: its kind, its config's fields, its name, and `trainable: false` when frozen. */
export type LayerJSON = {
  /** The layer kind it was defined under (defineLayer's `kind`). */
  kind: string;
  /** Its name in the model (null or left out: `<kind><index>`). */
  name?: string | null;
  /** False when the layer is frozen. */
  trainable?: boolean;
} & Record<string, unknown>;

/**
 * A registered layer kind, as {@link defineLayer} returns it: call it with options to get a
 * {@link LayerSpec} for `sequential`.
 */
export interface LayerDef<C extends object = Record<string, unknown>, O = Record<string, unknown>> {
  (options?: O & CommonLayerOptions): LayerSpec;
  /** The kind. */
  readonly kind: string;
  /** The definition it was made from. */
  readonly definition: LayerDefinition<C>;
  /** The spec for options given as JSON (name and trainable included), checked; what model files load through. */
  fromJSON(json: LayerJSON): LayerSpec;
  /** The layer with its name and input shape resolved; throws naming the layer when the shape does not fit. */
  resolve(spec: LayerSpec, name: string, inputShape: Shape): Layer;
}

const registry = new Map<string, LayerDef<any, any>>();
const RESERVED = ['kind', 'name', 'trainable'];

/** "dense 'hidden'" or "dense": how errors name a layer. */
export const layerLabel = (kind: string, name: string | null | undefined) => (name ? `${kind} '${name}'` : kind);

function prefixed(where: string, e: unknown): Error {
  const message = e instanceof Error ? e.message : String(e);
  return new Error(message.startsWith(`${where}:`) ? message : `${where}: ${message}`);
}

/** A value that JSON round-trips unchanged (so a config saved in a model file comes back the same). */
function isPlainJSON(v: unknown): boolean {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v);
  if (Array.isArray(v)) return v.every(isPlainJSON);
  if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) return Object.values(v as object).every(isPlainJSON);
  return false;
}

function checkDefinition(spec: unknown): asserts spec is LayerDefinition<object> {
  if (spec === null || typeof spec !== 'object') throw new Error(`defineLayer: give a definition { kind, config, outputShape, apply, … }, got ${describeValue(spec)}`);
  const s = spec as Partial<LayerDefinition<object>>;
  if (typeof s.kind !== 'string' || !/^[A-Za-z][A-Za-z0-9_]*$/.test(s.kind)) {
    throw new Error(`defineLayer: kind must be a name of letters, digits and '_' starting with a letter, got ${describeValue(s.kind)}`);
  }
  for (const f of ['config', 'outputShape', 'apply'] as const) {
    if (typeof s[f] !== 'function') throw new Error(`defineLayer '${s.kind}': ${f} must be a function, got ${describeValue(s[f])}`);
  }
  for (const f of ['params', 'init', 'initialState', 'activation', 'describe', 'sample'] as const) {
    if (s[f] !== undefined && typeof s[f] !== 'function') throw new Error(`defineLayer '${s.kind}': ${f} must be a function when given, got ${describeValue(s[f])}`);
  }
  if (registry.has(s.kind)) throw new Error(`defineLayer: a layer kind '${s.kind}' is already registered; choose another kind`);
}

/** A shape of whole numbers ≥ 1 (0 would make empty layers), as the definition's `what` returned it. */
function checkShape(where: string, what: string, shape: unknown): Shape {
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 1)) {
    throw new Error(`${where}: ${what} must be a list of positive integers, got ${describeValue(shape)}`);
  }
  return Object.freeze([...shape]);
}

/** Entries of a name → value object, each name a plain word (it becomes part of a parameter's key). */
function namedEntries<T>(where: string, what: string, o: unknown): [string, T][] {
  if (o === undefined) return [];
  if (o === null || typeof o !== 'object') throw new Error(`${where}: ${what} must be an object of names, got ${describeValue(o)}`);
  const entries = Object.entries(o as object) as [string, T][];
  for (const [k] of entries) if (k === '' || k.includes('/')) throw new Error(`${where}: ${what} has a name ${JSON.stringify(k)}; names must be non-empty without '/'`);
  return entries;
}

/** The default init: weights by config.init/config.activation, vectors zero. */
function defaultInit<C extends object>(a: LayerInitArgs<C>): Record<string, Tensor> {
  const c = a.config as { init?: InitName; activation?: ActivationName };
  const out: Record<string, Tensor> = {};
  for (const [k, shape] of Object.entries(a.shapes)) {
    const fanIn = shape.length >= 2 ? shape.slice(0, -1).reduce((x, y) => x * y, 1) : shape[0] ?? 1;
    const fanOut = shape[shape.length - 1] ?? 1;
    out[k] = initialize(shape.length >= 2 ? c.init ?? 'auto' : 'zeros', c.activation ?? 'linear', { shape, fanIn, fanOut, rng: a.rng, dtype: a.dtype });
  }
  return out;
}

/**
 * Defines a layer kind and registers it: built-in layers are made this way too. Returns the layer's
 * factory: call it with options (plus `name` and `trainable`) to get a spec for `sequential`.
 *
 * @throws Error when the definition is malformed or its kind is taken; the factory throws when a config
 *   is wrong (naming the layer and the fix), and the model when an input shape does not fit.
 * @example
 * ```ts
 * import { mul, add, ones, zeros } from '@chainrule/core';
 * import { defineLayer, sequential } from '@chainrule/nn';
 * // y = x·γ + β per feature
 * const scaleShift = defineLayer({
 *   kind: 'scaleShift',
 *   config: () => ({}),
 *   params: (_c, [n]) => ({ gamma: [n!], beta: [n!] }),
 *   init: ({ shapes, dtype }) => ({ gamma: ones(shapes.gamma!, { dtype }), beta: zeros(shapes.beta!, { dtype }) }),
 *   outputShape: (_c, shape) => shape,
 *   apply: (p, _s, x) => ({ y: add(mul(x, p.gamma!), p.beta!) }),
 * });
 * const model = sequential([scaleShift()], { inputs: 3 });
 * ```
 */
export function defineLayer<C extends object, O = Record<string, unknown>>(definition: LayerDefinition<C>): LayerDef<C, O> {
  checkDefinition(definition);
  const d = definition;
  const { kind } = d;

  const makeSpec = (options: unknown): LayerSpec => {
    if (options !== undefined && (options === null || typeof options !== 'object' || Array.isArray(options))) {
      throw new Error(`${kind}: options must be an object, got ${describeValue(options)}`);
    }
    const { name, trainable, kind: _kind, ...rest } = (options ?? {}) as LayerJSON;
    const where = layerLabel(kind, name);
    if (name !== undefined && name !== null && (typeof name !== 'string' || name === '' || name.includes('/'))) {
      throw new Error(`${where}: a layer name must be a non-empty string without '/', got ${describeValue(name)}`);
    }
    if (trainable !== undefined && typeof trainable !== 'boolean') throw new Error(`${where}: trainable must be true or false, got ${describeValue(trainable)}`);
    let config: C;
    try {
      config = d.config(rest);
    } catch (e) {
      throw prefixed(where, e);
    }
    if (config === null || typeof config !== 'object' || Array.isArray(config) || !isPlainJSON(config)) {
      throw new Error(`defineLayer '${kind}': config() must return a plain JSON object (numbers, strings, booleans, lists, objects), got ${describeValue(config)}`);
    }
    const clash = Object.keys(config).find((k) => RESERVED.includes(k));
    if (clash) throw new Error(`defineLayer '${kind}': config() returned a field '${clash}', which is reserved for the layer itself (kind, name, trainable); rename it`);
    return LayerSpec({ kind, config: fromJS(config) as ImmutableMap<string, unknown>, name: name ?? null, trainable: trainable ?? true });
  };

  const factory = ((options?: unknown) => makeSpec(options)) as LayerDef<C, O>;
  Object.defineProperties(factory, {
    kind: { value: kind, enumerable: true },
    definition: { value: d },
    fromJSON: { value: (json: LayerJSON) => makeSpec(json) },
    resolve: { value: (spec: LayerSpec, name: string, inputShape: Shape) => resolveLayer(d, spec, name, inputShape) },
  });
  registry.set(kind, factory);
  return factory;
}

/** The layer a spec describes, at a name and an input shape: every answer of the definition checked. */
function resolveLayer<C extends object>(d: LayerDefinition<C>, spec: LayerSpec, name: string, inputShape: Shape): Layer {
  const where = `layer '${name}' (${d.kind})`;
  const config = Object.freeze(spec.config.toJS()) as unknown as C;
  const fitting = <T>(what: string, f: () => T): T => {
    try {
      return f();
    } catch (e) {
      throw new Error(`${where} does not fit its input ${formatShape(inputShape)}: ${(e as Error).message}`);
    }
  };
  const outputShape = checkShape(where, 'outputShape()', fitting('outputShape', () => d.outputShape(config, inputShape)));
  const shapes = Object.fromEntries(namedEntries<unknown>(where, 'params()', fitting('params', () => d.params?.(config, inputShape)))
    .map(([k, s]) => [k, checkShape(where, `the shape of parameter '${k}'`, s)]));
  const params: ParamInfo[] = Object.entries(shapes).map(([k, shape]) => ({ key: `${name}/${k}`, shape }));
  const stateShapes = (dtype: DType) => namedEntries<unknown>(where, 'initialState()', d.initialState?.(config, inputShape, dtype));
  // State shapes do not depend on the dtype: read them once, in float64.
  const state: ParamInfo[] = stateShapes('float64').map(([k, t]) => {
    if (!(t instanceof Tensor)) throw new Error(`${where}: initialState() gave ${describeValue(t)} for '${k}'; give a Tensor`);
    return { key: `${name}/${k}`, shape: t.shape };
  });
  const act = d.activation?.(config) ?? 'linear';

  /** Named tensors checked against the names and shapes the layer declared. */
  const checked = (what: string, infos: readonly ParamInfo[], got: unknown, dtype?: DType): [string, Tensor][] => {
    const entries = namedEntries<unknown>(where, what, got);
    const want = infos.map((p) => p.key.slice(name.length + 1));
    const names = entries.map(([k]) => k);
    if (want.length !== names.length || !want.every((k) => names.includes(k))) {
      throw new Error(`${where}: ${what} gave [${names.join(', ')}] but the layer declares [${want.join(', ')}]`);
    }
    return infos.map((p, i) => {
      const t = entries.find(([k]) => k === want[i])![1];
      if (!(t instanceof Tensor)) throw new Error(`${where}: ${what} gave ${describeValue(t)} for '${want[i]}'; give a Tensor`);
      if (!sameShape(t.shape, p.shape)) throw new Error(`${where}: ${what} gave '${want[i]}' of shape ${formatShape(t.shape)}, but it is declared ${formatShape(p.shape)}`);
      if (dtype && t.dtype !== dtype) throw new Error(`${where}: ${what} gave '${want[i]}' as ${t.dtype}, but the model is ${dtype}`);
      return [p.key, t];
    });
  };
  // Each entry's name inside the layer ('w' of 'dense0/w'), cut once: local() runs for every layer at every step.
  const paramNames = params.map((p) => p.key.slice(name.length + 1)), stateNames = state.map((p) => p.key.slice(name.length + 1));
  const local = (source: Params | ModelState, infos: readonly ParamInfo[], names: readonly string[], what: string): Tensors => {
    const out: Record<string, Tensor> = {};
    for (let i = 0; i < infos.length; i++) {
      const key = infos[i]!.key, t = source.get(key);
      if (!t) throw new Error(`${where}: the ${what} have no '${key}' (keys: ${[...source.keys()].join(', ') || 'none'})`);
      out[names[i]!] = t;
    }
    return out;
  };

  return {
    kind: d.kind,
    name,
    config: config as Readonly<Record<string, unknown>>,
    inputShape: Object.freeze([...inputShape]),
    outputShape,
    activation: act,
    trainable: spec.trainable,
    params,
    state,
    init(rng, dtype) {
      const initFn = d.init ?? defaultInit;
      return checked('init()', params, initFn({ config, inputShape, shapes, rng, dtype }), dtype).map(([k, t]) => [k, t.withName(k)]);
    },
    initState(dtype) {
      return checked('initialState()', state, Object.fromEntries(stateShapes(dtype)), dtype);
    },
    apply(p, s, x, options: RunOptions = {}) {
      const ps = local(p, params, paramNames, 'params'), ss = local(s, state, stateNames, 'state');
      const context: LayerContext<C> = { config, training: options.training ?? false, rng: options.rng, logits: options.logits ?? false, inputShape };
      const r = nameScope(name, () => {
        try {
          return d.apply(ps, ss, x, context);
        } catch (e) {
          // A plain error of the layer's own gets its name; core's debug reports (diagnose reads them) and typed errors pass as they are.
          if (e instanceof Error && e.constructor === Error && !/^(debug:|layer ')/.test(e.message)) throw prefixed(where, e);
          throw e;
        }
      });
      if (r === null || typeof r !== 'object' || !(r.y instanceof Tensor)) throw new Error(`${where}: apply() must return { y, state? } with y a Tensor, got ${describeValue(r)}`);
      if (!batchOf(r.y.shape, x.shape[0]!, outputShape)) {
        throw new Error(`${where}: apply() returned y of shape ${formatShape(r.y.shape)} for x of shape ${formatShape(x.shape)}, but its outputShape() says ${formatShape([x.shape[0]!, ...outputShape])}; make the two agree`);
      }
      const next = r.state === undefined ? state.map((i): [string, Tensor] => [i.key, s.get(i.key)!]) : checked('apply()\'s state', state, r.state, x.dtype);
      return { y: r.y, state: next };
    },
  };
}

/** Whether `shape` is [batch, ...rest], compared in place: this runs for every layer at every step. */
function batchOf(shape: readonly number[], batch: number, rest: readonly number[]): boolean {
  if (shape.length !== rest.length + 1 || shape[0] !== batch) return false;
  for (let i = 0; i < rest.length; i++) if (shape[i + 1] !== rest[i]) return false;
  return true;
}

/**
 * Every registered layer kind, built-ins first, then the ones defined since.
 *
 * @example
 * ```ts
 * import { registeredLayers } from '@chainrule/nn';
 * registeredLayers().map((l) => l.kind); // ['dense', 'flatten', …], then the layers you defined
 * ```
 */
export const registeredLayers = (): LayerDef<any, any>[] => [...registry.values()];

/** The registered layer of a kind, or undefined. */
export const getLayer = (kind: string): LayerDef<any, any> | undefined => registry.get(kind);

/** The description of a layer spec: '<kind> <describe(config)>'. */
export function describeLayerSpec(spec: LayerSpec): string {
  const def = registry.get(spec.kind);
  const config = spec.config.toJS();
  const text = def?.definition.describe ? def.definition.describe(config as never) : JSON.stringify(config);
  return `${spec.kind} ${text}`;
}
