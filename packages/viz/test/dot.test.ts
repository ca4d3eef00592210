import { grad, tensor } from '@chainrule/core';
import { dotString } from '../src/render/svg.ts';
import { describe, expect, it } from 'vitest';
import { allGrads, gradMap, graphColors, toDot } from '../src/index.ts';
import { formatNumber as num } from '../src/graph/format.ts';
import { mlpLoss } from './fixtures/mlp.ts';
import { allEdges, allNodes, attr, edgeEnds, nodeById } from './helpers/graph.ts';

// c = sum(tanh(a * b)) with a: [2], b: [2, 2] (a broadcasts over rows).
function small() {
  const a = tensor([2, -3], { name: 'a' });
  const b = tensor([[1, 0.5], [0.25, 4]], { name: 'b' });
  const p = a.mul(b);
  const t = p.tanh();
  const c = t.sum();
  return { a, b, p, t, c };
}

describe('toDot: forward graph', () => {
  it('has a node per tensor and per op, and edges in data-flow order', () => {
    const { a, b, p, t, c } = small();
    const g = toDot(c, { legend: false });
    const nodes = allNodes(g).map((n) => n.id);
    expect(nodes).toHaveLength(5 + 3);
    for (const x of [a, b, p, t, c]) expect(nodes).toContain(`t${x.id}`);
    for (const x of [p, t, c]) expect(nodes).toContain(`op${x.id}`);
    const edges = allEdges(g).map(edgeEnds);
    expect(edges).toHaveLength(7);
    expect(new Set(edges.map((e) => e.join('->')))).toEqual(new Set([
      [`t${a.id}`, `op${p.id}`], [`t${b.id}`, `op${p.id}`], [`op${p.id}`, `t${p.id}`],
      [`t${p.id}`, `op${t.id}`], [`op${t.id}`, `t${t.id}`],
      [`t${t.id}`, `op${c.id}`], [`op${c.id}`, `t${c.id}`],
    ].map((e) => e.join('->'))));
    // Data-flow order: every edge out of an op comes after the edges into it.
    const pos = (from: string, to: string) => edges.findIndex(([f, tt]) => f === from && tt === to);
    expect(pos(`t${a.id}`, `op${p.id}`)).toBeLessThan(pos(`op${p.id}`, `t${p.id}`));
    expect(pos(`op${p.id}`, `t${p.id}`)).toBeLessThan(pos(`t${p.id}`, `op${t.id}`));
    expect(pos(`t${t.id}`, `op${c.id}`)).toBeLessThan(pos(`op${c.id}`, `t${c.id}`));
  });

  it('labels tensors with name, shape, dtype and values, and ops with their name', () => {
    const { a, b, p, t, c } = small();
    const g = toDot(c);
    const label = (id: string) => attr(nodeById(g, id)!, 'label');
    expect(label(`t${a.id}`)).toContain('a');
    expect(label(`t${a.id}`)).toContain('[2] float32');
    expect(label(`t${a.id}`)).toContain('[2, -3]');
    expect(label(`t${b.id}`)).toContain('[1, 0.5]');
    expect(label(`t${b.id}`)).toContain('[0.25, 4]');
    expect(label(`t${c.id}`)).toContain(num(c.item()));
    expect(label(`op${p.id}`)).toContain('mul');
    expect(label(`op${t.id}`)).toContain('tanh');
    expect(label(`op${c.id}`)).toContain('sum');
    // Kinds by colour: parameters (differentiated or scoped names) vs inputs, and the output.
    expect(label(`t${c.id}`)).toContain(graphColors.output);
  });

  it('summarises tensors of more than 8 elements as min / mean / max', () => {
    const x = tensor(Array.from({ length: 9 }, (_, i) => i), { name: 'x' });
    const g = toDot(x.square().sum());
    expect(attr(nodeById(g, `t${x.id}`)!, 'label')).toContain('min 0  mean 4  max 8');
  });

  it('shows every gradient micrograd-style, from allGrads or gradMap', () => {
    const { a, b, p, c } = small();
    const grads = allGrads(c);
    const g = toDot(c, { grads });
    const label = (id: string) => attr(nodeById(g, id)!, 'label');
    const ga = grads.get(a)!;
    expect(label(`t${a.id}`)).toContain(`grad [${num(ga.data[0]!)}, ${num(ga.data[1]!)}]`);
    expect(label(`t${p.id}`)).toContain('grad [');
    expect(label(`t${c.id}`)).toContain('grad 1');
    expect(label(`t${a.id}`)).toContain(graphColors.gradient);
    const [gb] = grad(c, [b]);
    const g2 = toDot(c, { grads: gradMap([b], [gb!]) });
    expect(attr(nodeById(g2, `t${b.id}`)!, 'label')).toContain(`grad [${num(gb!.data[0]!)}, ${num(gb!.data[1]!)}]`);
    expect(attr(nodeById(g2, `t${a.id}`)!, 'label')).not.toContain('grad');
  });

  it('gives tensors holding equal data different nodes', () => {
    const x = tensor([1, 2]);
    const y = tensor([1, 2]);
    const z = x.add(y).sum();
    const g = toDot(z);
    const ids = allNodes(g).map((n) => n.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toContain(`t${x.id}`);
    expect(ids).toContain(`t${y.id}`);
    expect(allEdges(g).map(edgeEnds).filter(([, to]) => to === `op${z.node!.inputs[0]!.id}`)).toHaveLength(2);
  });

  it('draws one cluster per name scope, and one node per scope when collapsed', () => {
    const { loss } = mlpLoss();
    const full = toDot(loss);
    expect(full.subgraphs.map((s) => s.id)).toEqual(['cluster_dense0', 'cluster_dense1', 'cluster_dense2', 'cluster_dense3']);
    const dense0 = full.subgraphs[0]!;
    expect(dense0.nodes.map((n) => attr(n, 'label')).join()).toContain('dense0/w');
    const collapsed = toDot(loss, { collapse: true });
    const before = allNodes(full).length;
    const after = allNodes(collapsed).length;
    expect(after).toBeLessThan(before / 2);
    const layers = allNodes(collapsed).filter((n) => n.id.startsWith('layer_'));
    expect(layers.map((n) => n.id)).toEqual(['layer_dense0', 'layer_dense1', 'layer_dense2', 'layer_dense3']);
    expect(attr(layers[0]!, 'label')).toContain('w [784, 128]');
    // The edge between two layers names the shape that flows.
    const e = allEdges(collapsed).find((x) => edgeEnds(x).join() === 'layer_dense0,layer_dense1')!;
    expect(attr(e, 'label')).toContain('[4, 128]');
  });

  it('prints a legend with the torchviz kinds and the title', () => {
    const { c } = small();
    const dot = dotString(toDot(c, { title: 'tanh example' }));
    for (const word of ['parameter', 'input', 'output', 'saved for backward', 'gradient', 'tanh example']) expect(dot).toContain(word);
  });
});

describe('toDot: backward graph', () => {
  it('draws the recorded backward ops in a distinct style, linked to the forward tensors', () => {
    const { a, b, t, c } = small();
    const [ga, gb] = grad(c, [a, b], { createGraph: true });
    const g = toDot(c, { grads: [ga!, gb!], backward: true });
    const bwCluster = g.subgraphs.find((s) => s.id === 'cluster_∇')!;
    expect(bwCluster).toBeDefined();
    const bwOps = bwCluster.nodes.filter((n) => n.id.startsWith('op'));
    expect(bwOps.length).toBeGreaterThan(2);
    for (const n of bwOps) {
      expect(attr(n, 'style')).toContain('dashed');
      expect(attr(n, 'fillcolor')).toBe(graphColors.backwardOp);
    }
    const fwOps = g.nodes.filter((n) => n.id.startsWith('op'));
    for (const n of fwOps) expect(attr(n, 'style')).not.toContain('dashed');
    const edges = allEdges(g);
    // Each gradient is linked (dashed) to the tensor it differentiates.
    const link = edges.find((e) => edgeEnds(e).join() === `t${a.id},t${ga!.id}`)!;
    expect(attr(link, 'style')).toBe('dashed');
    // tanh's output is saved for tanh's VJP: coloured as saved and linked (dashed) into the backward graph.
    expect(attr(nodeById(g, `t${t.id}`)!, 'label')).toContain(graphColors.saved);
    expect(edges.some((e) => edgeEnds(e)[0] === `t${t.id}` && attr(e, 'style') === 'dashed')).toBe(true);
    expect(attr(nodeById(g, `t${ga!.id}`)!, 'label')).toContain('∂y/∂a');
  });

  it('differentiates w.r.t. the parameters itself when no grads are given', () => {
    const { loss } = mlpLoss({ scopedLoss: true });
    const g = toDot(loss, { backward: true, collapse: true });
    const ids = allNodes(g).map((n) => n.id);
    expect(ids).toContain('layer_backward');
    expect(attr(nodeById(g, 'layer_dense0')!, 'label')).toContain('|grad w|');
  });

  it('explains what to do when the gradients were not recorded', () => {
    const { a, c } = small();
    const [ga] = grad(c, [a]);
    expect(() => toDot(c, { grads: [ga!] })).toThrow(/createGraph/);
    expect(() => toDot(c, { grads: gradMap([a], [ga!]), backward: true })).toThrow(/createGraph/);
  });
});
