/** Matrix multiplication: 2-D and batched (batch dims broadcast), with transposed operands built in. */
import { allocate } from '../backend/index.ts';
import { kernels } from '../backend/index.ts';
import { broadcastShapes, broadcastStrides, fmt, sizeOf } from '../shape.ts';
import type { Tensor } from '../tensor.ts';
import { sampleFrom, type FC } from '../testing/sample.ts';
import { defineOp, type OpDef } from './define.ts';
import type { OpFormula } from './formula.ts';
import { opRow, opTable, type SelfMethod } from './table.ts';
import { sum } from './reduce.ts';
import { reshape } from './shape.ts';
import { expectTensor } from '../validate.ts';
import { sumTerms } from './tangents.ts';

type MatmulAttrs = { transA: boolean; transB: boolean };

/** Matrix sizes 1–4, up to two batch dims (the first possibly 1 on one side, or absent on B), and both transpose flags. */
function matmulSample(fc: FC) {
  const dims = fc.record({
    m: fc.integer({ min: 1, max: 4 }), k: fc.integer({ min: 1, max: 4 }), n: fc.integer({ min: 1, max: 4 }),
    batch: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }),
    oneA: fc.boolean(), oneB: fc.boolean(), transA: fc.boolean(), transB: fc.boolean(),
  });
  return dims.chain(({ m, k, n, batch, oneA, oneB, transA, transB }) => {
    const aBatch = batch.map((d, i) => (oneA && i === 0 ? 1 : d));
    const bBatch = batch.map((d, i) => (oneB && i === 0 ? 1 : d)).slice(oneB ? 1 : 0);
    const shapes = [[...aBatch, ...(transA ? [k, m] : [m, k])], [...bBatch, ...(transB ? [n, k] : [k, n])]];
    return sampleFrom(fc, fc.constant(shapes), [{}], () => fc.constant({ transA, transB }));
  });
}

/** x [m,k], W [k,n] and b [n] for sizes 1–4. */
function linearSample(fc: FC) {
  const dims = fc.record({ m: fc.integer({ min: 1, max: 4 }), k: fc.integer({ min: 1, max: 4 }), n: fc.integer({ min: 1, max: 4 }) });
  return dims.chain(({ m, k, n }) => sampleFrom(fc, fc.constant([[m, k], [k, n], [n]]), [{}, {}, {}], () => fc.constant({})));
}

/** matmul's formula: ā and b̄ as its VJP computes them for each pair of flags (ᵀ transposes the last two axes). */
function matmulFormula({ transA, transB }: MatmulAttrs): OpFormula {
  // Each product as [left, right], a trailing ' marking a transpose.
  const [da, db] = !transA && !transB ? [["ȳ", "b'"], ["a'", 'ȳ']]
    : !transA ? [['ȳ', 'b'], ["ȳ'", 'a']]
    : !transB ? [['b', "ȳ'"], ['a', 'ȳ']]
    : [["b'", "ȳ'"], ["ȳ'", "a'"]];
  const text = (f: string) => f.replace("'", 'ᵀ');
  const tex = (f: string) => f.replace('ȳ', String.raw`\bar{y}`).replace("'", String.raw`^{\top}`);
  const y = [transA ? "a'" : 'a', transB ? "b'" : 'b'];
  return {
    text: `y = ${text(y[0])} @ ${text(y[1])};  ā = ${text(da[0])} @ ${text(da[1])},  b̄ = ${text(db[0])} @ ${text(db[1])}`,
    tex: String.raw`y = ${tex(y[0])}\, ${tex(y[1])} \qquad \bar{a} = ${tex(da[0])}\, ${tex(da[1])},\; \bar{b} = ${tex(db[0])}\, ${tex(db[1])}`,
  };
}

