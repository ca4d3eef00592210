/**
 * The "Graph & backprop" panel: the graph of the model's loss (on the first training points, with the
 * worker's current params) or of a typed expression, drawn in the page; hover or click a node for its op,
 * value, gradient and rule; Forward records the graph and starts core's backward pass, Backward step
 * runs one VJP and highlights its node, Run to end finishes and lists every gradient. Loaded when the
 * panel is first opened, so the page's first paint carries none of core, viz or KaTeX.
 */
import { ready, setBackend, topologicalOrder, type BackendName, type Tensor } from '@chainrule/core';
import type { GraphSource } from '../protocol.ts';
import type { PlaygroundState } from '../state/state.ts';
import { drawGraph, type GraphDrawing } from './drawing.ts';
import { expressionEditor } from './expression-editor.ts';
import { expressionSubject } from './expression-source.ts';
import { layerInfo, stepInfo, tensorInfo } from './info.ts';
import { modelSubject } from './model-source.ts';
import { panZoom, type PanZoom } from './pan-zoom.ts';
import { Stepper, type Subject } from './stepper.ts';
import { shapeText, valueText } from './values.ts';
import { DRAWING_MODES, type DrawingMode, type GraphSourceName, type GraphView } from './view-state.ts';

/** What the panel needs from the page. */
export interface GraphHost {
  readonly state: () => PlaygroundState;
  /** The worker's current params and first training points (the current run's). */
  readonly graphSource: () => Promise<GraphSource>;
  /** The kernel set the worker runs (undefined before its first run is reported). */
  readonly backend: () => string | undefined;
  /** The panel's view changed (source, expression, drawing): the page writes it to the URL. */
  readonly changed: (view: GraphView) => void;
}

export interface GraphPanel {
  /** Records the graph afresh (a new run, or new params after Reset) when the model is the source. */
  modelChanged(): void;
}

const byId = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

