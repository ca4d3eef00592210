/**
 * The training worker: it owns the run, so training never blocks the page's input. Play trains in slices,
 * posting a snapshot after each and yielding to the message queue, so Pause and new settings are seen
 * within one slice. A slice trains for SLICE_MS, or as long as the last snapshot took if that was longer:
 * at least half the time goes to training, however costly the views' predictions get.
 */
import { ready, setBackend, type BackendName } from '@chainrule/core';
import type { Command, Report } from './protocol.ts';
import type { PlaygroundState } from './state/state.ts';
import { loadRunData } from './train/data.ts';
import { Run } from './train/run.ts';

/** Training time between snapshots: about one frame at 60 Hz. */
const SLICE_MS = 16;

const scope = self as unknown as { postMessage(m: Report, transfer?: Transferable[]): void; onmessage: ((e: MessageEvent<Command>) => void) | null };
const post = (m: Report) => scope.postMessage(m, m.type === 'snapshot' ? [m.prediction.buffer as ArrayBuffer] : []);

let run: Run | undefined;
let runs = 0;
let playing = false;
/** How long the last snapshot took: a slice of play trains at least as long. */
let snapshotCost = 0;
const fastest = ready();

async function configure(state: PlaygroundState): Promise<void> {
  playing = false;
  const best = await fastest;
  const id = ++runs;
  try {
    // A pinned set this browser cannot run (no relaxed SIMD) is refused with setBackend's reason.
    setBackend((state.kernels === 'fastest' ? best : state.kernels) as BackendName);
    run = new Run(id, state, await loadRunData(state));
  } catch (e) {
    run = undefined;
    post({ type: 'failed', run: id, message: (e as Error).message });
    return;
  }
  post(run.info());
  snapshot();
}

function snapshot(): void {
  if (!run) return;
  const started = performance.now();
  post(run.snapshot(playing));
  snapshotCost = performance.now() - started;
}

/** Steps until `more()` says stop; on a failed step, stops playing and says why. */
function train(more: (done: number) => boolean): boolean {
  if (!run) return false;
  let done = 0;
  try {
    while (more(done)) { run.step(); done++; }
    return true;
  } catch (e) {
    playing = false;
    snapshot();
    post({ type: 'failed', run: run.id, message: (e as Error).message });
    return false;
  }
}

function slice(): void {
  if (!playing || !run) return;
  const until = performance.now() + Math.max(SLICE_MS, snapshotCost);
  if (!train(() => performance.now() < until)) return;
  snapshot();
  setTimeout(slice, 0);
}

/** Commands run one after another: a step sent while a configure awaits the kernels waits for it. */
let queue = Promise.resolve();
scope.onmessage = (e) => {
  const command = e.data;
  // A command that throws is reported and the queue goes on: a rejected link would skip every later command.
  queue = queue.then(() => {
    switch (command.type) {
      case 'configure': return configure(command.state);
      case 'step':
        playing = false;
        if (train((done) => done < command.count)) snapshot();
        return;
      case 'play':
        if (!playing && run) { playing = true; setTimeout(slice, 0); }
        return;
      case 'pause':
        if (playing) { playing = false; snapshot(); }
        return;
      case 'graphSource':
        if (run) post(run.graphSource());
        return;
    }
  }).catch((err: unknown) => {
    playing = false;
    post({ type: 'failed', run: runs, message: (err as Error).message ?? String(err) });
  });
};
