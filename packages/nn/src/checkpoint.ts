/**
 * Checkpoints on bytes: everything a fit run needs to continue bit for bit, in ONE safetensors file
 * (browser-safe; checkpoint-file.ts puts the bytes on disk). Layout:
 *
 *   tensors        `dense0/w` …                 the params, named as in saveModel's files
 *                  `optimizer/<slot>/dense0/w` … each optimiser slot (Adam's m and v) per parameter
 *                  `state/bn1/runningMean` …    the layer state (batchNorm's running statistics), if any
 *   __metadata__   `chainrule.checkpoint`       the format version, '1'
 *                  `spec`                       the model spec (JSON), as encodeModel writes it
 *                  `optimizer.slots`            the slot names, in order (JSON)
 *                  `step`                       the optimiser's step: it also drives the LR schedule
 *                  `epochsDone`                 epochs completed: where a resumed fit starts
 *                  `rng`                        fit's streams (shuffling, augmentation, dropout) as Rng states (JSON)
 *                  `history`                    the History so far (JSON)
 *                  `position`                   only when taken inside an epoch (Trainer.checkpoint): the
 *                                               steps already run in it and their numbers (JSON), with the
 *   tensor         `position/outputs`           model outputs so far for the epoch's training metrics
 *
 * Later versions may add tensors and keys: a reader ignores metadata keys it does not know, and refuses a
 * file whose format number is newer than it reads. Layer state and the dropout stream came later within
 * format 1: a file without them is a model without stateful layers, and its dropout stream starts where
 * a fresh run's would.
 */
import { describeValue, Rng, Tensor, type RngState } from '@chainrule/core';
import { List, OrderedMap } from 'immutable';
import { History } from './history.ts';
import { fromSpec, type Model, type SequentialJSON } from './model.ts';
import type { ModelState } from './model-state.ts';
import { OptState } from './optimizers/optimizer.ts';
import type { Params } from './params.ts';
import { decodeSafetensors, encodeSafetensors, STATE_PREFIX, stateInFile, stateToSave } from './safetensors.ts';
import { checkAgainstSpec } from './validate-state.ts';
import { streamsFromStates, type FitRngState, type FitStreams } from './fit-streams.ts';

/** The checkpoint format this code writes and the newest it reads. */
export const CHECKPOINT_FORMAT = 1;
const VERSION_KEY = 'chainrule.checkpoint';
const SLOT_PREFIX = 'optimizer/';
const POSITION_OUTPUTS = 'position/outputs';

/** What a fit run needs to continue where another stopped (pass it as fit's `resume`). */
export interface ResumeState {
  /** The optimiser state to continue from; its step drives the learning-rate schedule. */
  readonly optState: OptState;
  /** The history so far; the resumed run appends to it. */
  readonly history: History;
  /** Epochs completed, counting earlier runs: the next run starts at this epoch (Keras's initial_epoch). */
  readonly epochsDone: number;
  /** Where fit's random streams stood, so shuffling and augmentation go on as if never stopped. */
  readonly rng: FitRngState;
  /**
   * Set when the state was taken inside an epoch (`trainer.checkpoint()` between its steps): the run
   * goes on from the next step of epoch `epochsDone`, not from the next epoch.
   */
  readonly position?: EpochPosition;
}

/**
 * Where a run stands inside an epoch: the epoch's batch order is drawn again from `shuffle`, the steps
 * already run are skipped, and their numbers go into the epoch's History entry as if it had never stopped.
 */
export interface EpochPosition {
  /** Steps already run in the epoch (at least 1: an epoch with none is not open). */
  readonly batch: number;
  /** The shuffle stream's state when the epoch began, before it drew the epoch's batch order. */
  readonly shuffle: RngState;
  /** The loss of each of those steps. */
  readonly stepLoss: readonly number[];
  /** The learning rate of each of those steps. */
  readonly stepLr: readonly number[];
  /** Each layer's gradient norm at each of those steps (empty with the monitor off). */
  readonly stepGradNorms: Readonly<Record<string, readonly number[]>>;
  /** The model's output rows so far, [samples, outputs] in sample order, for the epoch's training metrics; absent without metrics. */
  readonly outputs?: Tensor;
}

