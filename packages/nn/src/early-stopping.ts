/**
 * Early stopping for fit: watches one number per epoch, says when patience has run out, and picks the
 * params fit returns. With restoreBest those are the best epoch's however training ended: patience
 * running out, the epoch budget running out, or a callback saying 'stop'.
 */
import type { EpochInfo } from './fit-types.ts';
import type { Params } from './params.ts';
import type { ModelState } from './model-state.ts';

/**
 * fit's `earlyStopping` options: stop once the monitored value has not improved for `patience`
 * epochs. Accuracy and r2 improve upwards, losses and errors downwards.
 *
 * @example
 * ```ts
 * // model, params, x and y as in fit's example
 * const r = fit(model, params, { x, y }, { loss: 'mse', epochs: 500, validationSplit: 0.2, earlyStopping: { patience: 10 }, progress: false });
 * console.log(r.bestEpoch, r.stoppedAt);
 * ```
 */
export interface EarlyStopping {
  /** 'loss', 'valLoss', a metric name ('accuracy') or 'val' + its name ('valAccuracy'); default valLoss with validation data, else loss. */
  readonly monitor?: string;
  /** Epochs without improvement before training stops (default 5). */
  readonly patience?: number;
  /** The least change that counts as an improvement (default 0). */
  readonly minDelta?: number;
  /** Return the parameters of the best epoch, however training ends (default true); else the last epoch's. */
  readonly restoreBest?: boolean;
}

/** What early stopping adds to fit's result. Epochs are 0-based. */
export interface EarlyStoppingOutcome {
  readonly params: Params;
  /** The epoch with the best monitored value (its params are returned unless restoreBest is false). */
  readonly bestEpoch?: number;
  /** The epoch at which early stopping ended training; undefined when it did not (budget or callback). */
  readonly stoppedAt?: number;
}

export interface EarlyStopper {
  /** Records an epoch: 'improved' when it is the new best (fit must then keep its params alive), 'stop' when patience has run out. */
  observe(info: EpochInfo): 'improved' | 'stop' | undefined;
  /** The params (and layer state) to return, given the last epoch's, and which epochs were best and stopped at. */
  finish(last: Params, lastState?: ModelState): EarlyStoppingOutcome & { state?: ModelState };
}

/** The default monitored key: validation loss when there is validation data, else training loss. */
export const monitoredKey = (early: EarlyStopping, hasValidation: boolean): string => early.monitor ?? (hasValidation ? 'valLoss' : 'loss');

const higherIsBetter = (key: string) => /accuracy|r2/i.test(key);

/** An early stopper for fit's `earlyStopping` option (already checked by checkFit), or undefined when it is off. */
export function earlyStopper(option: EarlyStopping | boolean | undefined, hasValidation: boolean): EarlyStopper | undefined {
  if (!option) return undefined;
  const early = option === true ? {} : option;
  const key = monitoredKey(early, hasValidation);
  const sign = higherIsBetter(key) ? -1 : 1;
  const patience = early.patience ?? 5;
  const minDelta = early.minDelta ?? 0;
  let best: { value: number; epoch: number; params: Params; state?: ModelState } | undefined;
  let stoppedAt: number | undefined;
  return {
    observe(info) {
      const value = monitored(key, info);
      if (!best || sign * (best.value - value) > minDelta) {
        best = { value, epoch: info.epoch, params: info.params, state: info.state };
        return 'improved';
      }
      if (info.epoch - best.epoch >= patience) {
        stoppedAt = info.epoch;
        return 'stop';
      }
      return undefined;
    },
    finish(last, lastState) {
      const restore = best && (early.restoreBest ?? true);
      // The best epoch's layer state goes with its params: batchNorm's statistics belong to those weights.
      return { params: restore ? best!.params : last, state: restore ? best!.state : lastState, bestEpoch: best?.epoch, stoppedAt };
    },
  };
}

function monitored(key: string, info: EpochInfo): number {
  if (key === 'loss') return info.loss;
  if (key === 'valLoss') {
    if (info.valLoss === undefined) throw new Error("fit: earlyStopping monitors 'valLoss' but no validation data was given");
    return info.valLoss;
  }
  const isVal = /^val[A-Z]/.test(key);
  const name = isVal ? key[3]!.toLowerCase() + key.slice(4) : key;
  const v = (isVal ? info.valMetrics : info.metrics)?.[name];
  if (v === undefined) throw new Error(`fit: earlyStopping monitors '${key}', which is not computed; valid: 'loss', 'valLoss', or a metric passed in { metrics } (prefixed 'val' for validation)`);
  return v;
}
