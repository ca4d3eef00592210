/**
 * The graph & backprop panel in headless Chromium, checked against the same computation in Node on the
 * same kernel set: Backward step k highlights the k-th node of core's own backward pass (op and shape;
 * tensor ids differ between processes), Run to end shows exactly grad()'s gradients, the drawing has as
 * many nodes as toDot draws for that loss, a typed expression's gradients equal grad() of the same
 * expression written with chainrule ops, every op the page can meet shows its formula, a deep model is
 * drawn per layer with a note, and bad expressions are explained. Screenshots go to docs/.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  abs, add, backend, backwardPass, cos, div, exp, gelu, grad, log, log1p, maximum, mean, minimum, mul, neg, pow, relu,
  setBackend, sigmoid, sin, softplus, sqrt, square, sub, sum, takeRows, tanh, tensor, topologicalOrder,
  type BackendName, type Tensor,
} from '@chainrule/core';
import { objective } from '@chainrule/nn';
import { toDot } from '@chainrule/viz';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUNCTION_NAMES } from '../src/expression/index.ts';
import { GRAPH_BATCH } from '../src/protocol.ts';
import { decodeState } from '../src/state/url.ts';
import { runData } from '../src/train/data.ts';
import { CLOSED, graphQuery, readGraphView } from '../src/graph/view-state.ts';
import { modelFromState } from '../src/train/model-from-state.ts';
import { app, openPage, startApp, type ServedApp } from './browser.ts';

const docs = join(app, 'docs');
/** The acceptance example: 2 → 3 → 1 on sin x + cos y, mse. */
const SMALL = '?data=sinPlusCos&layers=3:tanh&loss=mse&opt=adam&lr=0.01&batch=32&seed=0';
/** Five hidden layers of 64: more nodes than the panel draws in full. */
const DEEP = '?data=spiral&layers=64:tanh,64:tanh,64:tanh,64:tanh,64:tanh&loss=crossEntropy&opt=adam&lr=0.01&batch=32&seed=0';

let served: ServedApp;
beforeAll(async () => { served = await startApp('test-output/dist-backprop'); }, 120_000);
afterAll(async () => { await served?.close(); });

/** Runs `fn` on kernel set `kernels` in Node, as the page computed. */
function onKernels<T>(kernels: string, fn: () => T): T {
  const before = backend();
  setBackend(kernels as BackendName);
  try { return fn(); } finally { setBackend(before as BackendName); }
}

/** The model's loss for a page link, built in Node as the page does: init params, the first GRAPH_BATCH training points in order. */
function nodeLoss(link: string): { loss: Tensor; xs: Record<string, Tensor> } {
  const { state, problems } = decodeState(link);
  expect(problems).toEqual([]);
  const data = runData(state);
  const model = modelFromState(state, data);
  const params = model.init(state.seed);
  const rows = Int32Array.from({ length: GRAPH_BATCH }, (_, i) => i);
  const y = data.train.y;
  const { loss } = objective(model, state.loss)(params, takeRows(data.train.x, rows), y instanceof Int32Array ? takeRows(y, rows) : takeRows(y as Tensor, rows));
  return { loss, xs: Object.fromEntries(params.entries()) };
}

const exactly = (grads: Record<string, Tensor>) => Object.fromEntries(Object.entries(grads).map(([k, g]) => [k, Array.from(g.data)]));

interface Countable { readonly nodes: readonly unknown[]; readonly subgraphs: readonly Countable[] }
const countNodes = (g: Countable): number => g.nodes.length + g.subgraphs.reduce((n, s) => n + countNodes(s), 0);

/** Opens the panel on `query` (with graph=… in it) and waits for its first drawing. */
async function openPanel(query: string) {
  const opened = await openPage(served, query, { width: 1280, height: 1400 });
  await opened.page.waitForSelector('#graph-panel[data-status="ready"]', { timeout: 30_000 });
  return opened;
}

const kernelsOf = async (page: Page) => (await page.getAttribute('#graph-caption', 'data-backend'))!;
const counter = async (page: Page) => ({
  taken: Number(await page.getAttribute('#step-counter', 'data-taken')),
  planned: Number(await page.getAttribute('#step-counter', 'data-planned')),
  done: await page.getAttribute('#step-counter', 'data-done'),
});

