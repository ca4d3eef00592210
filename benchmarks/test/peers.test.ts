import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { findPythons, parsePeerOutput } from '../src/peers.ts';
import { initBackend, matmulGflops, mlpEpoch } from '../peers/tfjs.ts';
import { MATMUL_SHAPES } from '../src/shapes.ts';
import { median, TIMED_EPOCHS } from '../src/epoch-count.ts';

describe('TensorFlow.js peer', () => {
  it('registers gradients: d/dW sum(x·W) = xᵀ·1', async () => {
    await initBackend('cpu');
    const x = tf.tensor2d([[1, 2], [3, 4]]);
    const w = tf.variable(tf.tensor2d([[0.5, -1], [2, 0]]));
    const { grads } = tf.variableGrads(() => tf.sum(tf.matMul(x, w)) as tf.Scalar);
    expect(Array.from(grads[w.name]!.dataSync())).toEqual([4, 4, 6, 6]);
    tf.dispose([x, w, ...Object.values(grads)]);
  });

  it('matmul timing returns a positive GFLOP/s per shape', async () => {
    await initBackend('cpu');
    const shapes = MATMUL_SHAPES.filter((s) => s.m * s.k * s.n <= 64 * 128 * 64);
    const g = matmulGflops({ shapes, roundSeconds: 0.01, rounds: 1 });
    expect(Object.keys(g)).toEqual(shapes.map((s) => s.key));
    for (const v of Object.values(g)) expect(v).toBeGreaterThan(0);
  });

  for (const backend of ['cpu', 'wasm'] as const) {
    it(`a partial epoch on ${backend} trains, scales and frees its tensors`, async () => {
      await initBackend(backend);
      const e = mlpEpoch({ batches: 10, warmup: 1 });
      expect(e.scaled).toBe(true);
      expect(e.batchesTimed).toBe(10);
      expect(e.batchesPerEpoch).toBe(938);
      expect(Number.isFinite(e.finalLoss)).toBe(true);
      expect(e.finalLoss).toBeGreaterThan(1);
      expect(e.finalLoss).toBeLessThan(4);
      expect(e.secondsPerEpoch).toBeGreaterThan(0);
      expect(e.firstSecondsPerEpoch).toBeGreaterThan(0);
      expect(e.timedSecondsPerEpoch).toHaveLength(TIMED_EPOCHS);
      expect(e.secondsPerEpoch).toBe(median(e.timedSecondsPerEpoch));
      expect(e.leakedTensors).toBe(0);
    });
  }
});

const peersDir = fileURLToPath(new URL('../peers/', import.meta.url));
const pythons = findPythons();
const torchPy = pythons.find((p) => p.torch !== null);
const numpyPy = pythons.find((p) => p.numpy !== null);

/**
 * Each Python peer runs for real where its framework is importable; elsewhere the same script must
 * stop with exit code 3 and the apt line that installs it (what `pnpm bench` shows in its notes).
 */
describe('Python peers', () => {
  it('finds a python3 to run them with', () => {
    expect(pythons.length, 'no python3 on PATH or at /usr/bin/python3').toBeGreaterThan(0);
  });

  const peers = [
    { script: 'numpy_mlp.py', args: [], module: 'numpy', py: numpyPy, system: /^NumPy /, note: 'timed 20 of 938 batches' },
    { script: 'torch_mlp.py', args: ['--threads', '1'], module: 'torch', py: torchPy, system: /^PyTorch /, note: 'torch.get_num_threads() = 1' },
  ];
  for (const p of peers) {
    it(`${p.script} prints a result row, or says how to install ${p.module}`, () => {
      const exe = (p.py ?? pythons[0])!.exe;
      const r = spawnSync(exe, [peersDir + p.script, ...p.args, '--batches', '20', '--no-matmul'], { encoding: 'utf8' });
      if (!p.py) {
        expect(r.status, r.stderr).toBe(3);
        expect(r.stderr).toContain(`${p.module} is not importable`);
        expect(r.stderr).toContain('apt-get install -y python3-');
        return;
      }
      expect(r.status, r.stderr).toBe(0);
      const j = parsePeerOutput(r.stdout);
      expect(j.system).toMatch(p.system);
      expect(j.threads).toBe(1);
      expect(j.seconds_per_epoch).toBeGreaterThan(0);
      expect(j.note).toContain(p.note);
      // The row's time is the median of the five timed epochs its note lists.
      const listed = /the median of epochs 2–6 \(([\d.]+), ([\d.]+), ([\d.]+), ([\d.]+), ([\d.]+) s; the first took [\d.]+ s\)/.exec(j.note!);
      expect(listed, j.note).not.toBeNull();
      expect(j.seconds_per_epoch).toBeCloseTo(median(listed!.slice(1).map(Number)), 2);
    });
  }
});
