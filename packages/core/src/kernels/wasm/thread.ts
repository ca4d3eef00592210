/**
 * One helper thread for big matmuls, over the same shared WebAssembly memory. A job is cut into a few
 * chunks (column or row ranges of C) that both threads claim; the main thread claims too, so a worker
 * that is late (its core busy with other work) costs little: the main thread does its chunks.
 * Both sides spin a bounded while before sleeping in `Atomics.wait`, because waking a sleeping thread
 * costs ~40 µs here and a spinning handoff ~0.3 µs.
 */

/** Int32 slots of the control block. */
const SEQ = 0; // job number, bumped by the main thread to start a job
const FINISHED = 1; // chunks of the current job finished
const CHUNKS = 2; // chunks in the current job
const BY_COLS = 3; // 1: chunks are column ranges, 0: row ranges
const READY = 4; // set by the worker once it has instantiated the module
const CLAIM = 5; // MAX_CHUNKS slots; chunk i of job s is claimed by moving CLAIM+i from s-1 to s
export const MAX_CHUNKS = 4;
const ARGS = CLAIM + MAX_CHUNKS; // a, b, c, m, k, n, transA, transB, then the worker's pa, pb, tile
const SLOTS = ARGS + 11;
export const CONTROL_BYTES = SLOTS * 4;

/** Polls (a few hundred µs) before sleeping. */
const SPIN = 200_000;

/** Range [lo, hi) of chunk i when `total` rows or columns go in `chunks` pieces of whole `unit`s. */
const BOUNDS = `function bounds(total, unit, chunks, i) {
  const at = (j) => Math.min(total, Math.ceil((total * j) / chunks / unit) * unit);
  return [at(i), at(i + 1)];
}`;
const bounds = new Function(`${BOUNDS}; return bounds;`)() as (total: number, unit: number, chunks: number, i: number) => [number, number];

/** Claims and runs chunks of job `seq` until none are left (pa, pb, tile: this thread's packing buffers); returns how many it ran. */
const RUN = `function runChunks(w, c, seq, pa, pb, tile) {
  const chunks = c[${CHUNKS}], byCols = c[${BY_COLS}];
  let ran = 0;
  for (let i = 0; i < chunks; i++) {
    if (Atomics.compareExchange(c, ${CLAIM} + i, seq - 1, seq) !== seq - 1) continue;
    const m = c[${ARGS + 3}], n = c[${ARGS + 5}];
    const [lo, hi] = byCols ? bounds(n, 8, chunks, i) : bounds(m, 4, chunks, i);
    if (lo < hi) {
      w.matmulBlock(c[${ARGS}], c[${ARGS + 1}], c[${ARGS + 2}], m, c[${ARGS + 4}], n, c[${ARGS + 6}], c[${ARGS + 7}],
        byCols ? 0 : lo, byCols ? m : hi, byCols ? lo : 0, byCols ? hi : n, pa, pb, tile);
    }
    Atomics.add(c, ${FINISHED}, 1);
    Atomics.notify(c, ${FINISHED});
    ran++;
  }
  return ran;
}`;
type Wasm = { matmulBlock(...args: number[]): void };
const runChunks = new Function('bounds', `${RUN}; return runChunks;`)(bounds) as
  (w: Wasm, c: Int32Array, seq: number, pa: number, pb: number, tile: number) => number;

/** After this many jobs in a row where the worker took no chunk, run alone for REST jobs, then try again. */
const MISSES = 2;
const REST = 50;

// Runs inside the worker (CommonJS eval).
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { module, memory, control, spin } = workerData;
const w = new WebAssembly.Instance(module, { env: { memory, abort() { throw new Error('wasm abort'); } } }).exports;
const c = new Int32Array(memory.buffer, control, ${SLOTS});
Atomics.store(c, ${READY}, 1);
${BOUNDS}
${RUN}
let seen = 0;
for (;;) {
  let polls = 0;
  while (Atomics.load(c, ${SEQ}) === seen) {
    if (++polls > spin) { Atomics.wait(c, ${SEQ}, seen); polls = 0; }
  }
  seen = Atomics.load(c, ${SEQ});
  if (seen < 0) break;
  runChunks(w, c, seen, c[${ARGS + 8}], c[${ARGS + 9}], c[${ARGS + 10}]);
}
`;

interface WorkerLike { unref(): void; terminate(): Promise<number> }
interface WorkerThreads {
  Worker: new (code: string, options: { eval: true; workerData: unknown }) => WorkerLike;
}

export class HelperThread {
  private seq = 0;
  private misses = 0;
  private resting = 0;
  /** Jobs handed to the worker, and chunks of them it ran (for tests and tuning). */
  readonly stats = { jobs: 0, workerChunks: 0 };

  private constructor(private readonly worker: WorkerLike, private readonly c: Int32Array) {}

  /** Starts the worker, or returns null where there are no worker threads. */
  static start(module: WebAssembly.Module, memory: WebAssembly.Memory, control: number): HelperThread | null {
    const proc = (globalThis as { process?: { getBuiltinModule?(id: string): unknown } }).process;
    const wt = proc?.getBuiltinModule?.('node:worker_threads') as WorkerThreads | undefined;
    if (!wt) return null;
    const worker = new wt.Worker(WORKER_SOURCE, { eval: true, workerData: { module, memory, control, spin: SPIN } });
    worker.unref(); // never keeps the process alive
    return new HelperThread(worker, new Int32Array(memory.buffer, control, SLOTS));
  }

  /** Whether the worker has started. */
  ready(): boolean {
    return Atomics.load(this.c, READY) === 1;
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
    const c = this.c;
    const seq = ++this.seq;
    for (let i = 0; i < 8; i++) c[ARGS + i] = args[i]!;
    c[ARGS + 8] = theirs[0]!; c[ARGS + 9] = theirs[1]!; c[ARGS + 10] = theirs[2]!;
    c[CHUNKS] = chunks;
    c[BY_COLS] = byCols ? 1 : 0;
    c[FINISHED] = MAX_CHUNKS - chunks; // unused slots count as finished...
    for (let i = chunks; i < MAX_CHUNKS; i++) c[CLAIM + i] = seq; // ...and claimed
    Atomics.store(c, SEQ, seq);
    Atomics.notify(c, SEQ);
    const ran = runChunks(w, c, seq, mine[0]!, mine[1]!, mine[2]!);
    this.stats.jobs++;
    this.stats.workerChunks += chunks - ran;
    if (ran < chunks) this.misses = 0;
    else if (++this.misses >= MISSES) { this.misses = 0; this.resting = REST; }
    // Wait for a chunk the worker is still on.
    let polls = 0;
    for (let done = Atomics.load(c, FINISHED); done !== MAX_CHUNKS; done = Atomics.load(c, FINISHED)) {
      if (++polls > SPIN) Atomics.wait(c, FINISHED, done, 1);
    }
  }

  stop(): void {
    Atomics.store(this.c, SEQ, -1);
    Atomics.notify(this.c, SEQ);
    void this.worker.terminate();
  }
}
