/**
 * The page: it keeps the current state (and the URL that stands for it), sends it to the training worker,
 * and draws the worker's snapshots once per animation frame. Bad settings, typed or linked, are shown and
 * the last good state stays in force.
 */
import { settingsForm } from './controls/form.ts';
import type { GraphPanel } from './graph/panel.ts';
import { graphQuery, readGraphView, type GraphView } from './graph/view-state.ts';
import type { Command, GraphSource, Report, RunInfo, Snapshot } from './protocol.ts';
import { decodeState, encodeState } from './state/url.ts';
import { checkState } from './state/validate.ts';
import type { PlaygroundState } from './state/state.ts';
import { drawCurve } from './views/curve.ts';
import { drawDigits } from './views/digits.ts';
import { drawLossChart } from './views/loss-chart.ts';
import { drawPlane } from './views/plane.ts';
import { addWarnings, setNumber, showStatus } from './views/status.ts';

const byId = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const view = byId<HTMLCanvasElement>('view');
const chart = byId<HTMLCanvasElement>('loss-chart');
const playButton = byId<HTMLButtonElement>('play');

const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
const send = (c: Command) => worker.postMessage(c);

let current: PlaygroundState;
/** Configure commands sent: the worker numbers runs the same way, so reports of an older run are dropped. */
let runId = 0;
let run: RunInfo | undefined;
let latest: Snapshot | undefined;
let curves: { steps: number[]; train: [number, number][]; validation: [number, number][] } = { steps: [], train: [], validation: [] };
let lastStepLoss: number | undefined;
let playing = false;
let drawPending = false;
/** The graph panel's view (in the URL after the state) and the panel, loaded when first opened. */
let graphView: GraphView = readGraphView(location.search);
let graphPanel: GraphPanel | undefined;
/** The panel's requests for the current params, answered by the worker's next graphSource report. */
let sourceWaiters: { resolve: (s: GraphSource) => void; reject: (e: Error) => void }[] = [];
/** Frames drawn and the step count since the rates were last shown (once a second while playing). */
const speed = { frames: 0, since: performance.now(), step: 0 };

function showProblems(problems: readonly string[], heading = 'Not applied (the last good settings stay in force):'): void {
  const box = byId<HTMLDivElement>('problems');
  box.hidden = problems.length === 0;
  box.replaceChildren();
  if (problems.length === 0) return;
  const title = document.createElement('strong');
  title.textContent = heading;
  const list = document.createElement('ul');
  list.append(...problems.map((p) => Object.assign(document.createElement('li'), { textContent: p })));
  box.append(title, list);
}

/** The URL query for a state, with the graph panel's part. */
const linkOf = (state: PlaygroundState): string => encodeState(state) + graphQuery(graphView);

/** Makes `state` the page's, writes it to the URL (unless it came from there) and starts a fresh run. */
function apply(state: PlaygroundState, fromUrl = false): void {
  current = state;
  form.show(state);
  if (!fromUrl || location.search !== linkOf(state)) history.replaceState(null, '', linkOf(state));
  reset();
}

function reset(): void {
  runId++;
  run = undefined;
  latest = undefined;
  curves = { steps: [], train: [], validation: [] };
  lastStepLoss = undefined;
  byId('warnings').replaceChildren();
  byId('failure').hidden = true;
  setPlaying(false);
  send({ type: 'configure', state: current });
}

function setPlaying(on: boolean): void {
  playing = on;
  playButton.textContent = on ? 'Pause' : 'Play';
  playButton.setAttribute('aria-pressed', String(on));
  speed.frames = 0;
  speed.since = performance.now();
  speed.step = latest?.step ?? 0;
}

const form = settingsForm((candidate) => {
  const checked = checkState(candidate);
  if (checked.state) { showProblems([]); apply(checked.state); } else showProblems(checked.problems);
});

