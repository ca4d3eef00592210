/**
 * viz's bad-input catalogue: every bad input handled, grouped by class, each asserting that the
 * message names the function, the argument and what is wrong. The drawing budget is tested on its
 * counts (never on time).
 */
import { mkdtempSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nameScope, randn, Rng, tensor, type Tensor } from '@chainrule/core';
import { History } from '@chainrule/nn';
import { toDot as dotText } from 'ts-graphviz';
import { describe, expect, it } from 'vitest';
import {
  allGrads, chartSvg, confusionChart, digitsChart, dotString, fit1dChart, gradMap, gradientNormChart, learningRateChart, lineChart, lossChart,
  metricChart, renderSvg, surfaceChart, toDot, type ChartSpec,
} from '../src/index.ts';
import { chartPng, renderPng, writeReport } from '../src/node.ts';
import { DEFAULT_MAX_NODES } from '../src/graph/budget.ts';
import { drawingSize } from '../src/graph/size.ts';
import { fakeHistory } from './fixtures/history.ts';
import { mlpLoss } from './fixtures/mlp.ts';
import { allEdges, allNodes } from './helpers/graph.ts';

const h = fakeHistory(4, 5);
const bad = (x: unknown) => x as never;
const valuesOf = (spec: ChartSpec) => (spec.data as { values: { x: number; y: number; series: string }[] }).values;

/** The drawing: one input feeding `blocks` small scoped blocks whose outputs are summed. */
function fanOut(blocks: number): Tensor {
  const rng = new Rng(1);
  const x = randn([4, 8], { rng, name: 'x' });
  let total: Tensor | undefined;
  for (let i = 0; i < blocks; i++) {
    const w = randn([8, 8], { rng, name: `block${i}/w` });
    const b = randn([8], { rng, name: `block${i}/b` });
    const out = nameScope(`block${i}`, () => x.matmul(w).add(b).tanh());
    total = total ? total.add(out) : out;
  }
  return total!.sum();
}

/** The counts toDot's budget message gives: nodes, edges, and the nodes dot would lay out. */
function countsIn(message: string): { nodes: number; edges: number; layout: number } {
  const m = message.match(/has (\d+) nodes and (\d+) edges, which dot lays out as ~(\d+) nodes/);
  expect(m, message).not.toBeNull();
  return { nodes: +m![1]!, edges: +m![2]!, layout: +m![3]! };
}

const messageOf = (f: () => unknown): string => {
  try { f(); } catch (e) { return (e as Error).message; }
  throw new Error('expected an error');
};

