/**
 * A new op defined outside core, the way a user would: swish_β(x) = x·σ(βx). Its forward pass is
 * a loop over the typed array, its VJP is written with other ops (so second derivatives work),
 * and its `sample` tells the property checks which inputs to try. The example gradchecks it in
 * float64 (the Jacobian, a random direction through a small network, the second derivative and
 * cases drawn from its sample), then trains a hand-written two-hidden-layer network with it
 * (matmul + swish, valueAndGrad, Adam) next to the same network with tanh, and writes a report.
 */
import fc from 'fast-check';
import {
  add, backend, defineOp, grad, matmul, mean, mul, nameScope, noGrad, randn, sigmoid, square, sub, tanh,
  tensor, valueAndGrad, gradcheck, type Tensor,
} from '@chainrule/core';
import { sampleUnary } from '@chainrule/core/testing';
import { functions, sampleFunction, trainTestSplit } from '@chainrule/datasets';
import { adam, batchIndices, cosineDecay, meanSquaredError, mlp, StandardScaler, takeRows, warmup, type Params } from '@chainrule/nn';
import { lineChart, toDot } from '@chainrule/viz';
import { writeReport, type Figure, type WrittenReport } from '@chainrule/viz/node';
import { commandLine, flags, numberFlag } from './cli.ts';

// ---------------------------------------------------------------------------------------------
// The op

export interface SwishAttrs { readonly beta: number }

export const swishOp = defineOp<SwishAttrs>({
  name: 'swish',
  arity: 1,
  // The forward pass works on the typed array directly: x / (1 + e^(−βx)). Its output buffer comes
  // from `allocate`, so a training loop reuses it step after step.
  forward: ([x], { beta }, allocate) => {
    const data = allocate(x!.dtype, x!.size);
    const xs = x!.data;
    for (let i = 0; i < xs.length; i++) data[i] = xs[i]! / (1 + Math.exp(-beta * xs[i]!));
    return { shape: x!.shape, data };
  },
  // d/dx x·σ(βx) = σ(βx) + βx·σ(βx)(1 − σ(βx)) = s + β·out·(1 − s), written with ops.
  vjp: ([x], out, g, { beta }) => {
    const s = sigmoid(mul(x!, beta));
    return [mul(g, add(s, mul(mul(out, beta), sub(1, s))))];
  },
  // Any shape of rank 0–4, values in [−6, 6] (σ saturates beyond), a few values of β.
  sample: sampleUnary({ min: -6, max: 6 }, (_, f) => f.record({ beta: f.constantFrom(0.5, 1, 2) })),
  describe: ({ beta }) => `beta=${beta}`,
});

export const swish = (x: Tensor, beta = 1): Tensor => swishOp.run([x], { beta });

// ---------------------------------------------------------------------------------------------
// Checking its gradient

export interface CheckResult { readonly name: string; readonly detail: string }

/** Every check throws (naming the op, the check and the worst element) if the VJP is wrong. */
export function checkSwish(options: { cases?: number; seed?: number } = {}): CheckResult[] {
  const { cases = 50, seed = 1 } = options;
  const f64 = { dtype: 'float64' as const };
  const results: CheckResult[] = [];
  const x = randn([3, 4], { seed, ...f64 });
  for (const beta of [0.5, 1, 2]) gradcheck((a) => swish(a!, beta), [x], { mode: 'full' });
  results.push({ name: 'Jacobian', detail: 'full 12×12 Jacobian of swish on a [3, 4] input, β = 0.5, 1, 2' });

  const xb = randn([16, 5], { seed: seed + 1, ...f64 });
  const w = randn([5, 32], { seed: seed + 2, ...f64 });
  gradcheck((a, b) => swish(matmul(a!, b!)), [xb, w], { mode: 'random', trials: 5, seed });
  results.push({ name: 'random direction', detail: 'swish(x·W) with x [16, 5], W [5, 32]: ⟨u, vjp(c)⟩ against central differences, 5 random u and c' });

  // The VJP is made of ops, so its own gradient exists: check d²/dx² swish.
  gradcheck((a) => grad(swish(a!).sum(), [a!], { createGraph: true })[0]!, [x], { mode: 'full' });
  results.push({ name: 'second derivative', detail: 'gradcheck of the gradient (createGraph), full Jacobian' });

  const drawn = fc.sample(swishOp.spec.sample!(fc), { seed, numRuns: cases });
  for (const s of drawn) {
    const xs = s.inputs.map(({ shape, values }) => tensor(values, { shape, ...f64 }));
    gradcheck((...ys) => swishOp.run(ys, s.attrs), xs, { name: 'swish' });
  }
  results.push({ name: 'sampled cases', detail: `${cases} random shapes (rank 0–4), values and β from the op's own sample` });
  return results;
}

// ---------------------------------------------------------------------------------------------
// A hand-written network that uses it

