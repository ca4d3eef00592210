/** Reference matmul: transposed operands are copied to row-major, then an i-k-j loop. */
import type { TypedArray } from '../../dtype.ts';

function transposed(x: TypedArray, rows: number, cols: number): TypedArray {
  const t = new (x.constructor as Float64ArrayConstructor)(x.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = x[r * cols + c]!;
  return t;
}

export function matmul(a: TypedArray, b: TypedArray, out: TypedArray, m: number, k: number, n: number, transA: boolean, transB: boolean): void {
  const A = transA ? transposed(a, k, m) : a; // now [m, k]
  const B = transB ? transposed(b, n, k) : b; // now [k, n]
  out.fill(0);
  for (let i = 0; i < m; i++) {
    const row = i * n;
    for (let p = 0; p < k; p++) {
      const aip = A[i * k + p]!;
      if (aip === 0) continue;
      const bRow = p * n;
      for (let j = 0; j < n; j++) out[row + j] = out[row + j]! + aip * B[bRow + j]!;
    }
  }
}

export function linear(x: TypedArray, w: TypedArray, bias: TypedArray, out: TypedArray, m: number, k: number, n: number): void {
  matmul(x, w, out, m, k, n, false, false);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) out[i * n + j] = out[i * n + j]! + bias[j]!;
}