describe('huge sizes: graph drawings have a budget, counted before layout', () => {
  it('counts what dot lays out: nodes, the bends of edges that skip ranks, and edge labels', () => {
    const e = (from: string, to: string, labelled = false) => ({ from, to, labelled });
    expect(drawingSize(['a', 'b', 'c'], [e('a', 'b'), e('b', 'c')])).toEqual({ nodes: 3, edges: 2, layoutNodes: 3 });
    // a → c skips b's rank: one virtual node.
    expect(drawingSize(['a', 'b', 'c'], [e('a', 'b'), e('b', 'c'), e('a', 'c')]).layoutNodes).toBe(4);
    // Labels double the ranks: each edge of the chain gets a label node.
    expect(drawingSize(['a', 'b', 'c'], [e('a', 'b', true), e('b', 'c', true)]).layoutNodes).toBe(5);
    // A source (a parameter) sits just before the op that uses it, however deep: no bends.
    expect(drawingSize(['a', 'b', 'c', 'd', 'p'], [e('a', 'b'), e('b', 'c'), e('c', 'd'), e('p', 'd')]).layoutNodes).toBe(5);
    // A fan-out summed in a chain: the k-th output waits k ranks for its add.
    const nodes = ['x', 'h0', 'h1', 'h2', 's1', 's2'];
    const fan = [e('x', 'h0'), e('x', 'h1'), e('x', 'h2'), e('h0', 's1'), e('h1', 's1'), e('s1', 's2'), e('h2', 's2')];
    expect(drawingSize(nodes, fan).layoutNodes).toBe(6 + 1);
  });

  it("the budget's counts are the drawing's own: the nodes and edges toDot would draw", () => {
    const { loss } = mlpLoss();
    for (const collapse of [false, true]) {
      const g = toDot(loss, { collapse });
      const counts = countsIn(messageOf(() => toDot(loss, { collapse, maxNodes: 1 })));
      expect(counts.nodes).toBe(allNodes(g).length);
      expect(counts.edges).toBe(allEdges(g).length);
      // Exactly at the budget it draws; one under, it refuses.
      expect(() => toDot(loss, { collapse, maxNodes: counts.layout })).not.toThrow();
      expect(() => toDot(loss, { collapse, maxNodes: counts.layout - 1 })).toThrow(`over maxNodes ${counts.layout - 1}`);
    }
  });

  it('the issue\'s fan-out (one input feeding 200 blocks) is refused at once, naming the counts and what to pass', () => {
    const y = fanOut(200);
    const message = messageOf(() => toDot(y));
    const counts = countsIn(message);
    expect(counts.nodes).toBeGreaterThan(1400);
    expect(counts.layout).toBeGreaterThan(DEFAULT_MAX_NODES);
    expect(message).toContain(`over maxNodes ${DEFAULT_MAX_NODES}`);
    expect(message).toContain(`{ maxNodes: ${counts.layout} }`);
    // Collapsed, 200 layers still fan out: not offered as a way out; a smaller part is.
    expect(message).not.toContain('collapse: true');
    expect(message).toMatch(/smaller part/);
    expect(() => toDot(y, { collapse: true })).toThrow(/toDot: the collapsed graph has 402 nodes and \d+ edges.*over maxNodes 3000/);
  });

  it('collapses by name scope by itself when collapsing fits and collapse was not given, and says so in the drawing', () => {
    const y = fanOut(30);
    const full = countsIn(messageOf(() => toDot(y, { collapse: false, maxNodes: 1 })));
    const collapsed = countsIn(messageOf(() => toDot(y, { collapse: true, maxNodes: 1 })));
    expect(collapsed.layout).toBeLessThan(full.layout);
    const g = toDot(y, { maxNodes: collapsed.layout });
    expect(allNodes(g).filter((n) => n.id.startsWith('layer_block'))).toHaveLength(30);
    expect(dotString(g)).toContain(`Collapsed to one node per name scope: in full, ${full.nodes} nodes`);
    expect(dotString(g)).toContain(`collapse: false, maxNodes: ${full.layout}`);
    // Asked not to collapse: refused, offering collapse as a way out.
    expect(() => toDot(y, { collapse: false, maxNodes: collapsed.layout })).toThrow(`pass { collapse: true } to draw one node per name scope (${collapsed.nodes} nodes, ~${collapsed.layout} to lay out)`);
  });

  it('a drawing of ~5 000 nodes has no second, foreign limit: ts-graphviz\'s AST cap is lifted in dotString', () => {
    let y = tensor([1, 2], { name: 'x' });
    for (let i = 0; i < 2600; i++) y = y.mul(1.0001);
    const g = toDot(y.sum(), { values: false, maxNodes: Infinity });
    expect(allNodes(g).length).toBeGreaterThan(5000);
    // What users met before: an error about an option chainrule does not expose.
    expect(() => dotText(g)).toThrow(/maxASTNodes/);
    expect(dotString(g)).toMatch(/^digraph/);
  });

  it('digitsChart refuses thousands of images (each is hundreds of rectangles)', () => {
    const images = new Float32Array(401 * 4);
    expect(() => digitsChart({ images, labels: new Array(401).fill(0), side: 2 })).toThrow(/digitsChart: 401 images are too many to draw \(at most 400\); pass a slice/);
  });
});

