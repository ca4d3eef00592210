/**
 * The page state as a URL query, and back: `?data=spiral&layers=16:tanh,16:tanh&loss=crossEntropy&opt=adam&lr=0.01&batch=32&seed=0`,
 * plus `sched=cosine&decay=500&wd=0.0001` when those differ from the defaults.
 * A link reproduces a run. A malformed link is reported field by field and the last good state kept whole:
 * half of a link's settings would be a run nobody asked for.
 */
import { ACTIVATIONS, DEFAULT_STATE, type PlaygroundState } from './state.ts';
import { checkState, numberOf, type Candidate } from './validate.ts';

/**
 * The query string (with its '?') that stands for `s`. The kernel set, schedule, decay steps and weight decay
 * are left out when they are the defaults, so links made before those controls existed mean what they meant.
 */
export function encodeState(s: PlaygroundState): string {
  const q = new URLSearchParams();
  q.set('data', s.dataset);
  q.set('layers', s.layers.map((l) => `${l.width}:${l.activation}`).join(','));
  q.set('loss', s.loss);
  q.set('opt', s.optimizer);
  q.set('lr', String(s.lr));
  if (s.schedule !== DEFAULT_STATE.schedule) q.set('sched', s.schedule);
  if (s.decaySteps !== DEFAULT_STATE.decaySteps) q.set('decay', String(s.decaySteps));
  if (s.weightDecay !== DEFAULT_STATE.weightDecay) q.set('wd', String(s.weightDecay));
  q.set('batch', String(s.batchSize));
  q.set('seed', String(s.seed));
  if (s.kernels !== DEFAULT_STATE.kernels) q.set('kernels', s.kernels);
  // ',' and ':' read better unescaped and are legal in a query.
  return `?${q.toString().replace(/%2C/g, ',').replace(/%3A/g, ':')}`;
}

/** One hidden layer from 'width:activation'. */
function layerOf(text: string, i: number, problems: string[]): Candidate['layers'][number] {
  const [width = '', activation = '', ...rest] = text.split(':');
  if (rest.length > 0 || activation === '') {
    problems.push(`layers: item ${i + 1} '${text}' is not width:activation, e.g. 16:tanh`);
    // Said once: not again as an unknown activation '' (the link is refused either way).
    return { width: numberOf(width), activation: ACTIVATIONS[0] };
  }
  return { width: numberOf(width), activation };
}

/**
 * The state a query asks for. Parameters left out take `fallback`'s values; when any parameter is bad,
 * `state` is `fallback` and `problems` says what was wrong with the link.
 */
export function decodeState(search: string, fallback: PlaygroundState = DEFAULT_STATE): { state: PlaygroundState; problems: string[] } {
  const q = new URLSearchParams(search);
  const problems: string[] = [];
  const text = (key: string) => q.get(key) ?? undefined;
  const number = (key: string, fallen: number) => { const t = text(key); return t === undefined ? fallen : numberOf(t); };
  const layers = text('layers');
  const candidate: Candidate = {
    dataset: text('data') ?? fallback.dataset,
    layers: layers === undefined ? fallback.layers : layers === '' ? [] : layers.split(',').map((l, i) => layerOf(l, i, problems)),
    loss: text('loss') ?? fallback.loss,
    optimizer: text('opt') ?? fallback.optimizer,
    lr: number('lr', fallback.lr),
    // Left out of a link means the default (encodeState drops defaults), as for the kernel set.
    schedule: text('sched') ?? DEFAULT_STATE.schedule,
    decaySteps: number('decay', DEFAULT_STATE.decaySteps),
    weightDecay: number('wd', DEFAULT_STATE.weightDecay),
    batchSize: number('batch', fallback.batchSize),
    seed: number('seed', fallback.seed),
    kernels: text('kernels') ?? DEFAULT_STATE.kernels,
  };
  const checked = checkState(candidate);
  problems.push(...checked.problems);
  return checked.state && problems.length === 0 ? { state: checked.state, problems } : { state: fallback, problems: [...new Set(problems)] };
}
