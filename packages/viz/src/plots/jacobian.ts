/** A Jacobian (or a Hessian: the Jacobian of a gradient) as a heatmap: outputs down, inputs across, 0 white. */
import { describeValue, Tensor } from '@chainrule/core';
import { schema, type ChartSpec } from './spec.ts';
import { config } from './theme.ts';
import { checkData, list, numbers, optionalString, rows } from './validate.ts';

/** {@link jacobianChart}'s data: the matrix, and optionally names for its rows and columns. */
export interface JacobianData {
  /**
   * matrix[i][j] = ∂ output i / ∂ input j: rows (arrays or Lists), or a Tensor. A Tensor of shape
   * [...out, ...in] (as `jacobian` returns it) needs `outputRank` unless it is a matrix.
   */
  readonly matrix: readonly (readonly number[])[] | Iterable<Iterable<number>> | Tensor;
  /** How many leading axes of a Tensor matrix are the output's (the rest are the input's). Default 1. */
  readonly outputRank?: number;
  /** A name per row (output), e.g. 'y0'. Default: the row's index. */
  readonly rowLabels?: readonly string[];
  /** A name per column (input), e.g. 'w[1,0]'. Default: the column's index. */
  readonly columnLabels?: readonly string[];
  /** Chart title. Default 'Jacobian'. */
  readonly title?: string;
  /** Title of the rows' axis. Default 'output'. */
  readonly rowTitle?: string;
  /** Title of the columns' axis. Default 'input'. */
  readonly columnTitle?: string;
}

const where = 'jacobianChart';

/** A Tensor of shape [...out, ...in] as rows of ∏out × ∏in. */
function tensorRows(t: Tensor, outputRank: unknown): number[][] {
  const k = outputRank ?? (t.rank === 2 ? 1 : undefined);
  if (k === undefined) {
    throw new Error(`${where}: matrix is a Tensor of shape [${t.shape.join(', ')}]; say how many leading axes are the output's with outputRank (a Jacobian of f: R^n → R^m has shape [m, n], outputRank 1)`);
  }
  if (typeof k !== 'number' || !Number.isInteger(k) || k < 0 || k > t.rank) {
    throw new Error(`${where}: outputRank must be a whole number from 0 to ${t.rank} (matrix's rank), got ${describeValue(k)}`);
  }
  const m = t.shape.slice(0, k).reduce((a, b) => a * b, 1);
  const n = t.shape.slice(k).reduce((a, b) => a * b, 1);
  return Array.from({ length: m }, (_, i) => Array.from(t.data.subarray(i * n, (i + 1) * n)));
}

function labels(what: string, given: unknown, count: number): string[] {
  if (given === undefined) return Array.from({ length: count }, (_, i) => String(i));
  const out = list(where, what, given).map((l, i) => {
    if (typeof l !== 'string' && typeof l !== 'number') throw new Error(`${where}: ${what}[${i}] must be a string, got ${describeValue(l)}`);
    return String(l);
  });
  if (out.length !== count) throw new Error(`${where}: ${out.length} ${what} for ${count} ${what.startsWith('row') ? 'rows' : 'columns'}; give one each`);
  if (new Set(out).size !== count) throw new Error(`${where}: ${what} repeat (${out.join(', ')}); each needs its own`);
  return out;
}

/** A non-empty rectangular matrix of finite numbers, and labels that fit it. */
function checked(d: unknown) {
  checkData(where, d, '{ matrix: jacobian(f, x) }');
  for (const k of ['title', 'rowTitle', 'columnTitle']) optionalString(where, k, d[k]);
  if (d.outputRank !== undefined && !(d.matrix instanceof Tensor)) throw new Error(`${where}: outputRank applies to a Tensor matrix only; rows are already a matrix`);
  const given = d.matrix instanceof Tensor ? tensorRows(d.matrix, d.outputRank) : rows(where, 'matrix', d.matrix);
  if (given.length === 0) throw new Error(`${where}: matrix has no rows; there is nothing to draw`);
  const matrix = given.map((row, i) => numbers(where, `matrix[${i}]`, row, { finite: true }));
  const n = matrix[0]!.length;
  matrix.forEach((row, i) => {
    if (row.length !== n) throw new Error(`${where}: row ${i} has ${row.length} entries, expected ${n} (as row 0); a matrix is rectangular`);
  });
  return { matrix, rowLabels: labels('rowLabels', d.rowLabels, matrix.length), columnLabels: labels('columnLabels', d.columnLabels, n) };
}

