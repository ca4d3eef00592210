/**
 * Where chainrule began: a first-year calculus project's two-layer network (tanh hidden layer,
 * squared error) with its backpropagation derived by the chain rule and written by hand. The example
 * computes that gradient step by step on plain arrays, as the original did, and prints it beside
 * `grad` (reverse mode), `jvp` (forward mode, along a random direction) and `jacobian` (∂ŷ/∂θ in
 * both modes): all agree to 1e-12 in float64. It trains the network by gradient descent on the
 * hand-written gradient, takes the Hessian of the loss at the end (its extreme eigenvalues: the
 * curvature along the stiffest and flattest directions, each checked against `hvp`), and fits a
 * small convex model (L2-regularised logistic regression) by Newton's method, which converges in a
 * handful of steps. The report shows the Jacobian and Hessian as heatmaps.
 */
import { grad, hessian, hvp, jacobian, jvp, noGrad, randn, rng, softplus, tanh, tensor, type Tensor } from '@chainrule/core';
import { jacobianChart, lineChart, lossChart } from '@chainrule/viz';
import { writeReport, type WrittenReport } from '@chainrule/viz/node';
import { commandLine, flags, numberFlag } from './cli.ts';

const f64 = { dtype: 'float64' as const };

// ---------------------------------------------------------------------------------------------
// The network and its parameters

/** θ: W1 [1, H], b1 [H], W2 [H, 1], b2 [1]. */
export type Params = { readonly W1: Tensor; readonly b1: Tensor; readonly W2: Tensor; readonly b2: Tensor };
const NAMES = ['W1', 'b1', 'W2', 'b2'] as const;

export const predict = (p: Params, x: Tensor): Tensor => tanh(x.matmul(p.W1).add(p.b1)).matmul(p.W2).add(p.b2);
export const loss = (p: Params, x: Tensor, y: Tensor): Tensor => predict(p, x).sub(y).square().mean();

export function initParams(hidden: number, seed: number): Params {
  const r = rng(seed);
  return {
    W1: randn([1, hidden], { rng: r, ...f64 }), b1: randn([hidden], { rng: r, std: 0.5, ...f64 }),
    W2: randn([hidden, 1], { rng: r, std: 1 / Math.sqrt(hidden), ...f64 }), b2: tensor([0], f64),
  };
}

/** The data: y = sin(x) on n points of [−3, 3]. */
export function sineData(n: number): { x: Tensor; y: Tensor } {
  const xs = Array.from({ length: n }, (_, i) => -3 + (6 * i) / (n - 1));
  return { x: tensor(xs.map((v) => [v]), f64), y: tensor(xs.map((v) => [Math.sin(v)]), f64) };
}

// ---------------------------------------------------------------------------------------------
// Backpropagation by hand: the chain rule, one step at a time, on plain arrays

export const CHAIN_RULE = [
  'forward:   z = x·W1 + b1    h = tanh(z)    ŷ = h·W2 + b2    L = (1/N)·Σ (ŷ − y)²',
  'backward, by the chain rule:',
  '  ∂L/∂ŷ  = 2(ŷ − y)/N',
  '  ∂L/∂W2 = hᵀ·∂L/∂ŷ          ∂L/∂b2 = Σₙ ∂L/∂ŷ',
  '  ∂L/∂h  = ∂L/∂ŷ·W2ᵀ',
  "  ∂L/∂z  = ∂L/∂h ⊙ (1 − h²)   (tanh' = 1 − tanh²)",
  '  ∂L/∂W1 = xᵀ·∂L/∂z          ∂L/∂b1 = Σₙ ∂L/∂z',
];

export interface ByHand {
  readonly loss: number;
  /** ∂L/∂θ, each as its parameter's values in row-major order. */
  readonly grads: Record<(typeof NAMES)[number], Float64Array>;
  /** ∂ŷₙ/∂θ: one row per sample, one column per parameter value (W1, b1, W2, b2 in order). */
  readonly jacobian: number[][];
}

