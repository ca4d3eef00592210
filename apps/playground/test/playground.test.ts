/**
 * The playground in a real browser: the app is built with Vite, dist/ is served by a tiny static server and
 * opened in Debian's Chromium (driven by playwright-core, as viz's browser test does). The page must load
 * with no console errors on a WebAssembly kernel set; Step must be exactly one step of nn's fit with the
 * same settings, with the loss Node's fit computes on the same kernel set; Play then Pause must change the
 * boundary; a link must restore the same run; bad settings, typed or linked, must be reported while the
 * last good run goes on. The frame and step rates of the spiral with two hidden layers of 16 are printed
 * (not asserted: the machine may be shared), and a screenshot is saved to test-output/playground.png.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { backend, setBackend, type BackendName } from '@chainrule/core';
import { spiral } from '@chainrule/datasets';
import { cosineDecay, fit, mlp, optimizerNames, sgd, warmup, type LearningRate } from '@chainrule/nn';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPTIMIZERS } from '../src/state/state.ts';
import { openPage, startApp, testOutput as out, type ServedApp } from './browser.ts';

/** A non-default run, so the test sees every setting travel from the URL to the worker. */
const LINK = '?data=spiral&layers=12:relu,8:tanh&loss=crossEntropy&opt=sgd&lr=0.1&batch=16&seed=3';

/** LINK with a schedule (two warmup steps, then a cosine over 20) and weight decay: what nodeRun writes out for `scheduled`. */
const SCHEDULED = '&sched=warmupCosine&decay=20&wd=0.001';

/**
 * The first `steps` step losses and learning rates of nn's fit in Node with LINK's settings, written out here, on the
 * kernel set `kernels`; with `scheduled`, also SCHEDULED's schedule and weight decay.
 */
function nodeRun(kernels: BackendName, steps: number, scheduled = false): { losses: number[]; lrs: number[] } {
  const before = backend();
  setBackend(kernels);
  try {
    const { x, y } = spiral({ perClass: 100, classes: 3, seed: 3 });
    const model = mlp([2, 12, 8, 3], { hidden: ['relu', 'tanh'], output: 'softmax' });
    const losses: number[] = [];
    const lrs: number[] = [];
    const lr: LearningRate = scheduled ? warmup(cosineDecay(0.1, { decaySteps: 20, alpha: 0.01 }), { steps: 2 }) : 0.1;
    fit(model, model.init(3), { x, y }, {
      loss: 'crossEntropy', optimizer: sgd({ lr, weightDecay: scheduled ? 0.001 : 0 }), batchSize: 16, seed: 3, epochs: 1, progress: false,
      callbacks: { onStep: (info) => { losses.push(info.loss); lrs.push(info.lr); return losses.length === steps ? 'stop' : undefined; } },
    });
    return { losses, lrs };
  } finally {
    setBackend(before as BackendName);
  }
}

let served: ServedApp;
beforeAll(async () => { served = await startApp(); });
afterAll(async () => { await served?.close(); });

/** A page at `query`, with every console error, warning and page error collected, once its first run is shown. */
async function open(query: string): Promise<{ page: Page; problems: string[] }> {
  const opened = await openPage(served, query);
  await stepIs(opened.page, 0);
  return opened;
}

const value = (page: Page, id: string) => page.getAttribute(`#${id}`, 'data-value');
const stepIs = (page: Page, n: number) => page.waitForSelector(`#step-count[data-value="${n}"]`, { timeout: 30_000 });
const pixels = (page: Page) => page.$eval('#view', (c) => (c as HTMLCanvasElement).toDataURL());
const problemsShown = (page: Page) => page.$eval('#problems', (el) => ((el as HTMLElement).hidden ? '' : el.textContent ?? ''));

/** Types into a text field and commits it (Enter), as a user does. */
async function typeInto(page: Page, selector: string, text: string): Promise<void> {
  await page.fill(selector, text);
  await page.press(selector, 'Enter');
}