describe('silent wrong results: charts that drew nothing or the wrong thing', () => {
  it('lossChart takes an Immutable List (history.loss) as an array, and so does every line chart', () => {
    const loss = History().loss.push(2.3, 1.1, 0.7);
    const fromList = valuesOf(lossChart({ train: loss, validation: History().loss.push(2.4, 1.3, 0.9) }));
    expect(fromList).toEqual(valuesOf(lossChart({ train: [2.3, 1.1, 0.7], validation: [2.4, 1.3, 0.9] })));
    expect(fromList).toHaveLength(6);
    expect(valuesOf(metricChart({ name: 'accuracy', train: loss }))).toHaveLength(3);
    expect(valuesOf(learningRateChart({ lr: loss, steps: History().loss.push(0, 10, 20) })).map((v) => v.x)).toEqual([0, 10, 20]);
    expect(valuesOf(lineChart({ title: 't', xTitle: 'x', yTitle: 'y', series: [{ name: 'a', y: Float32Array.of(1, 2) }] }))).toHaveLength(2);
  });

  it('gradientNormChart takes history.stepGradNorms (an OrderedMap of Lists), not just a plain object', () => {
    const norms = History().stepGradNorms.set('dense0', History().loss.push(1, 2)).set('dense1', History().loss.push(3, 4));
    const values = valuesOf(gradientNormChart({ norms }));
    expect(values.map((v) => v.series)).toEqual(['dense0', 'dense0', 'dense1', 'dense1']);
    expect(values.map((v) => v.y)).toEqual([1, 2, 3, 4]);
    expect(valuesOf(gradientNormChart({ norms: new Map([['a', [1, 2]]]) }))).toHaveLength(2);
  });

  it('confusionChart refuses a ragged matrix', () => {
    expect(() => confusionChart({ matrix: [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1], [0, 0, 0, 1]] })).toThrow('confusionChart: row 2 has 3 entries, expected 4');
    expect(() => confusionChart({ matrix: [[1, 0, 0], [0, 1, 0]] })).toThrow(/confusionChart: row 0 has 3 entries, expected 2/);
  });

  it('confusionChart refuses NaN, Infinity and negative counts, naming the cell', () => {
    expect(() => confusionChart({ matrix: [[1, NaN], [0, 1]] })).toThrow('confusionChart: matrix[0][1] is NaN; counts must be finite numbers ≥ 0');
    expect(() => confusionChart({ matrix: [[1, 0], [Infinity, 1]] })).toThrow(/matrix\[1\]\[0\] is Infinity/);
    expect(() => confusionChart({ matrix: [[1, 0], [-2, 1]] })).toThrow(/matrix\[1\]\[0\] is -2/);
  });

  it('confusionChart refuses labels that do not match the classes, and accepts a Tensor or Lists', () => {
    expect(() => confusionChart({ matrix: [[1, 0], [0, 1]], labels: ['cat'] })).toThrow('confusionChart: 1 labels for a 2×2 matrix; give one label per class');
    expect(() => confusionChart({ matrix: [[1, 0], [0, 1]], labels: ['cat', 'cat'] })).toThrow(/labels repeat/);
    const fromTensor = confusionChart({ matrix: tensor([[3, 1], [0, 2]]) });
    expect(valuesOf(fromTensor as never).map((v) => (v as unknown as { count: number }).count)).toEqual([3, 1, 0, 2]);
    expect(() => confusionChart({ matrix: tensor([1, 2, 3, 4]) })).toThrow(/confusionChart: matrix must be a matrix; the Tensor given has shape \[4\]/);
  });

  it('fit1dChart refuses x and prediction of different lengths, and training points likewise', () => {
    const x = [0, 1, 2, 3];
    expect(() => fit1dChart({ x, truth: x, prediction: [0, 1, 2] })).toThrow('fit1dChart: x has 4 values but prediction has 3; they pair up one to one');
    expect(() => fit1dChart({ x, truth: [0, 1], prediction: x })).toThrow(/fit1dChart: x has 4 values but truth has 2/);
    expect(() => fit1dChart({ x, truth: x, prediction: x, train: { x: [0, 1], y: [0] } })).toThrow(/fit1dChart: train.x has 2 values but train.y has 1/);
  });

  it('fit1dChart and surfaceChart refuse NaN where a line or a colour scale cannot take it', () => {
    expect(() => fit1dChart({ x: [0, 1], truth: [0, 1], prediction: [0, NaN] })).toThrow('fit1dChart: prediction[1] is NaN; this chart cannot draw NaN or Infinity');
    const s = h.surface;
    const prediction = [...s.prediction];
    prediction[7] = NaN;
    expect(() => surfaceChart({ ...s, prediction })).toThrow('surfaceChart: prediction[7] is NaN');
    expect(() => surfaceChart({ ...s, x: [...s.x, Infinity] })).toThrow(/surfaceChart: x\[40\] is Infinity/);
  });

  it('surfaceChart refuses a grid that does not match x × y', () => {
    expect(() => surfaceChart({ ...h.surface, truth: h.surface.truth.slice(1) })).toThrow(/surfaceChart: expected 40×40 = 1600 values \(y.length × x.length\), got truth 1599 and prediction 1600/);
  });

  it('surfaceChart and fit1dChart take a prediction Tensor as its values', () => {
    const x = [0, 1, 2];
    const spec = fit1dChart({ x, truth: x, prediction: tensor([[0], [1.5], [2]]) });
    expect(JSON.stringify(spec)).toContain('"y":1.5');
  });

  it('lossChart refuses x that does not pair up with the curves', () => {
    expect(() => lossChart({ train: [1, 2, 3], x: [1, 2] })).toThrow('lossChart: x has 2 values but train has 3; they pair up one to one');
    expect(() => lossChart({ train: [1, 2], validation: [1, 2, 3], x: [1, 2] })).toThrow(/lossChart: x has 2 values but validation has 3/);
    expect(() => learningRateChart({ lr: [0.1, 0.2], steps: [0] })).toThrow(/learningRateChart: steps has 1 values but lr has 2/);
    expect(() => lossChart({ train: [1, 2], x: [1, NaN] })).toThrow(/lossChart: x\[1\] is NaN/);
  });

  it('a line chart says how many values it could not show', async () => {
    const spec = lossChart({ train: [2, NaN, 1, Infinity] });
    expect(valuesOf(spec)).toHaveLength(2);
    expect(JSON.stringify(spec.title)).toContain('2 of 4 values not shown');
    expect(await chartSvg(spec)).toContain('2 of 4 values not shown');
  });

  it('digitsChart refuses images that are not side × side, and counts that do not match the labels', () => {
    const img = new Float32Array(784);
    expect(() => digitsChart({ images: new Float32Array(1000), labels: [1] })).toThrow('digitsChart: images has 1000 values, not a whole number of 28×28 images (side 28); pass side for other sizes');
    expect(() => digitsChart({ images: [img, new Float32Array(783)], labels: [1, 2] })).toThrow('digitsChart: image 1 has 783 pixels, expected 28×28 = 784 (side 28)');
    expect(() => digitsChart({ images: [img, img], labels: [1] })).toThrow('digitsChart: 2 images but 1 labels; give one label per image');
    expect(() => digitsChart({ images: [img, img], labels: [1, 2], predictions: [1] })).toThrow(/digitsChart: 2 labels but 1 predictions/);
    expect(() => digitsChart({ images: [img], labels: [NaN] })).toThrow(/digitsChart: labels\[0\] is NaN/);
  });

  it('digitsChart draws normalised images (negative pixels) instead of clamping them to blank', () => {
    // A 2×2 image of -1 and 1: the 1s are ink, the -1s are paper.
    const spec = digitsChart({ images: [[-1, 1, 1, -1]], labels: [0], side: 2 });
    const pixels = ((spec.layer as { data: { values: { c: string }[] } }[])[1]!.data.values);
    expect(pixels.map((p) => p.c)).toEqual(['#000000', '#000000']);
  });

  it('a misspelt toDot option is refused, not ignored', () => {
    const { c } = small();
    expect(() => toDot(c, bad({ colapse: true }))).toThrow(/toDot: unknown option 'colapse'; the options are grads, backward, values, rankdir, collapse, title, legend, maxNodes/);
  });
});

