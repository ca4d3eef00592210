/**
 * What the page is set to: the data set, the hidden layers, the loss, the optimiser with its learning rate,
 * schedule and weight decay, the batch size, the seed and the kernel set. It is a plain value: the URL holds
 * it (./url.ts), the worker builds a run from it (../train/run.ts), and nothing else decides a run.
 */
import type { OptimizerName } from '@chainrule/nn';

/** The data sets the page offers, and what kind of problem each is. */
export const DATASETS = {
  spiral: { task: 'classification', label: 'spiral (3 classes)' },
  circles: { task: 'classification', label: 'circles (2 classes)' },
  xor: { task: 'classification', label: 'xor (2 classes)' },
  blobs: { task: 'classification', label: 'Gaussian blobs (2 classes)' },
  mnist: { task: 'digits', label: 'MNIST digits (3000 to train, 1000 to test)' },
  exp: { task: 'curve', label: 'e^x' },
  sinc: { task: 'curve', label: 'sin(x)/x' },
  sinPlusCos: { task: 'surface', label: 'sin x + cos y' },
} as const;
export type DatasetName = keyof typeof DATASETS;
/** classification: 2-D points in classes; digits: 28×28 images of 0–9; curve: y = f(x); surface: z = f(x, y). */
export type Task = (typeof DATASETS)[DatasetName]['task'];
export const datasetNames = Object.keys(DATASETS) as DatasetName[];

/** Hidden-layer activations offered per layer (the output layer's follows from the task). */
export const ACTIVATIONS = ['tanh', 'relu', 'sigmoid', 'leakyRelu', 'gelu', 'linear'] as const;
export type HiddenActivation = (typeof ACTIVATIONS)[number];

/** Losses per task: classes are scored by cross-entropy or by mse on one-hot rows; values by mse or mae. */
export const LOSSES = { classification: ['crossEntropy', 'mse'], digits: ['crossEntropy', 'mse'], curve: ['mse', 'mae'], surface: ['mse', 'mae'] } as const satisfies Record<Task, readonly string[]>;
export type LossChoice = 'crossEntropy' | 'mse' | 'mae';

/** nn's optimisers (a test checks the list against nn's optimizerNames): named here so the page's main thread loads no nn. */
export const OPTIMIZERS = ['sgd', 'adam', 'adamW', 'rmsprop', 'lion'] as const satisfies readonly OptimizerName[];

/**
 * Learning-rate schedules, each from the learning rate down over the decay steps (../train/schedule-from-state.ts
 * holds their fixed parameters): the same rate throughout, halved every decay steps, a tenth after decay steps,
 * half a cosine to a hundredth, and that cosine after a linear warmup over a tenth of the decay steps.
 */
export const SCHEDULES = {
  constant: 'constant',
  step: 'step decay (halved every decay steps)',
  exponential: 'exponential (a tenth after decay steps)',
  cosine: 'cosine (to 1 % over decay steps)',
  warmupCosine: 'cosine with warmup (a tenth of decay steps)',
} as const;
export type ScheduleName = keyof typeof SCHEDULES;
export const scheduleNames = Object.keys(SCHEDULES) as ScheduleName[];

/**
 * Kernel sets: 'fastest' is what the browser loads by default; the others pin one, so a link reproduces a
 * run bit for bit on another machine too ('wasm-simd' computes the same bits everywhere).
 */
export const KERNELS = ['fastest', 'wasm-simd', 'wasm-relaxed-simd', 'reference'] as const;
export type KernelChoice = (typeof KERNELS)[number];

/** Bounds the page keeps a run inside, so it stays live in a browser tab. */
export const LIMITS = {
  width: [1, 256],
  layers: [0, 8],
  lr: [1e-6, 10],
  batchSize: [1, 1024],
  seed: [0, 2 ** 31 - 2],
  decaySteps: [1, 1_000_000],
  weightDecay: [0, 1],
} as const;

/** One hidden layer: its units and activation. */
export interface LayerState {
  readonly width: number;
  readonly activation: HiddenActivation;
}

/** The whole page state: what a link carries. */
export interface PlaygroundState {
  readonly dataset: DatasetName;
  readonly layers: readonly LayerState[];
  readonly loss: LossChoice;
  readonly optimizer: OptimizerName;
  readonly lr: number;
  /** How the learning rate changes with the step; `decaySteps` sets its pace (unused by 'constant'). */
  readonly schedule: ScheduleName;
  readonly decaySteps: number;
  /** The optimiser's weight decay λ (0 = off): L2 on the gradient for sgd, adam, rmsprop; decoupled for adamW, lion. */
  readonly weightDecay: number;
  readonly batchSize: number;
  readonly seed: number;
  readonly kernels: KernelChoice;
}

/** Where the page starts: the spiral with two hidden layers of 16 (the problem TensorFlow Playground made known). */
export const DEFAULT_STATE: PlaygroundState = {
  dataset: 'spiral',
  layers: [{ width: 16, activation: 'tanh' }, { width: 16, activation: 'tanh' }],
  loss: 'crossEntropy',
  optimizer: 'adam',
  lr: 0.01,
  schedule: 'constant',
  decaySteps: 1000,
  weightDecay: 0,
  batchSize: 32,
  seed: 0,
  kernels: 'fastest',
};

export const taskOf = (state: Pick<PlaygroundState, 'dataset'>): Task => DATASETS[state.dataset].task;
/** Whether a task's outputs are class probabilities (a softmax, scored by accuracy). */
export const hasClasses = (task: Task): boolean => task === 'classification' || task === 'digits';
