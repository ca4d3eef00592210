/**
 * The MNIST CNN of the CNN rows and the convolutions whose GFLOP/s are timed. They live in peers/cnn.json so
 * the PyTorch peer reads the same net, batch, step count and shapes.
 */
import { readFileSync } from 'node:fs';

/** One convolution of the net at training size: x [n, c, h, w] · w [o, c, k, k], stride 1, no padding. */
export interface ConvShape {
  /** 'conv1', 'conv2': the layer, as the GFLOP/s keys start. */
  readonly key: string;
  readonly n: number;
  readonly c: number;
  readonly h: number;
  readonly w: number;
  readonly o: number;
  readonly k: number;
  readonly use: string;
}

/** forward (y from x and w), dx (input gradient), dw (weight gradient). */
export type ConvPass = 'forward' | 'dx' | 'dw';

interface CnnFile {
  net: string;
  batch: number;
  lr: number;
  timed_batches: number;
  dense: number[];
  convs: ConvShape[];
  passes: { key: ConvPass; use: string }[];
}

const file = JSON.parse(readFileSync(new URL('../peers/cnn.json', import.meta.url), 'utf8')) as CnnFile;

/** The net in words, batch, SGD step size, and how many batches a CNN row times (then scaled to an epoch). */
export const CNN = {
  net: file.net,
  batch: file.batch,
  lr: file.lr,
  samples: 60_000,
  timedBatches: file.timed_batches,
  /** Widths of the dense layers after flatten: [512, 128, 10]. */
  dense: file.dense as readonly number[],
} as const;

export const CONV_SHAPES: readonly ConvShape[] = file.convs;
export const CONV_PASSES: readonly { readonly key: ConvPass; readonly use: string }[] = file.passes;

/** The output's height and width (stride 1, no padding). */
export const convOut = (s: ConvShape): [number, number] => [s.h - s.k + 1, s.w - s.k + 1];

/** FLOP of one pass (forward, dx or dw: the same count): 2·n·o·c·k·k·outH·outW. */
export function convFlop(s: ConvShape): number {
  const [oh, ow] = convOut(s);
  return 2 * s.n * s.o * s.c * s.k * s.k * oh * ow;
}

/** The GFLOP/s key of a layer's pass, e.g. 'conv2 dw'. Python's peer builds the same keys. */
export const convKey = (s: ConvShape, pass: ConvPass): string => `${s.key} ${pass}`;

/** 'x [64,16,12,12] · w [32,16,5,5] → [64,32,8,8]', for the table. */
export function describeConv(s: ConvShape): string {
  const [oh, ow] = convOut(s);
  return `x [${s.n},${s.c},${s.h},${s.w}] · w [${s.o},${s.c},${s.k},${s.k}] → [${s.n},${s.o},${oh},${ow}]`;
}

/**
 * FLOP of one training epoch's convolutions and matmuls (60 000 samples): conv1 forward and dw (its input needs
 * no gradient), conv2 forward, dx and dw, and the two dense layers forward, dW and dX. Pooling, ReLU, the loss
 * and the update are left out, as the MLP's count leaves out everything but matmuls.
 */
export const CNN_EPOCH_FLOP: number = (() => {
  const [first, ...rest] = CONV_SHAPES;
  const convPerBatch = (first ? 2 * convFlop(first) : 0) + rest.reduce((sum, s) => sum + 3 * convFlop(s), 0);
  let densePerSample = 0;
  for (let i = 0; i + 1 < CNN.dense.length; i++) densePerSample += 3 * 2 * CNN.dense[i]! * CNN.dense[i + 1]!;
  return (convPerBatch / CNN.batch + densePerSample) * CNN.samples;
})();
