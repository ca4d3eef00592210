/** The messages between the page and the training worker (./worker.ts). */
import type { PlaygroundState, Task } from './state/state.ts';

/** What the page asks the worker to do. */
export type Command =
  /** Build a new run from this state (data, model, trainer) and show its first snapshot; stops playing. */
  | { readonly type: 'configure'; readonly state: PlaygroundState }
  /** Exactly `count` optimiser steps, then one snapshot. */
  | { readonly type: 'step'; readonly count: number }
  /** Train in slices until paused, a snapshot after each slice. */
  | { readonly type: 'play' }
  | { readonly type: 'pause' }
  /** The current params and the first GRAPH_BATCH training points, for the page's graph panel. */
  | { readonly type: 'graphSource' };

/** The training points the graph panel's forward pass runs on: the first ones, in order (never shuffled). */
export const GRAPH_BATCH = 8;

/** A tensor's values as it travels between threads. */
export interface TensorData {
  readonly shape: readonly number[];
  readonly data: Float32Array | Float64Array;
}

/**
 * What the graph panel rebuilds the model's loss from: the params as they stand (init params right after a
 * configure or Reset), the first GRAPH_BATCH training points and their targets (labels or a tensor), and the
 * kernel set the worker runs, so the page computes with the same one.
 */
export interface GraphSource {
  readonly type: 'graphSource';
  readonly run: number;
  readonly step: number;
  readonly backend: string;
  readonly params: readonly (TensorData & { readonly key: string })[];
  readonly x: TensorData;
  readonly y: { readonly labels: Int32Array } | TensorData;
  /** The model's outputs (classes, or 1 for a curve or surface). */
  readonly outputs: number;
}

/** Where a run stands, sent after every step command and every slice of play. */
export interface Snapshot {
  readonly type: 'snapshot';
  /** Counts configure commands: the page drops curves of an older run. */
  readonly run: number;
  readonly backend: string;
  readonly playing: boolean;
  /** Optimiser steps done, and epochs completed. */
  readonly step: number;
  readonly epoch: number;
  /** Each step's batch loss since the last snapshot, in order (the loss `fit`'s onStep shows). */
  readonly stepLosses: readonly number[];
  /** The last step's learning rate (undefined before the first step). */
  readonly lr?: number;
  /** Loss (and accuracy for classes) on all training points and on the validation points, with the current params. */
  readonly trainLoss: number;
  readonly validationLoss: number;
  readonly trainAccuracy?: number;
  readonly validationAccuracy?: number;
  /** Each layer's gradient norm at the last step. */
  readonly gradNorms: readonly (readonly [string, number])[];
  /** The gradient monitor's warnings given since the last snapshot. */
  readonly warnings: readonly string[];
  /** The model's output on the data's grid, row by row ([grid points, outputs]). */
  readonly prediction: Float32Array;
}

/** A run's fixed facts, sent once per configure before its first snapshot. */
export interface RunInfo {
  readonly type: 'run';
  readonly run: number;
  readonly backend: string;
  readonly task: Task;
  readonly outputs: number;
  readonly bounds: readonly (readonly [number, number])[];
  readonly gridSize: number;
  readonly points: { readonly x: Float32Array; readonly value: Float32Array };
  readonly summary: string;
  readonly paramCount: number;
}

/** What the worker tells the page. */
export type Report =
  | RunInfo
  | Snapshot
  | GraphSource
  /** Training stopped (a NaN or Inf, a model that cannot be built): the message says why; the last snapshot stands. */
  | { readonly type: 'failed'; readonly run: number; readonly message: string };
