/**
 * chainrule's rows: the WebAssembly kernels on one thread, running `fit` on real MNIST (what a user runs) and
 * the peers' loop (the same work the peers time); the WebAssembly kernels with the helper thread for big
 * matmuls; the native addon's kernels (Node's default) on one thread, both loops (rows saying why, when the addon cannot load),
 * and on two threads, the peers' loop; and
 * the reference kernels (plain TypeScript; a partial epoch, scaled). Each runs src/chainrule-run.ts in its
 * own process, since the kernel set is picked when core loads.
 */
import { fileURLToPath } from 'node:url';
import { parsePeerOutput, runProcess, toRow } from './peers.ts';
import type { BenchRow, SourceResult } from './rows.ts';

const script = fileURLToPath(new URL('./chainrule-run.ts', import.meta.url));

interface Config { label: string; env: Record<string, string>; args: string[] }

export async function runChainrule(opts: { quick: boolean; log: (line: string) => void }): Promise<SourceResult> {
  const quick = opts.quick ? ['--batches', '100', '--round-seconds', '0.05'] : [];
  const peers = ['--loop', 'peers'];
  const native = ['--kernels', 'native'];
  const configs: Config[] = [
    // The WebAssembly kernels (what browsers get), named: native is Node's default where the addon loads.
    { label: 'wasm kernels, 1 thread, fit', env: { CHAINRULE_KERNELS: 'wasm', CHAINRULE_THREADS: '1' }, args: quick },
    { label: "wasm kernels, 1 thread, the peers' loop", env: { CHAINRULE_KERNELS: 'wasm', CHAINRULE_THREADS: '1' }, args: [...peers, '--no-matmul', ...quick] },
    { label: "wasm kernels, 2 threads, the peers' loop", env: { CHAINRULE_KERNELS: 'wasm', CHAINRULE_THREADS: '2' }, args: [...peers, ...quick] },
    // The native addon (opt-in), one thread: when it cannot load, its rows come back empty with the loading error.
    { label: 'native kernels, 1 thread, fit', env: { CHAINRULE_THREADS: '1' }, args: [...native, ...quick] },
    { label: "native kernels, 1 thread, the peers' loop", env: { CHAINRULE_THREADS: '1' }, args: [...native, ...peers, '--no-matmul', ...quick] },
    // Two threads: a report against PyTorch on two, not a target (the second core is often busy here).
    { label: "native kernels, 2 threads, the peers' loop", env: { CHAINRULE_THREADS: '2' }, args: [...native, ...peers, '--no-matmul', ...quick] },
    // The reference matmul runs at ~1 GFLOP/s: 20 batches are enough to time it (~0.5 min for the 1024³ shapes).
    { label: "reference kernels, the peers' loop", env: { CHAINRULE_KERNELS: 'reference' }, args: [...peers, '--batches', '20', '--round-seconds', opts.quick ? '0.05' : '0.2'] },
  ];
  const rows: BenchRow[] = [];
  const notes: string[] = [];
  for (const c of configs) {
    const t0 = performance.now();
    opts.log(`[bench] running chainrule (${c.label}) …`);
    try {
      const out = await runProcess(process.execPath, ['--conditions=@chainrule/source', '--import', import.meta.resolve('tsx'), script, ...c.args], { ...process.env, ...c.env }, 600);
      const row = toRow(parsePeerOutput(out));
      rows.push(row);
      opts.log(`[bench] chainrule (${c.label}): ${row.missing ? `not run: ${row.missing}` : `${row.secondsPerEpoch?.toFixed(3)} s/epoch`} (${((performance.now() - t0) / 1000).toFixed(1)} s wall)`);
    } catch (e) {
      notes.push(`chainrule (${c.label}) failed: ${(e as Error).message}`);
    }
  }
  return { rows, notes };
}
