/**
 * Which parameters an optimiser freezes and which options each of the others is updated with
 * (PyTorch's param_groups and requires_grad, optax's masked/multi_transform), as plain options
 * checked when the optimiser is made and resolved by parameter name at each update.
 */
import { describeValue } from '@chainrule/core';
import { nonNegative } from '../names.ts';
import type { Params } from '../params.ts';

/**
 * Parameters by name: a pattern searched in each name (e.g. `/\/b$|norm/`; flags such as g do not
 * matter), a list of exact names (each must name a parameter), or a test of the name.
 */
export type ParamSelector = RegExp | readonly string[] | ((name: string) => boolean);

/** Options for the parameters a selector picks, in place of the optimiser's own. */
export interface ParamGroup {
  /** The parameters of the group; a parameter picked by several groups takes the first. */
  readonly params: ParamSelector;
  /** Their weight decay λ ≥ 0 (default: the optimiser's), applied as the optimiser applies its own (L2 or decoupled). */
  readonly weightDecay?: number;
  /** Their learning rate is the optimiser's times this, ≥ 0 (default 1). */
  readonly lrScale?: number;
}

/** The options one parameter is updated with: its group's, or the optimiser's when no group picks it. */
export interface ParamOptions {
  /** Weight decay λ ≥ 0. */
  readonly weightDecay: number;
  /** Multiplies the learning rate. */
  readonly lrScale: number;
}

const GROUP_KEYS = ['params', 'weightDecay', 'lrScale'];

/** Throws unless `selector` is a RegExp, a list of strings or a function. */
export function checkSelector(where: string, selector: unknown): asserts selector is ParamSelector {
  if (selector instanceof RegExp || typeof selector === 'function') return;
  if (Array.isArray(selector) && selector.every((s) => typeof s === 'string')) return;
  throw new Error(`${where} must be a RegExp such as /\\/b$/, a list of parameter names, or a function of the name; got ${describeValue(selector)}`);
}

/** Checks the groups option and returns each group's options with the optimiser's defaults filled in. */
export function checkGroups(name: string, groups: unknown, defaults: ParamOptions): ParamOptions[] {
  if (groups === undefined) return [];
  if (!Array.isArray(groups)) throw new Error(`${name}: groups must be a list such as [{ params: /\\/b$/, weightDecay: 0 }], got ${describeValue(groups)}`);
  return groups.map((g: unknown, i) => {
    const where = `${name}: groups[${i}]`;
    if (g === null || typeof g !== 'object') throw new Error(`${where} must be an object such as { params: /\\/b$/, weightDecay: 0 }, got ${describeValue(g)}`);
    const unknown = Object.keys(g).filter((k) => !GROUP_KEYS.includes(k));
    if (unknown.length) throw new Error(`${where} has unknown option${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `'${k}'`).join(', ')}; a group takes ${GROUP_KEYS.join(', ')}`);
    const group = g as ParamGroup;
    checkSelector(`${where}.params`, group.params);
    if (group.weightDecay !== undefined) nonNegative(where, 'weightDecay', group.weightDecay);
    if (group.lrScale !== undefined) nonNegative(where, 'lrScale', group.lrScale);
    return { weightDecay: group.weightDecay ?? defaults.weightDecay, lrScale: group.lrScale ?? 1 };
  });
}

/** Whether the selector picks this name. */
export function selects(selector: ParamSelector, name: string): boolean {
  if (selector instanceof RegExp) return name.search(selector) !== -1; // search ignores lastIndex, unlike test with /g
  if (typeof selector === 'function') return selector(name) === true;
  return selector.includes(name);
}

/** Throws when a name the user listed is not a parameter: a typo would otherwise leave it trained (or decayed). */
export function checkNamesExist(where: string, names: Iterable<string>, params: Params): void {
  const missing = [...names].filter((n) => !params.has(n));
  if (missing.length) {
    throw new Error(`${where}: ${missing.map((n) => `'${n}'`).join(', ')} ${missing.length > 1 ? 'match' : 'matches'} no parameter; the parameters are ${[...params.keys()].join(', ')}`);
  }
}

/** No parameter frozen: one set for every update that freezes none (callers only read it). */
const NONE_FROZEN: ReadonlySet<string> = new Set();

/** What an optimiser needs from its groups and frozen options at each update. */
export interface ParamPlan {
  /** The frozen parameter names: the optimiser's `frozen` option's and the update's. */
  frozen(params: Params, extra: ReadonlySet<string> | undefined): ReadonlySet<string>;
  /**
   * Each parameter's options: its first group's, or the optimiser's; the list holds each distinct entry
   * once, and `index` gives a parameter's entry (a parameter it does not name takes entry 0, the optimiser's).
   */
  optionsOf(params: Params): { readonly list: readonly ParamOptions[]; readonly index: ReadonlyMap<string, number> };
}

/**
 * Checks the groups and frozen options when the optimiser is made; the plan then resolves them
 * against each update's params (names are only known then).
 */
export function paramPlan(name: string, config: { readonly groups?: unknown; readonly frozen?: unknown }, defaults: ParamOptions): ParamPlan {
  if (config.frozen !== undefined) checkSelector(`${name}: frozen`, config.frozen);
  const list = [defaults, ...checkGroups(name, config.groups, defaults)];
  const groups = (config.groups ?? []) as readonly ParamGroup[];
  const frozenOption = config.frozen as ParamSelector | undefined;
  const listed = (where: string, selector: ParamSelector, params: Params) => {
    if (Array.isArray(selector)) checkNamesExist(where, selector, params);
  };
  const ungrouped = { list, index: new Map<string, number>() };
  return {
    frozen(params, extra) {
      if (extra !== undefined && (extra === null || typeof (extra as ReadonlySet<string>).has !== 'function' || typeof (extra as ReadonlySet<string>)[Symbol.iterator] !== 'function')) {
        throw new Error(`${name}.update: frozen must be a Set of parameter names, got ${describeValue(extra)}`);
      }
      if (extra) checkNamesExist(`${name}.update: frozen`, extra, params);
      if (frozenOption === undefined) return extra ?? NONE_FROZEN;
      listed(`${name}: frozen`, frozenOption, params);
      const out = new Set(extra);
      for (const key of params.keys()) if (selects(frozenOption, key)) out.add(key);
      return out;
    },
    optionsOf(params) {
      // No groups: every parameter takes the optimiser's options, with no map to build each update.
      if (groups.length === 0) return ungrouped;
      groups.forEach((g, i) => listed(`${name}: groups[${i}].params`, g.params, params));
      const index = new Map<string, number>();
      for (const key of params.keys()) index.set(key, groups.findIndex((g) => selects(g.params, key)) + 1);
      return { list, index };
    },
  };
}