/** Clicks Backward step until the pass is done; per step, what the highlighted SVG node says. */
async function stepThrough(page: Page, onStep?: (k: number) => Promise<void>): Promise<{ step: number; op: string; shape: number[]; title: string }[]> {
  const seen = [];
  for (let k = 1; ; k++) {
    await page.click('#backward-step');
    if ((await counter(page)).done === 'true') break;
    const node = (await page.$('#graph-view g.node.current'))!;
    expect(node, `step ${k} highlights a node`).not.toBeNull();
    seen.push({
      step: Number(await node.getAttribute('data-step')), op: (await node.getAttribute('data-op'))!,
      shape: JSON.parse((await node.getAttribute('data-shape'))!) as number[], title: (await node.$eval('title', (t) => t.textContent))!,
    });
    expect(await page.getAttribute('#step-info', 'data-op')).toBe(seen.at(-1)!.op);
    // The step's node is brought into the middle of the frame, at a size its text can be read at.
    const followed = await page.$eval('#graph-view', (frame) => {
      const f = frame.getBoundingClientRect(), r = frame.querySelector('g.node.current')!.getBoundingClientRect();
      const x = r.left + r.width / 2, y = r.top + r.height / 2;
      return { inside: x > f.left && x < f.right && y > f.top && y < f.bottom, height: r.height };
    });
    expect(followed.inside, `step ${k}'s node is in view`).toBe(true);
    expect(followed.height, `step ${k}'s node is drawn readable`).toBeGreaterThanOrEqual(20);
    await onStep?.(k);
  }
  return seen;
}

/** Does `action` and waits for the panel's next drawing whose caption starts with `caption`. */
async function redrawn(page: Page, action: () => Promise<unknown>, caption: string): Promise<void> {
  const before = await page.getAttribute('#graph-panel', 'data-generation');
  await action();
  await page.waitForFunction(([g, c]) => {
    const panel = document.getElementById('graph-panel')!;
    return panel.dataset.status === 'ready' && panel.dataset.generation !== g && document.getElementById('graph-caption')!.textContent!.startsWith(c!);
  }, [before, caption] as const, { timeout: 30_000 });
}

const shownGradients = async (page: Page) => JSON.parse((await page.getAttribute('#gradients', 'data-values'))!) as Record<string, number[]>;

describe('graph panel in the URL', () => {
  it('round-trips its view, is left out when closed, and falls back to defaults on unknown values', () => {
    const view = { open: true, source: 'expression', expression: 'tanh(a*b + sin(a)) & 1', values: { a: -0.25, b: 1.5 }, drawing: 'layers' } as const;
    expect(readGraphView(`${SMALL}${graphQuery(view)}`)).toEqual(view);
    expect(graphQuery({ ...view, source: 'model' })).toBe('&graph=model&drawing=layers');
    // A slider value that is not a name and a finite number is left out; the others stay.
    expect(readGraphView('?graph=expression&expr=a*b&vars=a:0.5,b:x,:3,c:,d:Infinity,e:-2').values).toEqual({ a: 0.5, e: -2 });
    expect(graphQuery(CLOSED)).toBe('');
    expect(readGraphView(SMALL)).toEqual(CLOSED);
    expect(readGraphView('?graph=tree&drawing=huge')).toEqual(CLOSED);
  });
});