function small() {
  const a = tensor([2, -3], { name: 'a' });
  const c = a.mul(a).tanh().sum();
  return { a, c };
}

describe('late or unnamed errors: now named at the boundary', () => {
  it('metricChart without a name (was a TypeError from name[0])', () => {
    expect(() => metricChart(bad({ train: [1, 2] }))).toThrow("metricChart: name must be the metric's name, such as 'accuracy', got undefined");
    expect(() => metricChart({ name: '', train: [1] })).toThrow(/metricChart: name/);
  });

  it('toDot of something that is not a Tensor', () => {
    expect(() => toDot(bad(undefined))).toThrow('toDot: y must be the Tensor whose graph to draw, got undefined');
    expect(() => toDot(bad([small().c]))).toThrow(/got an array of length 1; draw one output at a time/);
    expect(() => toDot(bad(3))).toThrow(/not its \.item\(\)/);
    expect(() => allGrads(bad(small().c.item()))).toThrow(/allGrads: y must be the Tensor whose graph to draw, got the number .*not its \.item\(\)/);
  });

  it('toDot and gradMap with grads that are not tensors', () => {
    const { a, c } = small();
    expect(() => toDot(c, { grads: new Map(bad([[a, 1]])) })).toThrow('toDot: option grads must map each Tensor to its gradient Tensor; found a Tensor → the number 1');
    expect(() => toDot(c, { grads: bad(5) })).toThrow(/toDot: option grads must be a Map from tensor to gradient.*got the number 5/);
    expect(() => toDot(c, { grads: bad([[1, 2]]) })).toThrow(/toDot: option grads must be a Tensor or a tree of tensors .* but holds the number 1/);
    expect(() => gradMap(bad([a]), bad(['x']))).toThrow(/gradMap: grads must be a Tensor or a tree of tensors .* but holds the string "x"/);
  });

  it('renderSvg and dotString of something that is not a graph', async () => {
    await expect(renderSvg(bad(undefined))).rejects.toThrow('renderSvg: graph must be a graph from toDot or DOT text, got undefined');
    await expect(renderSvg(bad(Promise.resolve('digraph {}')))).rejects.toThrow(/a Promise: await it first/);
    await expect(renderSvg('<svg></svg>')).rejects.toThrow(/renderSvg: the string given is not DOT text/);
    expect(() => dotString(bad({ nodes: [] }))).toThrow(/dotString: graph must be a graph from toDot or DOT text, got an object/);
  });

  it('chartSvg, chartPng and renderPng of the wrong thing', async () => {
    await expect(chartSvg(bad(chartSvg(lossChart(h.loss))))).rejects.toThrow(/chartSvg: spec must be a chart spec .* got a Promise; it is a Promise/);
    await expect(chartSvg(bad(h.loss))).rejects.toThrow(/chartSvg: spec must be a chart spec/);
    expect(() => renderPng(bad(chartSvg(lossChart(h.loss))))).toThrow(/renderPng: svg must be SVG text \(a string\), got a Promise; it is a Promise: await chartSvg\/renderSvg first/);
    expect(() => renderPng(bad(lossChart(h.loss)))).toThrow(/use chartPng for charts/);
    expect(() => renderPng('digraph {}')).toThrow(/renderPng: svg is not SVG text/);
    await expect(chartPng(lossChart(h.loss), { width: -5 })).rejects.toThrow('chartPng: option width must be a positive number, got the number -5');
  });

  it('writeReport checks every figure before it makes the folder or renders anything', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'viz-bad-report-')), 'out');
    const spec = lossChart(h.loss);
    await expect(writeReport(dir, { title: 'r', figures: [{ title: 'Loss', spec }, bad({ title: 'Graph' })] }))
      .rejects.toThrow("writeReport: figures[1] ('Graph'): give exactly one of svg (SVG text), spec (a chart spec) or graph (from toDot); got none");
    await expect(writeReport(dir, { title: 'r', figures: [bad({ title: 'Both', spec, svg: '<svg/>' })] })).rejects.toThrow(/figures\[0\] \('Both'\): give exactly one of .* got svg and spec/);
    await expect(writeReport(dir, { title: 'r', figures: [{ title: 'Loss', spec: bad(chartSvg(spec)) }] })).rejects.toThrow(/writeReport: figures\[0\] \('Loss'\): spec must be a chart spec .* Promise/);
    await expect(writeReport(dir, { title: 'r', figures: [{ title: 'Graph', graph: bad(small().c) }] })).rejects.toThrow(/figures\[0\] \('Graph'\): graph must be a graph from toDot or DOT text, got a Tensor/);
    await expect(writeReport(dir, { title: 'r', figures: [{ title: 'Raw', svg: bad(42) }] })).rejects.toThrow(/figures\[0\] \('Raw'\): svg must be SVG text/);
    await expect(writeReport(dir, { title: 'r', figures: [bad({ title: 'Loss', spec, captoin: 'typo' })] })).rejects.toThrow(/figures\[0\] \('Loss'\): unknown field 'captoin'/);
    expect(existsSync(dir)).toBe(false);
  });
});

