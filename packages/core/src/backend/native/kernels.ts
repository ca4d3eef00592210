/**
 * The native kernel set: the addon's C++ kernels (`@chainrule/native`) on the tensors' own typed arrays,
 * float32 and float64, no copies. The set at the end lists which kernels run natively and which are the
 * reference set's; a native kernel whose shapes do not reduce to its loops (a binary op needing more than
 * two loops, a max reduction) hands the call to the reference set too.
 */
import type { Kernels } from '../kernels.ts';
import { referenceKernels as ref } from '../reference/index.ts';
import { plan2d, reduceBlock } from '../wasm/plan.ts';
import { BINARY_CODES, LEVEL_NAMES, UNARY_CODES, type NativeAddon } from './addon.ts';

/** The kernel set over `addon` at code path `level` (0 portable, 1 AVX2+FMA, 2 AVX-512); named 'native-<level>'. */
export function nativeKernelSet(addon: NativeAddon, level: number): Kernels {
  const name = `native-${LEVEL_NAMES[level]}`;

  const matmul: Kernels['matmul'] = (a, b, out, m, k, n, transA, transB) => addon.gemm(level, m, n, k, a, transA, b, transB, null, out);

  const linear: Kernels['linear'] = (x, w, bias, out, m, k, n) => addon.gemm(level, m, n, k, x, false, w, false, bias, out);

  const binary: Kernels['binary'] = (op, a, aStrides, b, bStrides, outShape, out) => {
    const plan = plan2d(outShape, aStrides, bStrides);
    if (!plan) { ref.binary(op, a, aStrides, b, bStrides, outShape, out); return; }
    addon.binary(BINARY_CODES[op], a, plan.aRow, plan.aInner, b, plan.bRow, plan.bInner, out, plan.outer, plan.inner);
  };

  const unary: Kernels['unary'] = (op, x, out, alpha) => addon.unary(UNARY_CODES[op], x, out, alpha);

  const reduce: Kernels['reduce'] = (op, x, shape, axes, out) => {
    const block = op === 'sum' ? reduceBlock(shape, axes) : null;
    if (!block) { ref.reduce(op, x, shape, axes, out); return; }
    addon.sum3(x, block[0], block[1], block[2], out);
  };

  const softmax: Kernels['softmax'] = (x, outer, len, inner, out, log) => addon.softmax(x, outer, len, inner, out, log);
  const logsumexp: Kernels['logsumexp'] = (x, outer, len, inner, out) => addon.logsumexp(x, outer, len, inner, out);
  const sumSquares: Kernels['sumSquares'] = (x) => addon.sumSquares(x);
  const fused: Kernels['fused'] = (program, inputs, scalars, outputs) =>
    addon.fused(program.code, program.inputs, program.scalars, program.temps, program.outputs, inputs, scalars, outputs);

  return {
    name,
    // In C++ (packages/native/src).
    matmul, linear, binary, unary, reduce, softmax, logsumexp, sumSquares, fused,
    // From the reference set: no native version (yet).
    select: ref.select, copyStrided: ref.copyStrided, pad: ref.pad, gather: ref.gather, scatterAdd: ref.scatterAdd,
    concat: ref.concat, clip: ref.clip, crossEntropy: ref.crossEntropy, crossEntropyGrad: ref.crossEntropyGrad,
  };
}
