/** DOT → SVG with Graphviz compiled to wasm: no system Graphviz needed. */
import { Graphviz } from '@hpcc-js/wasm-graphviz';
import { toDot as dotText, type RootGraphModel } from 'ts-graphviz';
import { checkGraph } from './validate.ts';

let loading: Promise<Graphviz> | undefined;
// Loading the wasm takes ~90 ms; do it once per process.
const graphviz = (): Promise<Graphviz> => (loading ??= Graphviz.load());

/**
 * The DOT text of a graph built by toDot (or any ts-graphviz graph). toDot already kept the graph
 * within its own budget (maxNodes), so ts-graphviz's generic cap on AST nodes (about 5 000 graph
 * nodes, with an option chainrule does not expose) is lifted rather than met as a second, foreign limit.
 *
 * @param graph - a graph from {@link toDot} (any ts-graphviz root graph), or DOT text, returned as it is.
 * @throws Error when graph is neither a ts-graphviz graph nor text starting with 'digraph' or 'graph'.
 * @example
 * ```ts
 * import { tensor } from '@chainrule/core';
 * import { toDot, dotString } from '@chainrule/viz';
 * const x = tensor([1, 2], { name: 'x' });
 * const dot = dotString(toDot(x.exp().sum()));   // 'digraph "chainrule" { … }'
 * ```
 */
export function dotString(graph: RootGraphModel | string): string {
  checkGraph('dotString', graph);
  return typeof graph === 'string' ? graph : dotText(graph, { convert: { maxASTNodes: 0 } });
}

/**
 * Lays out the graph with `dot` and returns SVG text. Graphviz runs as wasm (loaded once, on the first
 * call), so nothing needs installing, in Node or a browser.
 *
 * @param graph - a graph from {@link toDot} (any ts-graphviz root graph), or DOT text.
 * @throws Error when graph is neither a ts-graphviz graph nor DOT text (a Promise is named as such),
 *   and Graphviz's own error when the DOT text does not parse.
 * @example
 * ```ts
 * import { renderSvg } from '@chainrule/viz';
 * const svg = await renderSvg('digraph { a -> b }');   // '<?xml … <svg …'
 * ```
 */
export async function renderSvg(graph: RootGraphModel | string): Promise<string> {
  checkGraph('renderSvg', graph);
  return (await graphviz()).dot(dotString(graph), 'svg');
}
