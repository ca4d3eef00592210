/**
 * The report of a short training run in a real browser: a small MLP is trained with nn's fit, its
 * History and confusion matrix become the report's training figures, and headless Chromium (Debian's
 * `chromium`, driven by playwright-core) opens index.html from file://. Every figure must load and
 * have a non-empty box, the console must stay free of errors, and a screenshot is saved to
 * packages/viz/test-output/report.png. No Chromium is a failure with the install command, never a skip.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { grad, tensor } from '@chainrule/core';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import {
  confusionChart, digitsChart, fit1dChart, gradientNormChart, learningRateChart, lossChart, metricChart, surfaceChart, toDot,
} from '../src/index.ts';
import { writeReport } from '../src/node.ts';
import { fakeHistory } from './fixtures/history.ts';
import { mlpLoss } from './fixtures/mlp.ts';
import { runSettings, shortTrainingRun } from './fixtures/training.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const INSTALL = 'apt-get update && apt-get -o DPkg::Lock::Timeout=900 install -y chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'test-output');

async function launch(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}. Install it with: ${INSTALL} (or set CHROMIUM_PATH)`);
  try {
    return await chromium.launch({ executablePath: CHROMIUM, args: ARGS, timeout: 60_000 });
  } catch (e) {
    throw new Error(`Chromium at ${CHROMIUM} did not start (${(e as Error).message.split('\n')[0]}). Install or repair it with: ${INSTALL}`);
  }
}

let browser: Browser | undefined;
afterAll(async () => { await browser?.close(); });

describe('report in headless Chromium', () => {
  it('shows every figure of a short training run with no console errors', async () => {
    const started = performance.now();
    const run = shortTrainingRun();
    // Shown in the report, not asserted: timings belong in `pnpm bench`.
    const trainingSeconds = (performance.now() - started) / 1000;
    const h = run.history;
    const accuracy = { train: h.metrics.get('accuracy')!.toArray(), validation: h.valMetrics.get('accuracy')!.toArray() };
    // The run really trained: one entry per epoch and per step, the loss fell, the model learned the spirals.
    expect(h.loss.size).toBe(runSettings.epochs);
    expect(h.stepLr.size).toBe(run.steps);
    expect(h.loss.last()!).toBeLessThan(h.loss.first()! / 2);
    expect(accuracy.validation.at(-1)!).toBeGreaterThan(0.8);
    expect([...h.stepGradNorms.keys()]).toEqual(['dense0', 'dense1', 'dense2']);

    // Figures a classifier on 2-D points cannot make (a 1-D fit, a surface, digits) still come from the made-up data.
    const fake = fakeHistory();
    const a = tensor([2, -3], { name: 'a' });
    const b = tensor([[1, 0.5], [0.25, 4]], { name: 'b' });
    const c = a.mul(b).tanh().sum();
    const [ga, gb] = grad(c, [a, b], { createGraph: true });
    const { loss } = mlpLoss({ scopedLoss: true });
    const dir = join(out, 'report');
    const figures = [
      { title: 'Loss', spec: lossChart({ train: h.loss.toArray(), validation: h.valLoss.toArray() }) },
      { title: 'Accuracy', spec: metricChart({ name: 'accuracy', ...accuracy }) },
      { title: 'Learning rate', spec: learningRateChart({ lr: h.stepLr.toArray() }) },
      { title: 'Gradient norms', spec: gradientNormChart({ norms: Object.fromEntries([...h.stepGradNorms.entries()].map(([k, v]) => [k, v.toArray()])) }) },
      { title: 'Confusion matrix', spec: confusionChart({ matrix: run.confusion }) },
      { title: '1-D fit', spec: fit1dChart(fake.fit1d) },
      { title: 'Surface', spec: surfaceChart(fake.surface), wide: true },
      { title: 'Digits', spec: digitsChart(fake.digits), wide: true },
      { title: 'Forward and backward graph', graph: toDot(c, { grads: [ga!, gb!], backward: true, title: 'sum(tanh(a * b))' }) },
      { title: 'MLP, one node per layer', graph: toDot(loss, { collapse: true, title: 'MLP 784-128-64-32-10' }) },
    ];
    const report = await writeReport(dir, {
      title: 'Browser test report (a short training run)',
      command: 'npx vitest run packages/viz/test/browser.test.ts',
      settings: runSettings,
      metrics: { 'validation accuracy': accuracy.validation.at(-1), 'validation loss': h.valLoss.last(), 'training seconds': trainingSeconds.toFixed(2) },
      figures,
    });

    browser = await launch();
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`); });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
    await page.goto(pathToFileURL(report.index).href, { waitUntil: 'load' });

    await expect.poll(() => page.locator('img').count()).toBe(figures.length);
    const images = await page.locator('figure img').evaluateAll((els) => els.map((el) => {
      const img = el as HTMLImageElement;
      const box = img.getBoundingClientRect();
      return { src: img.getAttribute('src'), complete: img.complete, natural: img.naturalWidth * img.naturalHeight, width: box.width, height: box.height };
    }));
    for (const img of images) {
      expect(img.complete, `${img.src} did not load`).toBe(true);
      expect(img.natural, `${img.src} decoded to an empty image`).toBeGreaterThan(0);
      expect(img.width, `${img.src} has no width`).toBeGreaterThan(50);
      expect(img.height, `${img.src} has no height`).toBeGreaterThan(50);
    }
    expect(await page.locator('pre code').textContent()).toContain('vitest run');
    expect(await page.locator('table').first().textContent()).toContain('optimiser');
    mkdirSync(out, { recursive: true });
    await page.screenshot({ path: join(out, 'report.png'), fullPage: true });
    expect(problems).toEqual([]);
  });
});
