/**
 * @chainrule/viz: expression graphs as Graphviz drawings, training plots as Vega-Lite charts,
 * and an HTML report that opens from a file. Depends on core only; plots take plain data.
 */
export { toDot, type ToDotOptions } from './graph/todot.ts';
export { allGrads, gradMap, parameterGrads, type GradsInput } from './graph/grads.ts';
export { colors as graphColors } from './graph/style.ts';
export { renderSvg, dotString } from './render/svg.ts';
export { renderPng, type PngOptions } from './render/png.ts';
export * from './plots/index.ts';
export { writeReport, type ReportData, type Figure, type WrittenReport } from './report/write.ts';
export { writeFileAtomic } from './report/atomic.ts';
