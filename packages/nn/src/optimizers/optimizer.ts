/**
 * Optimisers are pure: `init(params) → state`, `update(params, grads, state) → { params, state }`.
 * The state is an Immutable Record (step count plus one Params-like map per slot, e.g. Adam's m and v).
 * Each update is one fused elementwise program (core's `fuse`), compiled once per optimiser and run
 * per parameter in one pass by the active kernel set; it is never differentiated.
 */
import { describeValue, fma, noGrad, sumOfSquares, zerosLike, type Expr, type Fused, type Tensor } from '@chainrule/core';
import { OrderedMap, Record, type RecordOf } from 'immutable';
import { nonNegative, positive } from '../names.ts';
import type { Params } from '../params.ts';
import { paramPlan, type ParamGroup, type ParamOptions, type ParamSelector } from './param-groups.ts';
import { toSchedule, type LearningRate, type Schedule } from '../schedules.ts';

/** The fields of an {@link OptState}. */
export interface OptStateConfig {
  /** Updates done so far: the step number the next update uses. */
  readonly step: number;
  /** Per-slot tensors keyed like the params, e.g. slots.get('m').get('dense0/w'). */
  readonly slots: OrderedMap<string, Params>;
}
/** An optimiser's state as an Immutable Record: the update count and its slots (e.g. Adam's m and v). Make one with `optimizer.init(params)`. */
export type OptState = RecordOf<OptStateConfig>;
/** Makes an OptState (defaults: step 0, no slots); `optimizer.init(params)` is the usual way. */
export const OptState = Record<OptStateConfig>({ step: 0, slots: OrderedMap() }, 'OptState');

/** Gradient clipping, applied to the gradients before each update: by value first, then by global norm. */
export interface ClipOptions {
  /** Rescale all gradients together when their global L2 norm exceeds this. */
  readonly clipNorm?: number;
  /** Clip every gradient element to [-clipValue, clipValue]. */
  readonly clipValue?: number;
}

/**
 * A pure optimiser: `init(params)` makes its state, `update(params, grads, state)` returns the new
 * params and state; nothing is mutated. Make one with sgd(), adam(), adamW(), rmsprop() or lion(),
 * or your own with {@link makeOptimizer}.
 *
 * @example
 * ```ts
 * import { grad, tensor } from '@chainrule/core';
 * import { adam, mlp, mse, type Params } from '@chainrule/nn';
 * const model = mlp([1, 1]), opt = adam({ lr: 0.01 }), x = tensor([[1], [2]]), y = tensor([[2], [4]]);
 * let params = model.init(0), state = opt.init(params);
 * ({ params, state } = opt.update(params, grad(mse(model.apply(params, x), y), params) as Params, state));
 * ```
 */
export interface Optimizer {
  /** Its name, e.g. 'adam' (errors start with it). */
  readonly name: string;
  /** The options it was made with (numbers only for a constant lr). */
  readonly config: Readonly<globalThis.Record<string, unknown>>;
  /** The learning rate at a step. */
  readonly lr: Schedule;
  /** The names of the state's slots (e.g. Adam's 'm' and 'v'), so a state can be checked against them. */
  readonly slots?: readonly string[];
  /**
   * Declares that update keeps no tensor it is given or makes (see core's `reusing`): training may then
   * reuse the buffers of the params and state it replaces. Every built-in optimiser is pure; a custom
   * one that is not declared runs as safely as ever, only without that reuse.
   */
  readonly pure?: boolean;
  /** A fresh state for these params: step 0 and each slot zeros shaped like the params. */
  init(params: Params): OptState;
  /**
   * One update: the new params and state (step one higher). `grads` is keyed and shaped like the
   * params; `step` (default `state.step`) picks the learning rate and bias corrections. Frozen
   * params (`options.frozen` and the optimiser's `frozen` option) and their slot entries come back
   * as they were, the same tensors; their gradients are not needed and not clipped.
   *
   * @throws Error when a gradient or slot entry is missing or its shape or dtype differs from the
   *   parameter's, or a frozen or grouped name is not a parameter (the error lists the parameters).
   */
  update(params: Params, grads: Params, state: OptState, step?: number, options?: UpdateOptions): {
    /** The updated params, in the same order and with the same names. */
    params: Params;
    /** The updated state. */
    state: OptState;
  };
}

/** Options of one `optimizer.update`. */
export interface UpdateOptions {
  /**
   * Parameter names to leave alone this update, on top of the optimiser's own `frozen` option: no
   * update, no weight decay, slots untouched (e.g. the names of layers marked `trainable: false`).
   */
  readonly frozen?: ReadonlySet<string>;
}

/** The L2 norm of all gradients taken together. */
export const globalNorm = (grads: Params): number => Math.sqrt(grads.reduce((s, g) => s + sumOfSquares(g), 0));

