/// <reference types="node" />
/**
 * writeReport: a folder with index.html and one SVG per figure. Figures may come as SVG text,
 * a Vega-Lite spec (from the plot functions) or a graph (from toDot); each is rendered here.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '@chainrule/core/node';
import type { RootGraphModel } from 'ts-graphviz';
import { chartSvg } from '../plots/render.ts';
import type { ChartSpec } from '../plots/spec.ts';
import { renderPng } from '../render/png.ts';
import { renderSvg } from '../render/svg.ts';
import { reportHtml } from './html.ts';
import { checkReport } from './validate.ts';

/**
 * One figure of a report: a title, and exactly one of `svg` (SVG text), `spec` (a chart spec from the
 * plot functions) or `graph` (from {@link "@chainrule/viz"!toDot | toDot}, or DOT text).
 */
export type Figure = {
  /** Shown above the figure, and the file name's default. */
  readonly title: string;
  /** A line under the figure. */
  readonly caption?: string;
  /** File name without extension; default made from the title. */
  readonly name?: string;
  /** Span the whole page width (graphs, wide grids). Default: true for graphs. */
  readonly wide?: boolean;
} & ({
  /** SVG text, written as it is. */
  readonly svg: string;
} | {
  /** A chart spec, rendered with {@link chartSvg}. */
  readonly spec: ChartSpec;
} | {
  /** A graph from {@link "@chainrule/viz"!toDot | toDot} or DOT text, rendered with {@link renderSvg}. */
  readonly graph: RootGraphModel | string;
});

/** What {@link writeReport} writes: a title, tables of settings and metrics, and figures. */
export interface ReportData {
  /** The page's title and heading. */
  readonly title: string;
  /** The command line that produced the report, e.g. 'pnpm example mnist --epochs 5'. */
  readonly command?: string;
  /** Name → value, shown as a table; any value (numbers to 6 significant digits, objects as JSON, missing as —). */
  readonly settings?: Readonly<Record<string, unknown>>;
  /** Name → value, shown as a second table, like settings. */
  readonly metrics?: Readonly<Record<string, unknown>>;
  /** The figures, in page order. */
  readonly figures?: readonly Figure[];
  /** Also write a PNG beside each SVG. */
  readonly png?: boolean;
}

/** The paths {@link writeReport} wrote. */
export interface WrittenReport {
  /** The path of index.html. */
  readonly index: string;
  /** Every file written: index.html first, then each figure's SVG (and PNG). */
  readonly files: readonly string[];
}

const slug = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'figure';

/**
 * Writes a report to a folder (Node only): index.html (plain HTML and CSS, no scripts, so it opens
 * from file://) and one SVG per figure (and a PNG with `png: true`). The folder is made if needed;
 * files are written atomically, and a figure's file name comes from its `name` or title.
 * Everything is checked before the folder is made, so a bad figure fails at once.
 *
 * @param dir - the folder to write into.
 * @throws Error when dir is not a non-empty string, data has an unknown field or a field of the wrong
 *   type, or a figure does not have exactly one of svg, spec and graph (naming the figure).
 * @example
 * ```ts
 * import { tensor } from '@chainrule/core';
 * import { lossChart, toDot } from '@chainrule/viz';
 * import { writeReport } from '@chainrule/viz/node';
 * const w = tensor([1, 2], { name: 'w' });
 * const { index } = await writeReport('out/report', { title: 'Run 1', settings: { lr: 0.1 }, figures: [
 *   { title: 'Loss', spec: lossChart({ train: [1.2, 0.8, 0.6] }) },
 *   { title: 'Graph', graph: toDot(w.mul(w).sum()) },
 * ] });
 * ```
 */
export async function writeReport(dir: string, data: ReportData): Promise<WrittenReport> {
  checkReport(dir, data);
  await mkdir(dir, { recursive: true });
  const used = new Set<string>();
  const files: string[] = [];
  const figures = [];
  for (const [i, f] of (data.figures ?? []).entries()) {
    let base = slug(f.name ?? f.title);
    if (used.has(base)) base = `${base}-${i + 1}`;
    used.add(base);
    const svg = 'svg' in f ? f.svg : 'spec' in f ? await chartSvg(f.spec) : await renderSvg(f.graph);
    const file = `${base}.svg`;
    writeFileAtomic(join(dir, file), svg);
    files.push(join(dir, file));
    if (data.png) {
      writeFileAtomic(join(dir, `${base}.png`), renderPng(svg));
      files.push(join(dir, `${base}.png`));
    }
    figures.push({ file, title: f.title, caption: f.caption, wide: f.wide ?? 'graph' in f });
  }
  const index = join(dir, 'index.html');
  writeFileAtomic(index, reportHtml({ title: data.title, command: data.command, settings: data.settings ?? {}, metrics: data.metrics ?? {}, figures }));
  return { index, files: [index, ...files] };
}
