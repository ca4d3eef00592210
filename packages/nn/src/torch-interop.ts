/**
 * PyTorch interop: a model's params and layer state as the `state_dict` of the same network written
 * with torch.nn (names and layouts), and back, as plain JSON (see {@link toTorchStateDict} for the
 * Python side). scripts/torch-compare.py checks it against live PyTorch.
 */
import { describeValue, formatShape, fromData, sameShape, type Tensor } from '@chainrule/core';
import { OrderedMap } from 'immutable';
import { checkState, type Model } from './model.ts';
import type { ModelState } from './model-state.ts';
import type { Params } from './params.ts';
import { checkAgainstSpec } from './validate-state.ts';

/** The dtype of a tensor in a torch state_dict ('int64' for batchNorm's num_batches_tracked). */
export type TorchDType = 'float32' | 'float64' | 'int64';

/** One tensor of a {@link TorchStateDict}: its shape, dtype and values in row-major order. */
export interface TorchTensor {
  /** Its shape in torch, e.g. [out, in] for a Linear's weight; [] for a scalar. */
  readonly shape: readonly number[];
  /** Its dtype in torch (fromTorchStateDict takes any and converts to the model's). */
  readonly dtype: TorchDType;
  /** Its values, flattened row-major (`t.flatten().tolist()` in Python). */
  readonly data: ArrayLike<number>;
}

/** A torch state_dict as JSON: torch names such as '0.weight' to tensors, in torch's order. */
export type TorchStateDict = Readonly<Record<string, TorchTensor>>;

/** How one of a layer's tensors appears in torch: its attribute, whether the matrix is transposed, its dtype there. */
export interface TorchEntry {
  /** The attribute, e.g. 'weight'. */
  readonly name: string;
  /** Whether torch stores the transpose of this rank-2 tensor (Linear's weight is [out, in], dense's W [in, out]). */
  readonly transpose?: boolean;
  /** Its torch dtype when not the model's: 'int64' for counters. */
  readonly dtype?: 'int64';
}

/** A layer kind's tensors, by their name inside the layer ('w', 'runningMean'), as torch attributes. */
export type TorchLayout = Readonly<Record<string, string | TorchEntry>>;

/** The torch layouts of the built-in layers with tensors: dense as Linear, batchNorm as BatchNorm1d/2d, layerNorm as LayerNorm, conv2d as Conv2d. */
export const TORCH_LAYOUTS: Readonly<Record<string, TorchLayout>> = {
  dense: { w: { name: 'weight', transpose: true }, b: 'bias' },
  batchNorm: {
    gamma: 'weight', beta: 'bias', runningMean: 'running_mean', runningVar: 'running_var',
    numBatchesTracked: { name: 'num_batches_tracked', dtype: 'int64' },
  },
  layerNorm: { gamma: 'weight', beta: 'bias' },
  // The same layout as torch's Conv2d ([out, in/groups, kh, kw]): no transpose.
  conv2d: { w: 'weight', b: 'bias' },
};

/** Options of {@link toTorchStateDict} and {@link fromTorchStateDict}. */
export interface TorchOptions {
  /**
   * Torch module names for some layers, by layer name, e.g. `{ dense0: 'fc1', dense1: 'fc2' }` for a
   * module with named attributes; other layers keep their nn.Sequential index.
   */
  readonly modules?: Readonly<Record<string, string>>;
  /** Layouts for layer kinds beyond {@link TORCH_LAYOUTS} (a user layer's), or to override one. */
  readonly layouts?: Readonly<Record<string, TorchLayout>>;
}

/** One tensor's two names and shapes. */
interface Mapping {
  readonly key: string;
  readonly torchName: string;
  readonly shape: readonly number[];
  readonly torchShape: readonly number[];
  readonly transpose: boolean;
  readonly dtype: 'int64' | undefined;
  readonly isState: boolean;
}

