/** Reading back what toDot built: every node (clusters included) and edge of a ts-graphviz graph. */
import type { EdgeModel, NodeModel, RootGraphModel, SubgraphModel } from 'ts-graphviz';

type Graphish = RootGraphModel | SubgraphModel;

export function allNodes(g: Graphish): NodeModel[] {
  return [...g.nodes, ...g.subgraphs.flatMap((s) => allNodes(s))];
}

export function allEdges(g: Graphish): EdgeModel[] {
  return [...g.edges, ...g.subgraphs.flatMap((s) => allEdges(s))];
}

export const attr = (n: NodeModel | EdgeModel, key: string): string =>
  String((n.attributes as unknown as { get(k: string): unknown }).get(key) ?? '');

export const nodeById = (g: Graphish, id: string): NodeModel | undefined => allNodes(g).find((n) => n.id === id);

export function edgeEnds(e: EdgeModel): [string, string] {
  const [a, b] = e.targets as unknown as { id: string }[];
  return [typeof a === 'string' ? a : a!.id, typeof b === 'string' ? b : b!.id];
}
