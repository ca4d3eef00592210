/**
 * Runs the peers (TensorFlow.js wasm and cpu, PyTorch 1 and 2 threads, NumPy) each in its own process, one
 * after the other, and turns what they print into BenchRows. A missing peer becomes a row without numbers saying
 * why and how to install it, never an error.
 *
 * Every peer prints logs on stderr (passed through) and one JSON object as its last stdout line:
 *   { system, threads, seconds_per_epoch, gflops, note }
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MLP } from './shapes.ts';
import type { BenchRow, SourceResult } from './rows.ts';

const peersDir = fileURLToPath(new URL('../peers/', import.meta.url));
const benchDir = fileURLToPath(new URL('../', import.meta.url));

export const APT_INSTALL = 'apt-get install -y python3-numpy python3-torch libopenblas0-openmp';

export type PeerId = 'tfjs-wasm' | 'tfjs-cpu' | 'torch-1' | 'torch-2' | 'numpy';
export const ALL_PEERS: readonly PeerId[] = ['tfjs-wasm', 'tfjs-cpu', 'torch-1', 'torch-2', 'numpy'];

export interface PeerOptions {
  /** Which peers to run (default all). */
  only?: readonly PeerId[];
  /** Short runs for checking the plumbing: partial epochs, short matmul rounds. Numbers are rougher. */
  quick?: boolean;
  /** Per-peer time limit in seconds (default 240). */
  timeoutSeconds?: number;
  /** Progress lines (default: stderr). */
  log?: (line: string) => void;
}

interface PeerJson {
  system: string;
  threads: number;
  seconds_per_epoch: number | null;
  gflops?: Record<string, number>;
  note?: string;
  /** Why the system could not run (e.g. chainrule's native addon did not load): the row then has no numbers. */
  missing?: string;
  /** chainrule's per-op overhead in µs (see BenchRow.opMicros). */
  op_overhead_us?: { forward: number; backward: number };
  /** 'cnn' for a CNN row (see BenchRow.workload); absent for the MLP. */
  workload?: 'cnn';
}

/** A row for a system that could not run here: no numbers, and why. */
export const missingRow = (system: string, threads: number, why: string, workload?: 'cnn'): BenchRow =>
  ({ system, threads, secondsPerEpoch: null, samplesPerSec: null, gflops: {}, missing: why, ...(workload ? { workload } : {}) });

export function toRow(j: PeerJson): BenchRow {
  const s = j.seconds_per_epoch;
  const ok = typeof s === 'number' && Number.isFinite(s) && s > 0;
  return {
    system: j.system,
    threads: j.threads,
    secondsPerEpoch: ok ? s : null,
    samplesPerSec: ok ? MLP.samples / s : null,
    gflops: j.gflops ?? {},
    ...(j.note ? { note: j.note } : {}),
    ...(j.missing ? { missing: j.missing } : {}),
    ...(j.op_overhead_us ? { opMicros: { forward: j.op_overhead_us.forward, backward: j.op_overhead_us.backward } } : {}),
    ...(j.workload === 'cnn' ? { workload: 'cnn' as const } : {}),
  };
}

/** Parses the last non-empty stdout line as the peer's JSON result. */
export function parsePeerOutput(stdout: string): PeerJson {
  const lines = stdout.split('\n').map((l) => l.trim()).filter((l) => l.length > 0);
  const last = lines[lines.length - 1];
  if (last === undefined) throw new Error('printed nothing on stdout');
  let j: unknown;
  try {
    j = JSON.parse(last);
  } catch {
    throw new Error(`last stdout line is not JSON: ${last.slice(0, 200)}`);
  }
  const o = j as Partial<PeerJson>;
  if (typeof o.system !== 'string' || typeof o.threads !== 'number') {
    throw new Error(`JSON lacks system/threads: ${last.slice(0, 200)}`);
  }
  return o as PeerJson;
}

