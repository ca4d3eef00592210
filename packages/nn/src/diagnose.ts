/**
 * Why a step went non-finite. The batch runs again with core's per-op checks on (setDebug), forward
 * one layer at a time, then backward over one more layer at a time from the loss, so the first op
 * that makes a NaN or ±Inf is found with the layer it belongs to. This runs only once training has
 * stopped, so its cost does not matter.
 */
import { grad, isDebug, nameScope, setDebug, type Rng, type Tensor } from '@chainrule/core';
import { OrderedMap } from 'immutable';
import type { Loss } from './losses.ts';
import type { Model } from './model.ts';
import type { ModelState } from './model-state.ts';
import { NonFiniteError, type NonFiniteCause } from './monitor.ts';
import type { Params } from './params.ts';
import type { Target } from './targets.ts';
import { usesLogits } from './train-step.ts';

export interface StepContext {
  readonly model: Model;
  readonly loss: Loss;
  readonly params: Params;
  readonly batch: { readonly x: Tensor; readonly y: Target };
  /** The layer state the step started from (default none). */
  readonly state?: ModelState;
  /** The step's random stream where it started (dropout draws the same masks again). */
  readonly rng?: Rng;
}

/** Core's per-op check says `debug: op 'log' produced …`; anything else is not ours to explain. */
const DEBUG_MESSAGE = /^debug: op '([^']+)'/;

type Attempt<T> = { ok: true; value: T } | { ok: false; op: string; detail: string };

function attempt<T>(fn: () => T): Attempt<T> {
  try {
    return { ok: true, value: fn() };
  } catch (e) {
    const m = e instanceof Error ? DEBUG_MESSAGE.exec(e.message) : null;
    if (!m) throw e;
    return { ok: false, op: m[1]!, detail: (e as Error).message.replace(/^debug: /, '') };
  }
}

/** The first op of the batch that makes a NaN/Inf, with its layer ('loss' for the loss), or undefined. */
export function findCause(ctx: StepContext): (NonFiniteCause & { detail: string }) | undefined {
  const before = isDebug();
  setDebug(true);
  try {
    return replay(ctx);
  } finally {
    setDebug(before);
  }
}

function replay({ model, loss, params, batch, state = OrderedMap(), rng }: StepContext): (NonFiniteCause & { detail: string }) | undefined {
  const logits = usesLogits(model, loss);
  const last = model.layers.length - 1;
  const layerInputs: Tensor[] = [];
  let h = batch.x;
  for (const [i, layer] of model.layers.entries()) {
    layerInputs.push(h);
    const input = h;
    const r = attempt(() => layer.apply(params, state, input, { training: true, rng, logits: logits && i === last }));
    if (!r.ok) return { op: r.op, layer: layer.name, pass: 'forward', detail: r.detail };
    h = r.value.y;
  }
  const output = h;
  const value = attempt(() => nameScope('loss', () => loss(output, batch.y)));
  if (!value.ok) return { op: value.op, layer: 'loss', pass: 'forward', detail: value.detail };
  // Backward: differentiate with respect to ever earlier tensors; the stage that first fails adds
  // exactly one layer's VJPs to those that ran cleanly, so that layer holds the culprit.
  const stages: { layer: string; wrt: Tensor[] }[] = [{ layer: 'loss', wrt: [output] }];
  for (let i = last; i >= 0; i--) {
    const own = model.layers[i]!.params.map((p) => params.get(p.key)!);
    stages.push({ layer: model.layers[i]!.name, wrt: i > 0 ? [layerInputs[i]!, ...own] : own });
  }
  for (const stage of stages) {
    const r = attempt(() => grad(value.value, stage.wrt));
    if (!r.ok) return { op: r.op, layer: stage.layer, pass: 'backward', detail: r.detail };
  }
  return undefined;
}

/** The parameter with the largest magnitude among `keys`, and that magnitude. */
function largest(params: Params, keys: readonly string[]): { key: string; value: number } | undefined {
  let best: { key: string; value: number } | undefined;
  for (const key of keys) {
    const d = params.get(key)!.data;
    for (let i = 0; i < d.length; i++) {
      const v = Math.abs(d[i]!);
      if (!best || v > best.value) best = { key, value: v };
    }
  }
  return best;
}

/** Weights this large usually mean training has been diverging. */
const DIVERGED = 1e4;

/** The monitor's error, with the op, layer and parameter that the replay of the batch points at. */
export function explainNonFinite(error: NonFiniteError, ctx: StepContext): NonFiniteError {
  const cause = findCause(ctx);
  if (!cause) {
    return new NonFiniteError(`${error.message}; running the batch again with per-op checks found no op that makes NaN/Inf`, error.step, error.parameter, error.value);
  }
  const layer = ctx.model.layers.find((l) => l.name === cause.layer);
  const big = largest(ctx.params, layer ? layer.params.map((p) => p.key) : [...ctx.model.paramShapes.keys()]);
  const diverged = big !== undefined && big.value > DIVERGED;
  // A weight that has grown huge is the cause; otherwise the parameter whose gradient went bad is named.
  const parameter = diverged ? big.key : error.parameter ?? big?.key;
  const where = cause.layer === 'loss' ? 'in the loss' : `in layer '${cause.layer}'`;
  const hint = diverged
    ? `Parameter '${big.key}' has grown to ${big.value.toExponential(2)}: the learning rate is likely too large`
    : 'Look for log(0), division by zero, sqrt(0) or a learning rate that is too large';
  const message = `${error.message.replace(/ \(look for .*\)$/, '')}. Run again with per-op checks, the batch first goes non-finite at op '${cause.op}' ${where} (${cause.pass} pass): ${cause.detail}. ${hint}`;
  const { detail: _, ...culprit } = cause;
  return new NonFiniteError(message, error.step, parameter, error.value, culprit);
}
