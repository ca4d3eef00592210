/** Training history as a value: one entry per epoch (and the loss of every step). */
import { List, OrderedMap, Record, type RecordOf } from 'immutable';

/** The fields of a {@link History}: per-epoch lists (one entry per epoch) and per-step lists. */
export interface HistoryConfig {
  /** Each epoch's mean training loss. */
  readonly loss: List<number>;
  /** Each metric's value per epoch on the training outputs, by metric name. */
  readonly metrics: OrderedMap<string, List<number>>;
  /** Each epoch's validation loss (empty without validation data). */
  readonly valLoss: List<number>;
  /** Each metric's value per epoch on the validation data, by metric name. */
  readonly valMetrics: OrderedMap<string, List<number>>;
  /** The learning rate of each epoch's last step. */
  readonly lr: List<number>;
  /** Per epoch: each layer's gradient norm, averaged over the epoch's steps. */
  readonly gradNorms: List<OrderedMap<string, number>>;
  /** The loss of every training step, over all epochs. */
  readonly stepLoss: List<number>;
  /** The learning rate of every step. */
  readonly stepLr: List<number>;
  /** Each layer's gradient norm at every step (empty when the monitor is off). */
  readonly stepGradNorms: OrderedMap<string, List<number>>;
}
/**
 * What happened in training, as an Immutable Record (`fit(…).history`); viz plots it.
 *
 * @example
 * ```ts
 * // model, params, x and y as in fit's example
 * const { history } = fit(model, params, { x, y }, { loss: 'mse', epochs: 20, progress: false });
 * console.log(history.loss.last(), history.stepLoss.size);
 * ```
 */
export type History = RecordOf<HistoryConfig>;
/** Makes a History; `History()` is the empty one a fresh run starts from. */
export const History = Record<HistoryConfig>({
  loss: List(), metrics: OrderedMap(), valLoss: List(), valMetrics: OrderedMap(), lr: List(), gradNorms: List(), stepLoss: List(),
  stepLr: List(), stepGradNorms: OrderedMap(),
}, 'History');

const push = (m: OrderedMap<string, List<number>>, values: Readonly<globalThis.Record<string, number>>) =>
  Object.entries(values).reduce((acc, [k, v]) => acc.update(k, List<number>(), (l) => l.push(v)), m);

/** One epoch's numbers, as fit adds them to the History. */
export interface EpochEntry {
  readonly loss: number;
  readonly metrics: Readonly<globalThis.Record<string, number>>;
  readonly valLoss?: number;
  readonly valMetrics?: Readonly<globalThis.Record<string, number>>;
  readonly lr: number;
  /** Each layer's mean gradient norm, in layer order (an OrderedMap or [layer, norm] pairs). */
  readonly gradNorms: Iterable<[string, number]>;
  readonly stepLoss: ArrayLike<number>;
  readonly stepLr: ArrayLike<number>;
  readonly stepGradNorms: Readonly<globalThis.Record<string, ArrayLike<number>>>;
}

/**
 * The list with `values` after its own. Not List.concat: that pushes an array one value at a time through a
 * sequence, ~2 ms for an MNIST epoch's 938 step losses, where sizing the list once and setting each is ~50 µs.
 */
function appended(list: List<number>, values: ArrayLike<number>): List<number> {
  if (values.length === 0) return list;
  const start = list.size;
  return list.withMutations((l) => {
    l.setSize(start + values.length);
    for (let i = 0; i < values.length; i++) l.set(start + i, values[i]!);
  });
}

/** The history with one more epoch. */
export function addEpoch(h: History, e: EpochEntry): History {
  return h.withMutations((r) => {
    r.set('loss', r.loss.push(e.loss));
    r.set('metrics', push(r.metrics, e.metrics));
    if (e.valLoss !== undefined) r.set('valLoss', r.valLoss.push(e.valLoss));
    if (e.valMetrics) r.set('valMetrics', push(r.valMetrics, e.valMetrics));
    r.set('lr', r.lr.push(e.lr));
    r.set('gradNorms', r.gradNorms.push(OrderedMap(e.gradNorms)));
    r.set('stepLoss', appended(r.stepLoss, e.stepLoss));
    r.set('stepLr', appended(r.stepLr, e.stepLr));
    r.set('stepGradNorms', Object.entries(e.stepGradNorms).reduce((acc, [k, v]) => acc.update(k, List<number>(), (l) => appended(l, v)), r.stepGradNorms));
  });
}

/**
 * A run's History, built when someone reads it: closing an epoch only files the epoch's entry. Building
 * the Immutable lists at each epoch's end ran Immutable's List and OrderedMap code on numbers, the same
 * functions every training step runs on the params' maps, and V8 threw away the step's compiled code
 * for them (~20 deoptimisations at each of the first two epochs' ends, `node --trace-deopt`).
 */
export class HistoryLog {
  /** built[k]: the starting History with the first k filed epochs added. */
  readonly #built: History[];
  /** The filed epochs; an entry is dropped once it is in #built. */
  readonly #entries: (EpochEntry | undefined)[] = [];

  constructor(start: History) {
    this.#built = [start];
  }

  /** Files one more epoch. */
  add(e: EpochEntry): void {
    this.#entries.push(e);
  }

  /** Epochs filed so far. */
  get size(): number {
    return this.#entries.length;
  }

  /** The starting History with the first `k` filed epochs added (all of them by default). */
  at(k = this.#entries.length): History {
    const built = this.#built;
    while (built.length <= k) {
      const i = built.length - 1;
      built.push(addEpoch(built[i]!, this.#entries[i]!));
      this.#entries[i] = undefined;
    }
    return built[k]!;
  }
}
