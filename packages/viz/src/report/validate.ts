/**
 * writeReport's data, checked before the folder is made or anything is rendered: a report is
 * written at the end of a long run, so a bad figure must fail in seconds, naming the figure.
 */
import { describeValue } from '@chainrule/core';
import { checkKnownKeys, isPlainObject } from '../check/describe.ts';
import { checkSpec } from '../plots/render.ts';
import { checkGraph, checkSvg } from '../render/validate.ts';
import type { ReportData } from './write.ts';

const KEYS: readonly (keyof ReportData)[] = ['title', 'command', 'settings', 'metrics', 'figures', 'png'];
const FIGURE_KEYS = ['title', 'caption', 'name', 'wide', 'svg', 'spec', 'graph'];
const CONTENT = ['svg', 'spec', 'graph'] as const;

export function checkReport(dir: unknown, data: unknown): asserts data is ReportData {
  const where = 'writeReport';
  if (typeof dir !== 'string' || dir === '') throw new Error(`${where}: dir must be the folder to write into (a path string), got ${describeValue(dir)}`);
  if (!isPlainObject(data)) throw new Error(`${where}: data must be an object such as { title, figures }, got ${describeValue(data)}`);
  checkKnownKeys(where, 'field', data, KEYS);
  if (typeof data.title !== 'string') throw new Error(`${where}: data.title must be a string, got ${describeValue(data.title)}`);
  if (data.command !== undefined && typeof data.command !== 'string') throw new Error(`${where}: data.command must be a string, got ${describeValue(data.command)}`);
  for (const key of ['settings', 'metrics'] as const) {
    const v = data[key];
    // Any value in a table is fine (it is printed as text); the table itself must have names.
    if (v !== undefined && !isPlainObject(v)) throw new Error(`${where}: data.${key} must be an object of name → value, got ${describeValue(v)}`);
  }
  if (data.png !== undefined && typeof data.png !== 'boolean') throw new Error(`${where}: data.png must be true or false, got ${describeValue(data.png)}`);
  if (data.figures === undefined) return;
  if (!Array.isArray(data.figures)) throw new Error(`${where}: data.figures must be an array of { title, svg | spec | graph }, got ${describeValue(data.figures)}`);
  data.figures.forEach((f: unknown, i) => checkFigure(`${where}: figures[${i}]`, f));
}

function checkFigure(where: string, f: unknown): void {
  if (!isPlainObject(f)) throw new Error(`${where} must be an object { title, svg | spec | graph }, got ${describeValue(f)}`);
  const named = typeof f.title === 'string' ? `${where} ('${f.title}')` : where;
  checkKnownKeys(named, 'field', f, FIGURE_KEYS);
  if (typeof f.title !== 'string') throw new Error(`${where}.title must be a string, got ${describeValue(f.title)}`);
  for (const key of ['caption', 'name'] as const) {
    if (f[key] !== undefined && typeof f[key] !== 'string') throw new Error(`${named}: ${key} must be a string, got ${describeValue(f[key])}`);
  }
  if (f.wide !== undefined && typeof f.wide !== 'boolean') throw new Error(`${named}: wide must be true or false, got ${describeValue(f.wide)}`);
  const given = CONTENT.filter((k) => f[k] !== undefined);
  if (given.length !== 1) {
    throw new Error(`${named}: give exactly one of svg (SVG text), spec (a chart spec) or graph (from toDot); got ${given.length ? given.join(' and ') : 'none'}`);
  }
  if (given[0] === 'svg') checkSvg(named, f.svg);
  else if (given[0] === 'spec') checkSpec(named, f.spec);
  else checkGraph(named, f.graph);
}
