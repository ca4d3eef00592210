/**
 * toDot: the expression graph that produced y as a ts-graphviz Digraph. Op nodes sit between
 * tensor nodes, edges run in data-flow order, ids come from the engine's tensor ids (never from
 * content), name scopes become clusters (or single nodes with `collapse`), and the backward pass
 * recorded by `grad(..., { createGraph: true })` can be drawn beside the forward graph. Before any
 * label is made, the drawing is counted against a layout budget (`maxNodes`, see budget.ts).
 */
import { topologicalOrder, type Tensor } from '@chainrule/core';
import { Digraph, type SubgraphModel } from 'ts-graphviz';
import { formatNumber as num, shapeText, valueLines } from './format.ts';
import { parameterGrads, resolveGrads, type GradsInput } from './grads.ts';
import { table, type Cell } from './html.ts';
import { titleAndLegend } from './legend.ts';
import { colors, edgeColors, fontname, type Kind } from './style.ts';
import { fitBudget } from './budget.ts';
import { drawingSize } from './size.ts';
import { checkToDotArgs } from './validate.ts';

/** {@link toDot}'s options: what to draw beside the forward graph, and how. All are optional. */
export interface ToDotOptions {
  /**
   * Gradients to print under each tensor, micrograd-style: a Map from tensor to its gradient
   * (see `allGrads`, `gradMap`), or the tree `grad(y, xs, { createGraph: true })` returned.
   */
  readonly grads?: GradsInput;
  /** Also draw the recorded backward graph (needs createGraph gradients; made w.r.t. the parameters if `grads` is absent). */
  readonly backward?: boolean;
  /** Print values (≤ 8 elements) or min/mean/max in tensor nodes. Default true. */
  readonly values?: boolean;
  /** Layout direction. Default 'LR' (left to right), or 'TB' when collapsed. */
  readonly rankdir?: 'LR' | 'TB' | 'RL' | 'BT';
  /** Draw each name scope (layer) as one node. */
  readonly collapse?: boolean;
  /** A title above the graph. */
  readonly title?: string;
  /** Draw the colour legend. Default true. */
  readonly legend?: boolean;
  /**
   * The most nodes Graphviz's dot may have to lay out, counting what it adds itself: a node per
   * edge label and per rank an edge skips (see `drawingSize`). Past it, a drawing whose `collapse`
   * was not given is collapsed to one node per name scope if that fits, and otherwise toDot throws,
   * naming the counts and what to pass. Default 3000 (a few seconds of layout); `Infinity` draws anything.
   */
  readonly maxNodes?: number;
}

// Node labels are made only for the drawing chosen: a graph over budget costs a count, not its labels.
interface NodeSpec { readonly id: string; readonly container: string; readonly attrs: () => Record<string, unknown> }
interface EdgeSpec { readonly from: string; readonly to: string; readonly attrs: Record<string, unknown> }
interface Layer { readonly scope: string; params: Tensor[]; ops: string[]; last?: Tensor; backward: boolean }

const BACKWARD = '∇';
const tensorId = (t: Tensor): string => `t${t.id}`;
const opId = (t: Tensor): string => `op${t.id}`;
/**
 * The id of the node a name scope (layer) becomes in a collapsed drawing: its `<title>` in the SVG, so
 * a page can find the node standing for a layer. The recorded backward pass's scope is 'layer_backward'.
 *
 * @example
 * ```ts
 * import { layerNodeId } from '@chainrule/viz';
 * layerNodeId('dense0');   // 'layer_dense0'
 * ```
 */
// No ':' in ids: Graphviz reads 'a:b' in an edge as node a, port b.
export const layerNodeId = (scope: string): string => `layer_${scope === BACKWARD ? 'backward' : scope.replace(/[^A-Za-z0-9_]/g, '_')}`;
const layerId = layerNodeId;

/** The scope of a tensor: its op's scope, or for a parameter the prefix of its name ('dense0/w' → 'dense0'). */
function scopeOf(t: Tensor, known: ReadonlySet<string>): string {
  if (t.node) return t.node.scope;
  const cut = t.name?.lastIndexOf('/') ?? -1;
  const prefix = cut > 0 ? t.name!.slice(0, cut) : '';
  return known.has(prefix) ? prefix : '';
}

