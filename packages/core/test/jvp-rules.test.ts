/**
 * Every built-in op's own forward-mode rule (`spec.jvp`), run directly, without the jvp engine: along a
 * random tangent (some inputs' tangents null), the rule's output must equal the central difference of the
 * op in float64. A null tangent counts as zero; a returned tangent may have a shape that broadcasts to
 * the output's (the engine broadcasts it up), so it is broadcast here the same way. The rules are also
 * gradchecked themselves (they are written with ops, so reverse mode runs through them), and keep float32.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { broadcastShapes, broadcastTo, builtinOps, gradcheck, noGrad, sameShape, tensor, Tensor, type OpDef, type OpSample } from '@chainrule/core';
import { inputsOf } from '@chainrule/core/testing';
import { propertySeed } from './helpers.ts';

const seed = propertySeed('jvp rules');
const runs = Number(process.env.CHAINRULE_RUNS ?? 30);
const EPS = 1e-6;

type Case = { sample: OpSample<any>; tangents: (number[] | null)[] };

/** Inputs whose tangent a rule ignores: where's condition is a 0/1 mask (moving it flips the choice, it has no derivative). */
const untangented: Readonly<Record<string, readonly number[]>> = { where: [0] };

/** The rule of an op that must have one. */
function ruleOf(op: OpDef) {
  const rule = op.spec.jvp;
  if (!rule) throw new Error(`${op.name}: the built-in op has no jvp rule`);
  return rule;
}

/** out's tangent from the rule, as the engine takes it: null stays null, a broadcast shape grows to out's. */
function applyRule(op: OpDef, xs: Tensor[], tangents: (Tensor | null)[], attrs: unknown): { out: Tensor; dOut: Tensor | null } {
  const out = op.run(xs, attrs);
  const dOut = ruleOf(op)(xs, out, tangents, attrs, savedOf(op, xs, attrs));
  if (dOut === null) return { out, dOut };
  expect(dOut, `${op.name}: the rule returned ${String(dOut)}`).toBeInstanceOf(Tensor);
  if (!sameShape(dOut.shape, out.shape)) {
    const grown = broadcastShapes(`${op.name} tangent`, dOut.shape, out.shape);
    if (!sameShape(grown, out.shape)) throw new Error(`${op.name}: the rule returned shape [${dOut.shape}], which does not broadcast to out's [${out.shape}]`);
    return { out, dOut: broadcastTo(dOut, out.shape) };
  }
  return { out, dOut };
}

/** What the op's forward saves for its rules (run again here: `run` keeps it only in the graph's node). */
function savedOf(op: OpDef, xs: Tensor[], attrs: unknown): unknown {
  return op.spec.forward(xs, attrs as never, (dtype, size) => (dtype === 'float64' ? new Float64Array(size) : new Float32Array(size))).saved;
}

/** (f(x + εt) − f(x − εt)) / 2ε, a null tangent held at zero. */
function centralDifference(op: OpDef, xs: Tensor[], tangents: (number[] | null)[], attrs: unknown): Float64Array {
  const moved = (sign: number) => xs.map((x, i) => {
    const t = tangents[i];
    return t ? tensor(Array.from(x.data, (v, j) => v + sign * EPS * t[j]), { shape: x.shape, dtype: 'float64' }) : x;
  });
  const [plus, minus] = [op.run(moved(1), attrs), op.run(moved(-1), attrs)];
  return Float64Array.from(plus.data, (v, j) => (v - minus.data[j]) / (2 * EPS));
}

/**
 * A sample of the op and, per input, random tangent values in [−1, 1] or null; never all null (then the
 * last input's tangent is all 0.5), and always null for an input the rule ignores.
 */
function casesOf(op: OpDef, samples: fc.Arbitrary<OpSample<any>>): fc.Arbitrary<Case> {
  const ignored = untangented[op.name] ?? [];
  const valuesOf = (n: number) => fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: n, maxLength: n });
  return samples.chain((sample) => fc.tuple(
    ...sample.inputs.map(({ values }, i) => (ignored.includes(i) ? fc.constant(null) : fc.option(valuesOf(values.length), { freq: 4 }))),
  ).map((tangents) => {
    const last = sample.inputs.length - 1;
    return { sample, tangents: tangents.some((t) => t) ? tangents : tangents.map((_, i) => (i === last ? sample.inputs[last].values.map(() => 0.5) : null)) };
  }));
}

