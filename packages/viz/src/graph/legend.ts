/**
 * The colour key (torchviz's idea): one swatch per kind of node, plus the edge styles in use.
 * It is drawn as the graph's own label, with the title, so it takes no place in the layout.
 */
import { escapeHtml } from './html.ts';
import { colors, edgeColors, legendEntries } from './style.ts';

const PAD = '\u00a0';

export function titleAndLegend(o: { title?: string; note?: string; legend: boolean; backward: boolean; collapse: boolean }): string | undefined {
  if (!o.title && !o.note && !o.legend) return undefined;
  const rows: string[] = [];
  if (o.title) rows.push(`<tr><td><font point-size="16">${escapeHtml(o.title)}</font></td></tr>`);
  // Why the drawing is not what was asked for (collapsed to fit the budget), where the reader looks first.
  if (o.note) rows.push(`<tr><td><font point-size="11" color="#8a4b00">${escapeHtml(o.note)}</font></td></tr>`);
  if (o.legend) {
    const entries: (readonly [string, string])[] = [...legendEntries];
    if (o.collapse) entries.push(['layer (name scope)', colors.layer]);
    if (o.backward) entries.push(['backward op', colors.backwardOp]);
    const cells = entries.map(([name, c]) =>
      `<td bgcolor="${c}" border="1" color="#777777">${PAD.repeat(4)}</td><td align="left"><font point-size="10">${PAD}${escapeHtml(name)}${PAD.repeat(3)}</font></td>`);
    if (o.backward) {
      cells.push(`<td><font point-size="10" color="${edgeColors.saved}">- - -&gt;</font></td><td align="left"><font point-size="10">${PAD}saved for backward${PAD.repeat(3)}</font></td>`);
      cells.push(`<td><font point-size="10" color="${edgeColors.link}">- - -&gt;</font></td><td align="left"><font point-size="10">${PAD}gradient of${PAD.repeat(3)}</font></td>`);
    }
    rows.push(`<tr><td><table border="0" cellborder="0" cellspacing="2" cellpadding="1"><tr>${cells.join('')}</tr></table></td></tr>`);
  }
  return `<<table border="0" cellborder="0" cellspacing="4">${rows.join('')}</table>>`;
}