const matmulOp: OpDef<MatmulAttrs, 'matmul'> = defineOp({
  name: 'matmul', arity: 2,
  formula: matmulFormula,
  forward: ([a, b], { transA, transB }: MatmulAttrs) => {
    // op(x)'s [rows, cols] from x's last two dimensions (indices, not pairs: this runs for every matmul).
    const ar = a.rank, br = b.rank;
    const m = a.shape[transA ? ar - 1 : ar - 2]!, k = a.shape[transA ? ar - 2 : ar - 1]!;
    const k2 = b.shape[transB ? br - 1 : br - 2]!, n = b.shape[transB ? br - 2 : br - 1]!;
    if (k !== k2) {
      throw new Error(`matmul: inner dimensions differ: ${fmt(a.shape)}${transA ? 'ᵀ' : ''} × ${fmt(b.shape)}${transB ? 'ᵀ' : ''} (${k} ≠ ${k2})`);
    }
    if (a.rank === 2 && b.rank === 2) {
      // No batch: what every dense layer runs, forward and backward, without the batch bookkeeping below.
      const out = allocate(a.dtype, m * n, 'overwritten');
      kernels().matmul(a.data, b.data, out, m, k, n, transA, transB);
      return { shape: [m, n], data: out };
    }
    const aBatch = a.shape.slice(0, -2);
    const bBatch = b.shape.slice(0, -2);
    const batch = broadcastShapes('matmul (batch dimensions)', aBatch, bBatch);
    const out = allocate(a.dtype, sizeOf(batch) * m * n, 'overwritten');
    if (batch.length === 0) {
      kernels().matmul(a.data, b.data, out, m, k, n, transA, transB);
    } else {
      // Walk the broadcast batch; strides count whole matrices.
      const aStrides = broadcastStrides(aBatch, batch);
      const bStrides = broadcastStrides(bBatch, batch);
      const idx = new Array<number>(batch.length).fill(0);
      let ia = 0, ib = 0;
      for (let t = 0; t < sizeOf(batch); t++) {
        kernels().matmul(a.data.subarray(ia * m * k, (ia + 1) * m * k), b.data.subarray(ib * k * n, (ib + 1) * k * n),
          out.subarray(t * m * n, (t + 1) * m * n), m, k, n, transA, transB);
        for (let d = batch.length - 1; d >= 0; d--) {
          ia += aStrides[d]; ib += bStrides[d];
          if (++idx[d] < batch[d]) break;
          ia -= aStrides[d] * batch[d]; ib -= bStrides[d] * batch[d];
          idx[d] = 0;
        }
      }
    }
    return { shape: [...batch, m, n], data: out };
  },
  // C = op(A)·op(B). Each case picks the flags that avoid materialising a transpose; a gradient
  // nobody asked for (say, of the input batch) is not computed.
  vjp: ([a, b], _, g, { transA, transB }, _saved, [needA, needB]) => {
    const mm = (need: boolean | undefined, x: Tensor, y: Tensor, tx: boolean, ty: boolean) =>
      need === false ? null : matmulOp.run([x, y], { transA: tx, transB: ty });
    if (!transA && !transB) return [mm(needA, g, b, false, true), mm(needB, a, g, true, false)];
    if (!transA && transB) return [mm(needA, g, b, false, false), mm(needB, g, a, true, false)];
    if (transA && !transB) return [mm(needA, b, g, false, true), mm(needB, a, g, false, false)];
    return [mm(needA, b, g, true, true), mm(needB, g, a, true, true)];
  },
  // matmul is bilinear: d(op(A)·op(B)) = op(dA)·op(B) + op(A)·op(dB), with the same flags.
  jvp: ([a, b], _, [da, db], flags) => sumTerms(
    da && matmulOp.run([da, b], flags),
    db && matmulOp.run([a, db], flags),
  ),
  sample: matmulSample,
  describe: ({ transA, transB }) => (transA || transB ? `${transA ? 'Aᵀ' : 'A'}·${transB ? 'Bᵀ' : 'B'}` : ''),
});

/**
 * Matrix product with NumPy's rules: 2-D × 2-D, batched with broadcast batch dims, and 1-D
 * operands treated as a row (left) or column (right) vector that is dropped from the result.
 *
 * a: [...batchA, m, k]; b: [...batchB, k, n]; returns [...broadcast(batchA, batchB), m, n] in their dtype
 * (a 1-D a is [k] and drops m; a 1-D b is [k] and drops n). With `transA` (`transB`) the last two axes of
 * a (b) are read transposed, without copying: a is then [..., k, m].
 * @param options - `transA`, `transB`: use the operand's transpose (default false).
 * @throws Error when an operand is not a Tensor or is a scalar, when the inner dimensions differ (naming
 * both shapes), when the batch dimensions do not broadcast, or when a and b mix float32 and float64.
 * @example
 * ```ts
 * import { matmul, tensor } from '@chainrule/core';
 * const a = tensor([[1, 2], [3, 4]]);
 * matmul(a, tensor([[1], [1]])).toArray(); // [[3], [7]]
 * matmul(a, tensor([1, 0])).toArray(); // [1, 3]
 * matmul(a, a, { transA: true }).toArray(); // aᵀ·a: [[10, 14], [14, 20]]
 * ```
 */
