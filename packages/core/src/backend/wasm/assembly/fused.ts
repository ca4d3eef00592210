// The fused elementwise kernel: a program (../../program.ts) interpreted block by block. The opcode
// switch runs once per instruction per block; inside, one loop per opcode walks its operands.
//
// The JS side (../fast.ts) lays out, per register, a row of three i32 in `table`:
//   address  where the first block's values start (a scalar: its 16-byte splat),
//   step     bytes per vector: 16 for arrays and temporaries, 0 for scalars,
//   advance  bytes per block: BLOCK·4 for inputs and outputs, 0 for temporaries (scratch reused by
//            every block) and scalars.
// So the inner loops never branch on what kind of register they read: `v128.load(a); a += step`.

import { fma } from './simd';

/** Elements per block: a temporary is one block, so a program's temporaries stay in the L1 cache. */
export const FUSED_BLOCK: i32 = 256;
/** Bytes of one register's row in the operand table. */
const ROW_BYTES: i32 = 12;

// Opcodes, as in FUSED_OPS.
const COPY = 0, NEG = 1, ABS = 2, SQRT = 3, SIGN = 4, FLUSH = 5;
const ADD = 6, SUB = 7, MUL = 8, DIV = 9, MIN = 10, MAX = 11, FMA = 12;

@inline function unary(op: i32, x: v128): v128 {
  if (op == COPY) return x;
  if (op == NEG) return f32x4.neg(x);
  if (op == ABS) return f32x4.abs(x);
  if (op == SQRT) return f32x4.sqrt(x);
  if (op == SIGN) {
    // ±1 with x's sign where x is neither zero nor NaN; x itself there (Math.sign keeps ±0 and NaN).
    const one = v128.or(v128.and(x, i32x4.splat(0x80000000)), f32x4.splat(1));
    return v128.bitselect(one, x, f32x4.gt(f32x4.abs(x), f32x4.splat(0)));
  }
  // FLUSH: +0 where |x| < 1e-30 (as float32); NaN compares false and stays.
  return v128.andnot(x, f32x4.lt(f32x4.abs(x), f32x4.splat(1e-30)));
}

@inline function binary(op: i32, x: v128, y: v128): v128 {
  if (op == ADD) return f32x4.add(x, y);
  if (op == SUB) return f32x4.sub(x, y);
  if (op == MUL) return f32x4.mul(x, y);
  if (op == DIV) return f32x4.div(x, y);
  // WebAssembly's min and max are Math.min's and Math.max's: NaN wins, and -0 < +0.
  if (op == MIN) return f32x4.min(x, y);
  return f32x4.max(x, y);
}

// Each loop does four vectors (64 bytes) a turn, so a block's last turn may run up to 48 bytes past its
// last vector: still inside the array's arena block, which ends at the next 64-byte boundary after its
// values plus 16 bytes (blocks start 64-byte aligned, and a program block at a multiple of 1 KiB).

@inline function loop1(op: i32, d: usize, a: usize, as: usize, vectors: i32): void {
  const end = d + (<usize>vectors << 4);
  for (; d < end; d += 64) {
    v128.store(d, unary(op, v128.load(a)));
    v128.store(d, unary(op, v128.load(a + as)), 16);
    v128.store(d, unary(op, v128.load(a + 2 * as)), 32);
    v128.store(d, unary(op, v128.load(a + 3 * as)), 48);
    a += 4 * as;
  }
}

@inline function loop2(op: i32, d: usize, a: usize, as: usize, b: usize, bs: usize, vectors: i32): void {
  const end = d + (<usize>vectors << 4);
  for (; d < end; d += 64) {
    v128.store(d, binary(op, v128.load(a), v128.load(b)));
    v128.store(d, binary(op, v128.load(a + as), v128.load(b + bs)), 16);
    v128.store(d, binary(op, v128.load(a + 2 * as), v128.load(b + 2 * bs)), 32);
    v128.store(d, binary(op, v128.load(a + 3 * as), v128.load(b + 3 * bs)), 48);
    a += 4 * as; b += 4 * bs;
  }
}

@inline function loopFma(d: usize, a: usize, as: usize, b: usize, bs: usize, c: usize, cs: usize, vectors: i32): void {
  const end = d + (<usize>vectors << 4);
  for (; d < end; d += 64) {
    v128.store(d, fma(v128.load(a), v128.load(b), v128.load(c)));
    v128.store(d, fma(v128.load(a + as), v128.load(b + bs), v128.load(c + cs)), 16);
    v128.store(d, fma(v128.load(a + 2 * as), v128.load(b + 2 * bs), v128.load(c + 2 * cs)), 32);
    v128.store(d, fma(v128.load(a + 3 * as), v128.load(b + 3 * bs), v128.load(c + 3 * cs)), 48);
    a += 4 * as; b += 4 * bs; c += 4 * cs;
  }
}

/** Where register r's values start in block `block`. */
@inline function address(table: usize, r: i32, block: i32): usize {
  const row = table + <usize>(r * ROW_BYTES);
  return <usize>(load<i32>(row) + block * load<i32>(row, 8));
}
@inline function step(table: usize, r: i32): usize { return <usize>load<i32>(table + <usize>(r * ROW_BYTES), 4); }

/**
 * Runs `instructions` instructions of `code` (five i32 each: opcode, destination, a, b, c) over n
 * elements, with one row per register in `table`. Past the last element it reads and writes the
 * padding the arena leaves after every block (see the loops above).
 */
export function fused(code: usize, instructions: i32, table: usize, n: i32): void {
  for (let start = 0, block = 0; start < n; start += FUSED_BLOCK, block++) {
    const vectors = (min(FUSED_BLOCK, n - start) + 3) >> 2;
    for (let k = 0; k < instructions; k++) {
      const at = code + <usize>(k * 20);
      const op = load<i32>(at), dst = load<i32>(at, 4), ra = load<i32>(at, 8), rb = load<i32>(at, 12), rc = load<i32>(at, 16);
      const d = address(table, dst, block), a = address(table, ra, block), as = step(table, ra);
      switch (op) {
        case COPY: loop1(COPY, d, a, as, vectors); break;
        case NEG: loop1(NEG, d, a, as, vectors); break;
        case ABS: loop1(ABS, d, a, as, vectors); break;
        case SQRT: loop1(SQRT, d, a, as, vectors); break;
        case SIGN: loop1(SIGN, d, a, as, vectors); break;
        case FLUSH: loop1(FLUSH, d, a, as, vectors); break;
        case FMA: loopFma(d, a, as, address(table, rb, block), step(table, rb), address(table, rc, block), step(table, rc), vectors); break;
        default: {
          const b = address(table, rb, block), bs = step(table, rb);
          if (op == ADD) loop2(ADD, d, a, as, b, bs, vectors);
          else if (op == SUB) loop2(SUB, d, a, as, b, bs, vectors);
          else if (op == MUL) loop2(MUL, d, a, as, b, bs, vectors);
          else if (op == DIV) loop2(DIV, d, a, as, b, bs, vectors);
          else if (op == MIN) loop2(MIN, d, a, as, b, bs, vectors);
          else loop2(MAX, d, a, as, b, bs, vectors);
        }
      }
    }
  }
}
