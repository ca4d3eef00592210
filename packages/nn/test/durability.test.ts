/**
 * Saves survive being killed and leave no litter: child processes (fixtures/save-loop.ts) save one
 * of two models to one path in a loop and are SIGKILLed at spread delays; after each kill the file
 * loads as exactly the old or the new checkpoint, and temporary files of dead savers never pile up.
 * Two processes saving to one path at once both succeed, and the file is one of their checkpoints.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { loadModel, saveModel } from '../src/node.ts';
import { durabilityModel, type Variant } from './fixtures/durability-models.ts';
import { sameBits } from './helpers.ts';

const root = mkdtempSync(join(tmpdir(), 'chainrule-durability-'));
const children = new Set<ChildProcess>();
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(root, { recursive: true, force: true });
});

const script = new URL('./fixtures/save-loop.ts', import.meta.url).pathname;
const models = { a: durabilityModel('a'), b: durabilityModel('b') };

interface Saver {
  readonly proc: ChildProcess;
  readonly pid: number;
  readonly variant: Variant;
  /** How many saves have returned (printed after each). */
  saves(): number;
  readonly exited: Promise<{ code: number | null; stderr: string }>;
}

/** Starts a saver child and resolves once it has built its model and waits for `go`. */
function startSaver(path: string, variant: Variant, count: number | 'forever'): Promise<Saver> {
  const proc = spawn(process.execPath, ['--conditions=@chainrule/source', '--import', import.meta.resolve('tsx'), script, path, variant, String(count)], { stdio: ['pipe', 'pipe', 'pipe'] });
  children.add(proc);
  let saves = 0;
  let stderr = '';
  proc.stderr!.on('data', (d) => { stderr += d; });
  const exited = new Promise<{ code: number | null; stderr: string }>((resolve) => proc.on('close', (code) => { children.delete(proc); resolve({ code, stderr }); }));
  return new Promise((resolve, reject) => {
    let buffered = '';
    proc.stdout!.on('data', (d) => {
      buffered += d;
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        if (line === 'ready') resolve({ proc, pid: proc.pid!, variant, saves: () => saves, exited });
        else if (line.startsWith('saved ')) saves++;
      }
    });
    void exited.then(({ code }) => reject(new Error(`saver exited (code ${code}) before it was ready: ${stderr}`)));
  });
}

const go = (s: Saver) => s.proc.stdin!.write('go\n');

/** Which of the two models the file at `path` holds, bit for bit (loading must succeed: never torn). */
function whichModel(path: string): Variant | 'neither' {
  const { params } = loadModel(path);
  for (const v of ['a', 'b'] as const) {
    if ([...params.keys()].every((k) => sameBits(params.get(k)!, models[v].params.get(k)!))) return v;
  }
  return 'neither';
}

/** The temporary files beside `path`, with the pid each name carries. */
function temps(path: string): { name: string; pid: number }[] {
  const base = path.split('/').pop()!;
  return readdirSync(join(path, '..'))
    .filter((f) => f.startsWith(`.${base}.`) && f.endsWith('.tmp'))
    .map((name) => ({ name, pid: Number(name.split('.').at(-3)) }));
}

describe('saves survive SIGKILL and leave no litter', () => {
  it('20 kills at spread delays: the file is always the old or the new checkpoint, and dead savers\' temp files are removed by the next save', async () => {
    const dir = mkdtempSync(join(root, 'kills-'));
    const path = join(dir, 'model.safetensors');
    saveModel(path, models.a.model, models.a.params);
    let current: Variant = 'a';
    const kills = 20;
    const delays = Array.from({ length: kills }, (_, i) => Math.round((i * 160) / (kills - 1))); // 0..160 ms after go
    const seen: string[] = [];
    let midSave = 0;
    let mostTemps = 0;
    // Each saver starts while the one before saves (starting takes most of a second), alternating b, a, b, …
    const variant = (i: number): Variant => (i % 2 === 0 ? 'b' : 'a');
    let next = startSaver(path, variant(0), 'forever');
    for (let i = 0; i < kills; i++) {
      const saver = await next;
      if (i + 1 < kills) next = startSaver(path, variant(i + 1), 'forever');
      go(saver);
      await sleep(delays[i]!);
      saver.proc.kill('SIGKILL');
      await saver.exited; // reaped: a zombie would still count as alive
      const left = temps(path);
      const loaded = whichModel(path);
      expect([current, saver.variant], `kill ${i} after ${delays[i]} ms`).toContain(loaded);
      // A saver that finished a save removed every earlier dead saver's temp file: only its own can remain.
      if (saver.saves() > 0) expect(left.filter((t) => t.pid !== saver.pid), `kill ${i}`).toEqual([]);
      if (left.some((t) => t.pid === saver.pid)) midSave++;
      mostTemps = Math.max(mostTemps, left.length);
      seen.push(`${delays[i]}ms:${saver.saves()} saves,${left.length} tmp,${loaded}`);
      current = loaded as Variant;
    }
    // The next successful save (this process) leaves no temp file of a dead process behind.
    saveModel(path, models.a.model, models.a.params);
    expect(temps(path)).toEqual([]);
    expect(readdirSync(dir)).toEqual(['model.safetensors']);
    console.log(`durability: ${kills} SIGKILLs at 0..160 ms; ${midSave} left a temp file (killed mid-save); at most ${mostTemps} temp file(s) at once\n  ${seen.join('\n  ')}`);
  });

  it('a save removes temp files of dead processes and keeps those of live ones', async () => {
    const dir = mkdtempSync(join(root, 'litter-'));
    const path = join(dir, 'model.safetensors');
    const dead = spawn(process.execPath, ['-e', '']);
    const deadPid = dead.pid!;
    await new Promise((resolve) => dead.on('close', resolve));
    const live = await startSaver(join(dir, 'unused.safetensors'), 'a', 1); // alive, waiting for go
    const deadTemp = `.model.safetensors.${deadPid}.1700000000000.tmp`;
    const liveTemp = `.model.safetensors.${live.pid}.1700000000001.tmp`;
    const otherFile = `.other.safetensors.${deadPid}.1700000000002.tmp`; // another target's: not this save's business
    for (const name of [deadTemp, liveTemp, otherFile]) writeFileSync(join(dir, name), 'half a checkpoint');
    saveModel(path, models.b.model, models.b.params);
    expect(readdirSync(dir).sort()).toEqual([otherFile, liveTemp, 'model.safetensors'].sort());
    expect(whichModel(path)).toBe('b');
    live.proc.kill('SIGKILL');
    await live.exited;
  });

  it('two processes saving to one path at once both succeed, and the file is one of their checkpoints', async () => {
    const dir = mkdtempSync(join(root, 'concurrent-'));
    const path = join(dir, 'model.safetensors');
    const savers = await Promise.all([startSaver(path, 'a', 25), startSaver(path, 'b', 25)]);
    savers.forEach(go);
    const results = await Promise.all(savers.map((s) => s.exited));
    expect(results.map((r) => [r.code, r.stderr])).toEqual([[0, ''], [0, '']]);
    expect(savers.map((s) => s.saves())).toEqual([25, 25]);
    expect(['a', 'b']).toContain(whichModel(path));
    expect(readdirSync(dir)).toEqual(['model.safetensors']);
  });
});
