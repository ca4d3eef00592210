/**
 * Optimisers are pure: `init(params) → state`, `update(params, grads, state) → { params, state }`.
 * The state is an Immutable Record (step count plus one Params-like map per slot, e.g. Adam's m and v).
 * Updates run as kernels on the typed arrays (`sgdStep`, `adamStep` … in core), never differentiated.
 */
import { allocate, fromData, kernels, noGrad, type Tensor, type TypedArray } from '@chainrule/core';
import { OrderedMap, Record, type RecordOf } from 'immutable';
import { nonNegative, positive } from '../names.ts';
import type { Params } from '../params.ts';
import { toSchedule, type LearningRate, type Schedule } from '../schedules.ts';

export interface OptStateConfig {
  /** Updates done so far: the step number the next update uses. */
  readonly step: number;
  /** Per-slot tensors keyed like the params, e.g. slots.get('m').get('dense0/w'). */
  readonly slots: OrderedMap<string, Params>;
}
export type OptState = RecordOf<OptStateConfig>;
export const OptState = Record<OptStateConfig>({ step: 0, slots: OrderedMap() }, 'OptState');

export interface ClipOptions {
  /** Rescale all gradients together when their global L2 norm exceeds this. */
  readonly clipNorm?: number;
  /** Clip every gradient element to [-clipValue, clipValue]. */
  readonly clipValue?: number;
}

export interface Optimizer {
  readonly name: string;
  /** The options it was made with (numbers only for a constant lr). */
  readonly config: Readonly<globalThis.Record<string, unknown>>;
  /** The learning rate at a step. */
  readonly lr: Schedule;
  /** The names of the state's slots (e.g. Adam's 'm' and 'v'), so a state can be checked against them. */
  readonly slots?: readonly string[];
  init(params: Params): OptState;
  update(params: Params, grads: Params, state: OptState, step?: number): { params: Params; state: OptState };
}

export const sumSquares = (data: TypedArray): number => kernels().sumSquares(data);

/** The L2 norm of all gradients taken together. */
export const globalNorm = (grads: Params): number => Math.sqrt(grads.reduce((s, g) => s + sumSquares(g.data), 0));

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
 * One parameter's update: reads p, g and the slots, writes the new values into the fresh `out`
 * arrays; `lr` is this step's rate and `t` the 1-based update count (for bias correction).
 */
export type Kernel = (p: TypedArray, g: TypedArray, slots: TypedArray[], outP: TypedArray, outSlots: TypedArray[], lr: number, t: number) => void;

export interface BaseOptions extends ClipOptions {
  readonly lr?: LearningRate;
  readonly weightDecay?: number;
}

export function makeOptimizer(name: string, config: BaseOptions & globalThis.Record<string, unknown>, defaultLr: number,
  slotNames: readonly string[], kernel: Kernel): Optimizer {
  const lr = toSchedule(name, config.lr ?? defaultLr);
  nonNegative(name, 'weightDecay', config.weightDecay ?? 0);
  if (config.clipNorm !== undefined) positive(name, 'clipNorm', config.clipNorm);
  if (config.clipValue !== undefined) positive(name, 'clipValue', config.clipValue);
  const clip = config.clipNorm !== undefined || config.clipValue !== undefined;
  return {
    name,
    config,
    lr,
    slots: slotNames,
    init: (params) => OptState({
      step: 0,
      slots: OrderedMap(slotNames.map((s) => [s, params.map((p) => fromData(new (p.data.constructor as Float32ArrayConstructor)(p.size), p.shape))] as const)),
    }),
    update(params, grads, state, step = state.step) {
      const rate = lr(step);
      const g = clip ? clipGradients(grads, config) : grads;
      const slots = slotNames.map((s) => {
        const slot = state.slots.get(s);
        if (!slot) throw new Error(`${name}.update: the optimiser state has no '${s}' slot; make it with ${name}.init(params)`);
        return slot;
      });
      const newSlots = slotNames.map(() => OrderedMap<string, Tensor>().asMutable());
      const newParams = params.map((p, key) => {
        const gk = g.get(key);
        if (!gk) throw new Error(`${name}.update: no gradient for parameter '${key}'`);
        if (gk.size !== p.size) throw new Error(`${name}.update: gradient of '${key}' has shape [${gk.shape}], the parameter [${p.shape}]`);
        if (gk.dtype !== p.dtype) throw new Error(`${name}.update: gradient of '${key}' is ${gk.dtype}, the parameter ${p.dtype}`);
        const old = slots.map((slot, i) => {
          const s = slot.get(key);
          if (!s) throw new Error(`${name}.update: the '${slotNames[i]}' slot has no entry for '${key}'`);
          // One size check per parameter per step: the update kernel would otherwise be handed arrays of different lengths.
          if (s.size !== p.size) throw new Error(`${name}.update: the '${slotNames[i]}' slot holds [${s.shape}] for '${key}', the parameter [${p.shape}]; make the state with ${name}.init(params) for these params`);
          return s.data;
        });
        // The update kernel writes every value of the new parameter and slots.
        const pData = allocate(p.dtype, p.size, 'overwritten');
        const sData = old.map(() => allocate(p.dtype, p.size, 'overwritten'));
        kernel(p.data, gk.data, old, pData, sData, rate, step + 1);
        sData.forEach((d, i) => newSlots[i]!.set(key, fromData(d, p.shape)));
        return fromData(pData, p.shape, key);
      });
      return {
        params: newParams,
        state: OptState({ step: step + 1, slots: OrderedMap(slotNames.map((s, i) => [s, newSlots[i]!.asImmutable()] as const)) }),
      };
    },
  };
}
