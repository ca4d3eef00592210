/**
 * gradcheck: compares reverse-mode gradients (and, when asked, forward-mode JVPs) with central
 * differences in float64.
 * Small problems get the full Jacobian; large ones a random direction u and random cotangent c:
 * ⟨u, vjp(c)⟩ ≈ ⟨(f(x+εu) − f(x−εu)) / 2ε, c⟩, whose cost does not grow with the input.
 * u and c are random unit vectors, so a trial checks one entry of the Jacobian in a random basis and
 * atol means what it means in full mode (where u and c are unit vectors e_i, e_j): a cotangent that
 * happens to be tiny would make an absolute atol check almost nothing. Forward mode checks the same
 * columns (full) or J·u along the same random directions (random) by `jvp`, element by element.
 */
import { grad } from './autodiff/grad.ts';
import { jvp } from './autodiff/jvp.ts';
import { describeValue } from './describe-value.ts';
import { cast } from './ops/elementwise.ts';
import { checkSeed, Rng } from './random.ts';
import { fmt } from './shape.ts';
import { Tensor } from './tensor.ts';

/** Tolerances and strategy of `gradcheck`; every option left out (or undefined) takes its default. */
export interface GradcheckOptions {
  /** The step of the central differences (default 1e-6). */
  readonly eps?: number;
  /** Absolute tolerance: analytic a and numeric n agree when |a − n| ≤ atol + rtol·|n| (default 1e-5). */
  readonly atol?: number;
  /** Relative tolerance, as in atol's formula (default 1e-3). */
  readonly rtol?: number;
  /** 'full' Jacobian, 'random' directions, or 'auto' (default): full while inputs × outputs ≤ maxJacobian. */
  readonly mode?: 'auto' | 'full' | 'random';
  /** In 'auto' mode, the largest inputs × outputs count checked as a full Jacobian (default 4096). */
  readonly maxJacobian?: number;
  /** Number of random direction/cotangent pairs in random mode (default 3). */
  readonly trials?: number;
  /** Seed of the random directions and cotangents (default 0), so a failure repeats. */
  readonly seed?: number;
  /** Name used in the failure message; defaults to the op that made f's output. */
  readonly name?: string;
  /**
   * Which derivatives to check: 'rev' the gradients by `grad` (VJPs, the default), 'fwd' the
   * Jacobian-vector products by `jvp` (forward mode, through each op's jvp rule), or 'both'.
   */
  readonly autodiff?: 'rev' | 'fwd' | 'both';
}

const DEFAULTS = { eps: 1e-6, atol: 1e-5, rtol: 1e-3, mode: 'auto', maxJacobian: 4096, trials: 3, seed: 0, autodiff: 'rev' } as const;

const close = (a: number, n: number, atol: number, rtol: number) => Math.abs(a - n) <= atol + rtol * Math.abs(n);

function withData(x: Tensor, data: Float64Array): Tensor {
  return new Tensor(data, x.shape);
}

/** The arguments as the user gave them, checked before f runs. */
function checkArguments(f: unknown, inputs: unknown, o: Required<Omit<GradcheckOptions, 'name'>>): void {
  if (typeof f !== 'function') throw new Error(`gradcheck: f must be a function of the input tensors, got ${describeValue(f)}`);
  if (inputs instanceof Tensor) throw new Error('gradcheck: inputs must be an array of Tensors, got a single Tensor; pass [x]');
  if (!Array.isArray(inputs)) throw new Error(`gradcheck: inputs must be an array of Tensors, got ${describeValue(inputs)}`);
  if (inputs.length === 0) throw new Error('gradcheck: inputs is empty; pass the tensors to differentiate with respect to');
  inputs.forEach((x: unknown, i) => {
    if (!(x instanceof Tensor)) {
      throw new Error(`gradcheck: inputs[${i}] is ${describeValue(x)}, not a Tensor` +
        (Array.isArray(x) || typeof x === 'number' ? "; wrap it with tensor(…, { dtype: 'float64' })" : ''));
    }
  });
  const positive = (key: 'eps', v: number) => { if (!(Number.isFinite(v) && v > 0)) throw new Error(`gradcheck: ${key} must be a positive number, got ${v}`); };
  const nonNegative = (key: 'atol' | 'rtol', v: number) => { if (!(Number.isFinite(v) && v >= 0)) throw new Error(`gradcheck: ${key} must be a number ≥ 0, got ${v}`); };
  positive('eps', o.eps);
  nonNegative('atol', o.atol);
  nonNegative('rtol', o.rtol);
  if (!['auto', 'full', 'random'].includes(o.mode)) throw new Error(`gradcheck: mode must be 'auto', 'full' or 'random', got ${String(o.mode)}`);
  if (!['rev', 'fwd', 'both'].includes(o.autodiff)) throw new Error(`gradcheck: autodiff must be 'rev', 'fwd' or 'both', got ${describeValue(o.autodiff)}`);
  if (!(Number.isInteger(o.trials) && o.trials >= 1)) throw new Error(`gradcheck: trials must be a positive integer, got ${o.trials}`);
  if (!(Number.isInteger(o.maxJacobian) && o.maxJacobian >= 0)) throw new Error(`gradcheck: maxJacobian must be an integer ≥ 0, got ${o.maxJacobian}`);
  checkSeed('gradcheck', o.seed);
}

