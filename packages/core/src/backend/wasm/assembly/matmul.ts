// matmul: C[m,n] = op(A)[m,k] · op(B)[k,n], blocked GotoBLAS-style. B is packed into 8-column
// panels and A into 4-row panels, so the 4×8 micro-kernel reads both with unit stride whatever
// the transposes, and edges are zero-padded instead of needing their own loops.
//
// Why 4×8: V8 gives wasm 15 vector registers and hoists every load of a loop body ahead of its
// multiply-adds, so a tile holds at most 8 accumulators before it spills. 2×16 (fewer broadcasts)
// and 3×12 (9 accumulators) ran 5–8% faster as bare loops, but not inside this loop nest, where
// V8 runs short of general registers; bigger tiles spill and run at half speed.

import { fma } from './simd';

const KC: i32 = 256; // depth of one packed block: a 4×KC A panel (4 KiB) stays in L1
const NC: i32 = 1024; // columns of B packed at once (KC×NC×4 = 1 MiB, sized for L2)
const MC: i32 = 128; // rows of A packed at once

export const PACK_A_BYTES: i32 = MC * KC * 4;
export const PACK_B_BYTES: i32 = KC * NC * 4;
export const TILE_BYTES: i32 = 4 * 8 * 4;

// Stores the 4×4 transpose of rows x0..x3: column c goes to dst + c·stride.
@inline function transpose4(x0: v128, x1: v128, x2: v128, x3: v128, dst: usize, stride: usize): void {
  const t0 = v128.shuffle<f32>(x0, x1, 0, 4, 1, 5), t1 = v128.shuffle<f32>(x2, x3, 0, 4, 1, 5);
  const t2 = v128.shuffle<f32>(x0, x1, 2, 6, 3, 7), t3 = v128.shuffle<f32>(x2, x3, 2, 6, 3, 7);
  v128.store(dst, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5));
  v128.store(dst + stride, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7));
  v128.store(dst + 2 * stride, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5));
  v128.store(dst + 3 * stride, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7));
}

// op(B)[p0:p0+kc, j0:j0+nc] → panels of 8 columns, each kc rows of 8 floats.
function packB(b: usize, k: i32, n: i32, transB: bool, p0: i32, kc: i32, j0: i32, nc: i32, dst: usize): void {
  for (let q = 0; q < nc; q += 8) {
    const w = min(8, nc - q);
    const panel = dst + <usize>(q * kc * 4);
    if (!transB) {
      // B is [k,n]: each panel row is 8 contiguous floats.
      let src = b + (<usize>(p0 * n + j0 + q) << 2);
      let d = panel;
      const rowBytes = <usize>(n << 2);
      if (w == 8) {
        for (let p = 0; p < kc; p++) {
          v128.store(d, v128.load(src));
          v128.store(d, v128.load(src, 16), 16);
          src += rowBytes; d += 32;
        }
      } else {
        for (let p = 0; p < kc; p++) {
          v128.store(d, f32x4.splat(0));
          v128.store(d, f32x4.splat(0), 16);
          for (let jj = 0; jj < w; jj++) store<f32>(d + (<usize>jj << 2), load<f32>(src + (<usize>jj << 2)));
          src += rowBytes; d += 32;
        }
      }
    } else if (w == 8) {
      // B is [n,k]: eight rows of B, read four depths at a time and transposed in two 4×4 blocks.
      const r0 = b + (<usize>((j0 + q) * k + p0) << 2), rowBytes = <usize>(k << 2), r4 = r0 + 4 * rowBytes;
      let p = 0;
      for (; p + 4 <= kc; p += 4) {
        const o = <usize>p << 2, d = panel + (<usize>p << 5);
        transpose4(v128.load(r0 + o), v128.load(r0 + rowBytes + o), v128.load(r0 + 2 * rowBytes + o),
          v128.load(r0 + 3 * rowBytes + o), d, 32);
        transpose4(v128.load(r4 + o), v128.load(r4 + rowBytes + o), v128.load(r4 + 2 * rowBytes + o),
          v128.load(r4 + 3 * rowBytes + o), d + 16, 32);
      }
      for (; p < kc; p++) {
        const d = panel + (<usize>p << 5);
        for (let jj = 0; jj < 8; jj++) store<f32>(d + (<usize>jj << 2), load<f32>(r0 + <usize>jj * rowBytes + (<usize>p << 2)));
      }
    } else {
      // B is [n,k], fewer than 8 columns left: column jj of the panel is a contiguous run of row j of B.
      for (let jj = 0; jj < 8; jj++) {
        let d = panel + (<usize>jj << 2);
        if (jj < w) {
          let src = b + (<usize>((j0 + q + jj) * k + p0) << 2);
          for (let p = 0; p < kc; p++) { store<f32>(d, load<f32>(src)); src += 4; d += 32; }
        } else {
          for (let p = 0; p < kc; p++) { store<f32>(d, 0); d += 32; }
        }
      }
    }
  }
}

