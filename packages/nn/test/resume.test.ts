/**
 * Resuming in a new process is bit for bit: 10 epochs straight, and 5 epochs + saveCheckpoint + a
 * fresh Node process that loads the file and trains 5 more, end with the same params, optimiser
 * state, history and streams, on the reference kernels and on the fast ones.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCheckpoint } from '../src/node.ts';
import { sameBits } from './helpers.ts';

const script = fileURLToPath(new URL('./fixtures/resume-run.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'chainrule-resume-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs one leg of fixtures/resume-run.ts in a new Node process; returns the kernel set it used. */
function leg(env: Record<string, string>, args: string[]): string {
  const r = spawnSync(process.execPath, ['--conditions=@chainrule/source', '--import', import.meta.resolve('tsx'), script, ...args],
    { encoding: 'utf8', env: { ...process.env, ...env } });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.trim();
}

describe('resume in a new process', () => {
  it.each([
    ['reference', { CHAINRULE_KERNELS: 'reference' }],
    ['fast (default)', {} as Record<string, string>],
  ])('10 epochs straight = 5 + save + load in a new process + 5, bit for bit (%s kernels)', (name, env) => {
    const [straight, half, resumed] = ['straight', 'half', 'resumed'].map((f) => join(dir, `${name.split(' ')[0]}-${f}.safetensors`));
    const kernels = leg(env, ['straight', straight!]);
    if (name === 'reference') expect(kernels).toBe('reference');
    else expect(kernels).not.toBe('reference');
    leg(env, ['first', half!]);
    expect(leg(env, ['second', half!, resumed!])).toBe(kernels);

    const [a, mid, b] = [straight, half, resumed].map((f) => loadCheckpoint(f!));
    expect(mid!.epochsDone).toBe(5);
    expect([a!.epochsDone, b!.epochsDone]).toEqual([10, 10]);
    expect(b!.optState.step).toBe(a!.optState.step);
    for (const [k, t] of a!.params) expect(sameBits(b!.params.get(k)!, t), `param ${k}`).toBe(true);
    for (const [slot, values] of a!.optState.slots) {
      for (const [k, t] of values) expect(sameBits(b!.optState.slots.get(slot)!.get(k)!, t), `slot ${slot}/${k}`).toBe(true);
    }
    expect(b!.history.equals(a!.history)).toBe(true); // every step's loss and lr, both schedules' positions
    expect(b!.history.loss.size).toBe(10);
    expect(b!.rng).toEqual(a!.rng);
    // Halfway is a real difference: the run did move on after the checkpoint.
    expect(sameBits(mid!.params.get('dense0/w')!, a!.params.get('dense0/w')!)).toBe(false);
  }, 60_000);
});
