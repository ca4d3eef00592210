/**
 * Gradient health: per-layer gradient norms every step; a warning once per layer and kind when a
 * norm vanishes, explodes (grows far beyond the layer's own recent norms), or the first and last
 * layers drift too far apart; and a hard stop at the first NaN/Inf in the loss or a gradient, naming
 * the parameter and step.
 */
import { firstNonFinite } from '@chainrule/core';
import type { OrderedMap } from 'immutable';
import type { Params } from './params.ts';
import { nonNegative, positiveInt } from './names.ts';
import { NormHistory, type LayerHistory } from './norm-history.ts';
import { LayerNormer, normsMap, type StepNorms } from './step-norms.ts';

/** What a gradient warning is about: a vanishing or exploding layer norm, or first and last layers too far apart. */
export type WarningKind = 'vanishing' | 'exploding' | 'ratio';

/** One warning of the gradient monitor (each kind is reported once per layer). */
export interface GradientWarning {
  /** What was found. */
  readonly kind: WarningKind;
  /** The layer whose norm it is (for 'ratio', the first layer). */
  readonly layer: string;
  /** The training step at which it was found. */
  readonly step: number;
  /** The layer's gradient L2 norm at that step. */
  readonly norm: number;
  /** The whole warning in words, with the numbers and the bound crossed. */
  readonly message: string;
}

/** Thresholds of the gradient monitor; every field is optional and defaults to {@link defaultMonitorOptions}. */
export interface MonitorOptions {
  /** A layer norm below this is reported as vanishing (default 1e-7). */
  readonly vanishing?: number;
  /** A layer norm below this fraction of the largest layer norm at the same step is vanishing too (default 1e-4). */
  readonly vanishingRelative?: number;
  /** A layer norm above this many times the median of the layer's own recent norms (and above its largest before) is reported as exploding (default 100). */
  readonly explodingFactor?: number;
  /** How many recent steps of each layer that median is taken over (default 50). */
  readonly window?: number;
  /** Steps a layer must have been seen before it can be called exploding (default 3, at most `window`). */
  readonly warmup?: number;
  /** max/min of the first and last layer norms above this is reported (default 1e4). */
  readonly ratio?: number;
  /** Where warnings go (default console.warn of the message). */
  readonly onWarning?: (w: GradientWarning) => void;
}

/** A ratio as '12.3x', or '4.5e+10x' when it is huge. */
const times = (r: number): string => `${r < 1e4 ? r.toFixed(1) : r.toExponential(1)}x`;

/** The monitor's default thresholds; see {@link MonitorOptions} for what each means. */
export const defaultMonitorOptions = {
  /** Absolute vanishing bound. */
  vanishing: 1e-7,
  /** Vanishing bound relative to the largest layer norm. */
  vanishingRelative: 1e-4,
  /** Exploding: this many times the layer's recent median. */
  explodingFactor: 100,
  /** Steps the median is taken over. */
  window: 50,
  /** Steps before a layer can be called exploding. */
  warmup: 3,
  /** Bound on first/last layer norm ratio. */
  ratio: 1e4,
} as const;

/** Where fit's replay of a failing batch with per-op checks found the first NaN/Inf. */
export interface NonFiniteCause {
  /** The op whose output was the first NaN or ±Inf. */
  readonly op: string;
  /** Its layer (name scope), or 'loss'. */
  readonly layer: string;
  /** Whether it was found computing the loss ('forward') or its gradient ('backward'). */
  readonly pass: 'forward' | 'backward';
}

/**
 * Thrown when training meets NaN or ±Inf; fit adds the op and layer that produced it (`culprit`).
 * The message names the step, the parameter and where in it the value is.
 */
export class NonFiniteError extends Error {
  constructor(message: string,
    /** The training step at which it was found. */
    readonly step: number,
    /** The parameter whose gradient is not finite; undefined when only the loss is. */
    readonly parameter: string | undefined,
    /** The offending value: NaN, Infinity or -Infinity. */
    readonly value: number,
    /** The op and layer that first produced it, when fit could replay the batch with per-op checks. */
    readonly culprit?: NonFiniteCause) {
    super(message);
    this.name = 'NonFiniteError';
  }
}

/** The L2 norm of each layer's gradients together, keyed by layer name in parameter order. */
export function layerNorms(grads: Params): OrderedMap<string, number> {
  const normer = new LayerNormer();
  normer.measure(grads);
  return normsMap(normer.norms());
}

/** The first NaN or ±Inf among the gradients: which parameter's, where, and what it is. */
function firstNonFiniteGrad(grads: Params): { key: string; index: number; value: number } | undefined {
  for (const [key, g] of grads) {
    const index = firstNonFinite(g.data);
    if (index >= 0) return { key, index, value: g.data[index]! };
  }
  return undefined;
}

/** A gradient monitor: fed each step's loss and gradients, it keeps the warnings it has given. */
export interface GradientMonitor {
  /** Checks one step; returns the per-layer norms. Throws NonFiniteError on NaN/Inf. */
  check(step: number, loss: number, grads: Params): OrderedMap<string, number>;
  /** Every warning so far, in the order given. */
  readonly warnings: readonly GradientWarning[];
}

/** The monitor as the Trainer runs it every step: check() with the norms as plain arrays. */
export interface StepMonitor {
  checkStep(step: number, loss: number, grads: Params): StepNorms;
  readonly warnings: readonly GradientWarning[];
}