const tangentTensors = (xs: Tensor[], tangents: (number[] | null)[], dtype: 'float32' | 'float64' = 'float64') =>
  tangents.map((t, i) => (t ? tensor(t, { shape: xs[i].shape, dtype }) : null));

function checkAgainstDifferences(op: OpDef, { sample, tangents }: Case): void {
  const xs = inputsOf(sample);
  const { out, dOut } = applyRule(op, xs, tangentTensors(xs, tangents), sample.attrs);
  if (dOut === null) throw new Error(`${op.name}: the rule returned null although tangents [${tangents.map((t) => (t ? 'set' : 'null'))}] are not all null`);
  expect(dOut.dtype).toBe('float64');
  expect(dOut.shape).toEqual(out.shape);
  const numeric = centralDifference(op, xs, tangents, sample.attrs);
  for (let j = 0; j < numeric.length; j++) {
    const [a, n] = [dOut.data[j], numeric[j]];
    if (!(Math.abs(a - n) <= 1e-7 + 1e-6 * Math.abs(n))) {
      throw new Error(`${op.name}: jvp element ${j} is ${a}, central differences give ${n} (inputs ${xs.map((x) => `[${x.shape}]`).join(', ')}, attrs ${JSON.stringify(sample.attrs)})`);
    }
  }
}

/** The rule as a function of the inputs and the (non-null) tangents, for gradcheck. */
function checkRuleGradients(op: OpDef, { sample, tangents }: Case): void {
  const xs = inputsOf(sample);
  const ts = tangentTensors(xs, tangents).filter((t): t is Tensor => t !== null);
  const n = xs.length;
  gradcheck((...args) => {
    let k = n;
    const given = tangents.map((t) => (t ? args[k++] : null));
    const dOut = applyRule(op, args.slice(0, n), given, sample.attrs).dOut;
    if (!dOut) throw new Error(`${op.name}: the rule returned null`);
    return dOut;
  }, [...xs, ...ts], { name: `${op.name}'s jvp rule` });
}

function assertCases(op: OpDef, arb: fc.Arbitrary<Case>, check: (c: Case) => void, numRuns = runs): void {
  fc.assert(fc.property(arb, check), { seed, numRuns });
}

const sampleOf = (op: OpDef) => (op.spec.sample as unknown as (f: typeof fc) => fc.Arbitrary<OpSample<any>>)(fc);

/** scatterAdd has no sampler of its own: its cases are gather's, with the gathered shape as the input. */
const scatterSamples = () => sampleOf(builtinOps.gather).chain((s) => {
  const { indicesShape } = s.attrs as { indicesShape: number[] };
  const size = indicesShape.reduce((a, b) => a * b, 1);
  return fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: size, maxLength: size })
    .map((values) => ({ inputs: [{ shape: indicesShape, values }], attrs: { ...s.attrs, shape: s.inputs[0].shape } }));
});

const builtin = Object.values(builtinOps) as OpDef[];
const differentiable = builtin.filter((op) => op.differentiable);
const samplesFor = (op: OpDef) => (op.name === 'scatterAdd' ? scatterSamples() : sampleOf(op));
const withSamples = differentiable.filter((op) => op.spec.sample || op.name === 'scatterAdd');