/**
 * The expression graph that produced y, as a ts-graphviz Digraph: a node per tensor (name, shape,
 * dtype, values) and per op, edges in data-flow order, name scopes as clusters. Render it with
 * {@link renderSvg}, or get the DOT text with {@link dotString}. Nothing is computed: y's recorded
 * graph is only read (gradients are made only for `backward: true` without `grads`).
 *
 * @param y - the tensor whose graph to draw, usually a loss.
 * @throws Error when y is not a Tensor, an option is unknown or of the wrong type, a gradient in
 *   `grads` does not know its tensor, `backward: true` finds no recorded backward ops, or the drawing
 *   is over `maxNodes` and collapsing does not fit (the message names the counts and what to pass).
 * @example
 * ```ts
 * import { tensor } from '@chainrule/core';
 * import { toDot, renderSvg, allGrads } from '@chainrule/viz';
 * const w = tensor([0.5, -1], { name: 'w' });
 * const loss = w.mul(w).sum();
 * const svg = await renderSvg(toDot(loss, { grads: allGrads(loss), title: 'w·w' }));
 * ```
 */
export function toDot(y: Tensor, options: ToDotOptions = {}): Digraph {
  checkToDotArgs(y, options);
  const graph = graphOf(y, options);
  const drawn = fitBudget({
    draw: (collapse) => plan(graph, collapse),
    size: (d) => drawingSize(d.nodes.map((n) => n.id), [...d.edges.values()].map((e) => ({ from: e.from, to: e.to, labelled: 'label' in e.attrs }))),
    collapse: options.collapse,
    maxNodes: options.maxNodes,
  });
  return build(drawn.drawing, { ...options, collapse: drawn.collapse }, drawn.note);
}

/** What every drawing of y shares, collapsed or not: its tensors, gradients and scopes. */
interface GraphOf {
  readonly y: Tensor;
  readonly showValues: boolean;
  readonly forward: readonly Tensor[];
  readonly backward: readonly Tensor[];
  readonly backwardIds: ReadonlySet<number>;
  readonly forwardIds: ReadonlySet<number>;
  readonly gradientRoots: ReadonlySet<number>;
  readonly grads: ReadonlyMap<Tensor, Tensor>;
  readonly saved: ReadonlySet<number>;
  readonly targetOf: ReadonlyMap<number, Tensor>;
  readonly known: ReadonlySet<string>;
  readonly drawBackward: boolean;
}

function graphOf(y: Tensor, options: ToDotOptions): GraphOf {
  const forward = topologicalOrder([y]);
  const forwardIds = new Set(forward.map((t) => t.id));
  let grads = resolveGrads(options.grads);
  if (options.backward && grads.size === 0) grads = parameterGrads(y);

  // The backward graph: everything the gradients were computed from, up to where it meets the forward graph.
  const backward = options.backward ? topologicalOrder([...grads.values()], forwardIds) : [];
  const backwardIds = new Set(backward.map((t) => t.id));
  const gradientRoots = new Set([...grads.values()].map((g) => g.id));
  if (options.backward && !backward.some((t) => t.node)) {
    throw new Error('toDot: backward: true found no recorded backward ops; make the gradients with grad(y, xs, { createGraph: true })');
  }
  const saved = new Set<number>();
  for (const t of backward) for (const i of t.node?.inputs ?? []) if (forwardIds.has(i.id)) saved.add(i.id);
  const targetOf = new Map([...grads].map(([x, g]) => [g.id, x] as const));

  const known = new Set<string>();
  for (const t of forward) {
    const parts = t.node?.phase === 'forward' ? t.node.scope.split('/').filter(Boolean) : [];
    parts.forEach((_, i) => known.add(parts.slice(0, i + 1).join('/')));
  }
  return {
    y, showValues: options.values ?? true, forward, backward, backwardIds, forwardIds, gradientRoots, grads, saved, targetOf, known,
    drawBackward: options.backward ?? false,
  };
}

interface Drawing { readonly nodes: readonly NodeSpec[]; readonly edges: ReadonlyMap<string, EdgeSpec> }

