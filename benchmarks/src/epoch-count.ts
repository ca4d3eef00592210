/**
 * Which epochs a bench row's time is: every system, peers included, trains one epoch and then TIMED_EPOCHS more,
 * and its row gives the median of those (each row's note lists them, and the first).
 *
 * Why not the first: V8 optimises chainrule's functions as they get hot, and `node --trace-opt` on the MLP's step
 * showed it still compiling them ~1 300 steps in (1.4 epochs); the first epoch in a process ran 13–33 % slower than
 * the next. Why a median of five: once in a process, V8's young generation grows (8 → 16 MiB semi-spaces) into
 * memory the process has not touched yet, and on this VM a first touch costs ~20 µs per 4 KiB page: ~4 000 page
 * faults, ~0.04–0.09 s, over two consecutive epochs. Ten epochs of the native peers' loop in one process took
 * 0.219–0.225 s, except the two with 2 000–3 500 page faults, at 0.26–0.31 s (2026-12-01, three processes; counted
 * with process.resourceUsage().minorPageFault). A median of three could land on one of those; of five it does not.
 * The Python peers' loop is the same: peers/peer_common.py's EPOCHS_TIMED.
 */
export const TIMED_EPOCHS = 5;

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