/** A run's whole state: FitResult is one, so `saveCheckpoint(path, model, fit(...))` needs nothing else. */
export interface TrainingState extends ResumeState {
  /** The params at that point. */
  readonly params: Params;
  /** The layer state at that point (batchNorm's running statistics); may be left out for a model without state. */
  readonly state?: ModelState;
}

/**
 * A loaded checkpoint: the model and the whole training state. Continue with `fit(ckpt.model,
 * ckpt.params, data, { ...options, resume: ckpt })`.
 */
export interface Checkpoint extends TrainingState {
  /** The model: the one passed to the loader, or the one the checkpoint describes. */
  readonly model: Model;
  /** The layer state (empty for a model without stateful layers). */
  readonly state: ModelState;
}

const wholeNumber = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

/**
 * A resume state checked against the model (each slot holds its parameters' names, shapes and dtype),
 * as live values: the optimiser state, the history, the first epoch and fresh streams at the saved
 * positions. `where` starts every error (e.g. 'fit: resume').
 */
export function resumeFrom(where: string, model: Model, state: ResumeState): { optState: OptState; history: History; epoch: number; position?: EpochPosition } & FitStreams {
  if (state === null || typeof state !== 'object') {
    throw new Error(`${where} must be { optState, history, epochsDone, rng }: a FitResult or a loaded checkpoint, got ${describeValue(state)}`);
  }
  if (!wholeNumber(state.epochsDone)) throw new Error(`${where}.epochsDone must be a whole number ≥ 0, got ${describeValue(state.epochsDone)}`);
  if (!(state.history instanceof History)) throw new Error(`${where}.history must be a History (FitResult.history), got ${describeValue(state.history)}`);
  checkSlots(`${where}.optState`, model, state.optState);
  if (state.position !== undefined) checkPosition(`${where}.position`, state.position);
  return { optState: state.optState, history: state.history, epoch: state.epochsDone, position: state.position, ...streamsFromStates(where, state.rng) };
}

/** A position's own consistency; whether it fits the data is the Trainer's check, which has the data. */
function checkPosition(where: string, position: EpochPosition): void {
  if (position === null || typeof position !== 'object') throw new Error(`${where} must be what trainer.checkpoint() gives inside an epoch, got ${describeValue(position)}`);
  const { batch, shuffle, stepLoss, stepLr, stepGradNorms, outputs } = position;
  if (!wholeNumber(batch) || batch < 1) throw new Error(`${where}.batch must be a whole number ≥ 1 (steps run in the epoch), got ${describeValue(batch)}`);
  Rng.fromState(shuffle, `${where}.shuffle`);
  const steps = (name: string, v: unknown) => {
    if (!Array.isArray(v) || v.length !== batch || !v.every((x) => typeof x === 'number')) {
      throw new Error(`${where}.${name} must hold one number per step run (${batch}), got ${describeValue(v)}`);
    }
  };
  steps('stepLoss', stepLoss);
  steps('stepLr', stepLr);
  if (stepGradNorms === null || typeof stepGradNorms !== 'object') throw new Error(`${where}.stepGradNorms must map layer names to their norms, got ${describeValue(stepGradNorms)}`);
  for (const [layer, norms] of Object.entries(stepGradNorms)) steps(`stepGradNorms['${layer}']`, norms);
  if (outputs !== undefined && !(outputs instanceof Tensor && outputs.shape.length === 2)) {
    throw new Error(`${where}.outputs must be a [samples, outputs] tensor, got ${describeValue(outputs)}`);
  }
}

/** An OptState whose every slot holds a tensor per parameter, as the params do. */
function checkSlots(where: string, model: Model, optState: unknown): asserts optState is OptState {
  if (!(optState instanceof OptState)) throw new Error(`${where} must be an OptState (FitResult.optState), got ${describeValue(optState)}`);
  if (!wholeNumber(optState.step)) throw new Error(`${where}.step must be a whole number ≥ 0, got ${describeValue(optState.step)}`);
  for (const [slot, values] of optState.slots) {
    if (slot.includes('/')) throw new Error(`${where}: slot name '${slot}' contains '/', which would make its tensor names ambiguous`);
    checkAgainstSpec(`${where} slot '${slot}'`, model, values);
  }
}