// op(A)[i0:i0+mc, p0:p0+kc] → panels of 4 rows, each kc columns of 4 floats.
function packA(a: usize, m: i32, k: i32, transA: bool, i0: i32, mc: i32, p0: i32, kc: i32, dst: usize): void {
  for (let r = 0; r < mc; r += 4) {
    const h = min(4, mc - r);
    const panel = dst + <usize>(r * kc * 4);
    if (transA) {
      // A is [k,m]: the 4 rows at one depth are contiguous.
      let src = a + (<usize>(p0 * m + i0 + r) << 2);
      let d = panel;
      const rowBytes = <usize>(m << 2);
      if (h == 4) {
        for (let p = 0; p < kc; p++) { v128.store(d, v128.load(src)); src += rowBytes; d += 16; }
      } else {
        for (let p = 0; p < kc; p++) {
          v128.store(d, f32x4.splat(0));
          for (let ii = 0; ii < h; ii++) store<f32>(d + (<usize>ii << 2), load<f32>(src + (<usize>ii << 2)));
          src += rowBytes; d += 16;
        }
      }
    } else if (h == 4) {
      // A is [m,k]: four rows, read four depths at a time and transposed in registers.
      const r0 = a + (<usize>((i0 + r) * k + p0) << 2), rowBytes = <usize>(k << 2);
      let p = 0;
      for (; p + 4 <= kc; p += 4) {
        const o = <usize>p << 2;
        transpose4(v128.load(r0 + o), v128.load(r0 + rowBytes + o), v128.load(r0 + 2 * rowBytes + o),
          v128.load(r0 + 3 * rowBytes + o), panel + (<usize>p << 4), 16);
      }
      for (; p < kc; p++) {
        const o = <usize>p << 2, d = panel + (<usize>p << 4);
        store<f32>(d, load<f32>(r0 + o)); store<f32>(d, load<f32>(r0 + rowBytes + o), 4);
        store<f32>(d, load<f32>(r0 + 2 * rowBytes + o), 8); store<f32>(d, load<f32>(r0 + 3 * rowBytes + o), 12);
      }
    } else {
      // A is [m,k], fewer than 4 rows left: row ii of the panel is a contiguous run of A's row.
      for (let ii = 0; ii < 4; ii++) {
        let d = panel + (<usize>ii << 2);
        if (ii < h) {
          let src = a + (<usize>((i0 + r + ii) * k + p0) << 2);
          for (let p = 0; p < kc; p++) { store<f32>(d, load<f32>(src)); src += 4; d += 16; }
        } else {
          for (let p = 0; p < kc; p++) { store<f32>(d, 0); d += 16; }
        }
      }
    }
  }
}

