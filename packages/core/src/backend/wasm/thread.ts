/**
 * One helper thread for big matmuls, over the same shared WebAssembly memory. A job is cut into a few
 * chunks (column or row ranges of C) that both threads claim; the main thread claims too, so a worker
 * that is late (its core busy with other work) costs little: the main thread does its chunks.
 * Both sides spin a bounded while before sleeping in `Atomics.wait`, because waking a sleeping thread
 * costs ~40 µs here and a spinning handoff ~0.3 µs.
 */

/**
 * Int32 slots of the control block. Passed to the functions below as an argument (and to the worker in its
 * workerData), since their source text must not name anything outside them.
 */
const SLOT = {
  SEQ: 0, // job number, bumped by the main thread to start a job
  FINISHED: 1, // chunks of the current job finished
  CHUNKS: 2, // chunks in the current job
  BY_COLS: 3, // 1: chunks are column ranges, 0: row ranges
  READY: 4, // set by the worker once it has instantiated the module
  CLAIM: 5, // MAX_CHUNKS slots; chunk i of job s is claimed by moving CLAIM+i from s-1 to s
  ARGS: 5 + 4, // a, b, c, m, k, n, transA, transB, then the worker's pa, pb, tile
  COUNT: 5 + 4 + 11,
} as const;
type Slots = typeof SLOT;
export const MAX_CHUNKS = 4;
export const CONTROL_BYTES = SLOT.COUNT * 4;

/** Polls (a few hundred µs) before sleeping. */
const SPIN = 200_000;

type Wasm = { matmulBlock(...args: number[]): void };

// The two functions below run on both threads: the main thread calls them, and the worker gets their
// source text (Function.prototype.toString) in its code, so the logic is written once and no string is
// ever compiled on the main thread. For that they are self-contained: they name nothing outside
// themselves but their arguments and globals (Atomics, Math), and define no functions inside (bundlers
// that keep function names would insert calls to a helper the worker lacks). The worker runs them once
// before it reports ready, so a break shows up as a worker that never helps, not as a hang.

/**
 * Claims and runs chunks of job `seq` until none are left (pa, pb, tile: this thread's packing buffers);
 * returns how many it ran. Chunk i covers rows or columns [lo, hi) of C, cut in whole tiles (4 rows, 8 columns).
 */
export function runChunks(w: Wasm, c: Int32Array, S: Slots, seq: number, pa: number, pb: number, tile: number): number {
  const chunks = c[S.CHUNKS]!, byCols = c[S.BY_COLS]!;
  const m = c[S.ARGS + 3]!, n = c[S.ARGS + 5]!;
  const total = byCols ? n : m, unit = byCols ? 8 : 4;
  let ran = 0;
  for (let i = 0; i < chunks; i++) {
    if (Atomics.compareExchange(c, S.CLAIM + i, seq - 1, seq) !== seq - 1) continue;
    const lo = Math.min(total, Math.ceil((total * i) / chunks / unit) * unit);
    const hi = Math.min(total, Math.ceil((total * (i + 1)) / chunks / unit) * unit);
    if (lo < hi) {
      w.matmulBlock(c[S.ARGS]!, c[S.ARGS + 1]!, c[S.ARGS + 2]!, m, c[S.ARGS + 4]!, n, c[S.ARGS + 6]!, c[S.ARGS + 7]!,
        byCols ? 0 : lo, byCols ? m : hi, byCols ? lo : 0, byCols ? hi : n, pa, pb, tile);
    }
    Atomics.add(c, S.FINISHED, 1);
    Atomics.notify(c, S.FINISHED);
    ran++;
  }
  return ran;
}

/** The worker's life: check `run` (runChunks) works, report ready, then wait for jobs and help with them until SEQ goes negative. */
export function workerLoop(w: Wasm, c: Int32Array, S: Slots, spin: number, run: typeof runChunks): void {
  const test = new Int32Array(S.COUNT); // a job of one empty chunk, on private memory: throws here if the source broke
  test[S.CHUNKS] = 1;
  run(w, test, S, 1, 0, 0, 0);
  Atomics.store(c, S.READY, 1);
  let seen = 0;
  for (;;) {
    let polls = 0;
    while (Atomics.load(c, S.SEQ) === seen) {
      if (++polls > spin) { Atomics.wait(c, S.SEQ, seen); polls = 0; }
    }
    seen = Atomics.load(c, S.SEQ);
    if (seen < 0) break;
    run(w, c, S, seen, c[S.ARGS + 8]!, c[S.ARGS + 9]!, c[S.ARGS + 10]!);
  }
}

/** After this many jobs in a row where the worker took no chunk, run alone for REST jobs, then try again. */
const MISSES = 2;
const REST = 50;