/**
 * The bytes of a checkpoint: `state` is a FitResult (or anything of its shape) for `model`; `where`
 * names the caller in errors. The browser's saveCheckpoint: store or download the bytes yourself.
 *
 * @throws Error when the params or an optimiser slot do not match the model's names, shapes and
 *   dtype, or the history, epochsDone or rng are not what fit returns.
 * @example
 * ```ts
 * // model, params, x and y as in fit's example
 * const result = fit(model, params, { x, y }, { loss: 'mse', epochs: 5, progress: false });
 * const bytes = encodeCheckpoint(model, result);
 * const again = fit(model, result.params, { x, y }, { loss: 'mse', epochs: 10, resume: decodeCheckpoint(bytes), progress: false });
 * ```
 */
export function encodeCheckpoint(model: Model, state: TrainingState, where = 'encodeCheckpoint'): Uint8Array {
  if (state === null || typeof state !== 'object') throw new Error(`${where}: state must be a FitResult (params, optState, history, epochsDone, rng), got ${describeValue(state)}`);
  checkAgainstSpec(`${where}: state.params`, model, state.params);
  resumeFrom(`${where}: state`, model, state);
  const layerState = stateToSave(where, model, state.state);
  const tensors = OrderedMap<string, Tensor>().withMutations((m) => {
    for (const [k, t] of state.params) m.set(k, t);
    for (const [k, t] of layerState) m.set(`${STATE_PREFIX}${k}`, t);
    for (const [slot, values] of state.optState.slots) for (const [k, t] of values) m.set(`${SLOT_PREFIX}${slot}/${k}`, t);
    if (state.position?.outputs) m.set(POSITION_OUTPUTS, state.position.outputs);
  });
  return encodeSafetensors(tensors, {
    [VERSION_KEY]: String(CHECKPOINT_FORMAT),
    format: 'chainrule',
    spec: JSON.stringify(model.toJSON()),
    'optimizer.slots': JSON.stringify([...state.optState.slots.keys()]),
    step: String(state.optState.step),
    epochsDone: String(state.epochsDone),
    rng: JSON.stringify(state.rng),
    history: JSON.stringify(historyToJSON(state.history)),
    ...(state.position && { position: JSON.stringify(positionToJSON(state.position)) }),
  });
}

/** Options of {@link decodeCheckpoint}. */
export interface DecodeCheckpointOptions {
  /** Load into this architecture instead of the spec in the bytes (names, shapes and dtypes are checked either way). */
  readonly model?: Model;
  /** A name for the bytes (a file name or URL) that every error starts with. */
  readonly source?: string;
}

/**
 * The checkpoint in bytes made by encodeCheckpoint or saveCheckpoint, checked throughout.
 *
 * @throws Error when the bytes are not valid safetensors, are a model file rather than a checkpoint,
 *   come from a newer checkpoint format, or a tensor or metadata field is missing or malformed (naming
 *   it and `options.source`).
 */
