/**
 * The learning rate a page state asks for: a constant, or one of nn's schedules with fixed shapes whose
 * pace is the state's decay steps, so one number field sets every schedule (the labels in ../state/state.ts
 * say the same in words).
 */
import { cosineDecay, exponentialDecay, stepDecay, warmup, type LearningRate } from '@chainrule/nn';
import type { PlaygroundState, ScheduleName } from '../state/state.ts';

/** Each schedule from the base rate and the decay steps. */
const SCHEDULE_MAKERS: Record<ScheduleName, (lr: number, decaySteps: number) => LearningRate> = {
  constant: (lr) => lr,
  step: (lr, decaySteps) => stepDecay(lr, { every: decaySteps, factor: 0.5 }),
  exponential: (lr, decaySteps) => exponentialDecay(lr, { rate: 0.1, decaySteps }),
  // Down to a hundredth rather than 0: a run left playing past the decay steps still learns a little.
  cosine: (lr, decaySteps) => cosineDecay(lr, { decaySteps, alpha: 0.01 }),
  warmupCosine: (lr, decaySteps) => warmup(cosineDecay(lr, { decaySteps, alpha: 0.01 }), { steps: warmupSteps(decaySteps) }),
};

/** The warmup of 'warmupCosine': a tenth of the decay steps, at least one. */
export const warmupSteps = (decaySteps: number): number => Math.max(1, Math.round(decaySteps / 10));

export function scheduleFromState(state: Pick<PlaygroundState, 'lr' | 'schedule' | 'decaySteps'>): LearningRate {
  return SCHEDULE_MAKERS[state.schedule](state.lr, state.decaySteps);
}
