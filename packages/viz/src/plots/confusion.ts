/** Confusion matrix: rows are true classes, columns predicted ones, each cell a count. */
import { schema, type ChartSpec } from './spec.ts';
import { config } from './theme.ts';

export interface ConfusionData {
  /** matrix[t][p]: how many examples of true class t were predicted as p. */
  readonly matrix: readonly (readonly number[])[];
  readonly labels?: readonly string[];
  readonly title?: string;
}

export function confusionChart(d: ConfusionData): ChartSpec {
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
