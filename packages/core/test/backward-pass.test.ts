/**
 * The backward pass as an iterator (backwardPass): what grad runs on. Its steps come in the engine's
 * order, each step's numbers are the engine's (the cotangent that arrived is dL/dtensor, what was sent
 * is summed to the input's shape, the running gradient is the sum of what was sent), and stepping to the
 * end gives grad's gradients to the bit, whether stepped one by one, stopped half-way, or not at all.
 */
import { describe, expect, it } from 'vitest';
import {
  add, backwardPass, defineOp, grad, isRecording, matmul, mul, noGrad, randn, relu, scalar, sin, sum, tanh, tensor, type Tensor,
} from '@chainrule/core';

/** The pass ops recorded now are tagged with: what a fresh op records. */
const currentPhase = () => mul(scalar(1), scalar(1)).node!.phase;

const bits = (t: Tensor) => Array.from(t.data);

/** A 2→3→1 network with a broadcast bias and a parameter used twice (fan-out), in float64. */
function smallNet() {
  const x = randn([4, 2], { seed: 1, dtype: 'float64', name: 'x' });
  const w1 = randn([2, 3], { seed: 2, dtype: 'float64', name: 'w1' });
  const b1 = randn([3], { seed: 3, dtype: 'float64', name: 'b1' });
  const w2 = randn([3, 1], { seed: 4, dtype: 'float64', name: 'w2' });
  const h = tanh(add(matmul(x, w1), b1));
  const out = matmul(h, w2);
  const loss = add(sum(mul(out, out)), sum(mul(w1, w1))); // w1 feeds two branches
  return { x, params: { w1, b1, w2 }, loss };
}