export function backpropByHand(p: Params, x: Tensor, y: Tensor): ByHand {
  const N = x.shape[0]!, H = p.b1.size;
  const [W1, b1, W2, b2] = [p.W1.data, p.b1.data, p.W2.data, p.b2.data[0]!];
  const gW1 = new Float64Array(H), gb1 = new Float64Array(H), gW2 = new Float64Array(H);
  let gb2 = 0, L = 0;
  const jac: number[][] = [];
  for (let n = 0; n < N; n++) {
    const xn = x.data[n]!;
    const h = Array.from({ length: H }, (_, j) => Math.tanh(xn * W1[j]! + b1[j]!)); // h = tanh(x·W1 + b1)
    const yHat = h.reduce((s, hj, j) => s + hj * W2[j]!, b2); // ŷ = h·W2 + b2
    const r = yHat - y.data[n]!;
    L += (r * r) / N;
    const dyHat = (2 * r) / N; // ∂L/∂ŷ
    gb2 += dyHat; // ∂L/∂b2 = Σ ∂L/∂ŷ
    const row = { W1: [] as number[], b1: [] as number[], W2: [] as number[] };
    for (let j = 0; j < H; j++) {
      gW2[j]! += h[j]! * dyHat; // ∂L/∂W2 = hᵀ·∂L/∂ŷ
      const dz = dyHat * W2[j]! * (1 - h[j]! ** 2); // ∂L/∂z = (∂L/∂ŷ·W2ᵀ) ⊙ (1 − h²)
      gW1[j]! += xn * dz; // ∂L/∂W1 = xᵀ·∂L/∂z
      gb1[j]! += dz; // ∂L/∂b1 = Σ ∂L/∂z
      // ∂ŷ/∂θ is the same chain without the loss's factor ∂L/∂ŷ.
      const dzdb = W2[j]! * (1 - h[j]! ** 2);
      row.W1.push(xn * dzdb); row.b1.push(dzdb); row.W2.push(h[j]!);
    }
    jac.push([...row.W1, ...row.b1, ...row.W2, 1]);
  }
  return { loss: L, grads: { W1: gW1, b1: gb1, W2: gW2, b2: Float64Array.of(gb2) }, jacobian: jac };
}

// ---------------------------------------------------------------------------------------------
// Small dense linear algebra: the Hessians here are at most a few dozen rows

/** Eigenvalues and eigenvectors of a symmetric matrix by cyclic Jacobi rotations (exact to rounding). */
export function symmetricEigen(A: number[][]): { values: number[]; vectors: number[][] } {
  const n = A.length;
  const a = A.map((r) => [...r]);
  const v: number[][] = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) off += a[i]![j]! ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        if (Math.abs(a[p]![q]!) < 1e-300) continue;
        // The rotation that zeroes a[p][q].
        const theta = (a[q]![q]! - a[p]![p]!) / (2 * a[p]![q]!);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1), s = t * c;
        for (let k = 0; k < n; k++) {
          const [akp, akq] = [a[k]![p]!, a[k]![q]!];
          a[k]![p] = c * akp - s * akq; a[k]![q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const [apk, aqk] = [a[p]![k]!, a[q]![k]!];
          a[p]![k] = c * apk - s * aqk; a[q]![k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const [vkp, vkq] = [v[k]![p]!, v[k]![q]!];
          v[k]![p] = c * vkp - s * vkq; v[k]![q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => a[i]![i]! - a[j]![j]!);
  return { values: order.map((i) => a[i]![i]!), vectors: order.map((i) => v.map((row) => row[i]!)) };
}

/** x with A·x = b, by Gaussian elimination with partial pivoting. */
export function solve(A: number[][], b: number[]): number[] {
  const n = b.length;
  const m = A.map((r, i) => [...r, b[i]!]);
  for (let c = 0; c < n; c++) {
    let best = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[best]![c]!)) best = r;
    [m[c], m[best]] = [m[best]!, m[c]!];
    for (let r = c + 1; r < n; r++) {
      const f = m[r]![c]! / m[c]![c]!;
      for (let k = c; k <= n; k++) m[r]![k]! -= f * m[c]![k]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = m[r]![n]!;
    for (let k = r + 1; k < n; k++) s -= m[r]![k]! * x[k]!;
    x[r] = s / m[r]![r]!;
  }
  return x;
}

// ---------------------------------------------------------------------------------------------
// Trees of blocks as one matrix (for the eigen-solve and the heatmaps)

const flatValues = (p: Record<string, Tensor>): number[] => NAMES.flatMap((k) => Array.from(p[k]!.data));
export const paramLabels = (p: Params): string[] => NAMES.flatMap((k) => {
  const t = p[k];
  return Array.from({ length: t.size }, (_, i) => (t.rank === 2 ? `${k}[${Math.floor(i / t.shape[1]!)},${i % t.shape[1]!}]` : `${k}[${i}]`));
});

/** jacobian's tree {W1: [N, 1, H], …} of ∂ŷ/∂θ as rows of N × |θ|. */
function jacobianMatrix(J: Record<string, Tensor>, N: number): number[][] {
  return Array.from({ length: N }, (_, n) => NAMES.flatMap((k) => {
    const size = J[k]!.size / N;
    return Array.from(J[k]!.data.subarray(n * size, (n + 1) * size));
  }));
}

/** hessian's tree of trees H[a][b] of shape [...a, ...b] as one |θ| × |θ| matrix. */
function hessianMatrix(H: Record<string, Record<string, Tensor>>, p: Params): number[][] {
  return NAMES.flatMap((a) => Array.from({ length: p[a].size }, (_, i) => NAMES.flatMap((b) => {
    const size = p[b].size;
    return Array.from(H[a]![b]!.data.subarray(i * size, (i + 1) * size));
  })));
}

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
const sci = (v: number) => v.toExponential(2);

// ---------------------------------------------------------------------------------------------
// Newton's method on a convex fit

/** Two Gaussian clouds with overlapping tails, labels ±1, and a column of ones for the bias. */
export function logisticData(n: number, seed: number): { X: Tensor; t: Tensor } {
  const r = rng(seed);
  const rows: number[][] = [], labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const label = i % 2 === 0 ? 1 : -1;
    rows.push([label * 0.8 + r.normal(), label * 0.4 + r.normal(), 1]);
    labels.push(label);
  }
  return { X: tensor(rows, f64), t: tensor(labels, f64) };
}

