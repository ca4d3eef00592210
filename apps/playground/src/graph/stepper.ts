/**
 * Backprop one VJP at a time, on core's own backward walk (backwardPass, the iterator grad runs on): the
 * panel never walks the graph itself, so each step it shows is a step grad takes.
 */
import { backwardPass, type BackwardPass, type BackwardStep, type Tensor } from '@chainrule/core';

/** What the panel differentiates: a scalar y and the leaves to differentiate it with respect to, by name. */
export interface Subject {
  readonly y: Tensor;
  readonly xs: Readonly<Record<string, Tensor>>;
  /** What y is, in a line (the panel's caption). */
  readonly caption: string;
}

export class Stepper {
  private readonly pass: BackwardPass<Readonly<Record<string, Tensor>>>;
  /** Nodes the pass will visit, in order (a node no cotangent reaches is skipped, so fewer steps may run). */
  readonly planned: number;
  /** Steps taken, and the last one. */
  taken = 0;
  last: BackwardStep | undefined;
  private result: Readonly<Record<string, Tensor>> | undefined;

  constructor(readonly subject: Subject) {
    this.pass = backwardPass(subject.y, subject.xs);
    this.planned = this.pass.planned.length;
  }

  get done(): boolean { return this.result !== undefined; }

  /** One VJP (the pass's next node); undefined, with the gradients ready, once every node has sent its cotangents. */
  step(): BackwardStep | undefined {
    if (this.result) return undefined;
    const next = this.pass.next();
    if (next.done) {
      this.result = this.pass.gradients();
      return undefined;
    }
    this.taken++;
    this.last = next.value;
    return next.value;
  }

  /** The gradient of t so far: what has been sent to it by the steps taken. */
  gradientSoFar(t: Tensor): Tensor | undefined {
    return this.pass.gradientSoFar(t);
  }

  /** dy/dx for every x, once done (what grad(y, xs) returns). */
  get gradients(): Readonly<Record<string, Tensor>> | undefined { return this.result; }
}
