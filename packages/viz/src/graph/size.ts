/**
 * How big a drawing is for Graphviz's dot, counted before any layout. dot places more than the
 * nodes drawn: every edge label is a node of its own (and then each edge spans at least two
 * ranks), and an edge that skips ranks becomes a chain of virtual nodes, one per rank skipped.
 * Layout time grows faster than linearly with that count (crossing minimisation works rank by
 * rank), so the budget is on the count, never on time.
 */
export interface PlannedEdge { readonly from: string; readonly to: string; readonly labelled: boolean }

export interface DrawingSize {
  /** Nodes drawn (tensors, ops, layers). */
  readonly nodes: number;
  readonly edges: number;
  /** Nodes dot lays out: the nodes drawn plus edge labels and the bends of edges that skip ranks. */
  readonly layoutNodes: number;
}

/**
 * Ranks by longest path from the sources (Kahn's order), then each source pulled down to just
 * before its first consumer, as dot's own ranking would: a parameter sits beside the op using it.
 */
function ranks(nodes: readonly string[], edges: readonly PlannedEdge[]): Map<string, number> {
  const out = new Map<string, string[]>();
  const indegree = new Map<string, number>(nodes.map((n) => [n, 0]));
  for (const e of edges) {
    const next = out.get(e.from);
    if (next) next.push(e.to); else out.set(e.from, [e.to]);
    indegree.set(e.to, (indegree.get(e.to) ?? 0) + 1);
  }
  const sources = [...indegree].filter(([, d]) => d === 0).map(([n]) => n);
  const rank = new Map<string, number>(sources.map((n) => [n, 0]));
  const queue = [...sources];
  for (let i = 0; i < queue.length; i++) {
    const n = queue[i]!;
    for (const m of out.get(n) ?? []) {
      rank.set(m, Math.max(rank.get(m) ?? 0, rank.get(n)! + 1));
      const d = indegree.get(m)! - 1;
      indegree.set(m, d);
      if (d === 0) queue.push(m);
    }
  }
  // (Nodes on a cycle never reach indegree 0 and keep the rank reached so far: dot reverses an edge there.)
  // Each source moves down to just before its first consumer.
  for (const n of sources) {
    let first = Infinity;
    for (const m of out.get(n) ?? []) first = Math.min(first, rank.get(m) ?? 1);
    if (Number.isFinite(first)) rank.set(n, first - 1);
  }
  return rank;
}

export function drawingSize(nodes: readonly string[], edges: readonly PlannedEdge[]): DrawingSize {
  const rank = ranks(nodes, edges);
  // With any edge label, dot doubles the ranks so the label has one to sit on.
  const stretch = edges.some((e) => e.labelled) ? 2 : 1;
  let bends = 0;
  for (const e of edges) {
    const span = Math.abs((rank.get(e.to) ?? 0) - (rank.get(e.from) ?? 0));
    bends += Math.max(0, stretch * Math.max(1, span) - 1);
  }
  return { nodes: nodes.length, edges: edges.length, layoutNodes: nodes.length + bends };
}
