/**
 * Learning-rate schedules: functions from the step number (0 for the first update) to a rate.
 * A plain number works wherever a schedule does; `warmup` wraps any schedule.
 */
import { nonNegative, positiveInt } from './names.ts';

export type Schedule = (step: number) => number;
export type LearningRate = number | Schedule;

/** A schedule from a number or a schedule; negative or non-finite rates are errors. */
export function toSchedule(where: string, lr: LearningRate): Schedule {
  if (typeof lr === 'function') {
    return (step) => {
      const v = lr(step);
      if (!Number.isFinite(v) || v < 0) throw new Error(`${where}: the learning-rate schedule gave ${v} at step ${step}; rates must be finite and ≥ 0`);
      return v;
    };
  }
  nonNegative(where, 'learning rate', lr);
  return () => lr;
}

export const constant = (lr: number): Schedule => toSchedule('constant', lr);

/** lr · factor^floor(step / every). */
export function stepDecay(lr: LearningRate, options: { every: number; factor?: number }): Schedule {
  const base = toSchedule('stepDecay', lr);
  const every = positiveInt('stepDecay', 'every', options.every);
  const factor = nonNegative('stepDecay', 'factor', options.factor ?? 0.5);
  return (step) => base(step) * factor ** Math.floor(step / every);
}

/** lr · rate^(step / decaySteps), or with whole periods only when `staircase`. */
export function exponentialDecay(lr: LearningRate, options: { rate: number; decaySteps: number; staircase?: boolean }): Schedule {
  const base = toSchedule('exponentialDecay', lr);
  const rate = nonNegative('exponentialDecay', 'rate', options.rate);
  const steps = positiveInt('exponentialDecay', 'decaySteps', options.decaySteps);
  return (step) => base(step) * rate ** (options.staircase ? Math.floor(step / steps) : step / steps);
}

/** lr / (1 + rate · step / decaySteps). */
export function inverseTimeDecay(lr: LearningRate, options: { rate: number; decaySteps?: number }): Schedule {
  const base = toSchedule('inverseTimeDecay', lr);
  const rate = nonNegative('inverseTimeDecay', 'rate', options.rate);
  const steps = positiveInt('inverseTimeDecay', 'decaySteps', options.decaySteps ?? 1);
  return (step) => base(step) / (1 + (rate * step) / steps);
}

/** Half a cosine from lr down to lr · alpha over decaySteps, then flat. */
export function cosineDecay(lr: LearningRate, options: { decaySteps: number; alpha?: number }): Schedule {
  const base = toSchedule('cosineDecay', lr);
  const steps = positiveInt('cosineDecay', 'decaySteps', options.decaySteps);
  const alpha = nonNegative('cosineDecay', 'alpha', options.alpha ?? 0);
  return (step) => {
    const t = Math.min(step, steps) / steps;
    return base(step) * (alpha + (1 - alpha) * 0.5 * (1 + Math.cos(Math.PI * t)));
  };
}

/** A linear ramp from 0 to the wrapped schedule over `steps`; the wrapped schedule then starts at its step 0. */
export function warmup(lr: LearningRate, options: { steps: number }): Schedule {
  const base = toSchedule('warmup', lr);
  const steps = positiveInt('warmup', 'steps', options.steps);
  return (step) => (step < steps ? (base(0) * (step + 1)) / steps : base(step - steps));
}
