// float32 kernels in AssemblyScript, compiled twice by ../build.mjs: with plain SIMD and with relaxed SIMD
// (ASC_FEATURE_RELAXED_SIMD is a compile-time constant, so each binary holds one path only).
//
// Every pointer is a byte offset into the imported memory, laid out by the JS side (../arena.ts);
// nothing here allocates. Sizes are element counts.

// ---------------------------------------------------------------------------------------------
// matmul: C[m,n] = op(A)[m,k] · op(B)[k,n], blocked GotoBLAS-style. B is packed into 8-column
// panels and A into 4-row panels, so the 4×8 micro-kernel reads both with unit stride whatever
// the transposes, and edges are zero-padded instead of needing their own loops.

const KC: i32 = 256; // depth of one packed block: a 4×KC A panel (4 KiB) stays in L1
const NC: i32 = 1024; // columns of B packed at once (KC×NC×4 = 1 MiB, sized for L2)
const MC: i32 = 128; // rows of A packed at once

export const PACK_A_BYTES: i32 = MC * KC * 4;
export const PACK_B_BYTES: i32 = KC * NC * 4;
export const TILE_BYTES: i32 = 4 * 8 * 4;

@inline function fma(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

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

// ---------------------------------------------------------------------------------------------
// Elementwise. Binary ops see the output as [outer, inner]; each operand has a row stride (any) and
// an inner stride of 0 (broadcast) or 1 (contiguous), which covers same-shape, scalar, bias-row
// ([m,n] + [n]) and column ([m,n] + [m,1]) broadcasts.

const ADD = 0, SUB = 1, MUL = 2, DIV = 3;

@inline function binV(op: i32, x: v128, y: v128): v128 {
  if (op == ADD) return f32x4.add(x, y);
  if (op == SUB) return f32x4.sub(x, y);
  if (op == MUL) return f32x4.mul(x, y);
  return f32x4.div(x, y);
}
@inline function binS(op: i32, x: f32, y: f32): f32 {
  if (op == ADD) return x + y;
  if (op == SUB) return x - y;
  if (op == MUL) return x * y;
  return x / y;
}

@inline function binRow(op: i32, a: usize, aInner: i32, b: usize, bInner: i32, out: usize, len: i32): void {
  let i = 0;
  if (aInner && bInner) {
    for (; i + 4 <= len; i += 4) {
      const o = <usize>i << 2;
      v128.store(out + o, binV(op, v128.load(a + o), v128.load(b + o)));
    }
  } else if (aInner) {
    const y = v128.load32_splat(b);
    for (; i + 4 <= len; i += 4) {
      const o = <usize>i << 2;
      v128.store(out + o, binV(op, v128.load(a + o), y));
    }
  } else if (bInner) {
    const x = v128.load32_splat(a);
    for (; i + 4 <= len; i += 4) {
      const o = <usize>i << 2;
      v128.store(out + o, binV(op, x, v128.load(b + o)));
    }
  }
  for (; i < len; i++) {
    const o = <usize>i << 2;
    store<f32>(out + (<usize>i << 2), binS(op, load<f32>(a + (aInner ? o : 0)), load<f32>(b + (bInner ? o : 0))));
  }
}

@inline function binLoop(
  op: i32, a: usize, aRow: i32, aInner: i32, b: usize, bRow: i32, bInner: i32, out: usize, outer: i32, inner: i32,
): void {
  for (let o = 0; o < outer; o++) {
    binRow(op, a + (<usize>(o * aRow) << 2), aInner, b + (<usize>(o * bRow) << 2), bInner, out + (<usize>(o * inner) << 2), inner);
  }
}

// One export per op, so each loop is compiled with its op fixed (a shared entry with an op argument
// left the op test inside the loop).
export function binaryAdd(a: usize, aRow: i32, aInner: i32, b: usize, bRow: i32, bInner: i32, out: usize, outer: i32, inner: i32): void {
  binLoop(ADD, a, aRow, aInner, b, bRow, bInner, out, outer, inner);
}
export function binarySub(a: usize, aRow: i32, aInner: i32, b: usize, bRow: i32, bInner: i32, out: usize, outer: i32, inner: i32): void {
  binLoop(SUB, a, aRow, aInner, b, bRow, bInner, out, outer, inner);
}
export function binaryMul(a: usize, aRow: i32, aInner: i32, b: usize, bRow: i32, bInner: i32, out: usize, outer: i32, inner: i32): void {
  binLoop(MUL, a, aRow, aInner, b, bRow, bInner, out, outer, inner);
}
export function binaryDiv(a: usize, aRow: i32, aInner: i32, b: usize, bRow: i32, bInner: i32, out: usize, outer: i32, inner: i32): void {
  binLoop(DIV, a, aRow, aInner, b, bRow, bInner, out, outer, inner);
}

// exp(x) for four floats: x = n·ln2 + r with |r| ≤ ln2/2, a degree-6 polynomial for e^r (Cephes expf,
// ~1 ulp), then 2^n applied as two factors so that results down to the subnormals and up to +Inf
// round like the scalar function. n comes from the 1.5·2²³ trick (adding it rounds to an integer in the
// low mantissa bits), cheaper in V8 than nearest + trunc_sat; pmin/pmax keep NaN (x is their first operand).
// The constants live in memory: V8 rebuilds every v128.const inside a loop (2-3 instructions each),
// while a load from this table is one instruction.
const EXP_K = memory.data<f32>([
  89.0, 89.0, 89.0, 89.0, -104.0, -104.0, -104.0, -104.0,
  12582912.0, 12582912.0, 12582912.0, 12582912.0, 1.44269504088896341, 1.44269504088896341, 1.44269504088896341, 1.44269504088896341,
  -0.693359375, -0.693359375, -0.693359375, -0.693359375, 2.12194440e-4, 2.12194440e-4, 2.12194440e-4, 2.12194440e-4,
  1.9875691500e-4, 1.9875691500e-4, 1.9875691500e-4, 1.9875691500e-4, 1.3981999507e-3, 1.3981999507e-3, 1.3981999507e-3, 1.3981999507e-3,
  8.3334519073e-3, 8.3334519073e-3, 8.3334519073e-3, 8.3334519073e-3, 4.1665795894e-2, 4.1665795894e-2, 4.1665795894e-2, 4.1665795894e-2,
  1.6666665459e-1, 1.6666665459e-1, 1.6666665459e-1, 1.6666665459e-1, 5.0000001201e-1, 5.0000001201e-1, 5.0000001201e-1, 5.0000001201e-1,
  1.0, 1.0, 1.0, 1.0,
], 16);

@inline function expV(x: v128): v128 {
  x = f32x4.pmax(f32x4.pmin(x, v128.load(EXP_K)), v128.load(EXP_K, 16));
  const magic = v128.load(EXP_K, 32);
  const t = fma(x, v128.load(EXP_K, 48), magic);
  const fx = f32x4.sub(t, magic);
  let r = fma(fx, v128.load(EXP_K, 64), x);
  r = fma(fx, v128.load(EXP_K, 80), r);
  let y = v128.load(EXP_K, 96);
  y = fma(y, r, v128.load(EXP_K, 112));
  y = fma(y, r, v128.load(EXP_K, 128));
  y = fma(y, r, v128.load(EXP_K, 144));
  y = fma(y, r, v128.load(EXP_K, 160));
  y = fma(y, r, v128.load(EXP_K, 176));
  y = fma(y, f32x4.mul(r, r), f32x4.add(r, v128.load(EXP_K, 192)));
  const n = i32x4.sub(t, magic);
  const n1 = i32x4.shr_s(n, 1);
  const n2 = i32x4.sub(n, n1);
  const bias = i32x4.splat(127);
  const s1 = i32x4.shl(i32x4.add(n1, bias), 23);
  const s2 = i32x4.shl(i32x4.add(n2, bias), 23);
  return f32x4.mul(f32x4.mul(y, s1), s2);
}

const RELU = 0, STEP = 1, SIGMOID = 2, EXP = 3, NEG = 4, ABS = 5, SQRT = 6, SQUARE = 7, RECIPROCAL = 8, LEAKY = 9;

@inline function unV(op: i32, x: v128, alpha: v128): v128 {
  if (op == RELU) return v128.and(x, f32x4.gt(x, f32x4.splat(0))); // NaN and -0 → +0, like v > 0 ? v : 0
  if (op == STEP) return v128.and(f32x4.splat(1), f32x4.gt(x, f32x4.splat(0)));
  if (op == SIGMOID) {
    // e = e^-|x| never overflows; σ(x) = 1/(1+e) for x ≥ 0 and e/(1+e) below.
    const e = expV(f32x4.neg(f32x4.abs(x)));
    const s = f32x4.div(f32x4.splat(1), f32x4.add(f32x4.splat(1), e));
    return v128.bitselect(s, f32x4.mul(e, s), f32x4.ge(x, f32x4.splat(0)));
  }
  if (op == EXP) return expV(x);
  if (op == NEG) return f32x4.neg(x);
  if (op == ABS) return f32x4.abs(x);
  if (op == SQRT) return f32x4.sqrt(x);
  if (op == SQUARE) return f32x4.mul(x, x);
  if (op == RECIPROCAL) return f32x4.div(f32x4.splat(1), x);
  return v128.bitselect(x, f32x4.mul(alpha, x), f32x4.gt(x, f32x4.splat(0))); // LEAKY
}

// The arena pads every block to 16 bytes, so the last partial vector reads and writes padding
// instead of needing a scalar tail (the JS side copies out only `len` floats).
@inline function unLoop(op: i32, x: usize, out: usize, len: i32, alpha: f32): void {
  const av = f32x4.splat(alpha);
  for (let i = 0; i < len; i += 4) {
    const o = <usize>i << 2;
    v128.store(out + o, unV(op, v128.load(x + o), av));
  }
}

// One export per op, as for the binary ops.
export function unaryRelu(x: usize, out: usize, len: i32, alpha: f32): void { unLoop(RELU, x, out, len, alpha); }
export function unaryStep(x: usize, out: usize, len: i32, alpha: f32): void { unLoop(STEP, x, out, len, alpha); }
export function unarySigmoid(x: usize, out: usize, len: i32, alpha: f32): void { unLoop(SIGMOID, x, out, len, alpha); }
export function unaryExp(x: usize, out: usize, len: i32, alpha: f32): void { unLoop(EXP, x, out, len, alpha); }
export function unaryNeg(x: usize, out: usize, len: i32, alpha: f32): void { unLoop(NEG, x, out, len, alpha); }
export function unaryAbs(x: usize, out: usize, len: i32, alpha: f32): void { unLoop(ABS, x, out, len, alpha); }
export function unarySqrt(x: usize, out: usize, len: i32, alpha: f32): void { unLoop(SQRT, x, out, len, alpha); }
export function unarySquare(x: usize, out: usize, len: i32, alpha: f32): void { unLoop(SQUARE, x, out, len, alpha); }
export function unaryReciprocal(x: usize, out: usize, len: i32, alpha: f32): void { unLoop(RECIPROCAL, x, out, len, alpha); }
export function unaryLeakyRelu(x: usize, out: usize, len: i32, alpha: f32): void { unLoop(LEAKY, x, out, len, alpha); }

// ---------------------------------------------------------------------------------------------
// Reductions along one block of contiguous axes: x viewed as [outer, len, inner], out as [outer, inner].

/** out[o, i] = Σ_j x[o, j, i]. inner = 1 is a row sum; outer = 1 is the bias gradient (sum over rows). */
export function sum3(x: usize, outer: i32, len: i32, inner: i32, out: usize): void {
  if (inner == 1) {
    for (let o = 0; o < outer; o++) {
      const row = x + (<usize>(o * len) << 2);
      let acc = f32x4.splat(0);
      let j = 0;
      for (; j + 4 <= len; j += 4) acc = f32x4.add(acc, v128.load(row + (<usize>j << 2)));
      let s = (f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1)) + (f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3));
      for (; j < len; j++) s += load<f32>(row + (<usize>j << 2));
      store<f32>(out + (<usize>o << 2), s);
    }
    return;
  }
  // Add whole rows into the output row; its padded tail may spill into the next output row,
  // which is rewritten from zero when its turn comes.
  for (let o = 0; o < outer; o++) {
    const dst = out + (<usize>(o * inner) << 2);
    for (let i = 0; i < inner; i += 4) v128.store(dst + (<usize>i << 2), f32x4.splat(0));
    for (let j = 0; j < len; j++) {
      const src = x + (<usize>((o * len + j) * inner) << 2);
      for (let i = 0; i < inner; i += 4) {
        const at = <usize>i << 2;
        v128.store(dst + at, f32x4.add(v128.load(dst + at), v128.load(src + at)));
      }
    }
  }
}

