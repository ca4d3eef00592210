import { describe, expect, it } from 'vitest';
import {
  chartSvg, confusionChart, digitsChart, fit1dChart, gradientNormChart, learningRateChart, lossChart, metricChart, surfaceChart,
  type ChartSpec,
} from '../src/index.ts';
import { chartPng } from '../src/node.ts';
import { fakeHistory } from './fixtures/history.ts';
import { parseSvg, svgTexts } from './helpers/xml.ts';

const h = fakeHistory(8, 20);

// Each chart, and the axis and legend titles it must show.
const charts: [string, ChartSpec, string[]][] = [
  ['loss', lossChart(h.loss), ['Loss', 'epoch', 'loss', 'split', 'train', 'validation']],
  ['accuracy', metricChart({ name: 'accuracy', ...h.accuracy }), ['Accuracy', 'epoch', 'accuracy', 'split']],
  ['learning rate', learningRateChart({ lr: h.lr }), ['Learning rate', 'step', 'learning rate']],
  ['gradient norms', gradientNormChart({ norms: h.gradNorms }), ['Gradient norm per layer', 'step', 'gradient L2 norm', 'layer', 'dense0', 'dense3']],
  ['1-D fit', fit1dChart(h.fit1d), ['Fit against truth', 'x', 'y', 'series', 'truth', 'prediction', 'training data']],
  ['surface', surfaceChart(h.surface), ['truth', 'prediction', 'error (prediction − truth)', 'x1', 'x2', 'value', 'error']],
  ['confusion', confusionChart({ matrix: h.confusion }), ['Confusion matrix', 'predicted label', 'true label', 'count (log)']],
];

describe('plots', () => {
  for (const [name, spec, titles] of charts) {
    it(`${name}: valid SVG with titled axes and legends`, async () => {
      const svg = await chartSvg(spec);
      parseSvg(svg);
      const texts = svgTexts(svg);
      for (const t of titles) expect(texts, `missing '${t}'`).toContain(t);
      // Every axis Vega draws (aria role 'axis'; grids are separate groups) has a title.
      const axes = svg.match(/aria-roledescription="axis"/g)?.length ?? 0;
      const axisTitles = svg.match(/role-axis-title"/g)?.length ?? 0;
      expect(axes).toBeGreaterThan(0);
      expect(axisTitles).toBe(axes);
    });
  }

  it('gradient norms use a log axis and drop values it cannot show', async () => {
    const spec = gradientNormChart({ norms: { a: [1, 0, 0.1, NaN], b: [10, 100, 1000, 1e4] } });
    const values = (spec.data as { values: { y: number }[] }).values;
    expect(values.every((v) => v.y > 0 && Number.isFinite(v.y))).toBe(true);
    expect(JSON.stringify(spec.encoding)).toContain('"type":"log"');
    parseSvg(await chartSvg(spec));
  });

  it('digits: one label per image, mistakes marked in red', async () => {
    const svg = await chartSvg(digitsChart(h.digits));
    parseSvg(svg);
    const texts = svgTexts(svg);
    expect(texts.filter((t) => t.startsWith('true '))).toHaveLength(h.digits.labels.length);
    const mistakes = h.digits.labels.filter((l, i) => l !== h.digits.predictions[i]).length;
    expect(texts).toContain(`red frame and text: a mistake (${mistakes} of ${h.digits.labels.length} shown)`);
    const redLabels = [...svg.matchAll(/<text[^>]*fill="#d62728"[^>]*>([^<]*)</g)].map((m) => m[1]);
    expect(redLabels).toHaveLength(mistakes);
  });

  it('tick labels on an axis do not overlap', async () => {
    // Many long labels on a narrow chart: Vega must drop some rather than draw them over each other.
    const svg = await chartSvg(lossChart({ train: Array.from({ length: 200 }, (_, i) => 1 / (i + 1)), x: Array.from({ length: 200 }, (_, i) => 1e6 + i * 1000) }));
    const at = svg.indexOf('aria-label="X-axis');
    const axis = svg.slice(at, svg.indexOf('role-axis-title', at));
    // Vega hides a colliding label with opacity 0; the ones left visible must not overlap.
    const shown = [...axis.matchAll(/<text text-anchor="(\w+)" transform="translate\(([-\d.]+),[-\d.]+\)"[^>]*opacity="1">([^<]*)</g)]
      .map((m) => {
        // An upper bound on the width: ~0.6 em a character at 11 px (Liberation Sans digits are 0.556 em).
        const w = m[3]!.length * 11 * 0.6;
        const x = +m[2]!;
        const left = m[1] === 'start' ? x : m[1] === 'end' ? x - w : x - w / 2;
        return { left, right: left + w };
      });
    expect(shown.length).toBeGreaterThan(2);
    for (let i = 1; i < shown.length; i++) expect(shown[i]!.left).toBeGreaterThan(shown[i - 1]!.right);
  });

  it('renders to PNG', async () => {
    const png = await chartPng(lossChart(h.loss));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
  });
});
