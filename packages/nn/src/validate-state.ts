/**
 * What training starts from, checked against the model before any work: params with exactly the
 * model's names, shapes and dtype (params of another model would train weights that do not belong to
 * it), an optimiser state whose slots hold one tensor per parameter of the same shape (a smaller one
 * would make the update kernels read past their arrays), and parameters small enough to allocate.
 */
import { describeValue, firstNonFinite, formatShape, sameShape, Tensor } from '@chainrule/core';
import { Map as ImmutableMap } from 'immutable';
import type { Model } from './model.ts';

import type { Optimizer, OptState } from './optimizers/index.ts';
import { OptState as OptStateRecord } from './optimizers/optimizer.ts';
import type { Params } from './params.ts';


/** "; missing: a, b; unexpected: c" for two key lists, or '' when they hold the same names. */
function keyDifference(expected: Iterable<string>, actual: Iterable<string>): string {
  const [want, have] = [new Set(expected), new Set(actual)];
  const missing = [...want].filter((k) => !have.has(k));
  const extra = [...have].filter((k) => !want.has(k));
  return `${missing.length ? `; missing: ${missing.join(', ')}` : ''}${extra.length ? `; unexpected: ${extra.join(', ')}` : ''}`;
}

/** What {@link checkAgainstSpec} compares against: the params by default, the layer state on request. */
export interface SpecCheck {
  /** Names and shapes to match (default model.paramShapes). */
  readonly shapes?: ImmutableMap<string, readonly number[]>;
  /** What the tensors are called in errors (default 'parameter'). */
  readonly what?: string;
  /** How to make a right one (default 'model.init(seed)'). */
  readonly make?: string;
}

/**
 * Checks that params hold exactly the model's parameter names, shapes and dtype (what every loader
 * and fit check before use); with `check.shapes` the same for the layer state.
 *
 * @param source Starts every error, e.g. a file name.
 * @throws Error listing the missing and unexpected names, or naming the parameter whose shape or
 *   dtype differs, with both shapes.
 */
export function checkAgainstSpec(source: string, model: Model, params: Params, check: SpecCheck = {}): void {
  const shapes = check.shapes ?? model.paramShapes;
  const what = check.what ?? 'parameter';
  if (!ImmutableMap.isMap(params)) {
    const example = shapes.keySeq().first() ?? 'dense0/w';
    throw new Error(`${source}: ${what === 'parameter' ? 'params' : what} must be the ${what === 'parameter' ? 'Params' : 'ModelState'} of ${check.make ?? 'model.init(seed)'}, an OrderedMap from names such as '${example}' to tensors; got ${describeValue(params)}`);
  }
  const diff = keyDifference(shapes.keys(), params.keys());
  if (diff) throw new Error(`${source}: ${what} names do not match the model spec${diff}`);
  for (const [key, shape] of shapes) {
    const t = params.get(key);
    if (!(t instanceof Tensor)) throw new Error(`${source}: ${what} '${key}' is ${describeValue(t)}, not a Tensor`);
    if (!sameShape(t.shape, shape)) {
      throw new Error(`${source}: ${what} '${key}' has shape ${formatShape(t.shape)} but the model spec needs ${formatShape(shape)} (are these the ${what === 'parameter' ? 'params' : what} of another model?)`);
    }
    if (t.dtype !== model.dtype) throw new Error(`${source}: ${what} '${key}' is ${t.dtype} but the model is ${model.dtype}`);
  }
}

/** Every parameter value is finite (a NaN weight would surface steps later as a NaN gradient). */
export function checkFiniteParams(where: string, params: Params): void {
  for (const [key, t] of params) {
    const i = firstNonFinite(t.data);
    if (i >= 0) throw new Error(`${where}: parameter '${key}' has ${t.data[i]} at flat index ${i}`);
  }
}

/** An optimiser state made by `optimizer.init(params)` for these params (or saved from such a run). */
export function checkOptState(where: string, optimizer: Optimizer, state: OptState, params: Params): void {
  const remake = "make it with the optimiser's init(params) for these params";
  if (!(state instanceof OptStateRecord)) throw new Error(`${where}: optState must be an OptState made by an optimiser's init(params), got ${describeValue(state)}`);
  if (!Number.isInteger(state.step) || state.step < 0) throw new Error(`${where}: optState.step must be a whole number ≥ 0, got ${describeValue(state.step)}`);
  if (optimizer.slots) {
    const diff = keyDifference(optimizer.slots, state.slots.keys());
    if (diff) throw new Error(`${where}: optState's slots do not match what ${optimizer.name} keeps${diff} (was it made by another optimiser? ${remake})`);
  }
  for (const [slot, values] of state.slots) {
    const diff = keyDifference(params.keys(), values.keys());
    if (diff) throw new Error(`${where}: optState slot '${slot}' does not match the params${diff} (${remake})`);
    for (const [key, p] of params) {
      const s = values.get(key)!;
      if (!(s instanceof Tensor)) throw new Error(`${where}: optState slot '${slot}' entry '${key}' is ${describeValue(s)}, not a Tensor`);
      if (!sameShape(s.shape, p.shape)) {
        throw new Error(`${where}: optState slot '${slot}' holds ${formatShape(s.shape)} for '${key}', but the parameter has shape ${formatShape(p.shape)} (was it made for another model? ${remake})`);
      }
      if (s.dtype !== p.dtype) throw new Error(`${where}: optState slot '${slot}' entry '${key}' is ${s.dtype} but the parameter is ${p.dtype}`);
    }
  }
}

/** The most bytes one parameter may take; a larger typed array fails deep inside, or exhausts memory. */
export const MAX_PARAM_BYTES = 2 ** 31;

const readable = (bytes: number) => (bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(1)} GiB` : `${(bytes / 2 ** 20).toFixed(1)} MiB`);

/** Checked before init allocates anything: names the parameter and its size in bytes. */
export function checkParamSizes(where: string, model: Model): void {
  const bytesPer = model.dtype === 'float64' ? 8 : 4;
  for (const [key, shape] of model.paramShapes) {
    const bytes = shape.reduce((a, b) => a * b, 1) * bytesPer;
    if (bytes > MAX_PARAM_BYTES) {
      throw new Error(`${where}: parameter '${key}' of shape ${formatShape(shape)} needs ${bytes} bytes (${readable(bytes)}) as ${model.dtype}; one parameter may take at most ${MAX_PARAM_BYTES} bytes (${readable(MAX_PARAM_BYTES)})`);
    }
  }
}
