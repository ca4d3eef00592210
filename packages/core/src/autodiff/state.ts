/**
 * Global recording state: whether ops are being recorded, the current name scope, and the pass (forward/backward).
 */
let recording = true;
let phase: 'forward' | 'backward' = 'forward';
const scopes: string[] = [];
/** scopes joined with '/', kept current on push and pop: every recorded op reads it. */
let scopeName = '';

/**
 * Whether ops are being recorded into the graph now: false inside `noGrad` (and during a backward pass
 * without `createGraph`), true otherwise.
 *
 * @example
 * ```ts
 * import { isRecording, noGrad } from '@chainrule/core';
 * noGrad(() => isRecording());   // false
 * ```
 */
export const isRecording = (): boolean => recording;
export const currentPhase = (): 'forward' | 'backward' => phase;
export const currentScope = (): string => scopeName;

/**
 * Runs `fn` without recording any op and returns its result: nothing computed inside has a graph, so it
 * costs no memory for the backward pass and cannot be differentiated (evaluation, optimiser updates).
 *
 * @example
 * ```ts
 * import { noGrad, tensor } from '@chainrule/core';
 * const x = tensor([1, 2]);
 * noGrad(() => x.mul(2)).node;   // undefined: no graph behind it
 * ```
 */
export function noGrad<T>(fn: () => T): T {
  // try/finally in each function, not a helper taking closures: these run several times per training step.
  const before = recording;
  recording = false;
  try {
    return fn();
  } finally {
    recording = before;
  }
}

/**
 * Sets whether ops are recorded and which pass they belong to. For code that cannot wrap its work in one
 * closure: the backward iterator sets the mode for each step and puts the caller's back after it.
 */
export function setRecordingMode(on: boolean, pass: 'forward' | 'backward'): void {
  recording = on;
  phase = pass;
}

/** Runs `fn` with recording forced on (used for `createGraph` backward passes). */
export function withRecording<T>(on: boolean, pass: 'forward' | 'backward', fn: () => T): T {
  const r = recording, p = phase;
  recording = on;
  phase = pass;
  try {
    return fn();
  } finally {
    recording = r;
    phase = p;
  }
}

/**
 * Runs `fn`, tagging every op recorded inside with a scope such as 'dense0' (nested scopes join with
 * '/'), and returns its result; viz draws one cluster per scope.
 *
 * @example
 * ```ts
 * import { nameScope, tensor } from '@chainrule/core';
 * const h = nameScope('dense0', () => tensor([-1, 2]).relu());
 * h.node?.scope;   // 'dense0'
 * ```
 */
export function nameScope<T>(name: string, fn: () => T): T {
  const outer = scopeName;
  scopes.push(name);
  // scopes.join('/'), from the outer name: one concatenation per layer and step, not a join.
  scopeName = scopes.length === 1 ? `${name}` : `${outer}/${name}`;
  try {
    return fn();
  } finally {
    scopes.pop();
    scopeName = outer;
  }
}