describe('wrong types: each named by its argument', () => {
  const { c } = small();

  it('toDot options', () => {
    expect(() => toDot(c, bad({ collapse: 'yes' }))).toThrow('toDot: option collapse must be true or false, got the string "yes"');
    expect(() => toDot(c, bad({ rankdir: 'lr' }))).toThrow('toDot: option rankdir must be one of LR, TB, RL, BT, got the string "lr"');
    expect(() => toDot(c, bad({ title: 7 }))).toThrow('toDot: option title must be a string, got the number 7');
    expect(() => toDot(c, { maxNodes: 0 })).toThrow('toDot: option maxNodes must be a whole number ≥ 1 (or Infinity), got the number 0');
    expect(() => toDot(c, { maxNodes: 10.5 })).toThrow(/maxNodes must be a whole number/);
    expect(() => toDot(c, { maxNodes: NaN })).toThrow(/maxNodes must be a whole number/);
    expect(() => toDot(c, bad('collapse'))).toThrow(/toDot: options must be an object such as \{ collapse: true \}, got the string "collapse"/);
  });

  it('chart data that is not numbers', () => {
    expect(() => lossChart(bad({ train: 'loss' }))).toThrow('lossChart: train must be numbers (an array, a typed array, an Immutable List or a Tensor), got the string "loss"');
    expect(() => lossChart(bad({ train: [1, '2', 3] }))).toThrow('lossChart: train[1] is the string "2", not a number');
    expect(() => lossChart(bad({ train: { a: 1 } }))).toThrow(/lossChart: train must be numbers .* got an object/);
    expect(() => lossChart(bad([1, 2, 3]))).toThrow(/lossChart: expected an object such as \{ train: history.loss, validation: history.valLoss \}, got an array of length 3$/);
    expect(() => lossChart(bad({ train: History().stepGradNorms }))).toThrow(/lossChart: train must be numbers .* got an Immutable OrderedMap/);
    expect(() => gradientNormChart(bad({ norms: [1, 2] }))).toThrow(/gradientNormChart: norms must map each layer name to its norms/);
    expect(() => gradientNormChart(bad({ norms: { dense0: 'x' } }))).toThrow(/gradientNormChart: norms\['dense0'\] must be numbers/);
    expect(() => confusionChart(bad({ matrix: 5 }))).toThrow(/confusionChart: matrix must be an array of rows .* got the number 5/);
    expect(() => confusionChart(bad({ matrix: [[1, 'a'], [0, 1]] }))).toThrow(/confusionChart: matrix\[0\]\[1\] is the string "a", not a number/);
  });

  it('chart options of the wrong type', () => {
    expect(() => lossChart(bad({ train: [1, 2], title: 5 }))).toThrow('lossChart: title must be a string, got the number 5');
    expect(() => lossChart(bad({ train: [1, 2], logY: 'yes' }))).toThrow('lossChart: logY must be true or false, got the string "yes"');
    expect(() => digitsChart(bad({ images: new Float32Array(784), labels: [1], side: 27.5 }))).toThrow('digitsChart: side must be a whole number ≥ 1, got the number 27.5');
    expect(() => digitsChart(bad({ images: new Float32Array(784), labels: [1], columns: 0 }))).toThrow(/digitsChart: columns must be a whole number ≥ 1/);
    expect(() => lineChart(bad({ title: 't', xTitle: 'x', yTitle: 'y', series: [{ y: [1] }] }))).toThrow('lineChart: series[0].name must be a string, got undefined');
    expect(() => lineChart(bad({ xTitle: 'x', yTitle: 'y', series: [{ name: 'a', y: [1] }] }))).toThrow('lineChart: title is missing');
  });

  it("writeReport's data", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'viz-bad-report-types-'));
    await expect(writeReport(bad(undefined), { title: 'r' })).rejects.toThrow('writeReport: dir must be the folder to write into (a path string), got undefined');
    await expect(writeReport(dir, bad({ title: 3 }))).rejects.toThrow('writeReport: data.title must be a string, got the number 3');
    await expect(writeReport(dir, bad({ title: 'r', settings: [['lr', 0.1]] }))).rejects.toThrow('writeReport: data.settings must be an object of name → value, got an array of length 1');
    await expect(writeReport(dir, bad({ title: 'r', png: 'yes' }))).rejects.toThrow(/writeReport: data.png must be true or false/);
    await expect(writeReport(dir, bad({ title: 'r', figures: { title: 'x' } }))).rejects.toThrow(/writeReport: data.figures must be an array/);
    await expect(writeReport(dir, bad({ title: 'r', figure: [] }))).rejects.toThrow(/writeReport: unknown field 'figure'; the fields are title, command, settings, metrics, figures, png/);
  });
});

