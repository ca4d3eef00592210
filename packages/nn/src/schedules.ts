/**
 * Learning-rate schedules: functions from the step number (0 for the first update) to a rate.
 * A plain number works wherever a schedule does; `warmup` wraps any schedule.
 */
import { nonNegative, positiveInt } from './names.ts';

/** A learning rate as a function of the step number (0 for the first update). */
export type Schedule = (step: number) => number;
/** What an optimiser's `lr` takes: a constant rate or a schedule. */
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

/**
 * The same rate at every step (what a plain number means).
 *
 * @throws Error when lr is negative or not finite.
 */
export const constant = (lr: number): Schedule => toSchedule('constant', lr);

/**
 * lr · factor^floor(step / every): the rate times `factor` (default 0.5) every `every` steps.
 *
 * @throws Error when `every` is not a positive integer or `factor` is negative.
 * @example
 * ```ts
 * import { sgd, stepDecay } from '@chainrule/nn';
 * const optimizer = sgd({ lr: stepDecay(0.1, { every: 1000, factor: 0.1 }) }); // 0.1, then 0.01 from step 1000, …
 * ```
 */
export function stepDecay(lr: LearningRate, options: { every: number; factor?: number }): Schedule {
  const base = toSchedule('stepDecay', lr);
  const every = positiveInt('stepDecay', 'every', options.every);
  const factor = nonNegative('stepDecay', 'factor', options.factor ?? 0.5);
  return (step) => base(step) * factor ** Math.floor(step / every);
}

/**
 * lr · rate^(step / decaySteps), or with whole periods only when `staircase`.
 *
 * @throws Error when `rate` is negative or `decaySteps` is not a positive integer.
 * @example
 * ```ts
 * import { exponentialDecay } from '@chainrule/nn';
 * const lr = exponentialDecay(1e-3, { rate: 0.96, decaySteps: 100 }); // lr(100) ≈ 0.00096
 * ```
 */
export function exponentialDecay(lr: LearningRate, options: { rate: number; decaySteps: number; staircase?: boolean }): Schedule {
  const base = toSchedule('exponentialDecay', lr);
  const rate = nonNegative('exponentialDecay', 'rate', options.rate);
  const steps = positiveInt('exponentialDecay', 'decaySteps', options.decaySteps);
  return (step) => base(step) * rate ** (options.staircase ? Math.floor(step / steps) : step / steps);
}

/**
 * lr / (1 + rate · step / decaySteps), with decaySteps defaulting to 1.
 *
 * @throws Error when `rate` is negative or `decaySteps` is not a positive integer.
 * @example
 * ```ts
 * import { inverseTimeDecay } from '@chainrule/nn';
 * const lr = inverseTimeDecay(0.1, { rate: 0.5, decaySteps: 100 }); // lr(200) = 0.05
 * ```
 */
export function inverseTimeDecay(lr: LearningRate, options: { rate: number; decaySteps?: number }): Schedule {
  const base = toSchedule('inverseTimeDecay', lr);
  const rate = nonNegative('inverseTimeDecay', 'rate', options.rate);
  const steps = positiveInt('inverseTimeDecay', 'decaySteps', options.decaySteps ?? 1);
  return (step) => base(step) / (1 + (rate * step) / steps);
}

/**
 * Half a cosine from lr down to lr · alpha (default 0) over decaySteps, then flat.
 *
 * @throws Error when `decaySteps` is not a positive integer or `alpha` is negative.
 * @example
 * ```ts
 * import { adam, cosineDecay } from '@chainrule/nn';
 * const optimizer = adam({ lr: cosineDecay(1e-3, { decaySteps: 5000, alpha: 0.01 }) });
 * ```
 */
export function cosineDecay(lr: LearningRate, options: { decaySteps: number; alpha?: number }): Schedule {
  const base = toSchedule('cosineDecay', lr);
  const steps = positiveInt('cosineDecay', 'decaySteps', options.decaySteps);
  const alpha = nonNegative('cosineDecay', 'alpha', options.alpha ?? 0);
  return (step) => {
    const t = Math.min(step, steps) / steps;
    return base(step) * (alpha + (1 - alpha) * 0.5 * (1 + Math.cos(Math.PI * t)));
  };
}

/**
 * A linear ramp from 0 to the wrapped schedule over `steps` (lr(0) · (step + 1) / steps); the
 * wrapped schedule then starts at its step 0.
 *
 * @throws Error when `steps` is not a positive integer.
 * @example
 * ```ts
 * import { adam, cosineDecay, warmup } from '@chainrule/nn';
 * const optimizer = adam({ lr: warmup(cosineDecay(1e-3, { decaySteps: 5000 }), { steps: 200 }) });
 * ```
 */
export function warmup(lr: LearningRate, options: { steps: number }): Schedule {
  const base = toSchedule('warmup', lr);
  const steps = positiveInt('warmup', 'steps', options.steps);
  return (step) => (step < steps ? (base(0) * (step + 1)) / steps : base(step - steps));
}