describe('graph & backprop panel in headless Chromium', () => {
  it('2→3→1: Backward step k highlights the k-th node of core\'s backward pass; Run to end shows grad()\'s gradients; the drawing has toDot\'s nodes', async () => {
    const { page, problems } = await openPanel(`${SMALL}&graph=model`);
    const kernels = await kernelsOf(page);
    const node = onKernels(kernels, () => {
      const { loss, xs } = nodeLoss(SMALL);
      const steps = [...backwardPass(loss, xs)].map((s) => ({ op: s.op, shape: [...s.tensor.shape] }));
      return { steps, grads: exactly(grad(loss, xs)), nodes: countNodes(toDot(loss, { collapse: false }) as unknown as Countable), loss: loss.item() };
    });
    expect(Number(await page.getAttribute('#graph-caption', 'data-value'))).toBe(node.loss);
    expect(await page.getAttribute('#graph-view', 'data-collapsed')).toBe('false');
    expect(await page.$$eval('#graph-view svg g.node', (gs) => gs.length)).toBe(node.nodes);
    expect(await counter(page)).toEqual({ taken: 0, planned: node.steps.length, done: 'false' });

    const seen = await stepThrough(page, async (k) => {
      if (k !== 3) return;
      // Mid-step: the third node highlighted, its info open.
      await page.hover('#graph-view g.node.current');
      await page.waitForSelector('#node-info .formula .katex');
      mkdirSync(docs, { recursive: true });
      await page.locator('#graph-panel').screenshot({ path: join(docs, 'backprop.png') });
    });
    expect(seen.map((s) => s.step)).toEqual(node.steps.map((_, i) => i + 1));
    expect(seen.map(({ op, shape }) => ({ op, shape }))).toEqual(node.steps);
    // In full detail each step's node is its op's.
    expect(seen.every((s) => /^op\d+$/.test(s.title))).toBe(true);
    expect(await page.$$eval('#graph-view g.node.visited', (gs) => gs.length)).toBe(node.steps.length);
    expect(await shownGradients(page)).toEqual(node.grads);
    expect(await counter(page)).toEqual({ taken: node.steps.length, planned: node.steps.length, done: 'true' });

    // Forward again starts a fresh pass; Run to end gives the same gradients at once.
    await page.click('#forward');
    await page.waitForSelector('#step-counter[data-taken="0"]');
    await page.click('#run-to-end');
    expect(await shownGradients(page)).toEqual(node.grads);

    // Pan and zoom: the buttons scale the drawing, fit shows it whole again.
    const scale = () => page.$eval('#graph-view svg', (svg) => new DOMMatrix(getComputedStyle(svg).transform).a);
    await page.click('#zoom-in');
    await page.waitForFunction(() => new DOMMatrix(getComputedStyle(document.querySelector('#graph-view svg')!).transform).a > 1);
    await page.click('#zoom-fit');
    await page.waitForFunction(() => new DOMMatrix(getComputedStyle(document.querySelector('#graph-view svg')!).transform).a === 1);
    expect(await scale()).toBe(1);

    // After a training step, Forward draws the loss with the params as they now stand.
    await page.click('#step');
    await page.waitForSelector('#step-count[data-value="1"]');
    await redrawn(page, () => page.click('#forward'), 'mse loss of the model after 1 steps');
    expect(Number(await page.getAttribute('#graph-caption', 'data-value'))).not.toBe(node.loss);

    // Hide takes the panel out of the URL; Show puts it back.
    await page.click('#graph-toggle');
    expect(await page.isHidden('#graph-body')).toBe(true);
    expect(new URL(page.url()).search).toBe(SMALL);
    await page.click('#graph-toggle');
    expect(new URL(page.url()).search).toBe(`${SMALL}&graph=model`);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('a typed expression: its gradients equal grad() of the same expression written with chainrule ops, after moving a slider', async () => {
    const text = 'tanh(a*b + sin(a))';
    const { page, problems } = await openPanel(`${SMALL}&graph=expression&expr=${encodeURIComponent(text)}`);
    expect(await page.inputValue('#expression')).toBe(text);
    const generation = await page.getAttribute('#graph-panel', 'data-generation');
    await page.$eval('#sliders input[data-variable="b"]', (el) => {
      const range = el as HTMLInputElement;
      range.value = '0.73';
      range.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await page.waitForFunction((g) => { const p = document.getElementById('graph-panel')!; return p.dataset.status === 'ready' && p.dataset.generation !== g; }, generation);
    const values = { a: Number(await page.inputValue('#sliders input[data-variable="a"]')), b: 0.73 };
    const kernels = await kernelsOf(page);
    const node = onKernels(kernels, () => {
      const a = tensor([values.a], { shape: [], name: 'a' }), b = tensor([values.b], { shape: [], name: 'b' });
      const y = tanh(add(mul(a, b), sin(a)));
      return { y: y.item(), steps: [...backwardPass(y, { a, b })].map((s) => s.op), grads: exactly(grad(y, { a, b })) };
    });
    expect(Number(await page.getAttribute('#graph-caption', 'data-value'))).toBe(node.y);
    const seen = await stepThrough(page, async (k) => {
      if (k !== 2) return;
      await page.hover('#graph-view g.node.current');
      await page.waitForSelector('#node-info .formula .katex');
      await page.locator('#graph-panel').screenshot({ path: join(docs, 'backprop-expression.png') });
    });
    expect(seen.map((s) => s.op)).toEqual(node.steps);
    expect(await shownGradients(page)).toEqual(node.grads);
    expect(new URL(page.url()).searchParams.get('expr')).toBe(text);
    // The sliders travel in the link: opening it starts them where they were.
    expect(new URL(page.url()).searchParams.get('vars')).toBe(`a:${values.a},b:0.73`);
    const linked = await openPanel(new URL(page.url()).search);
    expect(await linked.page.inputValue('#sliders input[data-variable="b"]')).toBe('0.73');
    expect(Number(await linked.page.getAttribute('#graph-caption', 'data-value'))).toBe(node.y);
    expect([...problems, ...linked.problems]).toEqual([]);
    await Promise.all([page.close(), linked.page.close()]);
  });

  it('every op the page can meet shows its formula: each activation and loss, and every function and operator of the expression language', async () => {
    const everyFunction = 'abs(a) + cos(a) - exp(b) * gelu(a) / log(b^2 + 1) + log1p(b^2) + max(a, b) + mean(a) + min(a, b) + pow(b^2, a) + relu(a) + sigmoid(b) + sin(b) + softplus(a) + sqrt(b^2) + square(a) + sum(b) + tanh(-a)';
    expect(FUNCTION_NAMES.every((f) => everyFunction.includes(`${f}(`))).toBe(true);
    // One page, changed as a user does: the model with every activation (and softmax with mse), then cross-entropy, then mae on a curve, then the expression.
    const first = `?data=spiral&layers=3:tanh,3:relu,3:sigmoid,3:leakyRelu,3:gelu,3:linear&loss=mse&opt=adam&lr=0.01&batch=32&seed=0&graph=model&drawing=full`;
    const models = [first, first.replace('loss=mse', 'loss=crossEntropy'), first.replace('data=spiral', 'data=exp').replace('loss=mse', 'loss=mae')];
    // What the page must meet, from the same graphs built in Node: the model ones, and the functions of the expression written by hand.
    const expected = new Set<string>();
    for (const link of models) for (const t of topologicalOrder([nodeLoss(link).loss])) if (t.node) expected.add(t.node.op.name);
    const a = tensor([0.5], { shape: [] }), b = tensor([-1.2], { shape: [] });
    const one = tensor([1], { shape: [] }), two = tensor([2], { shape: [] });
    const b2 = pow(b, two);
    const byHand = [abs(a), cos(a), exp(b), gelu(a), log(add(b2, one)), log1p(b2), maximum(a, b), mean(a), minimum(a, b), pow(b2, a), relu(a), sigmoid(b), sin(b),
      softplus(a), sqrt(b2), square(a), sum(b), tanh(neg(a)), sub(a, b), div(a, b), mul(a, b)];
    for (const t of topologicalOrder(byHand)) if (t.node) expected.add(t.node.op.name);

    const met = new Set<string>();
    const { page, problems } = await openPanel(first);
    /** Hovers one op node of each op not met yet (an op node's label starts with its op's name): its rule must show. */
    const hoverEachOp = async () => {
      const titles = await page.$$eval('#graph-view g.node', (gs, seen) => {
        const firstOf = new Map<string, string>();
        for (const g of gs) {
          const title = g.querySelector(':scope > title')!.textContent!;
          const name = g.querySelector('text')?.textContent?.trim().split(' ')[0] ?? '';
          if (/^op\d+$/.test(title) && !seen.includes(name) && !firstOf.has(name)) firstOf.set(name, title);
        }
        return [...firstOf.values()];
      }, [...met]);
      expect(titles.length).toBeGreaterThan(0);
      for (const title of titles) {
        // Hovering a node shows its info; the rule is rendered by KaTeX, its text in data-formula.
        await page.locator('#graph-view g.node', { has: page.locator(`title:text-is("${title}")`) }).hover({ force: true });
        await page.waitForSelector(`#node-info[data-tensor-id="${title.slice(2)}"]`);
        const shown = await page.$eval('#node-info', (box) => ({
          op: (box as HTMLElement).dataset.op!,
          formula: box.querySelector<HTMLElement>('.formula')?.dataset.formula,
          rendered: box.querySelector('.formula .katex') !== null,
        }));
        expect(shown.formula, `the formula of '${shown.op}'`).toMatch(/^y = /);
        expect(shown.rendered, `KaTeX renders the formula of '${shown.op}'`).toBe(true);
        met.add(shown.op);
      }
    };
    await hoverEachOp();
    await redrawn(page, () => page.selectOption('#loss', 'crossEntropy'), 'crossEntropy loss');
    await hoverEachOp();
    await redrawn(page, async () => { await page.selectOption('#dataset', 'exp'); await page.selectOption('#loss', 'mae'); }, 'mae loss');
    await hoverEachOp();
    await redrawn(page, async () => {
      await page.check('#source-expression');
      await page.fill('#expression', everyFunction);
      await page.press('#expression', 'Enter');
    }, everyFunction);
    await hoverEachOp();
    expect([...met].sort()).toEqual([...expected].sort());
    expect(problems).toEqual([]);
    await page.close();
  });

  it('a deep model is drawn one node per layer with a note; stepping highlights the layer of each step and ends at grad()\'s gradients', async () => {
    const { page, problems } = await openPanel(`${DEEP}&graph=model`);
    expect(await page.getAttribute('#graph-view', 'data-collapsed')).toBe('true');
    expect(await page.textContent('#graph-note')).toMatch(/^collapsed: \d+ ops in 6 layers; full drawing needs ≤ 30 nodes \(this graph has \d+;/);
    const kernels = await kernelsOf(page);
    const node = onKernels(kernels, () => {
      const { loss, xs } = nodeLoss(DEEP);
      return { steps: [...backwardPass(loss, xs)].map((s) => ({ op: s.op, shape: [...s.tensor.shape] })), grads: exactly(grad(loss, xs)) };
    });
    const seen = await stepThrough(page);
    expect(seen.map(({ op, shape }) => ({ op, shape }))).toEqual(node.steps);
    // Each step's node is its layer's (or the loss's own op, which stays visible).
    expect(seen.every((s) => /^layer_/.test(s.title) || s.step === 1)).toBe(true);
    expect(await shownGradients(page)).toEqual(node.grads);
    // A layer's info lists its ops and parameters.
    await page.locator('#graph-view g.node', { has: page.locator('title:text-is("layer_dense2")') }).hover({ force: true });
    await page.waitForSelector('#node-info h3:text-is("layer dense2")');
    expect(await page.textContent('#node-info dl')).toContain('dense2/w [64, 64]');
    await page.screenshot({ path: join(app, 'test-output', 'backprop-collapsed.png'), fullPage: true });
    // "full" draws every node anyway.
    await page.selectOption('#drawing-mode', 'full');
    await page.waitForSelector('#graph-view[data-collapsed="false"]');
    expect(new URL(page.url()).searchParams.get('drawing')).toBe('full');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('a bad expression is shown with a caret where parsing stopped, an unknown function with the valid names; the last good graph stays', async () => {
    const { page, problems } = await openPanel(`${SMALL}&graph=expression`);
    const before = await page.$$eval('#graph-view svg g.node', (gs) => gs.length);
    const generation = await page.getAttribute('#graph-panel', 'data-generation');
    await page.fill('#expression', 'tanh(a*b + ');
    await page.press('#expression', 'Enter');
    await page.waitForSelector('#expression-error:not([hidden])');
    expect(await page.getAttribute('#expression-error', 'data-kind')).toBe('syntax');
    expect(await page.textContent('#expression-error')).toMatch(/^cannot parse the expression: .* at index 11/);
    expect(await page.textContent('#expression-error pre.caret')).toBe('tanh(a*b + \n           ^');
    await page.fill('#expression', 'tanhh(a)');
    await page.press('#expression', 'Enter');
    await page.waitForSelector('#expression-error[data-kind="unknown-function"]');
    expect(await page.textContent('#expression-error .valid-names')).toBe(`valid functions: ${FUNCTION_NAMES.join(', ')}`);
    expect(await page.getAttribute('#graph-panel', 'data-generation')).toBe(generation);
    expect(await page.$$eval('#graph-view svg g.node', (gs) => gs.length)).toBe(before);
    // A good one clears the message and draws.
    await page.fill('#expression', 'a*b');
    await page.press('#expression', 'Enter');
    await page.waitForSelector('#expression-error', { state: 'hidden' });
    await page.waitForFunction((g) => document.getElementById('graph-panel')!.dataset.generation !== g, generation);
    expect(problems).toEqual([]);
    await page.close();
  });
});