describe('empty input: nothing to draw is said, not drawn', () => {
  it('empty series and curves', () => {
    expect(() => lossChart({ train: [] })).toThrow('lossChart: train is empty; there is nothing to draw');
    expect(() => lossChart({ train: History().loss })).toThrow('lossChart: train is empty');
    expect(() => lineChart({ title: 't', xTitle: 'x', yTitle: 'y', series: [] })).toThrow(/lineChart: series must be a non-empty array/);
    expect(() => gradientNormChart({ norms: {} })).toThrow('gradientNormChart: norms has no layers; was the gradient monitor on?');
    expect(() => learningRateChart({ lr: [] })).toThrow(/learningRateChart: lr is empty/);
  });

  it('curves with no value that can be drawn', () => {
    expect(() => lossChart({ train: [NaN, Infinity] })).toThrow('lossChart: none of the 2 values can be drawn: each is NaN or Infinity');
    expect(() => gradientNormChart({ norms: { a: [0, 0, -1] } })).toThrow(/gradientNormChart: none of the 3 values can be drawn: each is NaN or Infinity or ≤ 0 on the log axis/);
  });

  it('empty matrices, grids and image sets', () => {
    expect(() => confusionChart({ matrix: [] })).toThrow('confusionChart: matrix is empty; there is nothing to draw');
    expect(() => surfaceChart({ x: [], y: [1], truth: [], prediction: [] })).toThrow('surfaceChart: x is empty');
    expect(() => fit1dChart({ x: [], truth: [], prediction: [] })).toThrow('fit1dChart: x is empty');
    expect(() => digitsChart({ images: [], labels: [] })).toThrow(/digitsChart: images is empty/);
  });
});
