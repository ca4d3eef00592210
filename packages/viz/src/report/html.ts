/** The report page: plain HTML and CSS, no scripts, so it opens from file:// in any browser. */
import { escapeHtml } from '../graph/html.ts';
import { formatValue } from './format.ts';

export interface PageFigure { readonly file: string; readonly title: string; readonly caption?: string; readonly wide: boolean }

export interface PageData {
  readonly title: string;
  readonly command?: string;
  readonly settings: Readonly<Record<string, unknown>>;
  readonly metrics: Readonly<Record<string, unknown>>;
  readonly figures: readonly PageFigure[];
}

const table = (caption: string, rows: Readonly<Record<string, unknown>>): string => {
  const entries = Object.entries(rows);
  if (!entries.length) return '';
  const body = entries.map(([k, v]) => `<tr><th scope="row">${escapeHtml(k)}</th><td>${escapeHtml(formatValue(v))}</td></tr>`).join('\n');
  return `<section><h2>${escapeHtml(caption)}</h2><table>\n${body}\n</table></section>`;
};

const css = `
body { font-family: 'Liberation Sans', Arial, Helvetica, sans-serif; margin: 24px auto; max-width: 1200px; padding: 0 16px; color: #222; background: #fff; }
h1 { font-size: 26px; margin: 0 0 12px; } h2 { font-size: 18px; margin: 24px 0 8px; }
pre { background: #f4f4f4; border: 1px solid #ddd; border-radius: 4px; padding: 10px 12px; overflow-x: auto; font-size: 13px; }
.tables { display: flex; flex-wrap: wrap; gap: 32px; }
table { border-collapse: collapse; font-size: 14px; }
th, td { border-bottom: 1px solid #e4e4e4; padding: 4px 14px 4px 0; text-align: left; vertical-align: top; }
th { font-weight: 600; color: #444; }
.figures { display: grid; grid-template-columns: repeat(auto-fill, minmax(540px, 1fr)); gap: 24px; }
figure { margin: 0; border: 1px solid #e4e4e4; border-radius: 6px; padding: 12px; background: #fff; }
figure.wide { grid-column: 1 / -1; }
figure img { display: block; max-width: 100%; height: auto; margin: 0 auto; }
figcaption { font-size: 13px; color: #555; margin-top: 8px; }
figcaption a { color: #2f5d8f; }
`;

export function reportHtml(p: PageData): string {
  const figures = p.figures.map((f) => `<figure class="${f.wide ? 'wide' : ''}">
<img src="${encodeURI(f.file)}" alt="${escapeHtml(f.title)}">
<figcaption><b>${escapeHtml(f.title)}</b>${f.caption ? ` — ${escapeHtml(f.caption)}` : ''} · <a href="${encodeURI(f.file)}">open SVG</a></figcaption>
</figure>`).join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(p.title)}</title>
<style>${css}</style>
</head>
<body>
<h1>${escapeHtml(p.title)}</h1>
${p.command ? `<section><h2>Command</h2><pre><code>${escapeHtml(p.command)}</code></pre></section>` : ''}
<div class="tables">
${table('Settings', p.settings)}
${table('Metrics', p.metrics)}
</div>
${p.figures.length ? `<section><h2>Figures</h2><div class="figures">\n${figures}\n</div></section>` : ''}
</body>
</html>
`;
}
