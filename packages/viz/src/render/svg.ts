/** DOT → SVG with Graphviz compiled to wasm: no system Graphviz needed. */
import { Graphviz } from '@hpcc-js/wasm-graphviz';
import { toDot as dotText, type RootGraphModel } from 'ts-graphviz';

let loading: Promise<Graphviz> | undefined;
// Loading the wasm takes ~90 ms; do it once per process.
const graphviz = (): Promise<Graphviz> => (loading ??= Graphviz.load());

/** The DOT text of a graph built by toDot (or any ts-graphviz graph). */
export const dotString = (graph: RootGraphModel | string): string => (typeof graph === 'string' ? graph : dotText(graph));

/** Lays out the graph with `dot` and returns SVG text. */
export async function renderSvg(graph: RootGraphModel | string): Promise<string> {
  return (await graphviz()).dot(dotString(graph), 'svg');
}
