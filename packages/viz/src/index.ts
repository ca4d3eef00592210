/**
 * Expression graphs as Graphviz drawings (DOT → SVG) and training plots as Vega-Lite
 * charts (→ SVG). Depends on core only; plots take plain data. Everything here runs in a browser too;
 * PNG rendering and the HTML report written to a folder are in '@chainrule/viz/node'.
 *
 * @module @chainrule/viz
 * @document ../README.md
 */
export { toDot, layerNodeId, type ToDotOptions } from './graph/todot.ts';
export { formatNumber, summaryText } from './graph/format.ts';
export { allGrads, gradMap, parameterGrads, type GradsInput } from './graph/grads.ts';
export { colors as graphColors } from './graph/style.ts';
export { renderSvg, dotString } from './render/svg.ts';
export * from './plots/index.ts';
