/**
 * How chainrule's runs time things, shared by the MLP runner (chainrule-run.ts) and the CNN runner
 * (chainrule-cnn-run.ts): a warm-up that outlasts V8's tiering, and the best of a few rounds of a kernel call,
 * as the peers time theirs (peers/peer_common.py's time_matmuls).
 */

/**
 * Runs `step` at least five times and for at least WARM_UP_MS. V8 starts wasm code on its baseline
 * compiler and swaps in optimised code once a function is hot; the peers (Python, XNNPACK) have no
 * such warm-up, so it is left out of the time, like JIT warm-up in any steady-state benchmark.
 */
export const WARM_UP_MS = 300;
export function warmUp(step: (i: number) => void): void {
  const t0 = performance.now();
  for (let i = 0; i < 5 || performance.now() - t0 < WARM_UP_MS; i++) step(i);
}

/**
 * Seconds per call: one call (the peers' warm-up call), then the best of up to three rounds of enough
 * calls to fill `roundSeconds` (none when one call takes over a second, one when it takes over 0.3 s).
 * Returns the time and the calls per round, for the log.
 */
export function bestSecondsPerCall(call: () => void, roundSeconds: number): { seconds: number; reps: number; rounds: number } {
  let t0 = performance.now();
  call();
  const one = Math.max((performance.now() - t0) / 1000, 1e-7);
  const reps = Math.max(1, Math.ceil(roundSeconds / one));
  const rounds = one > 1 ? 0 : one > 0.3 ? 1 : 3;
  let best = one;
  for (let r = 0; r < rounds; r++) {
    t0 = performance.now();
    for (let i = 0; i < reps; i++) call();
    best = Math.min(best, (performance.now() - t0) / 1000 / reps);
  }
  return { seconds: best, reps, rounds };
}
