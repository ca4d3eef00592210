/**
 * Which epochs a bench row's time is: every system, peers included, trains one epoch and then TIMED_EPOCHS more,
 * and its row gives the median of those (each row's note lists them, and the first).
 *
 * Why not the first: V8 optimises chainrule's functions as they get hot, and `node --trace-opt` on the MLP's step
 * showed it still compiling them ~1 300 steps in (1.4 epochs); the first epoch in a process ran 13–33 % slower than
 * the next. Why a median of three, not one epoch: this shared VM has slow spells of a fraction of a second to a few
 * seconds. Twelve epochs of the native peers' loop in one process took 0.23–0.25 s, except spells at 0.27–0.39 s
 * (2026-11-30, four processes); one epoch per round made a row's number a matter of luck. The Python peers' loop is
 * the same: peers/peer_common.py's EPOCHS.
 */
export const TIMED_EPOCHS = 3;

/** The median of a non-empty list (the mean of the middle two for an even length). */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) throw new Error('median of no values');
  const s = [...xs].sort((a, b) => a - b), m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** What a row's note says of its epochs: the timed ones and the first (seconds, to `digits` places). */
export function epochsNote(first: number, timed: readonly number[], digits = 3): string {
  return `the median of epochs 2–${timed.length + 1} (${timed.map((t) => t.toFixed(digits)).join(', ')} s; the first took ${first.toFixed(digits)} s)`;
}
