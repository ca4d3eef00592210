/**
 * Global recording state: whether ops are being recorded, the current name scope, and the pass (forward/backward).
 */
let recording = true;
let phase: 'forward' | 'backward' = 'forward';
const scopes: string[] = [];
/** scopes joined with '/', kept current on push and pop: every recorded op reads it. */
let scopeName = '';

export const isRecording = (): boolean => recording;
export const currentPhase = (): 'forward' | 'backward' => phase;
export const currentScope = (): string => scopeName;

function withState<T>(set: () => () => void, fn: () => T): T {
  const restore = set();
  try {
    return fn();
  } finally {
    restore();
  }
}

/** Runs `fn` without recording any op: nothing inside can be differentiated. */
export function noGrad<T>(fn: () => T): T {
  return withState(() => {
    const before = recording;
    recording = false;
    return () => { recording = before; };
  }, fn);
}

/** Runs `fn` with recording forced on (used for `createGraph` backward passes). */
export function withRecording<T>(on: boolean, pass: 'forward' | 'backward', fn: () => T): T {
  return withState(() => {
    const [r, p] = [recording, phase];
    recording = on;
    phase = pass;
    return () => { recording = r; phase = p; };
  }, fn);
}

/** Tags every op recorded inside `fn` with a scope such as 'dense0'; viz draws one cluster per scope. */
export function nameScope<T>(name: string, fn: () => T): T {
  return withState(() => {
    scopes.push(name);
    scopeName = scopes.join('/');
    return () => { scopes.pop(); scopeName = scopes.join('/'); };
  }, fn);
}
