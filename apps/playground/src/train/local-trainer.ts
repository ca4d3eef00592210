/**
 * A stand-in for nn's stepping `Trainer` until it lands: the same constructor and `step()`, built from the
 * pieces fit runs (its seeded shuffle stream, batchIndices, makeTrainStep, the gradient monitor), so a step
 * here is a step of `fit` with the same options. Only what the page uses is here: no epoch(), history or
 * checkpoint. Delete this file when `Trainer` is exported by @chainrule/nn and import that instead.
 */
import { Rng, takeRows, type Tensor } from '@chainrule/core';
import {
  batchIndices, getOptimizer, gradientMonitor, makeTrainStep,
  type FitOptions, type GradientMonitor, type Model, type ModelState, type Optimizer, type OptState, type Params, type Target,
} from '@chainrule/nn';
import type { OrderedMap } from 'immutable';

/** What one step did, as nn's StepInfo says it. */
export interface TrainerStep {
  readonly step: number;
  readonly epoch: number;
  readonly batch: number;
  readonly loss: number;
  readonly lr: number;
  readonly gradNorms: OrderedMap<string, number>;
  readonly params: Params;
}

export class Trainer {
  params: Params;
  state: ModelState;
  stepCount = 0;
  epochCount = 0;
  private optState: OptState;
  private readonly optimizer: Optimizer;
  private readonly trainStep: ReturnType<typeof makeTrainStep>;
  private readonly monitor: GradientMonitor;
  private readonly shuffle: Rng;
  private readonly dropout: Rng;
  private readonly batchSize: number;
  private parts: Int32Array[] = [];
  private batch = 0;

  constructor(model: Model, params: Params, private readonly data: { x: Tensor; y: Target }, options: FitOptions) {
    this.params = params;
    this.state = options.state ?? model.initState();
    this.optimizer = getOptimizer(options.optimizer ?? 'adam');
    this.optState = this.optimizer.init(params);
    this.trainStep = makeTrainStep(model, { loss: options.loss, optimizer: this.optimizer });
    this.monitor = gradientMonitor(options.monitor === false ? {} : options.monitor);
    // fit's streams: shuffle from the seed; dropout 2·2^64 draws further (fit-streams.ts).
    this.shuffle = new Rng(options.seed ?? 0);
    this.dropout = Rng.fromState(this.shuffle.state());
    this.dropout.split();
    this.dropout.split();
    this.batchSize = options.batchSize ?? 32;
  }

  /** One optimiser step on the next batch, drawing a new epoch's order when the last one is used up. */
  step(): TrainerStep {
    if (this.batch >= this.parts.length) {
      this.parts = batchIndices(this.data.x.shape[0]!, { batchSize: this.batchSize, shuffle: true, rng: this.shuffle });
      this.batch = 0;
    }
    const idx = this.parts[this.batch]!;
    const lr = this.optimizer.lr(this.optState.step);
    const r = this.trainStep(this.params, this.optState, { x: takeRows(this.data.x, idx), y: takeRows(this.data.y, idx) }, { state: this.state, rng: this.dropout });
    const gradNorms = this.monitor.check(this.stepCount, r.loss, r.grads);
    const info = { step: this.stepCount, epoch: this.epochCount, batch: this.batch, loss: r.loss, lr, gradNorms, params: r.params };
    this.params = r.params;
    this.optState = r.optState;
    this.state = r.state;
    this.stepCount++;
    this.batch++;
    if (this.batch === this.parts.length) this.epochCount++;
    return info;
  }
}
