/**
 * The graph as the panel draws it: viz's toDot laid out by its renderSvg (Graphviz as wasm) inside the page,
 * in full when that stays readable, else collapsed to one node per layer (name scope), and a lookup from
 * each tensor to the SVG node that stands for it.
 */
import { topologicalOrder, type Tensor } from '@chainrule/core';
import { layerNodeId, renderSvg, toDot } from '@chainrule/viz';
import type { DrawingMode } from './view-state.ts';

/** The most nodes (tensors and ops) drawn in full when the drawing is 'auto': past it, one node per layer reads better. */
export const MAX_FULL_NODES = 30;


export interface GraphDrawing {
  readonly svg: SVGSVGElement;
  readonly collapsed: boolean;
  /** Nodes drawn, and nodes of the full drawing (what toDot draws without collapse). */
  readonly nodes: number;
  readonly fullNodes: number;
  /** Why the drawing is collapsed, or '' when it is in full. */
  readonly note: string;
  /** The SVG node standing for t: its op's node, else its own, else its layer's (collapsed). */
  nodeOf(t: Tensor): SVGGElement | undefined;
  /** What an SVG node stands for: a tensor ('t12'), an op ('op12', by its output tensor's id) or a layer. */
  readonly titleOf: (g: Element) => string;
}

interface Countable { readonly nodes: readonly unknown[]; readonly subgraphs: readonly Countable[] }
const countNodes = (g: Countable): number => g.nodes.length + g.subgraphs.reduce((n, s) => n + countNodes(s), 0);


export async function drawGraph(y: Tensor, mode: DrawingMode): Promise<GraphDrawing> {
  const options = { values: true, legend: true, rankdir: 'LR', maxNodes: Infinity } as const;
  const full = toDot(y, { ...options, collapse: false });
  const fullNodes = countNodes(full as unknown as Countable);
  const collapsed = mode === 'layers' || (mode === 'auto' && fullNodes > MAX_FULL_NODES);
  const dot = collapsed ? toDot(y, { ...options, collapse: true }) : full;
  const svg = parseSvg(await renderSvg(dot));
  const titleOf = (g: Element): string => g.querySelector(':scope > title')?.textContent ?? '';
  const byTitle = new Map<string, SVGGElement>();
  for (const g of svg.querySelectorAll<SVGGElement>('g.node')) byTitle.set(titleOf(g), g);
  let note = '';
  if (collapsed) {
    const ops = topologicalOrder([y]).filter((t) => t.node).length;
    const layers = [...byTitle.keys()].filter((id) => id.startsWith('layer_')).length;
    note = `collapsed: ${ops} ops in ${layers} layers; full drawing needs ≤ ${MAX_FULL_NODES} nodes (this graph has ${fullNodes}; choose "full" to draw it anyway)`;
  }
  return {
    svg, collapsed, nodes: byTitle.size, fullNodes, note, titleOf,
    nodeOf: (t) => byTitle.get(`op${t.id}`) ?? byTitle.get(`t${t.id}`) ?? (t.node ? byTitle.get(layerNodeId(t.node.scope)) : undefined),
  };
}

function parseSvg(text: string): SVGSVGElement {
  const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
  const root = doc.documentElement;
  if (root.nodeName !== 'svg') throw new Error(`Graphviz returned no SVG: ${root.textContent?.slice(0, 200) ?? ''}`);
  return document.importNode(root, true) as unknown as SVGSVGElement;
}