export function runProcess(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv, timeoutSeconds: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: benchDir, env, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => (out += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`timed out after ${timeoutSeconds} s`));
    }, timeoutSeconds * 1000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${cmd} ${args.join(' ')} exited with ${signal ?? code}`));
    });
  });
}

export interface PythonInfo {
  /** Interpreter path as given. */
  exe: string;
  /** sys.executable, resolved. */
  real: string;
  numpy: string | null;
  torch: string | null;
}

/**
 * Python interpreters worth trying: Debian's /usr/bin/python3 first (apt's python3-torch and python3-numpy
 * install there), then whatever `python3` is on PATH (e.g. a pyenv build with its own numpy wheel).
 * Deduplicated by sys.executable.
 */
export function findPythons(): PythonInfo[] {
  const probe = [
    'import sys',
    'def v(m):',
    '    try:',
    '        return __import__(m).__version__',
    '    except Exception:',
    '        return None',
    'import json; print(json.dumps({"real": sys.executable, "numpy": v("numpy"), "torch": v("torch")}))',
  ].join('\n');
  const seen = new Set<string>();
  const out: PythonInfo[] = [];
  for (const exe of ['/usr/bin/python3', 'python3']) {
    if (exe.startsWith('/') && !existsSync(exe)) continue;
    const r = spawnSync(exe, ['-c', probe], { encoding: 'utf8', timeout: 60_000 });
    if (r.status !== 0 || !r.stdout) continue;
    try {
      const j = JSON.parse(r.stdout.trim().split('\n').pop()!) as { real: string; numpy: string | null; torch: string | null };
      let real = j.real;
      try {
        real = realpathSync(j.real);
      } catch {
        /* keep as printed */
      }
      if (seen.has(real)) continue;
      seen.add(real);
      out.push({ exe, real, numpy: j.numpy, torch: j.torch });
    } catch {
      /* not a usable interpreter */
    }
  }
  return out;
}

interface PeerJob {
  id: PeerId;
  label: string;
  cmd: string;
  args: string[];
}

export async function runPeers(opts: PeerOptions = {}): Promise<SourceResult> {
  const log = opts.log ?? ((l: string) => console.error(l));
  const only = new Set(opts.only ?? ALL_PEERS);
  const timeout = opts.timeoutSeconds ?? 240;
  const quick = opts.quick ?? false;
  const rows: BenchRow[] = [];
  const notes: string[] = [];
  const jobs: PeerJob[] = [];

  // The TensorFlow.js peer is TypeScript: run it with node + tsx's loader (resolved from this package).
  const tsx = ['--import', import.meta.resolve('tsx'), peersDir + 'tfjs.ts'];
  const tfQuick = (b: number): string[] => (quick ? ['--batches', String(b), '--round-seconds', '0.05'] : []);
  if (only.has('tfjs-wasm')) jobs.push({ id: 'tfjs-wasm', label: 'TensorFlow.js wasm', cmd: process.execPath, args: [...tsx, '--backend', 'wasm', ...tfQuick(100)] });
  if (only.has('tfjs-cpu')) jobs.push({ id: 'tfjs-cpu', label: 'TensorFlow.js cpu', cmd: process.execPath, args: [...tsx, '--backend', 'cpu', ...tfQuick(20)] });

  const wantPython = only.has('torch-1') || only.has('torch-2') || only.has('numpy');
  if (wantPython) {
    const pythons = findPythons();
    const pyQuick = quick ? ['--batches', '200', '--round-seconds', '0.05'] : [];
    const withTorch = pythons.find((p) => p.torch !== null);
    if (withTorch) {
      for (const t of [1, 2] as const) {
        if (!only.has(`torch-${t}`)) continue;
        jobs.push({
          id: `torch-${t}`,
          label: `PyTorch ${withTorch.torch} (${t} thread${t > 1 ? 's' : ''}, ${withTorch.real})`,
          cmd: withTorch.exe,
          args: [peersDir + 'torch_mlp.py', '--threads', String(t), ...pyQuick],
        });
      }
    } else if (only.has('torch-1') || only.has('torch-2')) {
      const where = pythons.length ? pythons.map((p) => p.real).join(', ') : 'no python3 found';
      const why = `not importable (${where}). Install with \`${APT_INSTALL}\` (Debian; runs on /usr/bin/python3). Without libopenblas0-openmp, python3-torch runs on the reference BLAS at ~6 GFLOP/s.`;
      // A row that says why it is empty, so the epoch table shows the PyTorch rows as missing rather than dropping them.
      for (const t of [1, 2] as const) if (only.has(`torch-${t}`)) rows.push(missingRow('PyTorch', t, why));
    }
    if (only.has('numpy')) {
      // One NumPy row per distinct NumPy build (Debian's with system OpenBLAS, a pip wheel with its own).
      const versions = new Set<string>();
      for (const p of pythons) {
        if (p.numpy === null || versions.has(p.numpy)) continue;
        versions.add(p.numpy);
        jobs.push({ id: 'numpy', label: `NumPy ${p.numpy} (${p.real})`, cmd: p.exe, args: [peersDir + 'numpy_mlp.py', '--threads', '1', ...pyQuick] });
      }
      if (versions.size === 0) rows.push(missingRow('NumPy hand-written MLP', 1, `not importable. Install with \`${APT_INSTALL}\`.`));
    }
  }

  for (const job of jobs) {
    const t0 = performance.now();
    log(`[bench] running ${job.label} …`);
    try {
      const stdout = await runProcess(job.cmd, job.args, process.env, timeout);
      const row = toRow(parsePeerOutput(stdout));
      rows.push(row);
      if (row.note?.includes('WARNING')) notes.push(`${job.label}: ${row.note.slice(row.note.indexOf('WARNING'))}`);
      log(`[bench] ${job.label}: ${row.secondsPerEpoch?.toFixed(3) ?? '–'} s/epoch (${((performance.now() - t0) / 1000).toFixed(1)} s wall)`);
    } catch (e) {
      const msg = `${job.label} failed: ${(e as Error).message}`;
      notes.push(msg);
      log(`[bench] ${msg}`);
    }
  }
  return { rows, notes };
}
