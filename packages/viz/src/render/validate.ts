/** What the renderers accept, checked before Graphviz or resvg see it. */
import { describeValue } from '@chainrule/core';
import { isPlainObject } from '../check/describe.ts';

/** A graph from toDot (any ts-graphviz root graph) or DOT text. */
export function checkGraph(where: string, graph: unknown): void {
  if (typeof graph === 'string') {
    if (!/^\s*(strict\s+)?(di)?graph\b/i.test(graph)) throw new Error(`${where}: the string given is not DOT text (it should start with 'digraph' or 'graph'): ${describeValue(graph)}`);
    return;
  }
  const model = graph as { $$type?: unknown } | null;
  if (typeof model !== 'object' || model === null || model.$$type !== 'Graph') {
    const hint = graph instanceof Promise ? '; it is a Promise: await it first' : '';
    throw new Error(`${where}: graph must be a graph from toDot or DOT text, got ${describeValue(graph)}${hint}`);
  }
}

/** SVG text (a string or its UTF-8 bytes). */
export function checkSvg(where: string, svg: unknown): void {
  if (svg instanceof Uint8Array) return;
  if (typeof svg !== 'string') {
    const hint = svg instanceof Promise ? '; it is a Promise: await chartSvg/renderSvg first' : isPlainObject(svg) && '$schema' in svg ? '; it is a chart spec: use chartPng for charts' : '';
    throw new Error(`${where}: svg must be SVG text (a string), got ${describeValue(svg)}${hint}`);
  }
  if (!svg.includes('<svg')) throw new Error(`${where}: svg is not SVG text (no <svg> element): ${describeValue(svg)}`);
}

/** renderPng's and chartPng's options: a positive width or scale, a colour string. */
export function checkPngOptions(where: string, options: unknown): void {
  if (!isPlainObject(options)) throw new Error(`${where}: options must be an object such as { width: 800 }, got ${describeValue(options)}`);
  for (const key of ['width', 'scale'] as const) {
    const v = options[key];
    if (v !== undefined && !(typeof v === 'number' && Number.isFinite(v) && v > 0)) throw new Error(`${where}: option ${key} must be a positive number, got ${describeValue(v)}`);
  }
  if (options.background !== undefined && typeof options.background !== 'string') {
    throw new Error(`${where}: option background must be a colour string such as 'white', got ${describeValue(options.background)}`);
  }
}