export function decodeCheckpoint(bytes: Uint8Array, options: DecodeCheckpointOptions = {}): Checkpoint {
  const source = options.source ?? 'checkpoint data';
  const { tensors, metadata } = decodeSafetensors(bytes, source);
  checkVersion(source, metadata[VERSION_KEY]);
  const field = (key: string): string => {
    const v = metadata[key];
    if (typeof v !== 'string') throw new Error(`${source}: the checkpoint has no __metadata__['${key}']`);
    return v;
  };
  const json = (key: string): unknown => {
    const text = field(key);
    try {
      return JSON.parse(text);
    } catch (e) {
      throw new Error(`${source}: __metadata__['${key}'] is not valid JSON (${(e as Error).message})`);
    }
  };
  const count = (key: string): number => {
    const text = field(key);
    if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) throw new Error(`${source}: __metadata__['${key}'] must be a whole number, got ${JSON.stringify(text)}`);
    return Number(text);
  };

  const model = options.model ?? modelOf(source, json('spec'));
  const slotNames = json('optimizer.slots');
  if (!Array.isArray(slotNames) || !slotNames.every((s) => typeof s === 'string' && s !== '' && !s.includes('/'))) {
    throw new Error(`${source}: __metadata__['optimizer.slots'] must be a list of slot names, got ${field('optimizer.slots')}`);
  }
  const known = new Set(slotNames.map((s) => `${SLOT_PREFIX}${s}/`));
  const stray = [...tensors.keys()].filter((k) => k.startsWith(SLOT_PREFIX) && ![...known].some((p) => k.startsWith(p)));
  if (stray.length) throw new Error(`${source}: tensors ${stray.map((k) => `'${k}'`).join(', ')} belong to no optimiser slot listed in __metadata__['optimizer.slots'] (${slotNames.join(', ') || 'none'})`);

  // Tensors in the model's order, whatever order the bytes had; names, shapes and dtypes checked.
  const inModelOrder = (where: string, prefix: string): Params => {
    const found = tensors.filter((_, k) => (prefix ? k.startsWith(prefix) : !k.startsWith(SLOT_PREFIX) && !k.startsWith(STATE_PREFIX) && k !== POSITION_OUTPUTS)).mapKeys((k) => k.slice(prefix.length));
    checkAgainstSpec(where, model, found);
    return OrderedMap<string, Tensor>(model.paramShapes.keySeq().map((k) => [k, found.get(k)!] as const));
  };
  const params = inModelOrder(source, '');
  const slots = OrderedMap(slotNames.map((s: string) => [s, inModelOrder(`${source}: optimizer slot '${s}'`, `${SLOT_PREFIX}${s}/`)] as const));
  const optState = OptState({ step: count('step'), slots });
  const rng = json('rng') as FitRngState;
  streamsFromStates(source, rng); // checks the states
  const history = historyFromJSON(source, json('history'));
  const position = metadata.position === undefined ? undefined : positionFromJSON(source, json('position'), tensors.get(POSITION_OUTPUTS));
  const state = { model, params, state: stateInFile(source, model, tensors), optState, history, epochsDone: count('epochsDone'), rng };
  if (position === undefined) return state;
  checkPosition(`${source}: __metadata__['position']`, position);
  return { ...state, position };
}

function modelOf(source: string, spec: unknown): Model {
  try {
    return fromSpec(spec as SequentialJSON);
  } catch (e) {
    throw new Error(`${source}: __metadata__['spec'] does not describe a model: ${(e as Error).message}`);
  }
}

function checkVersion(source: string, version: string | undefined): void {
  if (version === undefined) {
    throw new Error(`${source} is not a checkpoint: it has no __metadata__['${VERSION_KEY}'] (a model file from saveModel loads with loadModel; a checkpoint comes from saveCheckpoint or encodeCheckpoint)`);
  }
  if (!/^[1-9]\d*$/.test(version)) throw new Error(`${source}: __metadata__['${VERSION_KEY}'] must be a format number such as '1', got ${JSON.stringify(version)}`);
  if (Number(version) > CHECKPOINT_FORMAT) {
    throw new Error(`${source} was written by a newer chainrule: checkpoint format ${version}, this version reads format ${CHECKPOINT_FORMAT}; update @chainrule/nn to load it`);
  }
}

// History as JSON, exactly: numbers JSON cannot hold (NaN, ±Infinity, -0) go as strings, and
// ordered maps as [key, value] pairs so their order survives whatever the keys look like.

type JsonNumber = number | 'NaN' | 'Infinity' | '-Infinity' | '-0';
const numberToJSON = (v: number): JsonNumber => (Number.isFinite(v) && !Object.is(v, -0) ? v : Object.is(v, -0) ? '-0' : (String(v) as JsonNumber));
const SPECIAL: Readonly<Record<string, number>> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity, '-0': -0 };

const numbersToJSON = (l: Iterable<number>) => [...l].map(numberToJSON);
const mapToJSON = <V, J>(m: OrderedMap<string, V>, f: (v: V) => J): [string, J][] => [...m].map(([k, v]) => [k, f(v)]);

function historyToJSON(h: History) {
  return {
    loss: numbersToJSON(h.loss),
    metrics: mapToJSON(h.metrics, numbersToJSON),
    valLoss: numbersToJSON(h.valLoss),
    valMetrics: mapToJSON(h.valMetrics, numbersToJSON),
    lr: numbersToJSON(h.lr),
    gradNorms: h.gradNorms.toArray().map((m) => mapToJSON(m, numberToJSON)),
    stepLoss: numbersToJSON(h.stepLoss),
    stepLr: numbersToJSON(h.stepLr),
    stepGradNorms: mapToJSON(h.stepGradNorms, numbersToJSON),
  };
}

