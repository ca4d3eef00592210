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

export type Figure = {
  readonly title: string;
  readonly caption?: string;
  /** File name without extension; default made from the title. */
  readonly name?: string;
  /** Span the whole page width (graphs, wide grids). Default: true for graphs. */
  readonly wide?: boolean;
} & ({ readonly svg: string } | { readonly spec: ChartSpec } | { readonly graph: RootGraphModel | string });

export interface ReportData {
  readonly title: string;
  /** The command line that produced the report, e.g. 'pnpm example mnist --epochs 5'. */
  readonly command?: string;
  readonly settings?: Readonly<Record<string, unknown>>;
  readonly metrics?: Readonly<Record<string, unknown>>;
  readonly figures?: readonly Figure[];
  /** Also write a PNG beside each SVG. */
  readonly png?: boolean;
}

export interface WrittenReport { readonly index: string; readonly files: readonly string[] }

const slug = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'figure';

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
