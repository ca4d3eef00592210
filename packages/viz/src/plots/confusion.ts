/** Confusion matrix: rows are true classes, columns predicted ones, each cell a count. */
import { describeValue, type Tensor } from '@chainrule/core';
import { schema, type ChartSpec } from './spec.ts';
import { config } from './theme.ts';
import { checkData, list, numbers, optionalString, rows } from './validate.ts';

/** {@link confusionChart}'s data: the counts, and optionally the class names and a title. */
export interface ConfusionData {
  /** matrix[t][p]: how many examples of true class t were predicted as p (rows may be Lists, or the matrix a rank-2 Tensor). */
  readonly matrix: readonly (readonly number[])[] | Iterable<Iterable<number>> | Tensor;
  /** A name per class, in row order. */
  readonly labels?: readonly string[];
  /** Chart title. Default 'Confusion matrix'. */
  readonly title?: string;
}

/** A square matrix of counts (finite, ≥ 0) and, if given, one label per class. */
function checked(d: unknown): { matrix: number[][]; labels?: string[] } {
  const where = 'confusionChart';
  checkData(where, d, '{ matrix: confusionMatrix(predictions, labels) }');
  optionalString(where, 'title', d.title);
  const given = rows(where, 'matrix', d.matrix);
  const n = given.length;
  if (n === 0) throw new Error(`${where}: matrix is empty; there is nothing to draw`);
  const matrix = given.map((row, t) => {
    const counts = numbers(where, `matrix[${t}]`, row);
    if (counts.length !== n) throw new Error(`${where}: row ${t} has ${counts.length} entries, expected ${n} (the matrix is ${n} rows, one column per class)`);
    counts.forEach((c, p) => {
      if (!Number.isFinite(c) || c < 0) throw new Error(`${where}: matrix[${t}][${p}] is ${c}; counts must be finite numbers ≥ 0`);
    });
    return counts;
  });
  if (d.labels === undefined) return { matrix, labels: undefined };
  const labels = list(where, 'labels', d.labels).map((l, i) => {
    if (typeof l !== 'string' && typeof l !== 'number') throw new Error(`${where}: labels[${i}] must be a string, got ${describeValue(l)}`);
    return String(l);
  });
  if (labels.length !== n) throw new Error(`${where}: ${labels.length} labels for a ${n}×${n} matrix; give one label per class`);
  if (new Set(labels).size !== n) throw new Error(`${where}: labels repeat (${labels.join(', ')}); each class needs its own`);
  return { matrix, labels };
}

/**
 * A confusion matrix as a heatmap: true class down, predicted class across, each cell its count on a
 * log-like colour scale so a few mistakes stay visible beside a large diagonal. The subtitle gives the
 * accuracy.
 *
 * @returns a Vega-Lite spec; render it with {@link chartSvg}.
 * @throws Error when the matrix is empty, not square, or holds a count that is negative or not finite,
 *   or when labels are not one distinct name per class.
 * @example
 * ```ts
 * import { confusionChart, chartSvg } from '@chainrule/viz';
 * const spec = confusionChart({ matrix: [[50, 2], [5, 43]], labels: ['cat', 'dog'] });
 * const svg = await chartSvg(spec);   // subtitle: '93 of 100 correct (93.0%)'
 * ```
 */
export function confusionChart(data: ConfusionData): ChartSpec {
  const d = { ...data, ...checked(data) };
  const n = d.matrix.length;
  const labels = d.labels ?? Array.from({ length: n }, (_, i) => String(i));
  const values = d.matrix.flatMap((row, t) => row.map((count, p) => ({ truth: labels[t]!, predicted: labels[p]!, count, diagonal: t === p })));
  const max = Math.max(1, ...values.map((v) => v.count));
  const total = values.reduce((s, v) => s + v.count, 0);
  const correct = values.filter((v) => v.diagonal).reduce((s, v) => s + v.count, 0);
  const cell = Math.max(26, Math.min(44, Math.floor(420 / n)));
  const axis = (title: string) => ({ field: title === 'true label' ? 'truth' : 'predicted', type: 'ordinal', sort: labels, title, axis: { labelAngle: 0 } });
  return {
    $schema: schema, config,
    title: { text: d.title ?? 'Confusion matrix', subtitle: `${correct} of ${total} correct (${total ? ((100 * correct) / total).toFixed(1) : '0'}%)` },
    width: cell * n, height: cell * n,
    data: { values },
    encoding: { x: axis('predicted label'), y: axis('true label') },
    layer: [
      // A symlog colour scale: the few mistakes stay visible beside a diagonal of thousands.
      { mark: { type: 'rect', stroke: 'white', strokeWidth: 1 }, encoding: { color: { field: 'count', type: 'quantitative', title: 'count (log)', scale: { type: 'symlog', scheme: 'blues', domain: [0, max] } } } },
      {
        mark: { type: 'text', fontSize: n > 12 ? 8 : 10 },
        encoding: {
          text: { field: 'count', type: 'quantitative' },
          // White text on dark cells, dark text on light ones; zeros are left blank.
          color: { condition: { test: `datum.count > ${Math.expm1(0.65 * Math.log1p(max))}`, value: 'white' }, value: '#222222' },
          opacity: { condition: { test: 'datum.count === 0', value: 0 }, value: 1 },
        },
      },
    ],
  };
}