export function matmul(a: Tensor, b: Tensor, options: { transA?: boolean; transB?: boolean } = {}): Tensor {
  expectTensor('matmul', 'a', a);
  expectTensor('matmul', 'b', b);
  if (a.rank === 0 || b.rank === 0) throw new Error(`matmul: operands must have rank ≥ 1, got ${fmt(a.shape)} × ${fmt(b.shape)}`);
  const a2 = a.rank === 1 ? reshape(a, [1, a.size]) : a;
  const b2 = b.rank === 1 ? reshape(b, [b.size, 1]) : b;
  const c = matmulOp.run([a2, b2], { transA: options.transA ?? false, transB: options.transB ?? false });
  if (a.rank > 1 && b.rank > 1) return c;
  const shape = c.shape.slice(0, -2);
  if (a.rank > 1) shape.push(c.shape[c.rank - 2]);
  if (b.rank > 1) shape.push(c.shape[c.rank - 1]);
  return reshape(c, shape);
}

/** The flags linear's VJP runs matmul with (frozen: a recorded node keeps its attributes). */
const TRANS_A: MatmulAttrs = Object.freeze({ transA: true, transB: false });
const TRANS_B: MatmulAttrs = Object.freeze({ transA: false, transB: true });

/**
 * A dense layer's affine map x·W + b as one op (PyTorch's addmm): x [m,k], W [k,n], b [n]. One kernel
 * call forward; the VJP skips what nobody asked for (the input batch's gradient).
 */
const linearOp = defineOp({
  name: 'linear', arity: 3,
  formula: {
    text: 'y = x @ W + b;  x̄ = ȳ @ Wᵀ,  W̄ = xᵀ @ ȳ,  b̄ = sum(ȳ, axis 0)',
    tex: String.raw`y = x W + b \qquad \bar{x} = \bar{y} W^{\top},\; \bar{W} = x^{\top} \bar{y},\; \bar{b} = \sum_{\text{rows}} \bar{y}`,
  },
  forward: ([x, w, b]) => {
    if (x.rank !== 2 || w.rank !== 2 || b.rank !== 1 || x.shape[1] !== w.shape[0] || b.shape[0] !== w.shape[1]) {
      throw new Error(`linear: expected x [m,k], W [k,n] and b [n], got ${fmt(x.shape)}, ${fmt(w.shape)} and ${fmt(b.shape)}`);
    }
    const m = x.shape[0]!, k = x.shape[1]!, n = w.shape[1]!;
    const out = allocate(x.dtype, m * n, 'overwritten');
    kernels().linear(x.data, w.data, b.data, out, m, k, n);
    return { shape: [m, n], data: out };
  },
  // dx = g·Wᵀ, dW = xᵀ·g, db = Σ_rows g
  vjp: ([x, w], _, g, _attrs, _saved, [needX, needW, needB]) => [
    needX === false ? null : matmulOp.run([g, w], TRANS_B),
    needW === false ? null : matmulOp.run([x, g], TRANS_A),
    needB === false ? null : sum(g, 0),
  ],
  // d(x·W + b) = dx·W + x·dW + db (db [n] broadcasts over the rows; the engine broadcasts it alone)
  jvp: ([x, w], _, [dx, dw, db]) => sumTerms(
    dx && matmulOp.run([dx, w], { transA: false, transB: false }),
    dw && matmulOp.run([x, dw], { transA: false, transB: false }),
    db,
  ),
  sample: linearSample,
});

/**
 * x·W + b for a batch x [m, k], weights W [k, n] and bias b [n], as one op (one kernel call, PyTorch's
 * addmm): what a dense layer computes. Returns [m, n] in their dtype. Gradients nobody asked for (say, the
 * input batch's) are not computed.
 * @throws Error when the shapes are not x [m, k], W [k, n] and b [n] (naming all three), or when the
 * inputs mix float32 and float64.
 * @example
 * ```ts
 * import { linear, tensor } from '@chainrule/core';
 * const x = tensor([[1, 2]]), w = tensor([[1, 0, 1], [0, 1, 1]]), b = tensor([10, 20, 30]);
 * linear(x, w, b).toArray(); // [[11, 22, 33]]
 * ```
 */
export const linear = (x: Tensor, w: Tensor, b: Tensor): Tensor => linearOp.run([x, w, b], {});

/**
 * The linear-algebra family's table: each row holds the op (`row.op`, as in {@link builtinOps}), its public
 * function (`row.fn`) and how it becomes a Tensor method. Core derives its exports and methods from it.
 */
export const linalgOps = opTable({
  /** The `matmul` op and {@link matmul}. */
  matmul: opRow(matmulOp, matmul),
  /** The `linear` op and {@link linear} (no method). */
  linear: opRow(linearOp, linear, 'none'),
});

// The methods this table gives (x.f(...) for f(x, ...)), checked against it in ./builtins.ts.
declare module '../tensor.ts' {
  interface Tensor {
    /** {@link matmul} as a method: `a.matmul(b, { transB: true })`. */
    matmul: SelfMethod<typeof matmul>;
  }
}
