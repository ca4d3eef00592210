/**
 * gradcheck: compares reverse-mode gradients with central differences in float64.
 * Small problems get the full Jacobian; large ones a random direction u and random cotangent c:
 * ⟨u, vjp(c)⟩ ≈ ⟨(f(x+εu) − f(x−εu)) / 2ε, c⟩, whose cost does not grow with the input.
 */
import { grad } from './autodiff/grad.ts';
import { cast } from './ops/elementwise.ts';
import { Rng } from './random.ts';
import { fmt } from './shape.ts';
import { Tensor } from './tensor.ts';

export interface GradcheckOptions {
  readonly eps?: number;
  readonly atol?: number;
  readonly rtol?: number;
  /** 'full' Jacobian, 'random' directions, or 'auto': full while inputs × outputs ≤ maxJacobian. */
  readonly mode?: 'auto' | 'full' | 'random';
  readonly maxJacobian?: number;
  /** Number of random direction/cotangent pairs in random mode. */
  readonly trials?: number;
  readonly seed?: number;
  /** Name used in the failure message; defaults to the op that made f's output. */
  readonly name?: string;
}

const DEFAULTS = { eps: 1e-6, atol: 1e-5, rtol: 1e-3, mode: 'auto', maxJacobian: 4096, trials: 3, seed: 0 } as const;

const close = (a: number, n: number, atol: number, rtol: number) => Math.abs(a - n) <= atol + rtol * Math.abs(n);

function withData(x: Tensor, data: Float64Array): Tensor {
  return new Tensor(data, x.shape);
}

/** Throws an Error naming the op, the sub-check, the worst index and both values when gradients disagree. */
export function gradcheck(f: (...xs: Tensor[]) => Tensor, inputs: readonly Tensor[], options: GradcheckOptions = {}): true {
  const o = { ...DEFAULTS, ...options };
  const xs = inputs.map((x) => cast(x.detach(), 'float64').detach());
  const y = f(...xs);
  if (y.dtype !== 'float64') throw new Error(`gradcheck: f returned ${y.dtype}; it must compute in float64 when given float64 inputs`);
  const name = o.name ?? y.node?.op.name ?? 'f';
  // Not under noGrad: f may itself call grad (checking a second derivative), which needs the graph recorded.
  const evalAt = (k: number, data: Float64Array) => f(...xs.map((x, i) => (i === k ? withData(x, data) : x))).data;
  const inSize = xs.reduce((n, x) => n + x.size, 0);
  const full = o.mode === 'full' || (o.mode === 'auto' && inSize * y.size <= o.maxJacobian);

  const fail = (check: string, detail: string, analytic: number, numeric: number): never => {
    throw new Error(`gradcheck failed for '${name}' (${check}): ${detail}: analytic ${analytic}, numeric ${numeric} ` +
      `(eps ${o.eps}, atol ${o.atol}, rtol ${o.rtol}; input shapes ${xs.map((x) => fmt(x.shape)).join(', ')})`);
  };

  if (full) {
    // Row j of the Jacobian from one VJP with the unit cotangent e_j; columns from perturbing each element.
    const analytic = Array.from({ length: y.size }, (_, j) => {
      const seed = new Float64Array(y.size);
      seed[j] = 1;
      return grad(y, xs, { seed: withData(y, seed) }).map((g) => g.data);
    });
    xs.forEach((x, k) => {
      let worst = { err: -1, detail: '', a: 0, n: 0 };
      for (let e = 0; e < x.size; e++) {
        const plus = Float64Array.from(x.data); plus[e]! += o.eps;
        const minus = Float64Array.from(x.data); minus[e]! -= o.eps;
        const [fp, fm] = [evalAt(k, plus), evalAt(k, minus)];
        for (let j = 0; j < y.size; j++) {
          const n = (fp[j]! - fm[j]!) / (2 * o.eps);
          const a = analytic[j]![k]![e]!;
          const err = Math.abs(a - n) - o.rtol * Math.abs(n);
          if (!close(a, n, o.atol, o.rtol) && err > worst.err) worst = { err, detail: `input ${k}, d out[${j}] / d in[${e}]`, a, n };
          if (Number.isNaN(a) !== Number.isNaN(n)) fail('full Jacobian', `input ${k}, d out[${j}] / d in[${e}] is NaN on one side`, a, n);
        }
      }
      if (worst.err >= 0) fail('full Jacobian', worst.detail, worst.a, worst.n);
    });
    return true;
  }

  const rng = new Rng(o.seed);
  const randomLike = (size: number) => Float64Array.from({ length: size }, () => rng.normal());
  for (let t = 0; t < o.trials; t++) {
    const c = randomLike(y.size);
    const gs = grad(y, xs, { seed: withData(y, c) });
    xs.forEach((x, k) => {
      const u = randomLike(x.size);
      let analytic = 0;
      for (let i = 0; i < u.length; i++) analytic += u[i]! * gs[k]!.data[i]!;
      const fp = evalAt(k, x.data.map((v, i) => v + o.eps * u[i]!) as Float64Array);
      const fm = evalAt(k, x.data.map((v, i) => v - o.eps * u[i]!) as Float64Array);
      let numeric = 0;
      for (let j = 0; j < y.size; j++) numeric += ((fp[j]! - fm[j]!) / (2 * o.eps)) * c[j]!;
      if (!close(analytic, numeric, o.atol, o.rtol)) fail('random direction', `input ${k}, trial ${t} (seed ${o.seed})`, analytic, numeric);
    });
  }
  return true;
}