/** Mean logistic loss log(1 + e^(−t·Xw)) plus (λ/2)‖w‖²: strictly convex. */
export const logisticLoss = (w: Tensor, X: Tensor, t: Tensor, lambda: number): Tensor =>
  softplus(X.matmul(w).mul(t).neg()).mean().add(w.square().sum().mul(lambda / 2));

export interface NewtonStep { readonly step: number; readonly loss: number; readonly gradNorm: number }

/** w ← w − H⁻¹∇L until ‖∇L‖ < tol: quadratic convergence once near the minimum. */
export function newton(X: Tensor, t: Tensor, lambda: number, o: { tol?: number; maxSteps?: number } = {}): { w: Tensor; steps: NewtonStep[] } {
  const { tol = 1e-12, maxSteps = 20 } = o;
  let w = tensor([0, 0, 0], f64);
  const steps: NewtonStep[] = [];
  for (let k = 0; ; k++) {
    const f = (v: Tensor) => logisticLoss(v, X, t, lambda);
    const L = f(w);
    const g = grad(L, w);
    const gradNorm = Math.hypot(...g.data);
    steps.push({ step: k, loss: L.item(), gradNorm });
    if (gradNorm < tol || k === maxSteps) break;
    const H = hessian(f, w);
    const n = w.size;
    const rows = Array.from({ length: n }, (_, i) => Array.from(H.data.subarray(i * n, (i + 1) * n)));
    const delta = solve(rows, Array.from(g.data));
    w = noGrad(() => w.sub(tensor(delta, f64)));
  }
  return { w, steps };
}

// ---------------------------------------------------------------------------------------------
// The run

export interface CalculusConfig { readonly hidden: number; readonly n: number; readonly steps: number; readonly lr: number; readonly seed: number }
export const defaults: CalculusConfig = { hidden: 4, n: 32, steps: 4000, lr: 0.2, seed: 1 };

export interface CalculusRun {
  /** Largest |hand − library| over ∂L/∂θ (grad), ⟨∇L, v⟩ (jvp) and ∂ŷ/∂θ (jacobian, each mode). */
  readonly agreement: { grad: number; jvp: number; jacobianRev: number; jacobianFwd: number };
  readonly losses: number[];
  readonly eigen: { min: number; max: number; residual: number; symmetry: number };
  readonly newton: NewtonStep[];
  readonly report: WrittenReport;
}