export function graphPanel(host: GraphHost, initial: GraphView): GraphPanel {
  const panel = byId('graph-panel');
  const view = byId('graph-view');
  const nodeBox = byId('node-info');
  const stepBox = byId('step-info');
  const gradientsBox = byId('gradients');
  const counter = byId('step-counter');
  const note = byId('graph-note');
  const caption = byId('graph-caption');
  const drawingSelect = byId<HTMLSelectElement>('drawing-mode');
  const editorBox = byId('expression-editor');
  drawingSelect.replaceChildren(...DRAWING_MODES.map((m) => new Option(m === 'layers' ? 'one node per layer' : m, m)));

  let source: GraphSourceName = initial.source;
  let drawing: DrawingMode = initial.drawing;
  let stepper: Stepper | undefined;
  let drawn: GraphDrawing | undefined;
  let zoom: PanZoom | undefined;
  let byId_ = new Map<number, Tensor>();
  /** Counts forward passes begun: a slower one that finishes after a newer one began is dropped. */
  let generation = 0;

  const editor = expressionEditor(byId('expression'), byId('expression-error'), byId('sliders'), initial.values, () => {
    report();
    if (source === 'expression') void forward();
  });

  /** The view for the URL: the sliders of the expression's own variables (not those of an earlier expression). */
  const report = () => {
    const variables = editor.parsed?.variables ?? Object.keys(initial.values);
    const values = Object.fromEntries(variables.filter((v) => v in editor.values).map((v) => [v, editor.values[v]!]));
    host.changed({ open: true, source, expression: editor.parsed?.text ?? initial.expression, values, drawing });
  };

  async function subjectNow(): Promise<Subject | undefined> {
    if (source === 'expression') {
      const parsed = editor.parsed;
      if (!parsed) return undefined;
      await useKernels(host.backend());
      return expressionSubject(parsed, editor.values);
    }
    const got = await host.graphSource();
    await useKernels(got.backend);
    return modelSubject(host.state(), got);
  }

  /** Re-runs the forward pass, records and draws the graph, and starts a fresh backward pass. */
  async function forward(): Promise<void> {
    const mine = ++generation;
    panel.dataset.status = 'busy';
    try {
      const subject = await subjectNow();
      if (!subject || mine !== generation) return;
      const next = await drawGraph(subject.y, drawing);
      if (mine !== generation) return;
      show(subject, next);
    } catch (e) {
      if (mine !== generation) return;
      caption.textContent = `Could not build the graph: ${(e as Error).message}`;
      panel.dataset.status = 'failed';
      return;
    }
    panel.dataset.status = 'ready';
    panel.dataset.generation = String(mine);
  }

  function show(subject: Subject, next: GraphDrawing): void {
    stepper = new Stepper(subject);
    drawn = next;
    byId_ = new Map(topologicalOrder([subject.y]).map((t) => [t.id, t]));
    zoom?.destroy();
    view.replaceChildren(next.svg);
    // The drawing fills the frame, but a small one is never drawn larger than its size (Graphviz gives it in pt).
    for (const side of ['width', 'height'] as const) {
      const natural = parseFloat(next.svg.getAttribute(side) ?? '');
      if (natural > 0) next.svg.style[side === 'width' ? 'maxWidth' : 'maxHeight'] = `${natural}pt`;
      next.svg.removeAttribute(side);
    }
    zoom = panZoom(view, next.svg);
    view.dataset.nodes = String(next.nodes);
    view.dataset.fullNodes = String(next.fullNodes);
    view.dataset.collapsed = String(next.collapsed);
    note.hidden = next.note === '';
    note.textContent = next.note;
    caption.textContent = `${subject.caption}; y = ${valueText(subject.y)}`;
    caption.dataset.value = String(subject.y.data[0]);
    caption.dataset.backend = currentKernels;
    nodeBox.replaceChildren('Hover or click a node to see its op, value, gradient and rule.');
    stepBox.replaceChildren('Backward step runs the next node\'s VJP (newest node first); Run to end finishes the pass.');
    for (const key of ['step', 'op', 'shape', 'tensorId']) delete stepBox.dataset[key];
    gradientsBox.replaceChildren();
    delete gradientsBox.dataset.values;
    showCounter();
  }

  function showCounter(): void {
    if (!stepper) return;
    counter.textContent = `step ${stepper.taken} / planned ${stepper.planned}${stepper.done ? ' — done' : ''}`;
    Object.assign(counter.dataset, { taken: String(stepper.taken), planned: String(stepper.planned), done: String(stepper.done) });
  }

  /** The current node keeps a lighter mark. */
  const markVisited = (): void => {
    for (const g of view.querySelectorAll('g.node.current')) { g.classList.remove('current'); g.classList.add('visited'); }
  };

  /** Marks the node of step k as current (the one before keeps a lighter mark), and with `follow` brings it into view. */
  function highlight(t: Tensor, k: number, op: string, follow = true): void {
    markVisited();
    const g = drawn?.nodeOf(t);
    if (!g) return;
    g.classList.add('current');
    Object.assign(g.dataset, { step: String(k), op, tensorId: String(t.id), shape: JSON.stringify(t.shape) });
    if (follow) zoom?.follow(g);
  }

  function backwardStep(): void {
    if (!stepper || stepper.done) return;
    const step = stepper.step();
    if (step) {
      highlight(step.tensor, step.index + 1, step.op);
      stepInfo(stepBox, step);
    } else {
      markVisited();
      finish();
    }
    showCounter();
  }

  function runToEnd(): void {
    if (!stepper) return;
    while (!stepper.done) {
      const step = stepper.step();
      if (step) highlight(step.tensor, step.index + 1, step.op, false);
    }
    zoom?.fit();
    markVisited();
    if (stepper.last) stepInfo(stepBox, stepper.last);
    finish();
    showCounter();
  }

  /** Every parameter's (variable's) gradient, shown and in data-values at full precision. */
  function finish(): void {
    const grads = stepper?.gradients;
    if (!grads || !stepper) return;
    const exact: Record<string, number[]> = {};
    const table = document.createElement('table');
    table.innerHTML = '<tr><th>gradient of y with respect to</th><th>shape</th><th>value</th></tr>';
    for (const [name, g] of Object.entries(grads)) {
      exact[name] = Array.from(g.data);
      const tr = table.insertRow();
      tr.insertCell().textContent = name;
      tr.insertCell().textContent = shapeText(g);
      Object.assign(tr.insertCell(), { textContent: valueText(g), className: 'numbers' });
    }
    gradientsBox.replaceChildren(Object.assign(document.createElement('h3'), { textContent: 'Gradients (what grad returns)' }), table);
    gradientsBox.dataset.values = JSON.stringify(exact);
  }

  /** The info box for the node under the pointer (or clicked). */
  function inspect(target: EventTarget | null): void {
    const g = (target as Element | null)?.closest?.('g.node');
    if (!g || !drawn || !stepper) return;
    const title = drawn.titleOf(g);
    const id = /^(?:t|op)(\d+)$/.exec(title);
    if (id) {
      const t = byId_.get(Number(id[1]));
      if (t) tensorInfo(nodeBox, t, stepper.gradientSoFar(t));
      return;
    }
    if (title.startsWith('layer_')) {
      const scope = [...byId_.values()].find((t) => t.node && `layer_${t.node.scope.replace(/[^A-Za-z0-9_]/g, '_')}` === title)?.node?.scope;
      if (scope === undefined) return;
      const members = [...byId_.values()].filter((t) => (t.node ? t.node.scope === scope : t.name?.startsWith(`${scope}/`)));
      layerInfo(nodeBox, scope, members);
    }
  }
  view.addEventListener('mouseover', (e) => inspect(e.target));
  view.addEventListener('click', (e) => inspect(e.target));

  byId('forward').addEventListener('click', () => void forward());
  byId('backward-step').addEventListener('click', backwardStep);
  byId('run-to-end').addEventListener('click', runToEnd);
  byId('zoom-in').addEventListener('click', () => zoom?.zoomIn());
  byId('zoom-out').addEventListener('click', () => zoom?.zoomOut());
  byId('zoom-fit').addEventListener('click', () => zoom?.fit());
  drawingSelect.value = drawing;
  drawingSelect.addEventListener('change', () => { drawing = drawingSelect.value as DrawingMode; report(); void forward(); });
  for (const radio of document.querySelectorAll<HTMLInputElement>('input[name="graph-source"]')) {
    radio.checked = radio.value === source;
    radio.addEventListener('change', () => {
      if (!radio.checked) return;
      source = radio.value as GraphSourceName;
      editorBox.hidden = source !== 'expression';
      report();
      void forward();
    });
  }
  editorBox.hidden = source !== 'expression';
  // Parses the linked (or default) expression; forward() below draws whichever source is chosen.
  editor.setText(initial.expression);
  if (source !== 'expression') void forward();

  return { modelChanged: () => { if (source === 'model') void forward(); } };
}

let currentKernels = '';
/** The page computes on the worker's kernel set, so the graph's numbers are the training's. */
async function useKernels(name: string | undefined): Promise<void> {
  const fastest = await ready();
  const wanted = name ?? fastest;
  if (wanted !== currentKernels) { setBackend(wanted as BackendName); currentKernels = wanted; }
}