function historyFromJSON(source: string, json: unknown): History {
  const where = `${source}: __metadata__['history']`;
  const fail = (field: string, what: string, got: unknown): never => {
    throw new Error(`${where}.${field} must be ${what}, got ${describeValue(got)}`);
  };
  const num = (field: string, v: unknown): number => {
    if (typeof v === 'number') return v;
    if (typeof v === 'string' && v in SPECIAL) return SPECIAL[v]!;
    return fail(field, "a number (or 'NaN', 'Infinity', '-Infinity', '-0')", v);
  };
  const numbers = (field: string, v: unknown): List<number> => (Array.isArray(v) ? List(v.map((x) => num(field, x))) : fail(field, 'a list of numbers', v));
  const pairs = <V>(field: string, v: unknown, value: (x: unknown) => V): OrderedMap<string, V> => {
    if (!Array.isArray(v) || !v.every((p) => Array.isArray(p) && p.length === 2 && typeof p[0] === 'string')) return fail(field, 'a list of [name, value] pairs', v);
    return OrderedMap(v.map(([k, x]: [string, unknown]) => [k, value(x)] as const));
  };
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return fail('', 'an object', json);
  const h = json as Record<string, unknown>;
  return History({
    loss: numbers('loss', h.loss),
    metrics: pairs('metrics', h.metrics, (x) => numbers('metrics', x)),
    valLoss: numbers('valLoss', h.valLoss),
    valMetrics: pairs('valMetrics', h.valMetrics, (x) => numbers('valMetrics', x)),
    lr: numbers('lr', h.lr),
    gradNorms: Array.isArray(h.gradNorms) ? List(h.gradNorms.map((m) => pairs('gradNorms', m, (x) => num('gradNorms', x)))) : fail('gradNorms', 'a list', h.gradNorms),
    stepLoss: numbers('stepLoss', h.stepLoss),
    stepLr: numbers('stepLr', h.stepLr),
    stepGradNorms: pairs('stepGradNorms', h.stepGradNorms, (x) => numbers('stepGradNorms', x)),
  });
}

// A position inside an epoch, as JSON: its per-step numbers as History's are, its layer norms as pairs.

function positionToJSON(p: EpochPosition) {
  return {
    batch: p.batch, shuffle: p.shuffle, stepLoss: numbersToJSON(p.stepLoss), stepLr: numbersToJSON(p.stepLr),
    stepGradNorms: Object.entries(p.stepGradNorms).map(([k, v]) => [k, numbersToJSON(v)]),
  };
}

function positionFromJSON(source: string, json: unknown, outputs: Tensor | undefined): EpochPosition {
  const where = `${source}: __metadata__['position']`;
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new Error(`${where} must be an object, got ${describeValue(json)}`);
  const p = json as Record<string, unknown>;
  const numbers = (field: string, v: unknown): number[] => {
    const ok = Array.isArray(v) && v.every((x) => typeof x === 'number' || (typeof x === 'string' && x in SPECIAL));
    if (!ok) throw new Error(`${where}.${field} must be a list of numbers, got ${describeValue(v)}`);
    return (v as JsonNumber[]).map((x) => (typeof x === 'number' ? x : SPECIAL[x]!));
  };
  const pairs = p.stepGradNorms;
  if (!Array.isArray(pairs) || !pairs.every((e) => Array.isArray(e) && e.length === 2 && typeof e[0] === 'string')) {
    throw new Error(`${where}.stepGradNorms must be a list of [layer, norms] pairs, got ${describeValue(pairs)}`);
  }
  const stepGradNorms: Record<string, number[]> = {};
  for (const [k, v] of pairs as [string, unknown][]) stepGradNorms[k] = numbers(`stepGradNorms['${k}']`, v);
  return {
    batch: p.batch as number, shuffle: p.shuffle as RngState, stepLoss: numbers('stepLoss', p.stepLoss), stepLr: numbers('stepLr', p.stepLr),
    stepGradNorms, ...(outputs && { outputs }),
  };
}