/** The worker's program (CommonJS, run by `new Worker(source, { eval: true })`): instantiate, then workerLoop. */
const workerSource = () => `
const { workerData: d } = require('node:worker_threads');
const w = new WebAssembly.Instance(d.module, { env: { memory: d.memory, abort() { throw new Error('wasm abort'); } } }).exports;
(${workerLoop.toString()})(w, new Int32Array(d.memory.buffer, d.control, d.slots.COUNT), d.slots, d.spin, ${runChunks.toString()});
`;

interface WorkerLike { unref(): void; terminate(): Promise<number>; on(event: 'error', listener: (error: Error) => void): void }
interface WorkerThreads {
  Worker: new (code: string, options: { eval: true; workerData: unknown }) => WorkerLike;
}

/**
 * The helper thread. Node only: it is a `node:worker_threads` Worker (browsers would need a Worker from a
 * URL and cross-origin isolation for shared memory), so `threads: 2` is refused outside Node.
 */
export class HelperThread {
  private seq = 0;
  private misses = 0;
  private resting = 0;
  /** Jobs handed to the worker, and chunks of them it ran (for tests and tuning). */
  readonly stats = { jobs: 0, workerChunks: 0 };

  private constructor(private readonly worker: WorkerLike, private readonly c: Int32Array) {}

  /** Starts the worker, or returns null where there are no worker threads (outside Node). */
  static start(module: WebAssembly.Module, memory: WebAssembly.Memory, control: number): HelperThread | null {
    const proc = (globalThis as { process?: { versions?: { node?: string }; getBuiltinModule?(id: string): unknown } }).process;
    const wt = proc?.versions?.node ? proc.getBuiltinModule?.('node:worker_threads') as WorkerThreads | undefined : undefined;
    if (!wt) return null;
    const worker = new wt.Worker(workerSource(), { eval: true, workerData: { module, memory, control, spin: SPIN, slots: SLOT } });
    worker.unref(); // never keeps the process alive
    // A worker that fails before it is ready is never handed a job: matmuls run on the main thread alone.
    worker.on('error', (e) => console.warn(`chainrule: the matmul helper thread failed, matmuls run on one thread: ${e.message}`));
    return new HelperThread(worker, new Int32Array(memory.buffer, control, SLOT.COUNT));
  }

  /** Whether the worker has started. */
  ready(): boolean {
    return Atomics.load(this.c, SLOT.READY) === 1;
  }

  /**
   * Whether to hand out the next job. A worker that keeps missing jobs has no free core (other work
   * holds it): splitting then only adds overhead, so the main thread works alone for a while.
   */
  available(): boolean {
    if (!this.ready()) return false; // still starting (tens of ms): not a miss
    if (this.resting === 0) return true;
    this.resting--;
    return false;
  }

  /**
   * C = op(A)·op(B) in `chunks` pieces shared with the worker. `args` are a, b, c, m, k, n, transA,
   * transB; `mine` and `theirs` are [pa, pb, tile] packing buffers for each thread.
   */
  matmul(w: Wasm, args: readonly number[], byCols: boolean, chunks: number, mine: readonly number[], theirs: readonly number[]): void {
    const c = this.c, S = SLOT;
    const seq = ++this.seq;
    for (let i = 0; i < 8; i++) c[S.ARGS + i] = args[i]!;
    c[S.ARGS + 8] = theirs[0]!; c[S.ARGS + 9] = theirs[1]!; c[S.ARGS + 10] = theirs[2]!;
    c[S.CHUNKS] = chunks;
    c[S.BY_COLS] = byCols ? 1 : 0;
    c[S.FINISHED] = MAX_CHUNKS - chunks; // unused slots count as finished...
    for (let i = chunks; i < MAX_CHUNKS; i++) c[S.CLAIM + i] = seq; // ...and claimed
    Atomics.store(c, S.SEQ, seq);
    Atomics.notify(c, S.SEQ);
    const ran = runChunks(w, c, S, seq, mine[0]!, mine[1]!, mine[2]!);
    this.stats.jobs++;
    this.stats.workerChunks += chunks - ran;
    if (ran < chunks) this.misses = 0;
    else if (++this.misses >= MISSES) { this.misses = 0; this.resting = REST; }
    // Wait for a chunk the worker is still on.
    let polls = 0;
    for (let done = Atomics.load(c, S.FINISHED); done !== MAX_CHUNKS; done = Atomics.load(c, S.FINISHED)) {
      if (++polls > SPIN) Atomics.wait(c, S.FINISHED, done, 1);
    }
  }

  stop(): void {
    Atomics.store(this.c, SLOT.SEQ, -1);
    Atomics.notify(this.c, SLOT.SEQ);
    void this.worker.terminate();
  }
}