/** Gradient clipping by value, then by global norm (TensorFlow's order). */
export function clipGradients(grads: Params, options: ClipOptions): Params {
  let out = grads;
  if (options.clipValue !== undefined) {
    const c = options.clipValue;
    out = out.map((g) => noGrad(() => g.clip(-c, c)));
  }
  if (options.clipNorm !== undefined) {
    const norm = globalNorm(out);
    if (norm > options.clipNorm) {
      const scale = options.clipNorm / norm;
      out = out.map((g) => noGrad(() => g.mul(scale)));
    }
  }
  return out;
}

/**
 * One parameter's update as a fused program: it reads the arrays `p` (first: the outputs take its
 * shape and dtype), `g` and one per slot, and returns `p` and each slot. Its scalars are per-step
 * values (the rate, bias corrections) given by `StepScalars`; constants such as beta1 are baked in.
 */
export type UpdateProgram = Fused<string, string, string>;

/**
 * This step's scalars for one parameter's program, from its learning rate `lr` (its group's lrScale
 * applied), the 1-based update count `t`, and the options of the parameter's group (its weight
 * decay): how per-group options reach the fused update.
 */
export type StepScalars = (lr: number, t: number, param: ParamOptions) => globalThis.Record<string, number>;

/**
 * 1 − x computed inside the program, in the arrays' precision: the float32 kernels computed
 * 1 − float32(x) in float32, which is not float32(1 − x) (0.1 vs 0.100000024 for x = 0.9).
 * The product −1·x is exact, so fma rounds once, like a subtraction.
 */
export const oneMinus = (x: number): Expr => fma(-1, x, 1);

/** Options every built-in optimiser takes. */
export interface BaseOptions extends ClipOptions {
  /** The learning rate: a number ≥ 0 or a schedule of the step (each optimiser has its own default). */
  readonly lr?: LearningRate;
  /**
   * Weight decay λ ≥ 0: added to the gradient as λ·p (L2) by sgd, adam and rmsprop; applied to the
   * weights directly (decoupled) by adamW (default 0.01) and lion. Default 0 otherwise.
   */
  readonly weightDecay?: number;
  /**
   * Options for some parameters in place of the ones above, e.g. no weight decay on biases and
   * norms: `[{ params: /\/b$|norm/, weightDecay: 0 }]`. A parameter takes the first group that
   * picks it; parameters no group picks take the optimiser's options.
   */
  readonly groups?: readonly ParamGroup[];
  /** Parameters never updated: no step, no weight decay, slots untouched (see also `update`'s `frozen`). */
  readonly frozen?: ParamSelector;
}

/** A slot's entry for a parameter, or an error naming both. */
function slotEntry(name: string, slotNames: readonly string[], slots: readonly Params[], i: number, key: string): Tensor {
  const s = slots[i]!.get(key);
  if (!s) throw new Error(`${name}.update: the '${slotNames[i]}' slot has no entry for '${key}'`);
  return s;
}

/** The slots of an optimiser that keeps none. */
const NO_SLOTS: OptStateConfig['slots'] = OrderedMap();

/**
 * The state after an update: the given Record with its fields set (a tenth of what building a Record
 * from an object costs), or a new OptState when it was given as something else.
 */
function nextState(state: OptState, step: number, slots: OptStateConfig['slots']): OptState {
  if (!(state instanceof OptState)) return OptState({ step, slots });
  return state.set('step', step).set('slots', slots);
}

/** The slots an update program keeps (its outputs besides p), after checking it reads p first, g, and each slot. */
function slotsOf(name: string, program: UpdateProgram): string[] {
  const slots = program.outputs.filter((o) => o !== 'p');
  const want = ['p', 'g', ...slots];
  const reads = program.arrays;
  if (!program.outputs.includes('p') || reads[0] !== 'p' || reads.length !== want.length || !want.every((a) => reads.includes(a))) {
    throw new Error(`${name}: its update program must read arrays p (first), g and one per slot and return p and the slots; it reads [${reads.join(', ')}] and returns [${program.outputs.join(', ')}]`);
  }
  return slots;
}