/** Every param and state tensor of the model with its torch name, in torch's order (module by module). */
function mappings(where: string, model: Model, options: TorchOptions): Mapping[] {
  if (options === null || typeof options !== 'object') throw new Error(`${where}: options must be an object such as { modules: { dense0: 'fc1' } }, got ${describeValue(options)}`);
  const modules = options.modules ?? {};
  const names = model.layers.map((l) => l.name);
  const stray = Object.keys(modules).filter((n) => !names.includes(n));
  if (stray.length) throw new Error(`${where}: modules names ${stray.map((n) => `'${n}'`).join(', ')}, not layers of the model; its layers are ${names.join(', ')}`);
  const out: Mapping[] = [];
  let index = 0;
  for (const layer of model.layers) {
    const prefix = modules[layer.name] ?? String(index);
    if (typeof prefix !== 'string' || prefix === '') throw new Error(`${where}: modules['${layer.name}'] must be a module name such as 'fc1', got ${describeValue(prefix)}`);
    // nn.Sequential gives an activation its own module: Linear then ReLU.
    index += layer.kind !== 'activation' && layer.activation !== 'linear' ? 2 : 1;
    const tensors = [...layer.params.map((p) => ({ p, isState: false })), ...layer.state.map((p) => ({ p, isState: true }))];
    if (tensors.length === 0) continue;
    const layout = options.layouts?.[layer.kind] ?? TORCH_LAYOUTS[layer.kind];
    const local = (key: string) => key.slice(layer.name.length + 1);
    const fix = `pass { layouts: { ${layer.kind}: { ${tensors.map(({ p }) => `${local(p.key)}: '…'`).join(', ')} } } }`;
    if (!layout) throw new Error(`${where}: layer '${layer.name}' is a ${layer.kind}, which has no torch layout; ${fix}`);
    for (const { p, isState } of tensors) {
      const entry = layout[local(p.key)];
      if (entry === undefined) throw new Error(`${where}: the torch layout of ${layer.kind} has no entry for '${local(p.key)}' (layer '${layer.name}'); ${fix}`);
      const { name, transpose = false, dtype } = typeof entry === 'string' ? { name: entry } as TorchEntry : entry;
      if (transpose && p.shape.length !== 2) throw new Error(`${where}: the torch layout of ${layer.kind} transposes '${local(p.key)}', which has shape ${formatShape(p.shape)}; only a matrix can be transposed`);
      out.push({ key: p.key, torchName: `${prefix}.${name}`, shape: p.shape, torchShape: transpose ? [p.shape[1]!, p.shape[0]!] : p.shape, transpose, dtype, isState });
    }
  }
  const seen = new Set<string>();
  for (const m of out) {
    if (seen.has(m.torchName)) throw new Error(`${where}: two tensors would be named '${m.torchName}' in torch; give the layers distinct modules`);
    seen.add(m.torchName);
  }
  return out;
}

/** [rows, cols] row-major → its transpose, row-major. */
function transposed(data: ArrayLike<number>, rows: number, cols: number, out: Float32Array | Float64Array | number[]): void {
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c]!;
}

/**
 * A model's params and layer state as the state_dict of the same network in torch.nn: names such as
 * '0.weight' (nn.Sequential indices, see {@link TorchOptions}), dense's W [in, out] as Linear's weight
 * [out, in], batchNorm's running_mean, running_var and num_batches_tracked (int64), layerNorm's weight
 * and bias. Module names follow nn.Sequential: each layer takes the next index, and a layer with its
 * own activation (dense(8, { activation: 'relu' })) takes two, Linear then ReLU.
 *
 * Plain JSON, exact for float32 and float64 values: write it with JSON.stringify. Python needs only
 * json and torch (Debian's python3-torch comes without the `safetensors` package); this loads it and
 * writes a torch model's dict for {@link fromTorchStateDict}:
 *
 * ```
 * import json, torch
 * from torch import nn
 * net = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 3))
 * D = {"float32": torch.float32, "float64": torch.float64, "int64": torch.int64}
 * with open("state_dict.json") as f:  # JSON.stringify(toTorchStateDict(model, params, state))
 *     net.load_state_dict({k: torch.tensor(v["data"], dtype=D[v["dtype"]]).reshape(v["shape"]) for k, v in json.load(f).items()})
 * net.eval()  # as chainrule's predict and evaluate
 * with open("from_torch.json", "w") as f:  # fromTorchStateDict(model, JSON.parse(text))
 *     json.dump({k: {"shape": list(t.shape), "dtype": str(t.dtype)[6:], "data": t.flatten().tolist()} for k, t in net.state_dict().items()}, f)
 * ```
 *
 * @param state The layer state (model.initState(), FitResult.state); needed when the model has one.
 * @throws Error when params or state do not match the model, a layer with tensors has no torch layout
 *   (naming its kind and the option that gives one), or a modules entry names no layer.
 * @example
 * ```ts
 * import { mlp, toTorchStateDict } from '@chainrule/nn';
 * const model = mlp([4, 8, 3]), params = model.init(0);
 * const dict = toTorchStateDict(model, params); // { '0.weight': { shape: [8, 4], … }, '0.bias', '2.weight', '2.bias' }
 * ```
 */
export function toTorchStateDict(model: Model, params: Params, state?: ModelState, options: TorchOptions = {}): Record<string, TorchTensor> {
  const where = 'toTorchStateDict';
  checkAgainstSpec(where, model, params);
  if (state === undefined && model.stateShapes.size > 0) {
    throw new Error(`${where}: the model keeps layer state (${model.stateShapes.keySeq().join(', ')}); pass it as the third argument (FitResult.state or model.initState())`);
  }
  const s = state ?? OrderedMap<string, Tensor>();
  checkState(where, model, s);
  const out: Record<string, TorchTensor> = {};
  for (const m of mappings(where, model, options)) {
    const t = (m.isState ? s : params).get(m.key)!;
    let data: number[];
    if (m.transpose) {
      data = new Array<number>(t.size);
      transposed(t.data, m.shape[0]!, m.shape[1]!, data);
    } else {
      data = Array.from(t.data);
    }
    out[m.torchName] = { shape: [...m.torchShape], dtype: m.dtype ?? model.dtype, data };
  }
  return out;
}

