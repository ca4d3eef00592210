/**
 * fit's random streams: the batch order (shuffle), and the augmentations a `transform` draws
 * (augment). A run starts them from its seed, saves where they stand, and a resumed run picks them up.
 */
import { describeValue, Rng, type RngState } from '@chainrule/core';

/** fit's live random streams. */
export interface FitStreams {
  /** Orders the rows each epoch. */
  readonly shuffle: Rng;
  /** What a `transform` draws from. */
  readonly augment: Rng;
}

/** Where fit's streams stand: what a checkpoint saves and a resumed run starts from. */
export interface FitRngState {
  /** The batch-order stream's state. */
  readonly shuffle: RngState;
  /** The augmentation stream's state (TransformContext.rng). */
  readonly augment: RngState;
}

/** Fresh streams from the seed's generator: augment starts 2^64 draws past shuffle, which keeps its sequence (split jumps the parent). */
export function seededStreams(shuffle: Rng): FitStreams {
  const augment = Rng.fromState(shuffle.state());
  augment.split();
  return { shuffle, augment };
}

/** Where the streams stand now. */
export const streamStates = (s: FitStreams): FitRngState => ({ shuffle: s.shuffle.state(), augment: s.augment.state() });

/** The streams at saved states, each checked (and named) the way Rng.fromState checks it. */
export function streamsFromStates(where: string, rng: unknown): FitStreams {
  if (rng === null || typeof rng !== 'object') throw new Error(`${where}: rng must be { shuffle, augment } Rng states (FitResult.rng), got ${describeValue(rng)}`);
  const { shuffle, augment } = rng as FitRngState;
  return { shuffle: Rng.fromState(shuffle, `${where}: rng.shuffle`), augment: Rng.fromState(augment, `${where}: rng.augment`) };
}