export async function runCalculus(c: CalculusConfig, o: { out: string; png?: boolean; command?: string; log?: (line: string) => void }): Promise<CalculusRun> {
  const log = o.log ?? console.log;
  const { x, y } = sineData(c.n);
  let p = initParams(c.hidden, c.seed);
  const N = c.n;

  log(`A ${1}-${c.hidden}-1 tanh network on y = sin(x), ${N} points, float64.`);
  for (const line of CHAIN_RULE) log(line);

  // 1. The gradient by hand against grad.
  const hand = backpropByHand(p, x, y);
  const lib = grad(loss(p, x, y), p);
  log('\n∂L/∂θ at the initial parameters:       by hand                 grad                    |difference|');
  let gradDiff = 0;
  for (const k of NAMES) {
    const d = maxDiff(hand.grads[k], lib[k].data);
    gradDiff = Math.max(gradDiff, d);
    // The first two values of each parameter, side by side.
    const two = (a: ArrayLike<number>) => Array.from({ length: 2 }, (_, i) => (i < a.length ? a[i]!.toFixed(12) : '').padStart(16)).join(' ');
    log(`  ${k.padEnd(3)} ${two(hand.grads[k])}    ${two(lib[k].data)}    ${sci(d)}`);
  }

  // 2. A directional derivative: forward mode against ⟨∇L, v⟩ from the hand-written gradient.
  const r = rng(c.seed + 1);
  const v: Params = { W1: randn(p.W1.shape, { rng: r, ...f64 }), b1: randn(p.b1.shape, { rng: r, ...f64 }), W2: randn(p.W2.shape, { rng: r, ...f64 }), b2: randn(p.b2.shape, { rng: r, ...f64 }) };
  const directional = NAMES.reduce((s, k) => s + Array.from(hand.grads[k]).reduce((t, g, i) => t + g * v[k].data[i]!, 0), 0);
  const [, tangent] = jvp((q: Params) => loss(q, x, y), p, v);
  const jvpDiff = Math.abs(tangent.item() - directional);
  log(`\n⟨∇L, v⟩ along a random v: by hand ${directional.toFixed(14)}, jvp ${tangent.item().toFixed(14)}, |difference| ${sci(jvpDiff)}`);

  // 3. ∂ŷ/∂θ (N × |θ|) by hand against jacobian in both modes.
  const Jrev = jacobianMatrix(jacobian((q: Params) => predict(q, x).reshape([N]), p, { mode: 'rev' }) as unknown as Record<string, Tensor>, N);
  const Jfwd = jacobianMatrix(jacobian((q: Params) => predict(q, x).reshape([N]), p, { mode: 'fwd' }) as unknown as Record<string, Tensor>, N);
  const agreement = {
    grad: gradDiff, jvp: jvpDiff,
    jacobianRev: maxDiff(hand.jacobian.flat(), Jrev.flat()), jacobianFwd: maxDiff(hand.jacobian.flat(), Jfwd.flat()),
  };
  log(`∂ŷ/∂θ (${N} × ${Jrev[0]!.length}): |by hand − jacobian| ≤ ${sci(agreement.jacobianRev)} (rows by VJPs), ${sci(agreement.jacobianFwd)} (columns by JVPs)`);

  // 4. Train by gradient descent on the hand-written gradient, as the original project did.
  const losses: number[] = [];
  for (let s = 0; s < c.steps; s++) {
    const b = backpropByHand(p, x, y);
    losses.push(b.loss);
    p = noGrad(() => ({
      W1: p.W1.sub(tensor(Array.from(b.grads.W1), f64).reshape(p.W1.shape).mul(c.lr)),
      b1: p.b1.sub(tensor(Array.from(b.grads.b1), f64).mul(c.lr)),
      W2: p.W2.sub(tensor(Array.from(b.grads.W2), f64).reshape(p.W2.shape).mul(c.lr)),
      b2: p.b2.sub(tensor(Array.from(b.grads.b2), f64).mul(c.lr)),
    }));
  }
  const final = backpropByHand(p, x, y).loss;
  log(`\ntrained ${c.steps} steps of gradient descent (lr ${c.lr}) on the hand-written gradient: loss ${losses[0]!.toFixed(5)} → ${final.toExponential(3)}`);

  // 5. The Hessian of the loss at the end: its extreme eigenvalues, each eigenpair checked with hvp.
  const lossOf = (q: Params) => loss(q, x, y);
  const Hm = hessianMatrix(hessian(lossOf, p) as unknown as Record<string, Record<string, Tensor>>, p);
  const symmetry = Hm.reduce((m, row, i) => row.reduce((mm, h, j) => Math.max(mm, Math.abs(h - Hm[j]![i]!)), m), 0);
  const { values, vectors } = symmetricEigen(Hm);
  const residual = [0, values.length - 1].reduce((m, i) => {
    let at = 0;
    const u = Object.fromEntries(NAMES.map((k) => {
      const t = tensor(vectors[i]!.slice(at, at + p[k].size), f64).reshape(p[k].shape);
      at += p[k].size;
      return [k, t];
    })) as unknown as Params;
    const Hu = flatValues(hvp(lossOf, p, u) as unknown as Record<string, Tensor>);
    return Math.max(m, Hu.reduce((s, h, j) => Math.max(s, Math.abs(h - values[i]! * vectors[i]![j]!)), 0));
  }, 0);
  const eigen = { min: values[0]!, max: values[values.length - 1]!, residual, symmetry };
  log(`Hessian of the loss (${Hm.length} × ${Hm.length}, symmetric to ${sci(symmetry)}): eigenvalues from ${eigen.min.toExponential(3)} to ${eigen.max.toExponential(3)}` +
    `${eigen.min < 0 ? ' (a negative one: along it the loss still curves down, so this is not yet a minimum)' : ''}; ‖H·u − λu‖ by hvp ≤ ${sci(residual)}`);

  // 6. Newton's method on a convex fit.
  const { X, t } = logisticData(200, c.seed);
  const nt = newton(X, t, 1e-2);
  log('\nNewton on L2-regularised logistic regression (200 points, 3 weights):');
  for (const s of nt.steps) log(`  step ${s.step}: loss ${s.loss.toFixed(15)}   ‖∇L‖ ${sci(s.gradNorm)}`);

  const labels = paramLabels(p);
  const report = await writeReport(o.out, {
    title: 'Calculus: backpropagation by hand, jvp, jacobian, hessian',
    command: o.command,
    settings: { hidden: c.hidden, points: N, steps: c.steps, lr: c.lr, seed: c.seed },
    metrics: {
      '|hand − grad|': agreement.grad, '|hand − jvp|': agreement.jvp, '|hand − jacobian rev|': agreement.jacobianRev, '|hand − jacobian fwd|': agreement.jacobianFwd,
      'final loss': final, 'Hessian λ min': eigen.min, 'Hessian λ max': eigen.max, 'Newton steps': nt.steps.length - 1,
    },
    figures: [
      { title: 'Jacobian of the outputs', caption: '∂ŷₙ/∂θ at the initial parameters, one row per sample', spec: jacobianChart({ matrix: Jrev, columnLabels: labels, title: 'Jacobian ∂ŷ/∂θ', rowTitle: 'output (one per sample)', columnTitle: 'parameter' }) },
      { title: 'Hessian of the loss', caption: 'after training; the extreme eigenvalues are in the metrics', spec: jacobianChart({ matrix: Hm, rowLabels: labels, columnLabels: labels, title: 'Hessian ∂²L/∂θ²', rowTitle: 'parameter', columnTitle: 'parameter' }) },
      { title: 'Training loss', spec: lossChart({ train: losses, xTitle: 'step', logY: true }) },
      { title: 'Newton convergence', spec: lineChart({ title: "Newton's method: gradient norm", xTitle: 'step', yTitle: '‖∇L‖', logY: true, series: [{ name: 'Newton', y: nt.steps.map((s) => s.gradNorm), x: nt.steps.map((s) => s.step) }] }) },
    ],
    png: o.png,
  });
  log(`\nreport: ${report.index}`);
  return { agreement, losses, eigen, newton: nt.steps, report };
}