/** A random unit vector (normal draws, normalised): direction without a random scale. */
function unitVector(rng: Rng, size: number): Float64Array {
  const v = Float64Array.from({ length: size }, () => rng.normal());
  let squares = 0;
  for (const x of v) squares += x * x;
  const norm = Math.sqrt(squares);
  return v.map((x) => x / norm);
}

/**
 * Checks the reverse-mode gradients of `f` at `inputs` against central differences, all in float64 (the
 * inputs are cast to float64 first and `f` must keep that dtype). Small problems compare the full
 * Jacobian; large ones random directions (see `GradcheckOptions.mode`). With `{ autodiff: 'fwd' }` it
 * checks forward mode instead (J·u by `jvp`: the Jacobian's columns, or random directions u), with
 * 'both' both. Returns true when they agree.
 *
 * @param f - Computes a tensor (of any shape) from the inputs, with ops chainrule can differentiate.
 * @param inputs - The point to check at: the tensors to differentiate with respect to, one per argument of `f`.
 * @throws Error naming the op, the sub-check, the worst index and both values when gradients disagree;
 *   and when the arguments are wrong (f not a function, inputs not an array of Tensors, f not returning a
 *   float64 Tensor, a bad option).
 * @example
 * ```ts
 * import { gradcheck, tensor } from '@chainrule/core';
 * const x = tensor([[0.5, -1], [2, 0.3]]);
 * gradcheck((a) => a.mul(a).tanh().sum(), [x]);   // true, or throws
 * gradcheck((a) => a.sin(), [x], { autodiff: 'both' });   // forward mode (jvp) too
 * ```
 */