@inline function rowMax(row: usize, len: i32): f32 {
  let j = 0;
  let m: f32 = -Infinity;
  if (len >= 4) {
    let acc = v128.load(row);
    for (j = 4; j + 4 <= len; j += 4) acc = f32x4.max(acc, v128.load(row + (<usize>j << 2)));
    m = max(max(f32x4.extract_lane(acc, 0), f32x4.extract_lane(acc, 1)), max(f32x4.extract_lane(acc, 2), f32x4.extract_lane(acc, 3)));
  }
  for (; j < len; j++) m = max(m, load<f32>(row + (<usize>j << 2)));
  return m;
}

@inline function hsum(v: v128): f32 {
  return (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

/** Softmax (or log-softmax) of each row of x [rows, len]. */
export function softmaxRows(x: usize, rows: i32, len: i32, out: usize, log: bool): void {
  for (let o = 0; o < rows; o++) {
    const src = x + (<usize>(o * len) << 2);
    const dst = out + (<usize>(o * len) << 2);
    const m = rowMax(src, len);
    const mv = f32x4.splat(m);
    // e^(x-m) into out (the padded tail spills into the next row, rewritten on its turn)
    let acc = f32x4.splat(0);
    let j = 0;
    for (; j + 4 <= len; j += 4) {
      const e = expV(f32x4.sub(v128.load(src + (<usize>j << 2)), mv));
      v128.store(dst + (<usize>j << 2), e);
      acc = f32x4.add(acc, e);
    }
    let s = hsum(acc);
    if (j < len) {
      v128.store(dst + (<usize>j << 2), expV(f32x4.sub(v128.load(src + (<usize>j << 2)), mv)));
      for (; j < len; j++) s += load<f32>(dst + (<usize>j << 2));
    }
    if (log) {
      // (x - m) - log s, in that order: x - m is exact near the max, where the result is small.
      const logS = f32x4.splat(<f32>Math.log(<f64>s));
      for (j = 0; j < len; j += 4) {
        v128.store(dst + (<usize>j << 2), f32x4.sub(f32x4.sub(v128.load(src + (<usize>j << 2)), mv), logS));
      }
    } else {
      const sv = f32x4.splat(s);
      for (j = 0; j < len; j += 4) v128.store(dst + (<usize>j << 2), f32x4.div(v128.load(dst + (<usize>j << 2)), sv));
    }
  }
}

/** log Σ exp of each row of x [rows, len]; a row whose max is not finite gives that max. */
export function logsumexpRows(x: usize, rows: i32, len: i32, out: usize): void {
  for (let o = 0; o < rows; o++) {
    const src = x + (<usize>(o * len) << 2);
    const m = rowMax(src, len);
    if (!isFinite(m)) { store<f32>(out + (<usize>o << 2), m); continue; }
    const mv = f32x4.splat(m);
    let acc = f32x4.splat(0);
    let j = 0;
    for (; j + 4 <= len; j += 4) acc = f32x4.add(acc, expV(f32x4.sub(v128.load(src + (<usize>j << 2)), mv)));
    let s = hsum(acc);
    for (; j < len; j++) s += Mathf.exp(load<f32>(src + (<usize>j << 2)) - m);
    store<f32>(out + (<usize>o << 2), <f32>(<f64>m + Math.log(<f64>s)));
  }
}

// ---------------------------------------------------------------------------------------------
// Optimiser updates and the sum of squares behind gradient norms. Slot values below 1e-30 in
// magnitude are flushed to zero (subnormals slow every later update; see ../../kernels.ts).

@inline function flushV(x: v128): v128 {
  return v128.andnot(x, f32x4.lt(f32x4.abs(x), f32x4.splat(1e-30)));
}

/** Σ x[i]², in float64 lanes so that long vectors keep their precision. */
export function sumSquares(x: usize, len: i32): f64 {
  // Four independent f64x2 sums: one chain would wait on the adder's latency at every step.
  let s0 = f64x2.splat(0), s1 = f64x2.splat(0), s2 = f64x2.splat(0), s3 = f64x2.splat(0);
  let i = 0;
  for (; i + 8 <= len; i += 8) {
    const u = v128.load(x + (<usize>i << 2)), v = v128.load(x + (<usize>i << 2), 16);
    const a = f64x2.promote_low_f32x4(u), b = f64x2.promote_low_f32x4(v128.shuffle<f32>(u, u, 2, 3, 0, 1));
    const c = f64x2.promote_low_f32x4(v), d = f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1));
    s0 = f64x2.add(s0, f64x2.mul(a, a));
    s1 = f64x2.add(s1, f64x2.mul(b, b));
    s2 = f64x2.add(s2, f64x2.mul(c, c));
    s3 = f64x2.add(s3, f64x2.mul(d, d));
  }
  const t = f64x2.add(f64x2.add(s0, s1), f64x2.add(s2, s3));
  let s = f64x2.extract_lane(t, 0) + f64x2.extract_lane(t, 1);
  for (; i < len; i++) { const v = <f64>load<f32>(x + (<usize>i << 2)); s += v * v; }
  return s;
}

