/** The reference kernel set: plain TypeScript, the oracle every faster set is tested against. */
import type { Kernels } from '../kernels.ts';
import { binary, clip, select, unary } from './elementwise.ts';
import { concat, copyStrided, gather, pad, scatterAdd, takeRows } from './layout.ts';
import { crossEntropy, crossEntropyGrad } from './cross-entropy.ts';
import { linear, matmul } from './matmul.ts';
import { logsumexp, reduce, softmax, sumSquares } from './reduce.ts';
import { fused } from './fused.ts';
import { avgPool2d, avgPool2dBackward, col2im, im2col, maxPool2d } from './window.ts';

/**
 * The reference kernel set, named 'reference': every kernel as a plain TypeScript loop, in float64
 * arithmetic rounded to the output's dtype. Slow, simple and the same everywhere: the oracle the faster
 * sets are tested against, and the fallback for any kernel a custom set leaves out.
 *
 * @example
 * ```ts
 * import { referenceKernels, setBackend } from '@chainrule/core/backend';
 * setBackend(referenceKernels);   // as setBackend('reference')
 * ```
 */
export const referenceKernels: Kernels = {
  name: 'reference',
  unary, binary, select, reduce, matmul, linear, copyStrided, pad, softmax, logsumexp, gather, scatterAdd, takeRows, concat, clip,
  fused, sumSquares, crossEntropy, crossEntropyGrad, im2col, col2im, maxPool2d, avgPool2d, avgPool2dBackward,
};