export function gradcheck(f: (...xs: Tensor[]) => Tensor, inputs: readonly Tensor[], options: GradcheckOptions = {}): true {
  // An option given as undefined takes its default, as if it were left out.
  const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as GradcheckOptions;
  const o = { ...DEFAULTS, ...given };
  checkArguments(f, inputs, o);
  const xs = inputs.map((x) => cast(x.detach(), 'float64').detach());
  const y: unknown = f(...xs);
  if (!(y instanceof Tensor)) throw new Error(`gradcheck: f returned ${describeValue(y)}, not a Tensor; return the tensor itself (not .item() or .data)`);
  if (y.dtype !== 'float64') throw new Error(`gradcheck: f returned ${y.dtype}; it must compute in float64 when given float64 inputs`);
  const name = o.name ?? y.node?.op.name ?? 'f';
  // Not under noGrad: f may itself call grad (checking a second derivative), which needs the graph recorded.
  const evalAt = (k: number, data: Float64Array) => f(...xs.map((x, i) => (i === k ? withData(x, data) : x))).data;
  const inSize = xs.reduce((n, x) => n + x.size, 0);
  const full = o.mode === 'full' || (o.mode === 'auto' && inSize * y.size <= o.maxJacobian);
  const [reverse, forward] = [o.autodiff !== 'fwd', o.autodiff !== 'rev'];
  // J·u for a direction u on input k only (zeros on the others), by forward mode.
  const jvpAlong = (k: number, u: Float64Array) =>
    jvp((ys: Tensor[]) => f(...ys), xs, xs.map((x, i) => withData(x, i === k ? u : new Float64Array(x.size))))[1].data;

  const fail = (check: string, detail: string, analytic: number, numeric: number): never => {
    throw new Error(`gradcheck failed for '${name}' (${check}): ${detail}: analytic ${analytic}, numeric ${numeric} ` +
      `(eps ${o.eps}, atol ${o.atol}, rtol ${o.rtol}; input shapes ${xs.map((x) => fmt(x.shape)).join(', ')})`);
  };

  if (full) {
    // Row j of the Jacobian from one VJP with the unit cotangent e_j; columns from perturbing each element.
    const analytic = reverse ? Array.from({ length: y.size }, (_, j) => {
      const seed = new Float64Array(y.size);
      seed[j] = 1;
      return grad(y, xs, { seed: withData(y, seed) }).map((g) => g.data);
    }) : [];
    xs.forEach((x, k) => {
      // The worst disagreement per check, so the message shows the largest one, not the first.
      const worst = new Map<string, { err: number; detail: string; a: number; n: number }>();
      const compare = (check: string, a: number, n: number, detail: string) => {
        const err = Math.abs(a - n) - o.rtol * Math.abs(n);
        if (!close(a, n, o.atol, o.rtol) && err > (worst.get(check)?.err ?? -1)) worst.set(check, { err, detail, a, n });
        if (Number.isNaN(a) !== Number.isNaN(n)) fail(check, `${detail} is NaN on one side`, a, n);
      };
      for (let e = 0; e < x.size; e++) {
        const plus = Float64Array.from(x.data); plus[e]! += o.eps;
        const minus = Float64Array.from(x.data); minus[e]! -= o.eps;
        const [fp, fm] = [evalAt(k, plus), evalAt(k, minus)];
        const column = forward ? jvpAlong(k, Float64Array.from({ length: x.size }, (_, i) => (i === e ? 1 : 0))) : undefined;
        for (let j = 0; j < y.size; j++) {
          const n = (fp[j]! - fm[j]!) / (2 * o.eps);
          const detail = `input ${k}, d out[${j}] / d in[${e}]`;
          if (reverse) compare('full Jacobian', analytic[j]![k]![e]!, n, detail);
          if (column) compare('full Jacobian, forward mode', column[j]!, n, detail);
        }
      }
      for (const [check, w] of worst) fail(check, w.detail, w.a, w.n);
    });
    return true;
  }

  const rng = new Rng(o.seed);
  for (let t = 0; t < o.trials; t++) {
    const c = unitVector(rng, y.size);
    const gs = reverse ? grad(y, xs, { seed: withData(y, c) }) : [];
    xs.forEach((x, k) => {
      const u = unitVector(rng, x.size);
      const fp = evalAt(k, x.data.map((v, i) => v + o.eps * u[i]!) as Float64Array);
      const fm = evalAt(k, x.data.map((v, i) => v - o.eps * u[i]!) as Float64Array);
      const trial = `input ${k}, trial ${t} (seed ${o.seed})`;
      if (reverse) {
        let analytic = 0;
        for (let i = 0; i < u.length; i++) analytic += u[i]! * gs[k]!.data[i]!;
        let numeric = 0;
        for (let j = 0; j < y.size; j++) numeric += ((fp[j]! - fm[j]!) / (2 * o.eps)) * c[j]!;
        if (!close(analytic, numeric, o.atol, o.rtol)) fail('random direction', trial, analytic, numeric);
      }
      if (forward) {
        // J·u element by element: each is a directional derivative along a unit vector, like a Jacobian entry.
        const ju = jvpAlong(k, u);
        for (let j = 0; j < y.size; j++) {
          const numeric = (fp[j]! - fm[j]!) / (2 * o.eps);
          if (!close(ju[j]!, numeric, o.atol, o.rtol)) fail('random direction, forward mode', `${trial}, out[${j}]`, ju[j]!, numeric);
        }
      }
    });
  }
  return true;
}
