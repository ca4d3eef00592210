/**
 * fit's random streams: the batch order (shuffle), the augmentations a `transform` draws (augment),
 * and the masks dropout layers draw each step (dropout). A run starts them from its seed, saves where
 * they stand, and a resumed run picks them up.
 */
import { describeValue, Rng, type RngState } from '@chainrule/core';

/** fit's live random streams. */
export interface FitStreams {
  /** Orders the rows each epoch. */
  readonly shuffle: Rng;
  /** What a `transform` draws from. */
  readonly augment: Rng;
  /** What random layers (dropout) draw from, step after step. */
  readonly dropout: Rng;
}

/** Where fit's streams stand: what a checkpoint saves and a resumed run starts from. */
export interface FitRngState {
  /** The batch-order stream's state. */
  readonly shuffle: RngState;
  /** The augmentation stream's state (TransformContext.rng). */
  readonly augment: RngState;
  /** The dropout stream's state (absent in checkpoints written before it: it then starts where a fresh run's would). */
  readonly dropout?: RngState;
}

/**
 * Fresh streams from the seed's generator: augment starts 2^64 draws past shuffle and dropout 2·2^64,
 * which keeps shuffle's sequence (split jumps the parent, not the stream it is called on).
 */
export function seededStreams(shuffle: Rng): FitStreams {
  return { shuffle, augment: jumped(shuffle.state(), 1), dropout: jumped(shuffle.state(), 2) };
}

function jumped(state: RngState, times: number): Rng {
  const r = Rng.fromState(state);
  for (let i = 0; i < times; i++) r.split();
  return r;
}

/** Where the streams stand now. */
export const streamStates = (s: FitStreams): FitRngState => ({ shuffle: s.shuffle.state(), augment: s.augment.state(), dropout: s.dropout.state() });

/** The streams at saved states, each checked (and named) the way Rng.fromState checks it. */
export function streamsFromStates(where: string, rng: unknown): FitStreams {
  if (rng === null || typeof rng !== 'object') throw new Error(`${where}: rng must be { shuffle, augment } Rng states (FitResult.rng), got ${describeValue(rng)}`);
  const { shuffle, augment, dropout } = rng as FitRngState;
  const s = Rng.fromState(shuffle, `${where}: rng.shuffle`);
  // A state saved before the dropout stream existed: start it where a fresh run from that shuffle state would.
  const d = dropout === undefined ? jumped(s.state(), 2) : Rng.fromState(dropout, `${where}: rng.dropout`);
  return { shuffle: s, augment: Rng.fromState(augment, `${where}: rng.augment`), dropout: d };
}