export async function main(argv: string[]): Promise<void> {
  const f = flags('calculus', argv, {
    hidden: { type: 'string', default: String(defaults.hidden), description: 'hidden tanh units' },
    n: { type: 'string', default: String(defaults.n), description: 'points of y = sin(x) on [−3, 3]' },
    steps: { type: 'string', default: String(defaults.steps), description: 'gradient-descent steps' },
    lr: { type: 'string', default: String(defaults.lr), description: 'learning rate' },
    seed: { type: 'string', default: String(defaults.seed), description: 'seed for the initial parameters, the direction v and the logistic data' },
    out: { type: 'string', default: 'reports/calculus', description: 'report folder' },
    png: { type: 'boolean', default: false, description: 'also write a PNG of every figure' },
  });
  const int = (name: string, v: string, min = 1) => numberFlag('calculus', name, v, { min, integer: true });
  const c: CalculusConfig = {
    hidden: int('hidden', f.hidden), n: int('n', f.n, 2), steps: int('steps', f.steps, 0),
    lr: numberFlag('calculus', 'lr', f.lr, { min: 0 }), seed: numberFlag('calculus', 'seed', f.seed, { integer: true }),
  };
  await runCalculus(c, { out: f.out, png: f.png, command: commandLine('calculus', argv) });
}