/**
 * The params and layer state of a model from a torch state_dict in the JSON form of
 * {@link toTorchStateDict} (whose comment shows the Python that writes it). Like torch's
 * load_state_dict (strict): every name must be there with its torch shape, and no other.
 * Values are converted to the model's dtype.
 *
 * @throws Error listing the missing and unexpected names, or naming a tensor whose shape, dtype or
 *   number of values is wrong (with both shapes), or a layer with tensors that has no torch layout.
 * @example
 * ```ts
 * import { fromTorchStateDict, mlp, toTorchStateDict } from '@chainrule/nn';
 * const model = mlp([4, 8, 3]);
 * const { params, state } = fromTorchStateDict(model, toTorchStateDict(model, model.init(0)));
 * ```
 */
export function fromTorchStateDict(model: Model, dict: TorchStateDict, options: TorchOptions = {}): {
  /** The model's params, in its names and layouts. */
  params: Params;
  /** The layers' state (batchNorm's running statistics). */
  state: ModelState;
} {
  const where = 'fromTorchStateDict';
  if (dict === null || typeof dict !== 'object' || Array.isArray(dict)) {
    throw new Error(`${where}: give the state_dict as an object of { shape, dtype, data } by torch name (JSON.parse of the file Python wrote), got ${describeValue(dict)}`);
  }
  const all = mappings(where, model, options);
  const want = new Set(all.map((m) => m.torchName));
  const missing = all.filter((m) => !Object.prototype.hasOwnProperty.call(dict, m.torchName)).map((m) => m.torchName);
  const unexpected = Object.keys(dict).filter((k) => !want.has(k));
  if (missing.length || unexpected.length) {
    throw new Error(`${where}: the state_dict does not fit the model${missing.length ? `; missing: ${missing.join(', ')}` : ''}${unexpected.length ? `; unexpected: ${unexpected.join(', ')}` : ''} (the model's torch names are ${[...want].join(', ')}; see TorchOptions.modules for other module names)`);
  }
  const params: [string, Tensor][] = [];
  const state: [string, Tensor][] = [];
  const Typed = model.dtype === 'float32' ? Float32Array : Float64Array;
  for (const m of all) {
    const entry = dict[m.torchName] as TorchTensor | undefined;
    const what = `'${m.torchName}' (for '${m.key}')`;
    if (entry === null || typeof entry !== 'object') throw new Error(`${where}: ${what} must be { shape, dtype, data }, got ${describeValue(entry)}`);
    if (!Array.isArray(entry.shape) || !sameShape(entry.shape, m.torchShape)) {
      throw new Error(`${where}: ${what} has shape ${Array.isArray(entry.shape) ? formatShape(entry.shape) : describeValue(entry.shape)} but the model needs ${formatShape(m.torchShape)} in torch's layout${m.transpose ? ` (the transpose of its ${formatShape(m.shape)})` : ''}`);
    }
    if (entry.dtype !== undefined && !['float32', 'float64', 'int64'].includes(entry.dtype)) {
      throw new Error(`${where}: ${what} has dtype ${describeValue(entry.dtype)}; this reads float32, float64 and int64`);
    }
    const size = m.shape.reduce((a, b) => a * b, 1);
    const data = entry.data;
    if (data === null || typeof data !== 'object' || typeof data.length !== 'number') throw new Error(`${where}: ${what} needs its values as a flat list in data, got ${describeValue(data)}`);
    if (data.length !== size) throw new Error(`${where}: ${what} has ${data.length} values for shape ${formatShape(m.torchShape)}, which holds ${size}`);
    for (let i = 0; i < size; i++) {
      if (typeof data[i] !== 'number') throw new Error(`${where}: ${what} value ${i} is ${describeValue(data[i])}, not a number`);
    }
    const values = new Typed(size);
    if (m.transpose) transposed(data, m.torchShape[0]!, m.torchShape[1]!, values);
    else for (let i = 0; i < size; i++) values[i] = data[i]!;
    (m.isState ? state : params).push([m.key, fromData(values, m.shape, m.key)]);
  }
  // The model's order, not torch's (a layer's params all come before its state in both, but params and state are separate maps).
  const byKey = (entries: [string, Tensor][], order: Iterable<string>) => {
    const found = new Map(entries);
    return OrderedMap<string, Tensor>([...order].map((k) => [k, found.get(k)!] as [string, Tensor]));
  };
  return { params: byKey(params, model.paramShapes.keys()), state: byKey(state, model.stateShapes.keys()) };
}