/** Two significant digits, short: 0.0012 → '1.2e-3', 12.5 → '13'. */
const short = (v: number): string => {
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e-2 && a < 1e3 ? String(Number(v.toPrecision(2))) : v.toExponential(1).replace('e+', 'e').replace(/\.0e/, 'e');
};

/**
 * A Jacobian as a heatmap: one row per output, one column per input, each cell ∂ output / ∂ input on a
 * diverging colour scale centred at 0 (blue negative, white 0, red positive, symmetric so equal colours
 * mean equal magnitudes), with a colour bar. Small matrices (up to 12 × 12) print each value in its
 * cell. A Hessian is the Jacobian of the gradient: pass it with titles of your choice.
 *
 * @returns a Vega-Lite spec; render it with {@link chartSvg}, or put it in a report as a figure's `spec`.
 * @throws Error when the matrix is empty, ragged, holds NaN or Infinity (naming the entry), a Tensor of
 *   rank other than 2 comes without outputRank, or labels are not one distinct name per row or column.
 * @example
 * ```ts
 * import { jacobian, tensor } from '@chainrule/core';
 * import { jacobianChart, chartSvg } from '@chainrule/viz';
 * const J = jacobian((v) => v.sin().mul(v.sum()), tensor([0.5, -1, 2]));
 * const svg = await chartSvg(jacobianChart({ matrix: J, rowLabels: ['y0', 'y1', 'y2'], columnLabels: ['x0', 'x1', 'x2'] }));
 * ```
 */
export function jacobianChart(data: JacobianData): ChartSpec {
  const d = { ...data, ...checked(data) };
  const [m, n] = [d.matrix.length, d.matrix[0]!.length];
  const values = d.matrix.flatMap((row, i) => row.map((v, j) => ({ row: d.rowLabels[i]!, column: d.columnLabels[j]!, v, text: short(v) })));
  const extent = Math.max(...values.map((c) => Math.abs(c.v))) || 1;
  const cell = Math.max(6, Math.min(40, Math.floor(440 / Math.max(m, n))));
  const labelled = m <= 12 && n <= 12;
  const axis = (field: 'row' | 'column', title: string, sort: string[]) => ({
    field, type: 'ordinal', sort, title,
    // Past 40 rows or columns, every k-th label only (about 20 of them): all of them would overprint.
    axis: { labelAngle: 0, labelFlush: false, ...(sort.length > 40 ? { values: sort.filter((_, i) => i % Math.ceil(sort.length / 20) === 0) } : {}) },
  });
  return {
    $schema: schema, config,
    title: { text: d.title ?? 'Jacobian', subtitle: `${m} × ${n}; largest |entry| ${short(extent)}` },
    width: cell * n, height: cell * m,
    data: { values },
    encoding: { x: axis('column', d.columnTitle ?? 'input', d.columnLabels), y: axis('row', d.rowTitle ?? 'output', d.rowLabels) },
    layer: [
      {
        mark: { type: 'rect', stroke: cell >= 12 ? 'white' : null, strokeWidth: 0.5 },
        encoding: {
          // Symmetric about 0, so white is 0 and equal magnitudes of either sign are equally strong.
          color: {
            field: 'v', type: 'quantitative', title: 'value',
            scale: { scheme: 'redblue', reverse: true, domain: [-extent, extent], domainMid: 0 },
            legend: { gradientLength: Math.max(120, Math.min(240, cell * m)) },
          },
          tooltip: [{ field: 'row', title: d.rowTitle ?? 'output' }, { field: 'column', title: d.columnTitle ?? 'input' }, { field: 'v', title: 'value' }],
        },
      },
      ...(labelled ? [{
        mark: { type: 'text', fontSize: n > 8 ? 8 : 10 },
        encoding: {
          text: { field: 'text' },
          // White text on strong colours, dark text on pale ones.
          color: { condition: { test: `abs(datum.v) > ${0.6 * extent}`, value: 'white' }, value: '#222222' },
        },
      }] : []),
    ],
  };
}
