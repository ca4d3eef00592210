/**
 * The CNN example on a few hundred images: flags, a short seeded training run that must learn (a
 * loose bar: the full run's ≥ 99.3% needs all the data and ~12 epochs), and the report with every figure
 * it promises.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModel } from '@chainrule/nn/node';
import { describe, expect, it } from 'vitest';
import { parseSvg, svgTexts } from '../../packages/viz/test/helpers/xml.ts';
import { buildCnn, cnnFlags, defaults, runCnn, trainCnn } from '../src/mnist-cnn.ts';

const figuresOf = (html: string): Map<string, string> =>
  new Map([...html.matchAll(/<img src="([^"]+)" alt="([^"]+)">/g)].map((m) => [m[2]!, m[1]!]));

describe('mnist-cnn example', () => {
  it('builds the documented network: two conv + pool blocks, dense 128, softmax', () => {
    const model = buildCnn(defaults);
    expect(model.layers.map((l) => l.kind)).toEqual(['reshape', 'conv2d', 'maxPool2d', 'conv2d', 'maxPool2d', 'flatten', 'dense', 'dense']);
    expect(model.layers.map((l) => l.outputShape)).toEqual([[1, 28, 28], [16, 24, 24], [16, 12, 12], [32, 8, 8], [32, 4, 4], [512], [128], [10]]);
    expect(buildCnn({ ...defaults, dropout: 0.25 }).layers.map((l) => l.kind)).toContain('dropout');
  });

  it('flags: defaults with no flags, and bad values name the flag', () => {
    expect(cnnFlags([]).config).toStrictEqual(defaults);
    expect(cnnFlags(['--filters', '8,16,32']).config.filters).toEqual([8, 16, 32]);
    expect(() => cnnFlags(['--filters', '8,0'])).toThrow(/--filters must be a whole number ≥ 1, got '0'/);
    expect(() => cnnFlags(['--dropout', '1'])).toThrow(/--dropout must be below 1/);
    expect(() => cnnFlags(['--validation=-5'])).toThrow(/--validation must be a whole number ≥ 0/);
    expect(() => trainCnn({ ...defaults, limit: 100, validation: 100 }, () => {})).toThrow(/--validation 100 holds out every one of the 100 training images/);
  });

  it('learns from 1 200 images in 3 epochs (seeded): ≥ 80% on 500 test images, the same weights twice', () => {
    const config = { ...defaults, epochs: 3, limit: 1200, testLimit: 500, validation: 200, seed: 3 };
    const a = trainCnn(config, () => {});
    expect(a.run.trainImages).toBe(1000);
    expect(a.run.testAccuracy).toBeGreaterThanOrEqual(0.8);
    expect(a.history.valMetrics.get('accuracy')!.size).toBe(3);
    const b = trainCnn(config, () => {});
    expect(Array.from(b.params.get('conv2d1/w')!.data)).toEqual(Array.from(a.params.get('conv2d1/w')!.data));
  });

  it('writes the report: curves, filters, feature maps, confusion matrix, mistakes and the collapsed graph', async () => {
    const out = mkdtempSync(join(tmpdir(), 'chainrule-cnn-'));
    const argv = ['--limit', '600', '--test-limit', '200', '--validation', '100', '--epochs', '2', '--out', out];
    const { config, options } = cnnFlags(argv);
    const lines: string[] = [];
    const { report, modelFile } = await runCnn(config, { ...options, log: (l) => lines.push(l) });
    expect(lines.at(-1)).toBe(`report written to ${join(out, 'index.html')}`);
    expect(loadModel(modelFile).params.get('conv2d1/w')!.shape).toEqual([16, 1, 5, 5]);

    const html = readFileSync(report.index, 'utf8');
    expect(html).toContain(`pnpm example mnist-cnn ${argv.join(' ')}`);
    const figures = figuresOf(html);
    const svgOf = (title: string): string => {
      const file = figures.get(title);
      expect(file, `index.html has no figure '${title}' (it has: ${[...figures.keys()].join(', ')})`).toBeDefined();
      expect(existsSync(join(out, file!))).toBe(true);
      const svg = readFileSync(join(out, file!), 'utf8');
      parseSvg(svg);
      return svg;
    };
    expect(svgTexts(svgOf('Loss per epoch'))).toContain('validation');
    expect(svgTexts(svgOf('accuracy per epoch'))).toContain('validation');
    const filters = svgTexts(svgOf("The first layer's 16 filters (5×5)"));
    for (let i = 0; i < 16; i++) expect(filters).toContain(`filter ${i}`);
    expect(filters).toContain('red: positive, blue: negative, white: zero');
    const maps = [...figures.keys()].find((t) => t.startsWith('One test digit'));
    expect(maps, 'the feature maps figure').toBeDefined();
    expect(svgTexts(svgOf(maps!))).toContain('24×24 each; darker is stronger');
    expect(svgTexts(svgOf('Confusion matrix (test set)'))).toContain('predicted label');
    const graph = svgOf('The model and its loss, one node per layer');
    for (const layer of ['conv2d1', 'maxPool2d2', 'conv2d3', 'maxPool2d4', 'flatten5', 'dense6', 'dense7']) expect(graph).toContain(layer);
  });
});
