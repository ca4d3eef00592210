/**
 * The model as a graph: the run's MLP with the params the worker sent, on the first training points (in
 * order, never shuffled), through the run's loss, exactly as nn's objective computes it in a training step.
 */
import { fromData, type Tensor } from '@chainrule/core';
import { objective } from '@chainrule/nn';
import { OrderedMap } from 'immutable';
import type { GraphSource } from '../protocol.ts';
import { taskOf, type PlaygroundState } from '../state/state.ts';
import { modelFromState } from '../train/model-from-state.ts';
import type { Subject } from './stepper.ts';

export function modelSubject(state: PlaygroundState, source: GraphSource): Subject {
  const params = OrderedMap(source.params.map((p) => [p.key, fromData(p.data, p.shape, p.key)] as const));
  const x = fromData(source.x.data, source.x.shape, 'x');
  const target = 'labels' in source.y ? source.y.labels : fromData(source.y.data, source.y.shape, 'target');
  const model = modelFromState(state, { inputs: source.x.shape[1]!, outputs: source.outputs, task: taskOf(state) });
  const { loss } = objective(model, state.loss)(params, x, target);
  const xs: Record<string, Tensor> = Object.fromEntries(params.entries());
  const rows = source.x.shape[0];
  return { y: loss, xs, caption: `${state.loss} loss of the model after ${source.step} steps, on the first ${rows} training points (in order, not shuffled)` };
}