/**
 * A gradient health monitor, as fit runs one every step (its `monitor` option). `check` returns each
 * layer's gradient L2 norm; it warns once per layer and kind when a norm vanishes, explodes or the
 * first and last layers drift apart (through `onWarning`, default console.warn), and throws
 * {@link NonFiniteError} at the first NaN or ±Inf in the loss or a gradient.
 *
 * @throws Error when a threshold is negative or not finite, window or warmup is not a positive
 *   integer, or warmup exceeds window.
 * @example
 * ```ts
 * import { grad, tensor } from '@chainrule/core';
 * import { gradientMonitor, mlp } from '@chainrule/nn';
 * const model = mlp([2, 4, 1]), params = model.init(0), monitor = gradientMonitor({ onWarning: (w) => console.log(w.kind, w.layer) });
 * const loss = model.apply(params, tensor([[1, 2]])).sum();
 * const norms = monitor.check(0, loss.item(), grad(loss, params)); // OrderedMap { dense0 → …, dense1 → … }
 * ```
 */
export function gradientMonitor(options: MonitorOptions = {}): GradientMonitor {
  const monitor = stepMonitor(options);
  return { warnings: monitor.warnings, check: (step, loss, grads) => normsMap(monitor.checkStep(step, loss, grads)) };
}

/**
 * gradientMonitor's checks, for the Trainer: the same warnings and errors, the norms as {@link StepNorms}.
 *
 * @throws Error as gradientMonitor does.
 */
export function stepMonitor(options: MonitorOptions = {}): StepMonitor {
  const o = { ...defaultMonitorOptions, ...options };
  for (const k of ['vanishing', 'vanishingRelative', 'explodingFactor', 'ratio'] as const) nonNegative('gradientMonitor', k, o[k]);
  positiveInt('gradientMonitor', 'window', o.window);
  positiveInt('gradientMonitor', 'warmup', o.warmup);
  if (o.warmup > o.window) throw new Error(`gradientMonitor: warmup (${o.warmup}) must not exceed window (${o.window}): the median is taken over the last window steps`);
  const onWarning = options.onWarning ?? ((w: GradientWarning) => console.warn(w.message));
  const warned = new Set<string>();
  const warnings: GradientWarning[] = [];
  // The message is made only when the warning is given: a layer may be vanishing at every step.
  const warn = (kind: WarningKind, layer: string, step: number, norm: number, message: () => string) => {
    const key = `${kind}:${layer}`;
    if (warned.has(key)) return;
    warned.add(key);
    const w = { kind, layer, step, norm, message: message() };
    warnings.push(w);
    onWarning(w);
  };
  const normer = new LayerNormer(), recent = new NormHistory(o.window);
  // Each layer's history, in the order of `historyLayers` (the normer's layers, the same array while the layout holds).
  let historyLayers: readonly string[] = [], histories: LayerHistory[] = [];
  return {
    warnings,
    checkStep(step, loss, grads) {
      // The sum of all float32 squares in float64 cannot overflow, so it is finite exactly when every
      // value is: one fast pass per parameter serves both the NaN check and the norms (float64
      // grads that overflow it are searched, found finite, and go on).
      const total = normer.measure(grads);
      const bad = Number.isFinite(total) ? undefined : firstNonFiniteGrad(grads);
      if (!Number.isFinite(loss) || bad) {
        const where = bad ? `gradient of '${bad.key}' is ${bad.value} at flat index ${bad.index}` : 'every gradient is finite';
        throw new NonFiniteError(
          `training stopped at step ${step}: ${Number.isFinite(loss) ? `loss is ${loss} but the ` : `loss is ${loss}; `}${where}` +
            ' (look for log(0), division by zero or a learning rate that is too large)',
          step, bad?.key, bad ? bad.value : loss);
      }
      const result = normer.norms(), { layers, norms } = result;
      if (layers !== historyLayers) {
        historyLayers = layers;
        histories = layers.map((layer) => recent.of(layer));
      }
      let largest = 0;
      for (const norm of norms) if (norm > largest) largest = norm;
      for (let i = 0; i < layers.length; i++) {
        const layer = layers[i]!, norm = norms[i]!;
        if (norm < o.vanishing) warn('vanishing', layer, step, norm, () => `vanishing gradient: layer '${layer}' has gradient norm ${norm.toExponential(2)} at step ${step} (below ${o.vanishing})`);
        else if (norm < o.vanishingRelative * largest) {
          warn('vanishing', layer, step, norm, () => `vanishing gradient: layer '${layer}' has gradient norm ${norm.toExponential(2)} at step ${step}, below ${o.vanishingRelative} of the largest layer norm (${largest.toExponential(2)})`);
        }
        // Exploding: far above the layer's recent median, and above anything it has had before.
        const h = histories[i]!, seen = h.count >= o.warmup, median = seen ? h.median() : 0, largestBefore = h.largest;
        h.add(norm);
        if (seen && norm > o.explodingFactor * median && norm > largestBefore) {
          warn('exploding', layer, step, norm, () => `exploding gradient: layer '${layer}' has gradient norm ${norm.toExponential(2)} at step ${step}, ${times(norm / median)} the median of its last steps (${median.toExponential(2)}; bound ${o.explodingFactor}x) and above its largest before (${largestBefore.toExponential(2)})`);
        }
      }
      if (layers.length > 1) {
        const first = layers[0]!, last = layers[layers.length - 1]!;
        const a = norms[0]!, b = norms[norms.length - 1]!;
        const r = Math.max(a, b) / Math.min(a, b);
        if (r > o.ratio) {
          warn('ratio', first, step, a, () => `gradient norms differ by ${r.toExponential(2)}x between the first layer '${first}' (${a.toExponential(2)}) and the last layer '${last}' (${b.toExponential(2)}) at step ${step} (bound ${o.ratio})`);
        }
      }
      return result;
    },
  };
}
