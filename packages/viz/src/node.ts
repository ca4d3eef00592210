/// <reference types="node" />
/**
 * The Node-only parts of viz: PNG rendering (resvg) and reports written to a folder.
 *
 * @module @chainrule/viz/node
 */
export { renderPng, chartPng, type PngOptions } from './render/png.ts';
export { writeReport, type ReportData, type Figure, type WrittenReport } from './report/write.ts';