describe('jvp rules of the built-in ops', () => {
  it('every differentiable built-in op has its own rule, and every one but cast is sampled here', () => {
    expect(differentiable.filter((op) => !op.spec.jvp).map((op) => op.name)).toEqual([]);
    expect(differentiable.filter((op) => !withSamples.includes(op)).map((op) => op.name)).toEqual(['cast']);
  });

  describe.each(withSamples.map((op) => [op.name, op] as const))('%s', (name, op) => {
    it(`${name}: the rule matches central differences along random tangents (float64, some null)`, () => {
      assertCases(op, casesOf(op, samplesFor(op)), (c) => checkAgainstDifferences(op, c));
    });

    it(`${name}: the rule returns null when every tangent is null`, () => {
      assertCases(op, samplesFor(op).map((sample) => ({ sample, tangents: sample.inputs.map(() => null) })), ({ sample }) => {
        const xs = inputsOf(sample);
        expect(applyRule(op, xs, xs.map(() => null), sample.attrs).dOut).toBeNull();
      }, 5);
    });

    it(`${name}: the rule is differentiable (reverse mode through it matches central differences)`, () => {
      assertCases(op, casesOf(op, samplesFor(op)), (c) => checkRuleGradients(op, c), 8);
    });

    it(`${name}: float32 inputs and tangents give a float32 tangent`, () => {
      assertCases(op, casesOf(op, samplesFor(op)), ({ sample, tangents }) => {
        const xs = inputsOf(sample, 'float32');
        const { dOut } = applyRule(op, xs, tangentTensors(xs, tangents, 'float32'), sample.attrs);
        expect(dOut?.dtype).toBe('float32');
      }, 5);
    });
  });

  it('max and min at a tie: the tangent averaged over the tied elements, as the VJP splits the cotangent evenly', () => {
    const x = tensor([[1, 3, 3], [2, 0, 2]], { dtype: 'float64' });
    const t = tensor([[10, 20, 40], [1, 2, 5]], { dtype: 'float64' });
    expect(applyRule(builtinOps.max as OpDef, [x], [t], { axes: [1], keepDims: false }).dOut!.toArray()).toEqual([30, 3]);
    const y = tensor([[2, 0, 2], [2, 1, 2]], { dtype: 'float64' });
    expect(applyRule(builtinOps.min as OpDef, [y], [t], { axes: [0], keepDims: true }).dOut!.toArray()).toEqual([[5.5, 20, 22.5]]);
  });

  it("where: the condition's tangent is ignored (null when only it is given)", () => {
    const [c, a, b] = [tensor([1, 0], { dtype: 'float64' }), tensor([1, 2], { dtype: 'float64' }), tensor([3, 4], { dtype: 'float64' })];
    const dc = tensor([5, 5], { dtype: 'float64' });
    expect(applyRule(builtinOps.where as OpDef, [c, a, b], [dc, null, null], {}).dOut).toBeNull();
    expect(applyRule(builtinOps.where as OpDef, [c, a, b], [dc, tensor([7, 8], { dtype: 'float64' }), null], {}).dOut!.toArray()).toEqual([7, 0]);
  });

  it('cast: the tangent is cast to the output dtype', () => {
    const cast = builtinOps.cast as OpDef;
    const x = tensor([1.5, -2], { dtype: 'float64' });
    const t = tensor([0.1, 0.2], { dtype: 'float64' });
    const { dOut } = applyRule(cast, [x], [t], { dtype: 'float32' });
    expect(dOut?.dtype).toBe('float32');
    expect(Array.from(dOut!.data)).toEqual([Math.fround(0.1), Math.fround(0.2)]);
    expect(applyRule(cast, [x], [null], { dtype: 'float32' }).dOut).toBeNull();
  });

  it('softmaxCrossEntropy: the rule gives the same tangent from the saved probabilities (not recording) as from softmax as an op', () => {
    const op = builtinOps.softmaxCrossEntropy as OpDef;
    const x = tensor([[0.5, -1, 2], [0.1, 0.2, -0.3]], { dtype: 'float64' });
    const t = tensor([[1, 0.5, 0], [0, -2, 1]], { dtype: 'float64' });
    const attrs = { labels: Int32Array.from([2, 0]) };
    const recorded = applyRule(op, [x], [t], attrs).dOut!;
    const fromSaved = noGrad(() => applyRule(op, [x], [t], attrs).dOut!);
    expect(recorded.node).toBeDefined();
    expect(fromSaved.node).toBeUndefined();
    expect(fromSaved.item()).toBeCloseTo(recorded.item(), 14);
  });
});