export type Activation = 'swish' | 'tanh';

export interface CustomOpConfig {
  readonly hidden: number;
  readonly steps: number;
  readonly batchSize: number;
  readonly lr: number;
  readonly n: number;
  readonly seed: number;
}

export const defaults: CustomOpConfig = { hidden: 64, steps: 2000, batchSize: 128, lr: 1e-2, n: 3000, seed: 1 };

/**
 * Parameters for 2 → h → h → 1, keyed 'dense0/w', 'dense0/b', …: nn's mlp supplies only the
 * initial values (Glorot, as for tanh), so both activations start from the same weights.
 */
export const initParams = (hidden: number, seed: number): Params =>
  mlp([2, hidden, hidden, 1], { hidden: 'tanh', output: 'linear' }).init(seed);

/** The forward pass, written by hand: matmul, bias, activation, each layer in its own name scope. */
export function apply(p: Params, x: Tensor, act: Activation): Tensor {
  const f = act === 'swish' ? (t: Tensor) => swish(t) : tanh;
  const dense = (name: string, h: Tensor, activate: boolean) => nameScope(name, () => {
    const z = add(matmul(h, p.get(`${name}/w`)!), p.get(`${name}/b`)!);
    return activate ? f(z) : z;
  });
  return dense('dense2', dense('dense1', dense('dense0', x, true), true), false);
}

export const loss = (p: Params, x: Tensor, y: Tensor, act: Activation): Tensor => nameScope('loss', () => mean(square(sub(apply(p, x, act), y))));

export interface TrainResult {
  readonly params: Params;
  readonly stepLoss: number[];
  readonly testMse: number;
  readonly seconds: number;
}

/** Adam with warmup and cosine decay; each step is valueAndGrad of the loss with respect to the params. */
export function train(c: CustomOpConfig, act: Activation, data: { x: Tensor; y: Tensor; xTest: Tensor; yTest: Tensor }): TrainResult {
  const started = performance.now();
  const opt = adam({ lr: warmup(cosineDecay(c.lr, { decaySteps: c.steps, alpha: 0.001 }), { steps: Math.max(1, Math.round(Math.min(100, c.steps / 20))) }) });
  let params = initParams(c.hidden, c.seed);
  let state = opt.init(params);
  const stepLoss: number[] = [];
  const n = data.x.shape[0]!;
  let epoch = 0;
  while (stepLoss.length < c.steps) {
    for (const idx of batchIndices(n, { batchSize: c.batchSize, shuffle: true, rng: c.seed * 1000 + epoch++ })) {
      if (stepLoss.length >= c.steps) break;
      const [xb, yb] = [takeRows(data.x, idx), takeRows(data.y, idx)];
      const { value, grads } = valueAndGrad((p: Params) => loss(p, xb, yb, act))(params);
      const next = opt.update(params, grads[0] as Params, state);
      ({ params, state } = next);
      stepLoss.push(value.item());
    }
  }
  const testMse = meanSquaredError(noGrad(() => apply(params, data.xTest, act)), data.yTest);
  return { params, stepLoss, testMse, seconds: (performance.now() - started) / 1000 };
}

// ---------------------------------------------------------------------------------------------
// The example

export interface CustomOpRun {
  readonly checks: CheckResult[];
  readonly swish: TrainResult;
  readonly tanh: TrainResult;
  readonly report: WrittenReport;
}

