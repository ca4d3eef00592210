/**
 * The drawing budget: toDot counts what Graphviz's dot would lay out before any layout runs, and
 * over `maxNodes` collapses the drawing (when the caller left `collapse` open and collapsing fits)
 * or refuses, saying what to pass. No call is left to run for minutes.
 */
import type { DrawingSize } from './size.ts';

/**
 * Measured on a 2-core machine: ~3000 layout nodes take a few seconds; fan-outs of 100+ blocks
 * (10 000+ layout nodes) take one to several minutes.
 */
export const DEFAULT_MAX_NODES = 3000;

const counts = (s: DrawingSize): string =>
  `${s.nodes} nodes and ${s.edges} edges, which dot lays out as ~${s.layoutNodes} nodes (edge labels and the bends of edges that skip ranks count too)`;

export interface Budgeted<D> { readonly drawing: D; readonly collapse: boolean; readonly note?: string }

export function fitBudget<D>(o: {
  draw: (collapse: boolean) => D;
  size: (drawing: D) => DrawingSize;
  collapse: boolean | undefined;
  maxNodes: number | undefined;
}): Budgeted<D> {
  const max = o.maxNodes ?? DEFAULT_MAX_NODES;
  const asked = o.collapse ?? false;
  const drawing = o.draw(asked);
  const size = o.size(drawing);
  if (size.layoutNodes <= max) return { drawing, collapse: asked };

  const collapsed = asked ? undefined : o.draw(true);
  const collapsedSize = collapsed === undefined ? undefined : o.size(collapsed);
  const fits = collapsedSize !== undefined && collapsedSize.layoutNodes <= max;
  if (fits && o.collapse === undefined) {
    return {
      drawing: collapsed!, collapse: true,
      note: `Collapsed to one node per name scope: in full, ${size.nodes} nodes (~${size.layoutNodes} to lay out) are over maxNodes ${max}; `
        + `pass { collapse: false, maxNodes: ${size.layoutNodes} } to draw every op`,
    };
  }
  const ways = [
    ...(fits ? [`{ collapse: true } to draw one node per name scope (${collapsedSize!.nodes} nodes, ~${collapsedSize!.layoutNodes} to lay out)`] : []),
    `{ maxNodes: ${size.layoutNodes} } to draw it anyway (layout may take minutes)`,
  ];
  throw new Error(
    `toDot: the ${asked ? 'collapsed ' : ''}graph has ${counts(size)}, over maxNodes ${max}; pass ${ways.join(', or ')}`
    + (fits ? '' : ', or draw a smaller part of the graph (toDot of an intermediate tensor, or name scopes to collapse)'),
  );
}