/** SGD; `vel` and `outVel` are 0 without momentum. */
export function sgdStep(p: usize, g: usize, vel: usize, outP: usize, outVel: usize, len: i32,
  lr: f32, momentum: f32, wd: f32, nesterov: bool): void {
  const lrV = f32x4.splat(lr), muV = f32x4.splat(momentum), wdV = f32x4.splat(wd);
  for (let i = 0; i < len; i += 4) {
    const o = <usize>i << 2;
    const pv = v128.load(p + o);
    const gv = fma(wdV, pv, v128.load(g + o));
    if (vel == 0) { v128.store(outP + o, f32x4.sub(pv, f32x4.mul(lrV, gv))); continue; }
    const vv = flushV(fma(muV, v128.load(vel + o), gv));
    v128.store(outVel + o, vv);
    const d = nesterov ? fma(muV, vv, gv) : vv;
    v128.store(outP + o, f32x4.sub(pv, f32x4.mul(lrV, d)));
  }
}

/** Adam and AdamW (keep = 1 − lr·decay), bias corrections folded into stepSize and invRootC2. */
export function adamStep(p: usize, g: usize, m: usize, v: usize, outP: usize, outM: usize, outV: usize, len: i32,
  b1: f32, b2: f32, eps: f32, stepSize: f32, invRootC2: f32, l2: f32, keep: f32): void {
  const b1V = f32x4.splat(b1), c1V = f32x4.splat(1 - b1), b2V = f32x4.splat(b2), c2V = f32x4.splat(1 - b2);
  const epsV = f32x4.splat(eps), stepV = f32x4.splat(stepSize), rootV = f32x4.splat(invRootC2);
  const l2V = f32x4.splat(l2), keepV = f32x4.splat(keep);
  for (let i = 0; i < len; i += 4) {
    const o = <usize>i << 2;
    const pv = v128.load(p + o);
    const gv = fma(l2V, pv, v128.load(g + o));
    const mv = flushV(fma(b1V, v128.load(m + o), f32x4.mul(c1V, gv)));
    const vv = flushV(fma(b2V, v128.load(v + o), f32x4.mul(c2V, f32x4.mul(gv, gv))));
    v128.store(outM + o, mv);
    v128.store(outV + o, vv);
    const denom = fma(f32x4.sqrt(vv), rootV, epsV);
    v128.store(outP + o, f32x4.sub(f32x4.mul(pv, keepV), f32x4.div(f32x4.mul(stepV, mv), denom)));
  }
}

/** Where free memory starts: the JS arena begins past this. */
export function heapBase(): usize {
  return __heap_base;
}
