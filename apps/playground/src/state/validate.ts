/**
 * What is wrong with a page state, in the words of its controls: the layer and its width, the learning rate
 * as typed, the loss that does not fit the data set. Every way a state arrives (a control, a link) goes
 * through here once; the page applies a state only when the list is empty and keeps the last good one otherwise.
 */
import {
  ACTIVATIONS, DATASETS, datasetNames, KERNELS, LIMITS, LOSSES, OPTIMIZERS, scheduleNames, taskOf, type PlaygroundState,
} from './state.ts';

const show = (v: unknown) => (typeof v === 'string' ? `'${v}'` : String(v));
const list = (xs: readonly string[]) => xs.join(', ');
const wholeIn = (v: unknown, [lo, hi]: readonly [number, number]) => typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi;

/** A state as typed, before it is checked: a number field may still hold the text typed into it. */
export type Candidate = { readonly [K in Exclude<keyof PlaygroundState, 'layers'>]: PlaygroundState[K] | string } & {
  readonly layers: readonly { readonly width: number | string; readonly activation: string }[];
};

/** The text of a number field as a number, or the text itself when it is not one (Number('') would be 0, Number('0x1') 1). */
export const numberOf = (text: string): number | string => (/^\s*[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?\s*$/i.test(text) ? Number(text) : text);

/** The checked state, or the problems that keep `s` from being one. */
export function checkState(s: Candidate): { state: PlaygroundState; problems: [] } | { state?: undefined; problems: string[] } {
  const problems = problemsOf(s);
  return problems.length === 0 ? { state: s as PlaygroundState, problems: [] } : { problems };
}

/** Each problem of `s` as a sentence naming the control, the value and the fix; empty when `s` is usable. */
export function problemsOf(s: Candidate): string[] {
  const problems: string[] = [];
  if (!(datasetNames as readonly string[]).includes(s.dataset)) problems.push(`data set ${show(s.dataset)} is not one the page has; choose ${list(datasetNames)}`);
  const [minLayers, maxLayers] = LIMITS.layers;
  if (!Array.isArray(s.layers) || s.layers.length < minLayers || s.layers.length > maxLayers) {
    problems.push(`${s.layers?.length} hidden layers: the page trains ${minLayers} to ${maxLayers}; remove some`);
  } else {
    s.layers.forEach((layer, i) => {
      const [lo, hi] = LIMITS.width;
      if (!wholeIn(layer.width, LIMITS.width)) {
        const why = typeof layer.width !== 'number' ? 'is not a number' : layer.width > hi ? 'is too wide to train live' : 'is not a whole number of units ≥ 1';
        problems.push(`hidden layer ${i + 1}: width ${show(layer.width)} ${why}; give a whole number from ${lo} to ${hi}`);
      }
      if (!(ACTIVATIONS as readonly string[]).includes(layer.activation)) problems.push(`hidden layer ${i + 1}: activation ${show(layer.activation)} is unknown; choose ${list(ACTIVATIONS)}`);
    });
  }
  if ((datasetNames as readonly string[]).includes(s.dataset)) {
    const fits: readonly string[] = LOSSES[taskOf(s as PlaygroundState)];
    if (!fits.includes(s.loss)) problems.push(`loss ${show(s.loss)} does not fit ${DATASETS[s.dataset as PlaygroundState['dataset']].label}; choose ${list(fits)}`);
  }
  if (!(OPTIMIZERS as readonly string[]).includes(s.optimizer)) problems.push(`optimiser ${show(s.optimizer)} is unknown; choose ${list(OPTIMIZERS)}`);
  const [lrLo, lrHi] = LIMITS.lr;
  if (typeof s.lr !== 'number' || !Number.isFinite(s.lr)) problems.push(`learning rate ${show(s.lr)} is not a number; give one such as 0.01`);
  else if (!(s.lr >= lrLo && s.lr <= lrHi)) problems.push(`learning rate ${s.lr} is outside ${lrLo} to ${lrHi}; give one such as 0.01`);
  if (!(scheduleNames as readonly string[]).includes(s.schedule)) problems.push(`learning-rate schedule ${show(s.schedule)} is unknown; choose ${list(scheduleNames)}`);
  if (!wholeIn(s.decaySteps, LIMITS.decaySteps)) problems.push(`decay steps ${show(s.decaySteps)} is not a whole number from ${LIMITS.decaySteps[0]} to ${LIMITS.decaySteps[1]}`);
  const [wdLo, wdHi] = LIMITS.weightDecay;
  if (typeof s.weightDecay !== 'number' || !(s.weightDecay >= wdLo && s.weightDecay <= wdHi)) problems.push(`weight decay ${show(s.weightDecay)} is not a number from ${wdLo} to ${wdHi}; give 0 for none or one such as 0.0001`);
  if (!wholeIn(s.batchSize, LIMITS.batchSize)) problems.push(`batch size ${show(s.batchSize)} is not a whole number from ${LIMITS.batchSize[0]} to ${LIMITS.batchSize[1]}`);
  if (!wholeIn(s.seed, LIMITS.seed)) problems.push(`seed ${show(s.seed)} is not a whole number from ${LIMITS.seed[0]} to ${LIMITS.seed[1]}`);
  if (!(KERNELS as readonly string[]).includes(s.kernels)) problems.push(`kernel set ${show(s.kernels)} is unknown; choose ${list(KERNELS)}`);
  return problems;
}