describe('backwardPass', () => {
  it('steps through the planned nodes in order, and ends with exactly what grad gives', () => {
    const { params, loss } = smallNet();
    const pass = backwardPass(loss, params);
    const steps = [...pass];
    expect(steps.map((s) => s.tensor)).toEqual(pass.planned);
    expect(steps.map((s) => s.index)).toEqual(steps.map((_, k) => k));
    expect(steps[0]!.tensor).toBe(loss);
    expect(steps.map((s) => s.op)).toEqual(steps.map((s) => s.tensor.node!.op.name));
    const stepped = pass.gradients();
    const direct = grad(loss, params);
    for (const k of ['w1', 'b1', 'w2'] as const) expect(bits(stepped[k])).toEqual(bits(direct[k]));
  });

  it('gives each step the cotangent dL/dtensor, sends cotangents of the inputs\' shapes, and keeps running sums', () => {
    const { params, loss } = smallNet();
    const pass = backwardPass(loss, params);
    const running = new Map<Tensor, number[]>();
    for (const step of pass) {
      // The cotangent that arrived is the gradient of the loss with respect to this tensor, to the bit.
      expect(bits(step.cotangent)).toEqual(bits(grad(loss, step.tensor)));
      expect(step.inputs).toBe(step.tensor.node!.inputs);
      step.inputs.forEach((input, i) => {
        const sent = step.sent[i];
        if (sent === null) {
          expect(input.node === undefined && !Object.values(params).includes(input)).toBe(true); // only x gets nothing
          return;
        }
        expect(sent!.shape).toEqual(input.shape);
        const before = running.get(input);
        running.set(input, before ? before.map((v, j) => v + sent!.data[j]!) : bits(sent!));
      });
      // After the step (an input used twice, as in out·out, has both its cotangents in).
      step.inputs.forEach((input, i) => {
        if (step.sent[i] === null) return;
        expect(bits(step.accumulated[i]!)).toEqual(running.get(input));
        expect(pass.gradientSoFar(input)).toBe(step.accumulated[i]);
      });
    }
    // w1 got two contributions (matmul and its square): the final gradient is their sum.
    expect(bits(pass.gradients().w1)).toEqual(running.get(params.w1));
  });

  it('finishes a half-stepped pass with the same gradients, and returns them again on a second call', () => {
    const { params, loss } = smallNet();
    const pass = backwardPass(loss, params);
    pass.next();
    pass.next();
    const g = pass.gradients();
    expect(bits(g.w2)).toEqual(bits(grad(loss, params).w2));
    expect(pass.gradients()).toBe(g);
    expect(pass.next().done).toBe(true);
  });

  it('plans only the nodes between y and the xs', () => {
    const a = scalar(0.5, 'float64'), b = scalar(2, 'float64');
    const y = mul(sin(a), tanh(b));
    expect(backwardPass(y, a).planned.map((t) => t.node!.op.name)).toEqual(['mul', 'sin']);
    expect(backwardPass(y, [a, b]).planned.map((t) => t.node!.op.name).sort()).toEqual(['mul', 'sin', 'tanh']);
  });

  it('skips a planned node no cotangent reaches (a VJP that sends null)', () => {
    const blocking = defineOp({
      name: 'testBackwardBlock', arity: 1,
      forward: ([x], _a, allocate) => ({ shape: x!.shape, data: allocate(x!.dtype, x!.size).map((_, i) => x!.data[i]!) }),
      vjp: () => [null],
    });
    const x = scalar(1.5, 'float64');
    const y = add(blocking.run([sin(x)], {}), x);
    const pass = backwardPass(y, x);
    expect(pass.planned.map((t) => t.node!.op.name)).toEqual(['add', 'testBackwardBlock', 'sin']);
    expect([...backwardPass(y, x)].map((s) => s.op)).toEqual(['add', 'testBackwardBlock']);
    expect(pass.gradients().item()).toBe(1);
  });

  it('records its steps only with createGraph, and leaves the caller\'s recording mode as it was', () => {
    const x = scalar(0.3, 'float64');
    const y = relu(tanh(mul(x, x)));
    const plain = backwardPass(y, x);
    for (const step of plain) {
      expect(isRecording()).toBe(true);
      for (const s of step.sent) expect(s?.node).toBeUndefined();
    }
    const recorded = backwardPass(y, x, { createGraph: true });
    const first = recorded.next();
    expect(first.done).toBe(false);
    expect(isRecording()).toBe(true);
    expect(currentPhase()).toBe('forward');
    const dx = recorded.gradients();
    expect(dx.node?.phase).toBe('backward');
    // d²/dx² of tanh(x²) through the recorded backward pass equals the one grad records.
    expect(grad(dx, x).item()).toBe(grad(grad(y, x, { createGraph: true }), x).item());
    noGrad(() => {
      for (const _ of backwardPass(y, x, { createGraph: true })) expect(isRecording()).toBe(false);
    });
  });

  it('names the op when a VJP fails during a step, and restores the recording mode', () => {
    const failing = defineOp({
      name: 'testBackwardThrows', arity: 1,
      forward: ([x], _a, allocate) => ({ shape: x!.shape, data: allocate(x!.dtype, x!.size) }),
      vjp: () => { throw new TypeError('boom'); }, // a bug in a VJP, not an error it meant to throw
    });
    const x = tensor([1, 2], { dtype: 'float64' });
    const pass = backwardPass(sum(failing.run([x], {})), x, { createGraph: true });
    pass.next(); // sum
    expect(() => pass.next()).toThrow(/VJP of 'testBackwardThrows' failed on inputs \[2\] \(TypeError: boom\)/);
    expect(isRecording()).toBe(true);
    expect(currentPhase()).toBe('forward');
  });

  it('refuses what grad refuses before any step', () => {
    const x = tensor([1, 2]);
    expect(() => backwardPass(mul(x, x), x)).toThrow(/y has shape \[2\]; pass \{ seed \}/);
    expect(() => backwardPass(sum(x), [x, 3 as unknown as Tensor])).toThrow(/expected a Tensor or a tree of tensors .*got 3/);
    expect(() => backwardPass('y' as unknown as Tensor, x)).toThrow(/grad: y/);
  });
});
