/**
 * The data of a run, from the page state: training and validation sets (the validation set drawn with the
 * next seed, so it is new points from the same distribution), the points to draw, and the grid of inputs
 * the view shows the model's prediction on.
 */
import { fromData, type Tensor } from '@chainrule/core';
import { blobs, circles, functions, sampleFunction, spiral, xor, type LabelledPoints } from '@chainrule/datasets';
import { toOneHot, type Target } from '@chainrule/nn';
import { taskOf, type PlaygroundState, type Task } from '../state/state.ts';
import { digitsData, loadDigits } from './digits.ts';

/** A rectangle of the input plane: [low, high] per axis (one axis for a curve). */
export type Bounds = readonly (readonly [number, number])[];

/** Everything about a run's data that the trainer and the views need. */
export interface RunData {
  readonly task: Task;
  readonly train: { readonly x: Tensor; readonly y: Target };
  readonly validation: { readonly x: Tensor; readonly y: Target };
  /** Inputs per sample (1 or 2) and outputs (classes for classification). */
  readonly inputs: number;
  readonly outputs: number;
  /** The training points to draw: inputs row by row, and each point's class or target value (for digits: the test images and labels). */
  readonly points: { readonly x: Float32Array; readonly value: Float32Array };
  readonly bounds: Bounds;
  /** Grid points per axis; `grid` holds them row by row, x fastest (for digits: no axes, 0, and the test images). */
  readonly gridSize: number;
  readonly grid: Tensor;
}

/** Points per axis of the prediction grid: 2-D views are drawn as a gridSize² heatmap, a curve with gridSize points. */
const GRID = { 1: 200, 2: 64 } as const;

/** The classification sets: how to draw `perClass` points per class from a seed, their classes, and the square they lie in. */
const CLASSES = {
  spiral: { make: (perClass: number, seed: number) => spiral({ perClass, classes: 3, seed }), classes: 3, reach: 1.1 },
  circles: { make: (perClass: number, seed: number) => circles({ perClass, noise: 0.05, seed }), classes: 2, reach: 1.25 },
  xor: { make: (perClass: number, seed: number) => xor({ perClass, noise: 0.05, seed }), classes: 2, reach: 1.15 },
  blobs: { make: (perClass: number, seed: number) => blobs({ perClass, seed }), classes: 2, reach: 1.1 },
} as const satisfies Record<string, { make: (perClass: number, seed: number) => LabelledPoints; classes: number; reach: number }>;

/** The data of any data set: MNIST's is fetched (once per worker), the others are drawn from the seed. */
export async function loadRunData(state: PlaygroundState): Promise<RunData> {
  return state.dataset === 'mnist' ? digitsData(state, await loadDigits()) : runData(state);
}

/** The data of a data set drawn from the seed (every one but MNIST). */
export function runData(state: PlaygroundState): RunData {
  const task = taskOf(state);
  const seed = state.seed;
  if (state.dataset in CLASSES) {
    const set = CLASSES[state.dataset as keyof typeof CLASSES];
    const train = set.make(100, seed);
    const validation = set.make(50, seed + 1);
    // mse scores the class as a one-hot row; cross-entropy takes the labels.
    const target = (labels: Int32Array): Target => (state.loss === 'mse' ? toOneHot(labels, set.classes) : labels);
    return {
      task, inputs: 2, outputs: set.classes,
      train: { x: train.x, y: target(train.y) },
      validation: { x: validation.x, y: target(validation.y) },
      points: { x: train.x.data as Float32Array, value: Float32Array.from(train.y) },
      ...gridOver([[-set.reach, set.reach], [-set.reach, set.reach]]),
    };
  }
  if (!(state.dataset in functions)) throw new Error(`runData: data set '${state.dataset}' is not drawn from a seed; use loadRunData`);
  const fn = functions[state.dataset as keyof typeof functions];
  const train = sampleFunction(fn, { n: fn.inputs === 1 ? 200 : 500, noise: 0.05, seed });
  const validation = sampleFunction(fn, { n: fn.inputs === 1 ? 100 : 250, noise: 0.05, seed: seed + 1 });
  return {
    task, inputs: fn.inputs, outputs: 1,
    train: { x: train.x, y: train.y },
    validation: { x: validation.x, y: validation.y },
    points: { x: train.x.data as Float32Array, value: train.y.data as Float32Array },
    ...gridOver(fn.domain),
  };
}

/** The grid of inputs over `bounds`, row by row with x varying fastest. */
function gridOver(bounds: Bounds): { bounds: Bounds; gridSize: number; grid: Tensor } {
  const d = bounds.length as 1 | 2;
  const size = GRID[d];
  const at = (axis: number, i: number) => bounds[axis]![0] + ((bounds[axis]![1] - bounds[axis]![0]) * i) / (size - 1);
  const xs = new Float32Array(size ** d * d);
  if (d === 1) for (let i = 0; i < size; i++) xs[i] = at(0, i);
  else {
    // Row 0 is the top of the picture: y from high to low.
    for (let r = 0; r < size; r++) for (let c = 0; c < size; c++) { const k = r * size + c; xs[2 * k] = at(0, c); xs[2 * k + 1] = at(1, size - 1 - r); }
  }
  return { bounds, gridSize: size, grid: fromData(xs, [size ** d, d]) };
}
