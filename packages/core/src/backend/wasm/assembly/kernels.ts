// float32 kernels in AssemblyScript, compiled twice by ../build.mjs: with plain SIMD and with relaxed SIMD
// (ASC_FEATURE_RELAXED_SIMD is a compile-time constant, so each binary holds one path only).
//
// Every pointer is a byte offset into the imported memory, laid out by the JS side (../arena.ts);
// nothing here allocates. Sizes are element counts.

// matmul and the bias row of a dense layer: ./matmul.ts.
export { matmulBlock, addRowVector, PACK_A_BYTES, PACK_B_BYTES, TILE_BYTES } from './matmul';
// im2col, col2im and pooling over NCHW images: ./window.ts.
export { im2col, col2im, maxPool2d, avgPool2d, avgPool2dBackward } from './window';
import { fma } from './simd';

// What the loader checks before it trusts a binary (../index.ts): the version of the interface between
// this file and ../fast.ts (bump it when an export changes), and which variant this binary is.
export const KERNELS_ABI: i32 = 3;
export const RELAXED_SIMD: i32 = ASC_FEATURE_RELAXED_SIMD ? 1 : 0;

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
// The sum of squares behind gradient norms.

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

/** Where free memory starts: the JS arena begins past this. */
export function heapBase(): usize {
  return __heap_base;
}
