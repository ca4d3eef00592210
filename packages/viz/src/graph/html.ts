/**
 * Graphviz HTML-like label pieces. Graphviz as wasm measures text with built-in estimates, not the
 * font the viewer has, so every cell is padded with spaces and cellpadding: text never touches a border.
 */
const PAD = '\u00a0\u00a0';

export const escapeHtml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export interface Cell {
  readonly lines: readonly string[];
  readonly bg?: string;
  readonly bold?: boolean;
  readonly color?: string;
  readonly size?: number;
}

function cellHtml(c: Cell): string {
  const text = c.lines.map((l) => PAD + escapeHtml(l) + PAD).join('<br/>');
  const inner = c.bold ? `<b>${text}</b>` : text;
  const font = `<font point-size="${c.size ?? 11}"${c.color ? ` color="${c.color}"` : ''}>${inner}</font>`;
  return `<td${c.bg ? ` bgcolor="${c.bg}"` : ''} align="center">${font}</td>`;
}

/** A one-column table, one row per cell: the whole label of a tensor or layer node. */
export function table(cells: readonly Cell[], options: { border?: string; dashed?: boolean } = {}): string {
  const rows = cells.map((c) => `<tr>${cellHtml(c)}</tr>`).join('');
  // Square corners: cell colours would show outside a rounded border.
  const style = options.dashed ? ' style="dashed"' : '';
  return `<<table border="1" cellborder="0" cellspacing="0" cellpadding="3"${style} color="${options.border ?? '#555555'}">${rows}</table>>`;
}
