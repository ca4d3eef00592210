/**
 * Look at backprop: the expression graph of a small MLP's loss with every value and gradient
 * (micrograd-style), the backward pass that grad(…, { createGraph: true }) recorded as ops, and
 * the 784-128-64-32-10 MNIST network with its loss drawn one node per layer. Each drawing is
 * written as SVG and PNG into a report.
 */
import { backend, grad, randUniform, type Tensor } from '@chainrule/core';
import { checkActivation, countParams, mlp, objective, type ActivationName, type Params } from '@chainrule/nn';
import { allGrads, gradMap, toDot } from '@chainrule/viz';
import { writeReport, type Figure, type WrittenReport } from '@chainrule/viz/node';
import { commandLine, flags, listFlag, numberFlag } from './cli.ts';

export interface GraphConfig {
  /** The small MLP drawn in full: input width first, one output (a regression with MSE). */
  readonly layers: readonly number[];
  readonly activation: ActivationName;
  /** Samples in the batch the loss is taken over. */
  readonly batch: number;
  /** The network drawn one node per layer, with cross-entropy on 10 classes. */
  readonly big: readonly number[];
  readonly seed: number;
}

export const defaults: GraphConfig = { layers: [2, 3, 1], activation: 'tanh', batch: 2, big: [784, 128, 64, 32, 10], seed: 1 };

export interface GraphRun {
  readonly loss: number;
  readonly report: WrittenReport;
  /** The DOT text of each drawing, by figure name. */
  readonly dot: Readonly<Record<string, Figure & { graph: unknown }>>;
}

/** The small MLP's MSE loss on a seeded batch. */
function smallLoss(c: GraphConfig): { loss: Tensor; params: Params } {
  const model = mlp(c.layers, { hidden: c.activation, output: 'linear' });
  const params = model.init(c.seed);
  // Small readable inputs and targets in [-1, 1]: a drawing, not a benchmark.
  const x = randUniform([c.batch, c.layers[0]!], { seed: c.seed + 1, low: -1, high: 1, name: 'x' });
  const y = randUniform([c.batch, c.layers.at(-1)!], { seed: c.seed + 2, low: -1, high: 1, name: 'y' });
  return { loss: objective(model, 'mse')(params, x, y).loss, params };
}

/** The big MLP's cross-entropy loss on a seeded batch of 8 random "images". */
function bigLoss(c: GraphConfig): { loss: Tensor; params: Params } {
  const model = mlp(c.big, { hidden: 'relu', output: 'softmax' });
  const params = model.init(c.seed);
  const x = randUniform([8, c.big[0]!], { seed: c.seed + 3, name: 'images' });
  const labels = Int32Array.from({ length: 8 }, (_, i) => i % c.big.at(-1)!);
  return { loss: objective(model, 'crossEntropy')(params, x, labels).loss, params };
}

export async function runGraph(c: GraphConfig, o: { out: string; command?: string; png?: boolean; log?: (line: string) => void }): Promise<GraphRun> {
  const log = o.log ?? console.log;
  const small = smallLoss(c);
  const name = `MLP ${c.layers.join('-')} (${c.activation}) with MSE loss, batch of ${c.batch}`;
  // Forward: every tensor with its value and dL/dtensor, except the data and constants (drawn as inputs).
  const isData = (t: Tensor) => !t.node && !t.name?.includes('/');
  const grads = new Map([...allGrads(small.loss)].filter(([t]) => !isData(t)));
  const forward = toDot(small.loss, { grads, title: `${name}: values and gradients` });
  // Backward: the gradients w.r.t. the parameters, recorded as ops, drawn beside the forward graph.
  const backward = toDot(small.loss, { grads: grad(small.loss, small.params, { createGraph: true }), backward: true, title: `${name}: the backward pass recorded by grad(…, { createGraph: true })` });

  const big = bigLoss(c);
  const bigName = `MLP ${c.big.join('-')} (ReLU, softmax) with cross-entropy loss`;
  const collapsed = toDot(big.loss, { collapse: true, grads: gradMap(big.params, grad(big.loss, big.params)), title: `${bigName}: one node per layer, with gradient norms` });
  const collapsedBackward = toDot(big.loss, { collapse: true, backward: true, title: `${bigName}: forward and backward, one node per layer` });

  const figures = {
    forward: { title: 'Forward graph with values and gradients', name: 'forward', graph: forward, caption: 'Each tensor shows its shape, dtype, values (or min/mean/max) and, in red, the gradient of the loss with respect to it.' },
    backward: { title: 'Forward and backward graph', name: 'backward', graph: backward, caption: 'The dashed pink cluster is the backward pass as ops; orange tensors were saved for it, dashed arrows link each gradient to its tensor.' },
    collapsed: { title: `${c.big.join('-')} MLP, one node per layer`, name: 'mlp-collapsed', graph: collapsed },
    collapsedBackward: { title: `${c.big.join('-')} MLP with its backward pass, one node per layer`, name: 'mlp-collapsed-backward', graph: collapsedBackward },
  };
  const report = await writeReport(o.out, {
    title: 'Graphs: forward and backward passes',
    command: o.command,
    settings: { ...c, layers: c.layers.join(','), big: c.big.join(','), kernels: backend() },
    metrics: {
      [`small MLP loss (${c.layers.join('-')})`]: small.loss.item().toFixed(5),
      'small MLP parameters': countParams(small.params),
      [`big MLP loss (${c.big.join('-')})`]: big.loss.item().toFixed(5),
      'big MLP parameters': countParams(big.params),
    },
    figures: Object.values(figures),
    png: o.png ?? true,
  });
  for (const f of report.files) log(`wrote ${f}`);
  return { loss: small.loss.item(), report, dot: figures };
}

export async function main(argv: string[]): Promise<void> {
  const f = flags('graph', argv, {
    layers: { type: 'string', default: defaults.layers.join(','), description: 'the small MLP drawn in full (keep it small: every tensor is a node)' },
    activation: { type: 'string', default: defaults.activation, description: 'hidden activation of the small MLP' },
    batch: { type: 'string', default: String(defaults.batch), description: 'samples in the small batch' },
    big: { type: 'string', default: defaults.big.join(','), description: 'the network drawn one node per layer (last width: classes)' },
    seed: { type: 'string', default: String(defaults.seed), description: 'seed for weights and data' },
    out: { type: 'string', default: 'reports/graph', description: 'report folder' },
  });
  const ints = (name: string, v: string) => listFlag(v).map((s) => numberFlag('graph', name, s, { min: 1, integer: true }));
  const c: GraphConfig = {
    layers: ints('layers', f.layers), activation: checkActivation(f.activation), batch: ints('batch', f.batch)[0] ?? defaults.batch,
    big: ints('big', f.big), seed: numberFlag('graph', 'seed', f.seed, { integer: true }),
  };
  if (c.layers.length < 2 || c.big.length < 2) throw new Error('graph: --layers and --big need at least an input and an output width');
  const started = performance.now();
  const run = await runGraph(c, { out: f.out, command: commandLine('graph', argv) });
  console.log(`small MLP loss ${run.loss.toFixed(5)}; report written to ${run.report.index} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