/** The nodes and edges of one drawing, with their labels still to be made. */
function plan(g: GraphOf, collapse: boolean): Drawing {
  const { y, grads, known, backwardIds, gradientRoots } = g;
  const kindOf = (t: Tensor): Kind => {
    if (t === y) return 'output';
    if (backwardIds.has(t.id) || t.node?.phase === 'backward') return 'gradient';
    // Parameters are what is differentiated, or carry a layer-scoped name such as 'dense0/w'.
    if (!t.node) return grads.has(t) || t.name?.includes('/') ? 'parameter' : 'input';
    return g.saved.has(t.id) ? 'saved' : 'intermediate';
  };
  const isBackward = (t: Tensor): boolean => backwardIds.has(t.id);
  // Which collapsed node a tensor disappears into, if any: y stays visible, the whole backward pass is one node.
  const collapsedInto = (t: Tensor): string | undefined => {
    if (!collapse || t === y) return undefined;
    if (isBackward(t)) return BACKWARD;
    const s = scopeOf(t, known);
    return s === '' ? undefined : s;
  };
  // Collapsed drawings also fold each remaining intermediate tensor into the op that made it: half the nodes.
  const folded = (t: Tensor): boolean => collapse && !!t.node && t !== y && !gradientRoots.has(t.id);
  const rep = (t: Tensor): string => {
    const c = collapsedInto(t);
    if (c !== undefined) return layerId(c);
    return folded(t) ? opId(t) : tensorId(t);
  };

  const nodes: NodeSpec[] = [];
  const edges = new Map<string, EdgeSpec>();
  const layers = new Map<string, Layer>();
  const addEdge = (from: string, to: string, attrs: Record<string, unknown>, kind = 'flow'): void => {
    const key = `${from}->${to}:${kind}`;
    if (from !== to && !edges.has(key)) edges.set(key, { from, to, attrs });
  };
  const containerOf = (t: Tensor): string => (isBackward(t) ? BACKWARD : scopeOf(t, known));

  for (const t of [...g.forward, ...g.backward]) {
    const bw = isBackward(t);
    const into = collapsedInto(t);
    if (into !== undefined) {
      const layer = layers.get(into) ?? { scope: into, params: [], ops: [], backward: into === BACKWARD };
      layers.set(into, layer);
      if (t.node) { layer.ops.push(t.node.op.name); layer.last = t; } else layer.params.push(t);
    } else {
      const where = collapse ? '' : containerOf(t);
      if (!folded(t)) {
        const o = { showValues: g.showValues, grad: grads.get(t), target: g.targetOf.get(t.id), y };
        nodes.push({ id: tensorId(t), container: where, attrs: () => tensorNode(t, kindOf(t), o) });
      }
      if (t.node) nodes.push({ id: opId(t), container: where, attrs: () => opNode(t, bw) });
    }
    if (!t.node) continue;
    const dst = into !== undefined ? layerId(into) : opId(t);
    t.node.inputs.forEach((input) => {
      const src = rep(input);
      // Where a tensor is not drawn as a node, its edge says the shape that flows.
      const crossing = collapse && src !== tensorId(input);
      const savedLink = bw && !isBackward(input);
      const attrs = savedLink
        ? { style: 'dashed', color: edgeColors.saved, arrowsize: 0.6 }
        : { ...edgeStyle(bw), ...(crossing ? { label: ` ${shapeText(input)} `, fontsize: 9, fontcolor: '#666666' } : {}) };
      addEdge(src, dst, attrs, savedLink ? 'saved' : 'flow');
    });
    // Data-flow order: the edges into an op come before the edge out of it.
    if (into === undefined && !folded(t)) addEdge(opId(t), tensorId(t), edgeStyle(bw));
  }
  // Each gradient points back (dashed) at the tensor it is the gradient of.
  if (g.drawBackward) {
    for (const [x, gx] of grads) {
      // Drawn x → g with the arrow reversed, so the layout keeps the gradient after its tensor.
      if (g.forwardIds.has(x.id)) addEdge(rep(x), rep(gx), { style: 'dashed', color: edgeColors.link, dir: 'back', arrowsize: 0.6 }, 'gradient');
    }
  }
  for (const layer of layers.values()) {
    nodes.push({ id: layerId(layer.scope), container: '', attrs: () => layerNode(layer, grads) });
  }
  return { nodes, edges };
}

/** The ts-graphviz graph of a drawing: clusters per name scope, the title and legend as its label. */
function build(d: Drawing, options: ToDotOptions & { collapse: boolean }, note: string | undefined): Digraph {
  const graph = new Digraph('chainrule', {
    rankdir: options.rankdir ?? (options.collapse ? 'TB' : 'LR'),
    fontname, fontsize: 12, nodesep: 0.25, ranksep: options.collapse ? 0.3 : 0.35, bgcolor: 'white', newrank: true,
  } as never);
  const label = titleAndLegend({ title: options.title, note, legend: options.legend ?? true, backward: options.backward ?? false, collapse: options.collapse });
  if (label) graph.apply({ label, labelloc: 't', labeljust: 'l' } as never);
  graph.attributes.node.apply({ fontname, fontsize: 11 } as never);
  graph.attributes.edge.apply({ fontname, color: edgeColors.forward, arrowsize: 0.6 } as never);

  type Container = Pick<SubgraphModel, 'createSubgraph' | 'createNode'>;
  const clusters = new Map<string, Container>([['', graph as unknown as Container]]);
  const container = (path: string): Container => {
    const found = clusters.get(path);
    if (found) return found;
    const cut = path === BACKWARD ? -1 : path.lastIndexOf('/');
    const parent = container(cut > 0 ? path.slice(0, cut) : '');
    const label = path === BACKWARD ? 'backward pass (recorded by grad with createGraph)' : path.slice(cut + 1);
    const sub = parent.createSubgraph(`cluster_${path}`, {
      label, labeljust: 'l', fontname, fontsize: 12, style: 'rounded,dashed',
      color: path === BACKWARD ? edgeColors.backward : '#7a9cc6', fontcolor: path === BACKWARD ? edgeColors.backward : '#2f5d8f',
    } as never);
    clusters.set(path, sub);
    return sub;
  };
  for (const n of d.nodes) container(n.container).createNode(n.id, n.attrs() as never);
  for (const e of d.edges.values()) graph.createEdge([e.from, e.to], e.attrs as never);
  return graph;
}