worker.onmessage = (e: MessageEvent<Report>) => {
  const r = e.data;
  if (r.run !== runId) return;
  if (r.type === 'run') {
    run = r;
    byId('summary').textContent = `${r.paramCount} parameters\n${r.summary}`;
    graphPanel?.modelChanged();
    return;
  }
  if (r.type === 'graphSource') {
    const waiting = sourceWaiters;
    sourceWaiters = [];
    waiting.forEach((w) => w.resolve(r));
    return;
  }
  if (r.type === 'failed') {
    const box = byId('failure');
    box.textContent = `Training stopped: ${r.message}. Change a setting or press Reset.`;
    box.hidden = false;
    // A run that could not be built has no params to send: the graph panel says so instead of waiting.
    const waiting = sourceWaiters;
    sourceWaiters = [];
    waiting.forEach((w) => w.reject(new Error(r.message)));
    setPlaying(false);
    return;
  }
  curves.steps.push(...r.stepLosses);
  lastStepLoss = r.stepLosses.at(-1) ?? lastStepLoss;
  curves.train.push([r.step, r.trainLoss]);
  curves.validation.push([r.step, r.validationLoss]);
  addWarnings(r.warnings);
  if (r.playing !== playing) setPlaying(r.playing);
  latest = r;
  if (!drawPending) { drawPending = true; requestAnimationFrame(draw); }
};

// A worker that cannot start (a module that does not load) would otherwise leave the page silent.
worker.onerror = (e) => {
  const box = byId('failure');
  box.textContent = `The training worker failed: ${e.message || 'it could not load'}. Reload the page; if it persists, the browser may lack WebAssembly SIMD or module workers.`;
  box.hidden = false;
};

/** One frame: the newest snapshot in every view (older ones that arrived within the frame are skipped). */
function draw(): void {
  drawPending = false;
  if (!latest || !run) return;
  if (run.task === 'curve') drawCurve(view, run, latest.prediction);
  else if (run.task === 'digits') drawDigits(view, run, latest.prediction);
  else drawPlane(view, run, latest.prediction);
  drawLossChart(chart, curves);
  showStatus(latest, lastStepLoss);
  speed.frames++;
  const seconds = (performance.now() - speed.since) / 1000;
  if (playing && seconds >= 1) {
    setNumber('frames-per-second', speed.frames / seconds, 3);
    setNumber('steps-per-second', (latest.step - speed.step) / seconds, 4);
    speed.frames = 0;
    speed.since = performance.now();
    speed.step = latest.step;
  }
  view.dataset.step = String(latest.step);
}

playButton.addEventListener('click', () => { send({ type: playing ? 'pause' : 'play' }); setPlaying(!playing); });
byId('step').addEventListener('click', () => { setPlaying(false); send({ type: 'step', count: 1 }); });
byId('reset').addEventListener('click', reset);

/** Shows or hides the graph panel, loading it the first time it opens. */
async function showGraphPanel(open: boolean): Promise<void> {
  graphView = { ...graphView, open };
  byId('graph-body').hidden = !open;
  const toggle = byId('graph-toggle');
  toggle.textContent = open ? 'Hide' : 'Show';
  toggle.setAttribute('aria-expanded', String(open));
  history.replaceState(null, '', linkOf(current));
  if (!open || graphPanel) return;
  try {
    const { graphPanel: create } = await import('./graph/panel.ts');
    graphPanel = create({
      state: () => current,
      backend: () => run?.backend,
      graphSource: () => new Promise((resolve, reject) => { sourceWaiters.push({ resolve, reject }); send({ type: 'graphSource' }); }),
      changed: (view) => { graphView = view; history.replaceState(null, '', linkOf(current)); },
    }, graphView);
  } catch (e) {
    const box = byId('failure');
    box.textContent = `The graph panel failed to load: ${(e as Error).message}. Reload the page.`;
    box.hidden = false;
  }
}
byId('graph-toggle').addEventListener('click', () => void showGraphPanel(!graphView.open));
window.addEventListener('popstate', () => {
  const { state, problems } = decodeState(location.search, current);
  showProblems(problems, 'The link\'s settings were not used:');
  apply(state, true);
});

const start = decodeState(location.search);
apply(start.state, true);
if (graphView.open) void showGraphPanel(true);
showProblems(start.problems, 'The link\'s settings were not used (the page kept its defaults):');
