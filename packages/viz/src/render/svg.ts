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
 */
export function dotString(graph: RootGraphModel | string): string {
  checkGraph('dotString', graph);
  return typeof graph === 'string' ? graph : dotText(graph, { convert: { maxASTNodes: 0 } });
}

/** Lays out the graph with `dot` and returns SVG text. */
export async function renderSvg(graph: RootGraphModel | string): Promise<string> {
  checkGraph('renderSvg', graph);
  return (await graphviz()).dot(dotString(graph), 'svg');
}
