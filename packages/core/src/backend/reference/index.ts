/** The reference kernel set: plain TypeScript, the oracle every faster set is tested against. */
import type { Kernels } from '../kernels.ts';
import { binary, clip, select, unary } from './elementwise.ts';
import { concat, copyStrided, gather, pad, scatterAdd } from './layout.ts';
import { crossEntropy, crossEntropyGrad } from './cross-entropy.ts';
import { linear, matmul } from './matmul.ts';
import { logsumexp, reduce, softmax, sumSquares } from './reduce.ts';
import { fused } from './fused.ts';

export const referenceKernels: Kernels = {
  name: 'reference',
  unary, binary, select, reduce, matmul, linear, copyStrided, pad, softmax, logsumexp, gather, scatterAdd, concat, clip,
  fused, sumSquares, crossEntropy, crossEntropyGrad,
};
