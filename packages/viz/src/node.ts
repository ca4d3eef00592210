/// <reference types="node" />
/** @chainrule/viz/node: the Node-only parts of viz: PNG rendering (resvg) and reports written to a folder. */
export { renderPng, chartPng, type PngOptions } from './render/png.ts';
export { writeReport, type ReportData, type Figure, type WrittenReport } from './report/write.ts';