export async function runCustomOp(c: CustomOpConfig, o: { out: string; png?: boolean; command?: string; cases?: number; log?: (line: string) => void }): Promise<CustomOpRun> {
  const log = o.log ?? console.log;
  let started = performance.now();
  const checks = checkSwish({ cases: o.cases, seed: c.seed });
  const checkSeconds = (performance.now() - started) / 1000;
  for (const r of checks) log(`gradcheck passed: ${r.name} (${r.detail})`);

  // sin(x) + cos(y) on [−π, π]², inputs standardised; the targets are already of order 1.
  const d = sampleFunction(functions.sinPlusCos, { n: c.n, seed: c.seed });
  const split = trainTestSplit(d.x, d.y, { testFraction: 0.2, seed: c.seed + 1 });
  const scaler = StandardScaler.fit(split.xTrain);
  const data = { x: scaler.transform(split.xTrain), y: split.yTrain, xTest: scaler.transform(split.xTest), yTest: split.yTest };
  log(`training 2→${c.hidden}→${c.hidden}→1 on sin(x) + cos(y): ${c.steps} steps, batch ${c.batchSize}, lr ${c.lr}, kernels ${backend()}`);
  const runs = {} as Record<Activation, TrainResult>;
  for (const act of ['swish', 'tanh'] as const) {
    const r = train(c, act, data);
    runs[act] = r;
    const first = r.stepLoss.slice(0, 10).reduce((a, b) => a + b, 0) / Math.min(10, r.stepLoss.length);
    const last = r.stepLoss.slice(-50).reduce((a, b) => a + b, 0) / Math.min(50, r.stepLoss.length);
    log(`${act.padEnd(5)}: training loss ${first.toExponential(2)} → ${last.toExponential(2)}, test MSE ${r.testMse.toExponential(3)} (${r.seconds.toFixed(1)} s)`);
  }

  // The op's own picture: swish and its derivative, and the graph of a tiny expression with its backward pass.
  const xs = Array.from({ length: 101 }, (_, i) => -5 + i * 0.1);
  const xt = tensor(xs, { dtype: 'float64', name: 'x' });
  const derivative = Array.from(grad(swish(xt).sum(), [xt])[0]!.data);
  const a = tensor([-1.5, 0.5, 2], { dtype: 'float64', name: 'a' });
  const y = nameScope('', () => mul(swish(a), swish(a, 2)).sum());
  const [ga] = grad(y, [a], { createGraph: true });
  const every = Math.max(1, Math.ceil(c.steps / 500));
  const thin = (v: number[]) => v.filter((_, i) => i % every === 0);
  const figures: Figure[] = [
    {
      title: 'swish and its derivative', spec: lineChart({
        title: 'swish(x) = x·σ(x) and its derivative (from the VJP)', xTitle: 'x', yTitle: 'value', legendTitle: 'curve', points: false,
        series: [{ name: 'swish(x)', x: xs, y: Array.from(swish(xt).data) }, { name: 'd swish / dx', x: xs, y: derivative }, { name: 'tanh(x)', x: xs, y: xs.map(Math.tanh) }],
      }),
    },
    {
      title: 'Training loss: swish against tanh', spec: lineChart({
        title: 'Training loss per step (same network, data and seed)', xTitle: 'step', yTitle: 'MSE', legendTitle: 'activation', logY: true, points: false,
        series: (['swish', 'tanh'] as const).map((act) => ({ name: act, y: thin(runs[act].stepLoss), x: thin(runs[act].stepLoss.map((_, i) => i)) })),
      }),
    },
    { title: 'Forward and backward graph of sum(swish(a) · swish(a, β=2))', graph: toDot(y, { grads: [ga!], backward: true, title: 'y = sum(swish(a) · swish(a, β=2)), with dy/da recorded as ops' }) },
  ];
  started = performance.now();
  const report = await writeReport(o.out, {
    title: 'A custom op: swish, defined outside core',
    command: o.command,
    settings: { ...c, network: `2→${c.hidden}→${c.hidden}→1`, task: 'sin(x) + cos(y) on [-π, π]²', optimizer: 'adam, warmup + cosine decay', kernels: backend() },
    metrics: {
      gradcheck: `passed: ${checks.map((r) => r.name).join(', ')} (${checkSeconds.toFixed(1)} s)`,
      'test MSE with swish': runs.swish.testMse.toExponential(3),
      'test MSE with tanh': runs.tanh.testMse.toExponential(3),
      'training seconds (swish, tanh)': `${runs.swish.seconds.toFixed(1)}, ${runs.tanh.seconds.toFixed(1)}`,
    },
    figures,
    png: o.png,
  });
  log(`report written to ${report.index}`);
  return { checks, swish: runs.swish, tanh: runs.tanh, report };
}

export async function main(argv: string[]): Promise<void> {
  const f = flags('custom-op', argv, {
    hidden: { type: 'string', default: String(defaults.hidden), description: 'neurons in each of the two hidden layers' },
    steps: { type: 'string', default: String(defaults.steps), description: 'training steps per network' },
    'batch-size': { type: 'string', default: String(defaults.batchSize), description: 'samples per step' },
    lr: { type: 'string', default: String(defaults.lr), description: 'peak learning rate (Adam, warmup then cosine decay)' },
    n: { type: 'string', default: String(defaults.n), description: 'points sampled (a fifth held out for testing)' },
    cases: { type: 'string', default: '50', description: "gradcheck cases drawn from the op's sample" },
    seed: { type: 'string', default: String(defaults.seed), description: 'seed for data, initialisation, shuffling and checks' },
    out: { type: 'string', default: 'reports/custom-op', description: 'report folder' },
    png: { type: 'boolean', default: false, description: 'also write a PNG of every figure' },
  });
  const int = (name: string, v: string) => numberFlag('custom-op', name, v, { min: 1, integer: true });
  const c: CustomOpConfig = {
    hidden: int('hidden', f.hidden), steps: int('steps', f.steps), batchSize: int('batch-size', f['batch-size']),
    lr: numberFlag('custom-op', 'lr', f.lr, { min: 0 }), n: int('n', f.n), seed: numberFlag('custom-op', 'seed', f.seed, { integer: true }),
  };
  await runCustomOp(c, { out: f.out, png: f.png, command: commandLine('custom-op', argv), cases: int('cases', f.cases) });
}
