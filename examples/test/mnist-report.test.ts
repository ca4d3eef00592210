/**
 * The whole `pnpm example mnist` path on a small subset: flags, training, the saved model and the
 * report folder, with every figure the report promises (the full run writes the same files).
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModel } from '@chainrule/nn/node';
import { describe, expect, it } from 'vitest';
// The SVG checks the viz package's own tests use (fast-xml-parser resolves from there).
import { parseSvg, svgTexts } from '../../packages/viz/test/helpers/xml.ts';
import { defaults, mnistFlags, runMnist } from '../src/mnist.ts';

/** The figures index.html shows, by their title. */
const figuresOf = (html: string): Map<string, string> =>
  new Map([...html.matchAll(/<img src="([^"]+)" alt="([^"]+)">/g)].map((m) => [m[2]!, m[1]!]));

describe('mnist example report', () => {
  it('with no flags, the config leaves out the limits instead of setting them to undefined', () => {
    const { config, options } = mnistFlags([]);
    expect(config).toStrictEqual(defaults);
    expect(Object.values(config)).not.toContain(undefined);
    expect(options.out).toBe('reports/mnist');
    expect(() => mnistFlags(['--test-limit', '0'])).toThrow(/--test-limit must be a whole number ≥ 1/);
  });

  it('trains on 2000 images for 2 epochs, saves the model and writes every figure', async () => {
    const out = mkdtempSync(join(tmpdir(), 'chainrule-mnist-'));
    const argv = ['--limit', '2000', '--test-limit', '500', '--epochs', '2', '--out', out];
    const { config, options } = mnistFlags(argv);
    const lines: string[] = [];
    const { run, report, modelFile } = await runMnist(config, { ...options, log: (l) => lines.push(l) });
    expect(run.trainImages).toBe(2000);
    expect(lines.at(-1)).toBe(`report written to ${join(out, 'index.html')}`);

    // The model file loads back into the same architecture and weights.
    expect(modelFile).toBe(join(out, 'mnist.safetensors'));
    const saved = loadModel(modelFile);
    expect(saved.model.layers.map((l) => l.name)).toEqual(['dense0', 'dense1', 'dense2', 'dense3']);
    expect(saved.params.get('dense0/w')!.shape).toEqual([784, 128]);

    expect(report.index).toBe(join(out, 'index.html'));
    const html = readFileSync(report.index, 'utf8');
    expect(html).toContain(`pnpm example mnist ${argv.join(' ')}`);
    expect(html).toContain('<th scope="row">training images</th><td>2000</td>');
    expect(html).not.toContain('undefined');
    const figures = figuresOf(html);
    const svgOf = (title: string): string => {
      const file = figures.get(title);
      expect(file, `index.html has no figure '${title}' (it has: ${[...figures.keys()].join(', ')})`).toBeDefined();
      expect(existsSync(join(out, file!)), `${file} is missing`).toBe(true);
      const svg = readFileSync(join(out, file!), 'utf8');
      parseSvg(svg);
      return svg;
    };

    for (const title of ['Loss per epoch', 'accuracy per epoch']) {
      const texts = svgTexts(svgOf(title));
      expect(texts).toContain('train');
      expect(texts).toContain('validation');
    }
    expect(svgTexts(svgOf('Training loss per step'))).toContain('step');
    expect(svgTexts(svgOf('Learning rate'))).toContain('learning rate');

    const norms = svgOf('Gradient norm per layer');
    expect(norms).toContain(`aria-label="Y-axis titled 'gradient L2 norm' for a log scale`);
    for (const layer of ['dense0', 'dense1', 'dense2', 'dense3']) expect(svgTexts(norms)).toContain(layer);

    const confusion = svgTexts(svgOf('Confusion matrix (test set)'));
    expect(confusion).toContain('predicted label');
    expect(confusion).toContain(`${run.confusion.reduce((n, row, i) => n + row[i]!, 0)} of 500 correct (${(run.testAccuracy * 100).toFixed(1)}%)`);

    // 20 digits, then up to 20 mistakes, each labelled with its true and predicted class; mistakes in red.
    const digits = svgOf('Test digits: the first 20, then mistakes');
    const labels = svgTexts(digits).flatMap((t) => [...t.matchAll(/^true (\d) · pred (\d)$/g)].map((m) => ({ truth: m[1], predicted: m[2] })));
    const mistakes = labels.filter((l) => l.truth !== l.predicted).length;
    expect(labels.length).toBeGreaterThan(20);
    expect(labels.slice(20).every((l) => l.truth !== l.predicted)).toBe(true);
    expect([...digits.matchAll(/<text[^>]*fill="#d62728"[^>]*>true /g)]).toHaveLength(mistakes);

    const graph = svgTexts(svgOf('The model and its loss, one node per layer'));
    for (const label of ['dense0', 'dense3', 'w [784, 128]  b [128]']) expect(graph).toContain(label);
    expect(graph.some((t) => t.startsWith('softmaxCrossEntropy'))).toBe(true); // the fused loss op
    expect(graph.some((t) => t.startsWith('|grad w|'))).toBe(true);

    expect(report.files.filter((f) => f.endsWith('.svg'))).toHaveLength(figures.size);
  });
});
