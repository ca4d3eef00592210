/**
 * The MNIST CNN rows (issue 19): chainrule's native kernels on one thread (the peers' loop, with the conv
 * GFLOP/s, and `fit`), its WebAssembly kernels on one thread (the peers' loop, with the conv GFLOP/s), and PyTorch
 * on one thread (peers/torch_cnn.py), each in its own process, one after another. Every row times the last
 * 200 batches of an epoch and is scaled to 60 000 samples (a full CNN epoch takes 15 s to minutes here).
 * A missing PyTorch or native addon becomes a row saying why, as in the MLP's rows.
 */
import { fileURLToPath } from 'node:url';
import { APT_INSTALL, findPythons, missingRow, parsePeerOutput, runProcess, toRow, type PeerId } from './peers.ts';
import type { BenchRow, SourceResult } from './rows.ts';

const runner = fileURLToPath(new URL('./chainrule-cnn-run.ts', import.meta.url));
const torchPeer = fileURLToPath(new URL('../peers/torch_cnn.py', import.meta.url));

interface Job { label: string; cmd: string; args: string[]; env: Record<string, string> }

export interface CnnOptions {
  /** 20 batches and short kernel rounds instead of 200 batches: checks the plumbing. */
  readonly quick: boolean;
  /** The peers asked for (--peers): PyTorch runs when it includes 'torch-1'. */
  readonly peers: readonly PeerId[];
  readonly log: (line: string) => void;
}

export async function runCnn(opts: CnnOptions): Promise<SourceResult> {
  const quick = opts.quick ? ['--batches', '20', '--round-seconds', '0.05'] : [];
  const node = (label: string, env: Record<string, string>, args: string[]): Job =>
    ({ label, cmd: process.execPath, args: ['--conditions=@chainrule/source', '--import', import.meta.resolve('tsx'), runner, ...args, ...quick], env });
  const jobs: Job[] = [
    node("native kernels, 1 thread, the peers' loop", { CHAINRULE_THREADS: '1' }, ['--kernels', 'native']),
    node('native kernels, 1 thread, fit', { CHAINRULE_THREADS: '1' }, ['--kernels', 'native', '--loop', 'fit', '--no-conv']),
    node("wasm kernels, 1 thread, the peers' loop", { CHAINRULE_KERNELS: 'wasm', CHAINRULE_THREADS: '1' }, []),
  ];
  const rows: BenchRow[] = [];
  const notes: string[] = [];
  if (opts.peers.includes('torch-1')) {
    const torch = findPythons().find((p) => p.torch !== null);
    if (torch) jobs.push({ label: `PyTorch ${torch.torch} (1 thread, ${torch.real})`, cmd: torch.exe, args: [torchPeer, '--threads', '1', ...quick], env: {} });
    else rows.push(missingRow('PyTorch', 1, `not importable. Install with \`${APT_INSTALL}\` (Debian; runs on /usr/bin/python3).`, 'cnn'));
  }
  for (const job of jobs) {
    const t0 = performance.now();
    opts.log(`[bench] running the CNN on ${job.label} …`);
    try {
      const out = await runProcess(job.cmd, job.args, { ...process.env, ...job.env }, 600);
      const row = toRow(parsePeerOutput(out));
      if (row.workload !== 'cnn') throw new Error(`printed a row without "workload": "cnn": ${row.system}`);
      rows.push(row);
      opts.log(`[bench] CNN on ${job.label}: ${row.missing ? `not run: ${row.missing}` : `${row.secondsPerEpoch?.toFixed(2)} s/epoch (projected)`} (${((performance.now() - t0) / 1000).toFixed(1)} s wall)`);
    } catch (e) {
      notes.push(`CNN on ${job.label} failed: ${(e as Error).message}`);
    }
  }
  return { rows, notes };
}