// One 4×8 tile of C from a packed A panel and a packed B panel. Eight accumulators, two B vectors and
// one broadcast A value fit the 16 XMM registers V8 has. `accumulate` adds to C (later depth blocks).
@inline function microKernel(
  ap: usize, bp: usize, kc: i32, c: usize, ldc: usize, accumulate: bool, rows: i32, cols: i32, tile: usize,
): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  // Not unrolled: binaryen interleaves an unrolled body into more live vectors than V8 keeps in
  // registers, which measured 25% slower.
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(bp), b1 = v128.load(bp, 16);
    let a = v128.load32_splat(ap);
    c00 = fma(a, b0, c00); c01 = fma(a, b1, c01);
    a = v128.load32_splat(ap, 4);
    c10 = fma(a, b0, c10); c11 = fma(a, b1, c11);
    a = v128.load32_splat(ap, 8);
    c20 = fma(a, b0, c20); c21 = fma(a, b1, c21);
    a = v128.load32_splat(ap, 12);
    c30 = fma(a, b0, c30); c31 = fma(a, b1, c31);
    ap += 16; bp += 32;
  }
  if (rows == 4 && cols == 8) {
    let r = c;
    if (accumulate) { c00 = f32x4.add(c00, v128.load(r)); c01 = f32x4.add(c01, v128.load(r, 16)); }
    v128.store(r, c00); v128.store(r, c01, 16); r += ldc;
    if (accumulate) { c10 = f32x4.add(c10, v128.load(r)); c11 = f32x4.add(c11, v128.load(r, 16)); }
    v128.store(r, c10); v128.store(r, c11, 16); r += ldc;
    if (accumulate) { c20 = f32x4.add(c20, v128.load(r)); c21 = f32x4.add(c21, v128.load(r, 16)); }
    v128.store(r, c20); v128.store(r, c21, 16); r += ldc;
    if (accumulate) { c30 = f32x4.add(c30, v128.load(r)); c31 = f32x4.add(c31, v128.load(r, 16)); }
    v128.store(r, c30); v128.store(r, c31, 16);
  } else {
    // Edge tile: spill to scratch, then copy the valid part.
    v128.store(tile, c00); v128.store(tile, c01, 16);
    v128.store(tile, c10, 32); v128.store(tile, c11, 48);
    v128.store(tile, c20, 64); v128.store(tile, c21, 80);
    v128.store(tile, c30, 96); v128.store(tile, c31, 112);
    for (let i = 0; i < rows; i++) {
      const src = tile + (<usize>(i * 8) << 2);
      const dst = c + <usize>i * ldc;
      for (let j = 0; j < cols; j++) {
        const at = dst + (<usize>j << 2);
        const v = load<f32>(src + (<usize>j << 2));
        store<f32>(at, accumulate ? load<f32>(at) + v : v);
      }
    }
  }
}

/**
 * C = op(A)·op(B) over the block rows [i0, i1) × columns [j0, j1) of C only (so two threads can split
 * the work), with scratch buffers `pa` (PACK_A_BYTES), `pb` (PACK_B_BYTES) and `tile` (TILE_BYTES)
 * owned by the caller.
 */
export function matmulBlock(
  a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, transA: bool, transB: bool,
  i0: i32, i1: i32, j0: i32, j1: i32, pa: usize, pb: usize, tile: usize,
): void {
  const ldc = <usize>(n << 2);
  if (k == 0) {
    for (let i = i0; i < i1; i++) memory.fill(c + <usize>i * ldc + (<usize>j0 << 2), 0, <usize>(j1 - j0) << 2);
    return;
  }
  // Depth blocks of equal size (784 → 4 × 196, not 3 × 256 + 16): a thin last block would pay the
  // full cost of loading and storing C for few multiply-adds.
  const kStep = (k + (k + KC - 1) / KC - 1) / ((k + KC - 1) / KC);
  for (let jc = j0; jc < j1; jc += NC) {
    const nc = min(NC, j1 - jc);
    for (let p0 = 0; p0 < k; p0 += kStep) {
      const kc = min(kStep, k - p0);
      packB(b, k, n, transB, p0, kc, jc, nc, pb);
      for (let ic = i0; ic < i1; ic += MC) {
        const mc = min(MC, i1 - ic);
        packA(a, m, k, transA, ic, mc, p0, kc, pa);
        for (let q = 0; q < nc; q += 8) {
          const bp = pb + <usize>(q * kc * 4);
          const cols = min(8, nc - q);
          for (let r = 0; r < mc; r += 4) {
            microKernel(
              pa + <usize>(r * kc * 4), bp, kc, c + <usize>(ic + r) * ldc + (<usize>(jc + q) << 2), ldc,
              p0 > 0, min(4, mc - r), cols, tile,
            );
          }
        }
      }
    }
  }
}

/** c[i, :] += bias for each of m rows of n (after a matmul: a dense layer's affine map). */
export function addRowVector(c: usize, bias: usize, m: i32, n: i32): void {
  for (let i = 0; i < m; i++) {
    const row = c + (<usize>(i * n) << 2);
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const o = <usize>j << 2;
      v128.store(row + o, f32x4.add(v128.load(row + o), v128.load(bias + o)));
    }
    for (; j < n; j++) {
      const o = <usize>j << 2;
      store<f32>(row + o, load<f32>(row + o) + load<f32>(bias + o));
    }
  }
}