const edgeStyle = (backward: boolean): Record<string, unknown> =>
  backward ? { color: edgeColors.backward } : {};

function tensorNode(t: Tensor, kind: Kind, o: { showValues: boolean; grad?: Tensor; target?: Tensor; y: Tensor }): Record<string, unknown> {
  const header = o.target ? `∂${o.y.name ?? 'y'}/∂${o.target.name ?? `#${o.target.id}`}`
    : t.name ?? ({ input: t.size === 1 ? 'const' : 'input', output: 'output', parameter: 'parameter' } as Partial<Record<Kind, string>>)[kind];
  const bg = colors[kind];
  const cells: Cell[] = [];
  if (header) cells.push({ lines: [header], bold: true, bg });
  cells.push({ lines: [`${shapeText(t)} ${t.dtype}`], size: 9, color: '#555555', bg });
  if (o.showValues) cells.push({ lines: valueLines(t), bg });
  if (o.grad) cells.push({ lines: valueLines(o.grad).map((l, i) => (i === 0 ? `grad ${l}` : l)), bg: colors.gradient });
  return { shape: 'plain', label: table(cells, { dashed: kind === 'gradient', border: kind === 'gradient' ? edgeColors.backward : '#555555' }) };
}

function opNode(t: Tensor, backward: boolean): Record<string, unknown> {
  const node = t.node!;
  const detail = node.op.spec.describe?.(node.attrs) ?? '';
  return {
    shape: 'box', style: backward ? 'rounded,filled,dashed' : 'rounded,filled',
    fillcolor: backward ? colors.backwardOp : colors.op, color: backward ? edgeColors.backward : '#777777',
    fontsize: 10, margin: '0.12,0.04', height: 0.3,
    label: ` ${node.op.name}${detail ? ` ${detail}` : ''} `,
  };
}

/** One node for a whole scope: its parameters, its ops, what leaves it, and its parameters' gradient norms. */
function layerNode(layer: Layer, grads: ReadonlyMap<Tensor, Tensor>): Record<string, unknown> {
  const title = layer.backward ? 'backward pass' : layer.scope;
  const bg = layer.backward ? colors.backwardOp : colors.layer;
  const cells: Cell[] = [{ lines: [title], bold: true, bg, size: 12 }];
  const prefix = `${layer.scope}/`;
  const short = (t: Tensor): string => (t.name?.startsWith(prefix) ? t.name.slice(prefix.length) : t.name ?? `#${t.id}`);
  // One line per row keeps a layer short enough for the whole MLP to fit a screen.
  if (layer.params.length && !layer.backward) cells.push({ lines: [layer.params.map((p) => `${short(p)} ${shapeText(p)}`).join('  ')], bg: colors.parameter, size: 10 });
  const distinct = [...new Set(layer.ops)];
  const opText = distinct.length > 4 ? `${distinct.slice(0, 4).join(' → ')} …` : distinct.join(' → ');
  cells.push({ lines: [`${opText} (${layer.ops.length} op${layer.ops.length === 1 ? '' : 's'})`], bg: layer.backward ? colors.backwardOp : colors.op, size: 10 });
  if (layer.last && !layer.backward) cells.push({ lines: [`out ${shapeText(layer.last)} ${layer.last.dtype}`], size: 10, bg: 'white' });
  const norms = layer.params.filter((p) => grads.has(p)).map((p) => `|grad ${short(p)}| ${num(norm(grads.get(p)!))}`);
  if (norms.length) cells.push({ lines: [norms.join('  ')], bg: colors.gradient, size: 10 });
  return { shape: 'plain', label: table(cells, { border: layer.backward ? edgeColors.backward : '#2f5d8f', dashed: layer.backward }) };
}

function norm(t: Tensor): number {
  let s = 0;
  for (let i = 0; i < t.data.length; i++) s += t.data[i]! * t.data[i]!;
  return Math.sqrt(s);
}