describe('playground in headless Chromium', () => {
  it('names nn\'s optimisers (the main thread lists them without loading nn)', () => {
    expect([...OPTIMIZERS]).toEqual(optimizerNames);
  });

  it('loads with no console errors on a WebAssembly kernel set and writes its state to the URL', async () => {
    const { page, problems } = await open('');
    expect(await page.textContent('#backend')).toMatch(/^wasm-(relaxed-)?simd$/);
    expect(new URL(page.url()).search).toBe('?data=spiral&layers=16:tanh,16:tanh&loss=crossEntropy&opt=adam&lr=0.01&batch=32&seed=0');
    expect(await problemsShown(page)).toBe('');
    expect(problems).toEqual([]);
    await page.close();
  });

  it.each([
    ['the fastest set the browser has', '', false],
    ['a set pinned by the link', '&kernels=wasm-simd', false],
    ['a link with a warmup-cosine schedule and weight decay', SCHEDULED, true],
  ])('Step is exactly one step of fit with the same settings on %s: the losses Node computes on the same kernels', async (_, extra, scheduled) => {
    const { page, problems } = await open(LINK + extra);
    const kernels = (await page.textContent('#backend'))!;
    if (extra.includes('kernels')) expect(kernels).toBe('wasm-simd');
    const shown: number[] = [];
    const lrs: number[] = [];
    for (const n of [1, 2, 3, 4]) {
      await page.click('#step');
      await stepIs(page, n);
      shown.push(Number(await value(page, 'step-loss')));
      lrs.push(Number(await value(page, 'lr-value')));
    }
    expect({ losses: shown, lrs }).toEqual(nodeRun(kernels as BackendName, 4, scheduled));
    if (scheduled) {
      expect(await page.inputValue('#schedule')).toBe('warmupCosine');
      expect(await page.inputValue('#decay-steps')).toBe('20');
      expect(await page.inputValue('#weight-decay')).toBe('0.001');
    }
    expect(problems).toEqual([]);
    await page.close();
  });

  it('Play then Pause trains and changes the boundary; the spiral with two hidden layers of 16 reports its rates', async () => {
    const { page, problems } = await open('');
    const before = await pixels(page);
    await page.click('#play');
    // Three seconds of play: the rates are shown once a second.
    await page.waitForTimeout(3_000);
    await page.waitForFunction(() => Number(document.getElementById('step-count')!.dataset.value) >= 20, null, { timeout: 30_000 });
    const rates = { stepsPerSecond: await value(page, 'steps-per-second'), framesPerSecond: await value(page, 'frames-per-second') };
    await page.click('#play');
    await page.waitForSelector('#play[aria-pressed="false"]');
    await page.waitForTimeout(300);
    const paused = await value(page, 'step-count');
    await page.waitForTimeout(500);
    expect(await value(page, 'step-count')).toBe(paused);
    expect(await pixels(page)).not.toBe(before);
    console.log(`[playground] spiral 2-16-16-3 (adam, batch 32) on ${await page.textContent('#backend')}: ${Number(rates.stepsPerSecond).toFixed(0)} steps/s, ${Number(rates.framesPerSecond).toFixed(1)} frames/s, ${paused} steps, validation accuracy ${await value(page, 'validation-accuracy')}`);
    mkdirSync(out, { recursive: true });
    await page.screenshot({ path: join(out, 'playground.png') });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('a link made by the controls restores the same run', async () => {
    const { page, problems } = await open('');
    await typeInto(page, '#lr', '0.03');
    await page.click('#add-layer');
    await page.selectOption('#layers li:nth-child(3) .activation', 'relu');
    await typeInto(page, '#layers li:nth-child(3) .width', '5');
    await page.selectOption('#optimizer', 'rmsprop');
    expect(await page.isDisabled('#decay-steps')).toBe(true);
    await page.selectOption('#schedule', 'cosine');
    expect(await page.isDisabled('#decay-steps')).toBe(false);
    await typeInto(page, '#decay-steps', '300');
    await typeInto(page, '#weight-decay', '0.0001');
    await stepIs(page, 0);
    const link = new URL(page.url()).search;
    expect(link).toBe('?data=spiral&layers=16:tanh,16:tanh,5:relu&loss=crossEntropy&opt=rmsprop&lr=0.03&sched=cosine&decay=300&wd=0.0001&batch=32&seed=0');
    expect(await page.textContent('#summary')).toContain('dense2  dense  relu');
    await page.click('#step');
    await stepIs(page, 1);
    const again = await open(link);
    expect(new URL(again.page.url()).search).toBe(link);
    expect(await again.page.inputValue('#layers li:nth-child(3) .width')).toBe('5');
    expect(await again.page.inputValue('#optimizer')).toBe('rmsprop');
    expect(await again.page.inputValue('#schedule')).toBe('cosine');
    await again.page.click('#step');
    await stepIs(again.page, 1);
    expect(await value(again.page, 'step-loss')).toBe(await value(page, 'step-loss'));
    expect([...problems, ...again.problems]).toEqual([]);
    await page.close();
    await again.page.close();
  });

  it('every data set trains a step, and removing a layer rebuilds the model', async () => {
    const { page, problems } = await open('');
    const names = await page.$$eval('#dataset option', (os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(names).toEqual(['spiral', 'circles', 'xor', 'blobs', 'mnist', 'exp', 'sinc', 'sinPlusCos']);
    for (const name of names.slice(1)) {
      await page.selectOption('#dataset', name);
      await stepIs(page, 0);
      await page.click('#step');
      await stepIs(page, 1);
      expect(new URL(page.url()).searchParams.get('data')).toBe(name);
      expect(Number(await value(page, 'step-loss'))).toBeGreaterThan(0);
    }
    expect(await page.textContent('#summary')).toMatch(/^337 parameters/);
    await page.click('#layers li:nth-child(2) .remove');
    await stepIs(page, 0);
    expect(await page.textContent('#summary')).toMatch(/^65 parameters/);
    expect(new URL(page.url()).searchParams.get('layers')).toBe('16:tanh');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('MNIST trains a 784-32-10 softmax on the shipped digits and draws test digits and the confusion matrix', async () => {
    const { page, problems } = await open('?data=mnist&layers=32:relu&loss=crossEntropy&opt=adam&lr=0.003&batch=64&seed=0');
    expect(await page.textContent('#summary')).toMatch(/^25450 parameters/);
    const blank = Number(await page.getAttribute('#view', 'data-accuracy'));
    await page.click('#play');
    await page.waitForFunction(() => Number(document.getElementById('step-count')!.dataset.value) >= 100, null, { timeout: 60_000 });
    await page.click('#play');
    await page.waitForSelector('#play[aria-pressed="false"]');
    await page.waitForTimeout(300);
    // The view counts its matrix from the predictions; the table's accuracy is nn's evaluate on the same snapshot.
    const counted = Number(await page.getAttribute('#view', 'data-accuracy'));
    expect(counted).toBeCloseTo(Number(await value(page, 'validation-accuracy')), 10);
    const confusion = JSON.parse((await page.getAttribute('#view', 'data-confusion'))!) as number[][];
    expect(confusion.map((row) => row.reduce((a, b) => a + b, 0))).toEqual(new Array(10).fill(100));
    expect(counted).toBeGreaterThan(Math.max(blank, 0.5));
    console.log(`[playground] mnist 784-32-10 (adam, batch 64) on ${await page.textContent('#backend')}: test accuracy ${counted} after ${await value(page, 'step-count')} steps`);
    mkdirSync(out, { recursive: true });
    await page.screenshot({ path: join(out, 'playground-mnist.png') });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('a learning rate that blows the loss up shows the monitor\'s messages and the failure; Reset recovers', async () => {
    const { page, problems } = await open('?data=exp&layers=16:tanh,16:tanh&loss=mse&opt=sgd&lr=10&batch=32&seed=0');
    await page.click('#play');
    await page.waitForSelector('#failure:not([hidden])', { timeout: 30_000 });
    expect(await page.textContent('#failure')).toMatch(/^Training stopped: training stopped at step \d+: loss is .*the learning rate is likely too large/);
    expect(await page.textContent('#warnings')).toContain('exploding gradient');
    expect(await page.getAttribute('#play', 'aria-pressed')).toBe('false');
    await page.click('#reset');
    await stepIs(page, 0);
    expect(await page.isHidden('#failure')).toBe(true);
    expect(await page.textContent('#warnings')).toBe('');
    await page.click('#step');
    await stepIs(page, 1);
    expect(Number.isFinite(Number(await value(page, 'step-loss')))).toBe(true);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('bad settings are reported, the last good run goes on, and a good edit clears the report', async () => {
    const { page, problems } = await open('');
    const good = page.url();
    await typeInto(page, '#layers li:nth-child(1) .width', '0');
    expect(await problemsShown(page)).toContain('hidden layer 1: width 0 is not a whole number of units ≥ 1; give a whole number from 1 to 256');
    await typeInto(page, '#layers li:nth-child(1) .width', '10000');
    expect(await problemsShown(page)).toContain('hidden layer 1: width 10000 is too wide to train live');
    await typeInto(page, '#layers li:nth-child(1) .width', '16');
    await typeInto(page, '#lr', 'fast');
    expect(await problemsShown(page)).toContain("learning rate 'fast' is not a number; give one such as 0.01");
    expect(page.url()).toBe(good);
    // The run still stands and trains.
    await page.click('#step');
    await stepIs(page, 1);
    await typeInto(page, '#lr', '0.02');
    expect(await problemsShown(page)).toBe('');
    expect(new URL(page.url()).searchParams.get('lr')).toBe('0.02');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('a malformed link is reported item by item and the page runs on its defaults', async () => {
    const { page, problems } = await open('?data=moons&layers=16:tanh,10000:relu,8&lr=abc');
    const shown = await problemsShown(page);
    expect(shown).toContain("data set 'moons' is not one the page has");
    expect(shown).toContain('hidden layer 2: width 10000 is too wide to train live');
    expect(shown).toContain("layers: item 3 '8' is not width:activation");
    expect(shown).toContain("learning rate 'abc' is not a number");
    expect(new URL(page.url()).search).toBe('?data=spiral&layers=16:tanh,16:tanh&loss=crossEntropy&opt=adam&lr=0.01&batch=32&seed=0');
    await page.click('#step');
    await stepIs(page, 1);
    expect(problems).toEqual([]);
    await page.close();
  });
});
