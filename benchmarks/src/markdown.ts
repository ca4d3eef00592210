/**
 * Number formatting and Markdown tables, shared by the MLP's tables (report.ts) and the CNN's (cnn-report.ts).
 */

/** x with `digits` decimals, or – when there is no number. */
export const fmt = (x: number | null | undefined, digits: number): string =>
  x === null || x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(digits);

/** Significant-ish formatting: 0.352, 7.24, 38.4, 1 234. */
export function num(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '–';
  const a = Math.abs(x);
  if (a >= 1000) return Math.round(x).toLocaleString('en-US');
  if (a >= 100) return x.toFixed(0);
  if (a >= 10) return x.toFixed(1);
  if (a >= 1) return x.toFixed(2);
  return x.toFixed(3);
}

/** A cell's text with its pipes escaped, so it stays one cell. */
export const esc = (s: string): string => s.replace(/\|/g, '\\|');

/** A Markdown table: header, alignment per column ('l' or 'r'), rows of cells. */
export function mdTable(header: readonly string[], align: readonly ('l' | 'r')[], body: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]): string => `| ${cells.map(esc).join(' | ')} |`;
  const sep = `| ${align.map((a) => (a === 'r' ? '---:' : ':---')).join(' | ')} |`;
  return [line(header), sep, ...body.map(line)].join('\n');
}
