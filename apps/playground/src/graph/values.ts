/** Tensor contents as the panel shows them: small tensors in full, larger ones as min / mean / max. */
import type { Tensor } from '@chainrule/core';
import { formatNumber as num, summaryText } from '@chainrule/viz';

/** Tensors with at most this many elements are shown in full. */
export const FULL_VALUES = 24;

export const shapeText = (t: Pick<Tensor, 'shape'>): string => `[${t.shape.join(', ')}]`;

/** The values (a matrix one row per line); or min / mean / max past FULL_VALUES elements. */
export function valueText(t: Tensor): string {
  const d = t.data;
  if (d.length === 0) return '(empty)';
  if (d.length <= FULL_VALUES) {
    const parts = Array.from(d, num);
    if (t.shape.length === 0) return parts[0]!;
    // A matrix one row per line; a vector or a column ([n, 1]) 8 values a line.
    const last = t.shape[t.shape.length - 1]!;
    const width = t.shape.length >= 2 && last > 1 ? last : 8;
    const rows: string[] = [];
    for (let i = 0; i < parts.length; i += width) rows.push(`[${parts.slice(i, i + width).join(', ')}]`);
    return rows.join('\n');
  }
  return summaryText(t);
}

/** A tensor's name for people: its own name, else the op that made it, else its id. */
export const tensorLabel = (t: Tensor): string => t.name ?? (t.node ? `${t.node.op.name} #${t.id}` : `#${t.id}`);