/**
 * An optimiser from one parameter's update as a fused program (see {@link UpdateProgram}): it runs
 * per parameter each step, after clipping, with the scalars `stepScalars` gives for the step. The
 * slots are the program's outputs besides `p`, zeros at init. How the built-in optimisers are made.
 * Groups reach the program only through `stepScalars`: their lrScale scales its `lr`, and their weight
 * decay is its third argument's `weightDecay`, which a program that decays must read from there.
 *
 * @param config The options (lr, weightDecay, groups, frozen, clipNorm, clipValue and the optimiser's own), kept as `config`.
 * @param defaultLr The learning rate when `config.lr` is not given.
 * @throws Error when the learning rate or weightDecay is negative, a clip bound is not positive, a group
 *   or the frozen option is malformed, or the program does not read p (first), g and one array per slot.
 * @example
 * ```ts
 * import { fuse } from '@chainrule/core';
 * import { makeOptimizer } from '@chainrule/nn';
 * // plain gradient descent: p ← p − lr·g
 * const gd = makeOptimizer('gd', {}, 0.1, fuse({ arrays: ['p', 'g'], scalars: ['lr'] }, ({ p, g, lr }) => ({ p: p.sub(lr.mul(g)) })), (lr) => ({ lr }));
 * ```
 */
export function makeOptimizer(name: string, config: BaseOptions & globalThis.Record<string, unknown>, defaultLr: number,
  program: UpdateProgram, stepScalars: StepScalars): Optimizer {
  const lr = toSchedule(name, config.lr ?? defaultLr);
  const weightDecay = nonNegative(name, 'weightDecay', config.weightDecay ?? 0);
  const plan = paramPlan(name, config, { weightDecay, lrScale: 1 });
  if (config.clipNorm !== undefined) positive(name, 'clipNorm', config.clipNorm);
  if (config.clipValue !== undefined) positive(name, 'clipValue', config.clipValue);
  const clip = config.clipNorm !== undefined || config.clipValue !== undefined;
  const slotNames = slotsOf(name, program);
  return {
    name,
    config,
    lr,
    slots: slotNames,
    pure: true,
    init: (params) => OptState({
      step: 0,
      slots: OrderedMap(slotNames.map((s) => [s, params.map((p) => zerosLike(p))] as const)),
    }),
    update(params, grads, state, step = state.step, options = {}) {
      if (options === null || typeof options !== 'object') throw new Error(`${name}.update: options must be an object such as { frozen: new Set(['dense0/w']) }, got ${describeValue(options)}`);
      const frozen = plan.frozen(params, options.frozen);
      const groups = plan.optionsOf(params);
      // One set of scalars per group; lr·1 is exact, so ungrouped params get the bits they always had.
      const rate = lr(step);
      const scalars = groups.list.map((o) => stepScalars(rate * o.lrScale, step + 1, o));
      // Frozen gradients take no part, in the update or in the global norm clipping measures.
      const g = clip ? clipGradients(frozen.size ? grads.filter((_, key) => !frozen.has(key)) : grads, config) : grads;
      const slots: Params[] = [];
      for (const s of slotNames) {
        const slot = state.slots.get(s);
        if (!slot) throw new Error(`${name}.update: the optimiser state has no '${s}' slot; make it with ${name}.init(params)`);
        slots.push(slot);
      }
      // Plain loops, no closures made here: this runs every step, and every closure made per call was a measurable cost.
      const newSlots = slotNames.map(() => OrderedMap<string, Tensor>().asMutable());
      const newParams = params.asMutable();
      for (const [key, p] of params) {
        if (frozen.has(key)) {
          for (let i = 0; i < slots.length; i++) newSlots[i]!.set(key, slotEntry(name, slotNames, slots, i, key));
          continue;
        }
        const gk = g.get(key);
        if (!gk) throw new Error(`${name}.update: no gradient for parameter '${key}'`);
        if (gk.size !== p.size) throw new Error(`${name}.update: gradient of '${key}' has shape [${gk.shape}], the parameter [${p.shape}]`);
        if (gk.dtype !== p.dtype) throw new Error(`${name}.update: gradient of '${key}' is ${gk.dtype}, the parameter ${p.dtype}`);
        const arrays: globalThis.Record<string, Tensor> = { p, g: gk };
        for (let i = 0; i < slots.length; i++) {
          const s = slotEntry(name, slotNames, slots, i, key);
          // One size check per parameter per step: the program would otherwise be handed arrays of different lengths.
          if (s.size !== p.size) throw new Error(`${name}.update: the '${slotNames[i]}' slot holds [${s.shape}] for '${key}', the parameter [${p.shape}]; make the state with ${name}.init(params) for these params`);
          arrays[slotNames[i]!] = s;
        }
        const out = program.run(arrays, scalars[groups.index.get(key) ?? 0]!);
        for (let i = 0; i < slotNames.length; i++) newSlots[i]!.set(key, out[slotNames[i]!]!);
        newParams.set(key, out.p!.withName(key));
      }
      const newSlotMaps = slotNames.length === 0 ? NO_SLOTS : OrderedMap(slotNames.map((s, i) => [s, newSlots[i]!.asImmutable()] as const));
      return { params: newParams.asImmutable(), state: nextState(state, step + 1, newSlotMaps) };
    },
  };
}
