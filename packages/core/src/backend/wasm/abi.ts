/**
 * The interface between the kernel binaries (./assembly/) and this side: its version, and the exports
 * ./fast.ts calls. A binary of another version, or without one of these exports, is refused by ./load.ts.
 */
import type { BinaryKernel, UnaryKernel, Window2d } from '../kernels.ts';

/** The version of this interface (KERNELS_ABI in ./assembly/kernels.ts). */
export const KERNELS_ABI = 3;

/** The exports of a kernel binary, as ./fast.ts calls them: addresses and sizes in, results in memory. */
export interface Exports {
  PACK_A_BYTES: WebAssembly.Global;
  PACK_B_BYTES: WebAssembly.Global;
  TILE_BYTES: WebAssembly.Global;
  matmulBlock(a: number, b: number, c: number, m: number, k: number, n: number, transA: number, transB: number,
    i0: number, i1: number, j0: number, j1: number, pa: number, pb: number, tile: number): void;
  [binary: `binary${string}`]: (a: number, aRow: number, aInner: number, b: number, bRow: number, bInner: number,
    out: number, outer: number, inner: number) => void;
  [unary: `unary${string}`]: (x: number, out: number, len: number, alpha: number) => void;
  sum3(x: number, outer: number, len: number, inner: number, out: number): void;
  softmaxRows(x: number, rows: number, len: number, out: number, log: number): void;
  logsumexpRows(x: number, rows: number, len: number, out: number): void;
  addRowVector(c: number, bias: number, m: number, n: number): void;
  sumSquares(x: number, len: number): number;
  im2col(x: number, out: number, ...window: WindowSizes): void;
  col2im(cols: number, out: number, ...window: WindowSizes): void;
  maxPool2d(x: number, out: number, argmax: number, ...window: WindowSizes): void;
  avgPool2d(x: number, out: number, ...window: WindowSizes): void;
  avgPool2dBackward(g: number, out: number, ...window: WindowSizes): void;
  heapBase(): number;
}

/** A window as the window kernels of ./assembly/window.ts take it: its 14 sizes, in Window2d's order. */
export type WindowSizes = [batch: number, channels: number, height: number, width: number, kernelH: number, kernelW: number,
  strideH: number, strideW: number, padH: number, padW: number, dilationH: number, dilationW: number, outH: number, outW: number];

/** The sizes of `w`, in the order the window exports take them. */
export const windowSizes = (w: Window2d): WindowSizes => [w.batch, w.channels, w.height, w.width, w.kernelH, w.kernelW,
  w.strideH, w.strideW, w.padH, w.padW, w.dilationH, w.dilationW, w.outH, w.outW];

/** The binary ops with a wasm kernel, by code (the index into BINARY_EXPORTS; binaryJs switches on it too). */
export const BINARY_CODES: Partial<Record<BinaryKernel, number>> = { add: 0, sub: 1, mul: 2, div: 3 };
export const BINARY_EXPORTS = ['binaryAdd', 'binarySub', 'binaryMul', 'binaryDiv'] as const;
export const UNARY_EXPORTS: Partial<Record<UnaryKernel, `unary${string}`>> = {
  relu: 'unaryRelu', step: 'unaryStep', sigmoid: 'unarySigmoid', exp: 'unaryExp', neg: 'unaryNeg', abs: 'unaryAbs',
  sqrt: 'unarySqrt', square: 'unarySquare', reciprocal: 'unaryReciprocal', leakyRelu: 'unaryLeakyRelu',
};

/** Every export a binary must have: the ones above, and the two globals that describe it. */
export const REQUIRED_EXPORTS: readonly string[] = [
  'KERNELS_ABI', 'RELAXED_SIMD', 'PACK_A_BYTES', 'PACK_B_BYTES', 'TILE_BYTES', 'matmulBlock', ...BINARY_EXPORTS,
  ...Object.values(UNARY_EXPORTS), 'sum3', 'softmaxRows', 'logsumexpRows', 'addRowVector', 'sumSquares',
  'im2col', 'col2im', 'maxPool2d', 'avgPool2d', 'avgPool2dBackward', 'heapBase',
];
