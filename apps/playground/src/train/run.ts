/**
 * One training run of the page: the data, model and trainer a state asks for, stepped on demand, and
 * snapshots of where it stands for the views. The worker owns one at a time; nothing here touches the DOM.
 */
import { backend, takeRows, Tensor } from '@chainrule/core';
import { countParams, evaluate, predict, Trainer, type FitOptions, type Model, type Params } from '@chainrule/nn';
import { hasClasses, type PlaygroundState } from '../state/state.ts';
import { GRAPH_BATCH, type GraphSource, type RunInfo, type Snapshot, type TensorData } from '../protocol.ts';
import type { RunData } from './data.ts';
import { modelFromState, optimizerFromState } from './model-from-state.ts';

export class Run {
  readonly data: RunData;
  readonly model: Model;
  private readonly trainer: Trainer;
  private readonly options: FitOptions;
  private stepLosses: number[] = [];
  private warnings: string[] = [];
  private lastStep?: { lr: number; gradNorms: readonly (readonly [string, number])[] };

  /** `data` is runData(state)'s (./data.ts's loadRunData: MNIST's is fetched, so it comes in built). */
  constructor(readonly id: number, readonly state: PlaygroundState, data: RunData) {
    this.data = data;
    this.model = modelFromState(state, this.data);
    this.options = {
      loss: state.loss,
      optimizer: optimizerFromState(state),
      batchSize: state.batchSize,
      seed: state.seed,
      // The page lists each step's warnings (StepInfo.warnings); the console stays quiet.
      monitor: { onWarning: () => {} },
    };
    this.trainer = new Trainer(this.model, this.model.init(state.seed), this.data.train, this.options);
  }

  get params(): Params { return this.trainer.params; }
  get stepCount(): number { return this.trainer.stepCount; }

  /** One optimiser step; throws what the trainer throws (NonFiniteError when the loss or a gradient is NaN or Inf). */
  step(): void {
    const info = this.trainer.step();
    this.stepLosses.push(info.loss);
    this.warnings.push(...info.warnings.map((w) => w.message));
    this.lastStep = { lr: info.lr, gradNorms: [...info.gradNorms.entries()] };
  }

  info(): RunInfo {
    const d = this.data;
    return {
      type: 'run', run: this.id, backend: backend(), task: d.task, outputs: d.outputs, bounds: d.bounds, gridSize: d.gridSize,
      points: d.points, summary: this.model.summary(), paramCount: countParams(this.params),
    };
  }

  /** Where the run stands; the step losses and warnings it reports are not reported again. */
  snapshot(playing: boolean): Snapshot {
    const classes = hasClasses(this.data.task);
    // One batch each: these sets are small (MNIST's 3000 digits too), and a batch is cheaper than several.
    const score = (set: RunData['train']) => evaluate(this.model, this.params, set, { loss: this.state.loss, metrics: classes ? ['accuracy'] : [], batchSize: set.x.shape[0] });
    const train = score(this.data.train);
    const validation = score(this.data.validation);
    const prediction = predict(this.model, this.params, this.data.grid, { batchSize: this.data.grid.shape[0] }).data as Float32Array;
    const snap: Snapshot = {
      type: 'snapshot', run: this.id, backend: backend(), playing,
      step: this.trainer.stepCount, epoch: this.trainer.epochCount,
      stepLosses: this.stepLosses, lr: this.lastStep?.lr,
      trainLoss: train.loss!, validationLoss: validation.loss!,
      trainAccuracy: train.metrics.accuracy, validationAccuracy: validation.metrics.accuracy,
      gradNorms: this.lastStep?.gradNorms ?? [], warnings: this.warnings,
      prediction: Float32Array.from(prediction),
    };
    this.stepLosses = [];
    this.warnings = [];
    return snap;
  }

  /** The params as they stand and the first GRAPH_BATCH training points: what the page's graph panel draws. */
  graphSource(): GraphSource {
    const { x, y } = this.data.train;
    const rows = Int32Array.from({ length: Math.min(GRAPH_BATCH, x.shape[0]!) }, (_, i) => i);
    const copy = (t: Tensor): TensorData => ({ shape: [...t.shape], data: t.data.slice() as Float32Array | Float64Array });
    return {
      type: 'graphSource', run: this.id, step: this.trainer.stepCount, backend: backend(),
      params: [...this.params.entries()].map(([key, t]) => ({ key, ...copy(t) })),
      x: copy(takeRows(x, rows)),
      y: y instanceof Tensor ? copy(takeRows(y, rows)) : { labels: takeRows(y, rows) },
      outputs: this.data.outputs,
    };
  }
}
