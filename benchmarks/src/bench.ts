/**
 * `pnpm bench`: runs every row source, prints one Markdown report (MNIST MLP epoch table, matmul GFLOP/s table,
 * MNIST CNN epoch table, conv GFLOP/s table), and writes it to benchmarks/RESULTS.md with the date and machine.
 *
 *   pnpm --filter @chainrule/benchmarks bench                 # everything, best of two rounds (~10–11 min on 2 cores)
 *   pnpm --filter @chainrule/benchmarks bench -- --quick      # partial epochs, short rounds: plumbing check
 *   … bench -- --sources peers --peers tfjs-wasm,torch-1 --no-write
 *   … bench -- --sources cnn --rounds 1 --no-write               # the CNN rows only
 *   … bench -- --json rows.json                               # also dump the raw rows
 *   … bench -- --rounds 1                                     # one pass instead of the best of two
 *
 * Adding a source of rows is one entry in SOURCES: a function returning { rows, notes }.
 */
import { fileURLToPath } from 'node:url';
import { writeFileSync } from 'node:fs';
import { runChainrule } from './chainrule.ts';
import { runCnn } from './cnn.ts';
import { ALL_PEERS, runPeers, type PeerId } from './peers.ts';
import { machinePeak } from './peak.ts';
import { formatTable, loadWarning, machineHeader, machineInfo, writeResults } from './report.ts';
import { isMlpRow, type BenchRow, type SourceResult } from './rows.ts';

export interface BenchContext {
  /** Short runs: partial epochs, short matmul rounds. */
  readonly quick: boolean;
  /** Peers to run (--peers). */
  readonly peers: readonly PeerId[];
  readonly log: (line: string) => void;
}

export interface RowSource {
  /** Name used by --sources. */
  readonly name: string;
  readonly run: (ctx: BenchContext) => Promise<SourceResult>;
}

/** The row sources, run in this order: chainrule's own MLP rows first, then the peers', then the CNN's (chainrule and PyTorch). */
export const SOURCES: RowSource[] = [
  { name: 'chainrule', run: (ctx) => runChainrule({ quick: ctx.quick, log: ctx.log }) },
  { name: 'peers', run: (ctx) => runPeers({ quick: ctx.quick, only: ctx.peers, log: ctx.log }) },
  { name: 'cnn', run: (ctx) => runCnn({ quick: ctx.quick, peers: ctx.peers, log: ctx.log }) },
];

/**
 * The row the MLP's epoch ratios are shown against: chainrule's first WebAssembly row doing the peers' work (what
 * browsers get), else its first row doing it, else its first row, else TensorFlow.js wasm. CNN rows are never it.
 */
export function pickReference(allRows: readonly BenchRow[]): ((r: BenchRow) => boolean) | undefined {
  const rows = allRows.filter(isMlpRow);
  const ours = rows.filter((r) => r.system.toLowerCase().startsWith('chainrule') && r.secondsPerEpoch !== null);
  const peersLoop = ours.filter((r) => !r.system.endsWith(' fit') && !r.system.includes('reference'));
  const ref =
    peersLoop.find((r) => r.system.startsWith('chainrule wasm')) ??
    peersLoop[0] ??
    ours[0] ??
    rows.find((r) => r.system.startsWith('TensorFlow.js') && r.system.endsWith('wasm') && r.secondsPerEpoch !== null);
  return ref ? (r) => r === ref : undefined;
}

/**
 * One row per workload, system and thread count: the fastest epoch any round measured and, per kernel shape, the
 * highest GFLOP/s (with that epoch's note). Rows keep the order of their first appearance.
 */
export function bestOfRounds(rounds: readonly (readonly BenchRow[])[]): BenchRow[] {
  const best = new Map<string, BenchRow>();
  for (const rows of rounds) {
    for (const r of rows) {
      const key = `${r.workload ?? 'mlp'}\u0000${r.system}\u0000${r.threads}`;
      const old = best.get(key);
      if (!old) { best.set(key, r); continue; }
      const faster = r.secondsPerEpoch !== null && (old.secondsPerEpoch === null || r.secondsPerEpoch < old.secondsPerEpoch);
      const gflops = { ...old.gflops };
      for (const [k, v] of Object.entries(r.gflops)) gflops[k] = Math.max(v, gflops[k] ?? -Infinity);
      best.set(key, { ...(faster ? r : old), gflops });
    }
  }
  return [...best.values()];
}

interface Args {
  quick: boolean;
  rounds: number;
  sources: string[] | null;
  peers: PeerId[];
  write: boolean;
  out: string;
  json: string | null;
}

function parseArgs(argv: readonly string[]): Args {
  const a: Args = {
    quick: false,
    rounds: 2,
    sources: null,
    peers: [...ALL_PEERS],
    write: true,
    out: fileURLToPath(new URL('../RESULTS.md', import.meta.url)),
    json: null,
  };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i]!;
    const val = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${k} needs a value`);
      return v;
    };
    if (k === '--') continue;
    else if (k === '--quick') a.quick = true;
    else if (k === '--rounds') {
      a.rounds = Number(val());
      if (!Number.isInteger(a.rounds) || a.rounds < 1) throw new Error(`--rounds must be a whole number ≥ 1, got ${argv[i]}`);
    }
    else if (k === '--no-write') a.write = false;
    else if (k === '--out') a.out = val();
    else if (k === '--json') a.json = val();
    else if (k === '--sources') {
      a.sources = val().split(',');
      for (const s of a.sources) if (!SOURCES.some((src) => src.name === s)) throw new Error(`unknown source ${s}; one of ${SOURCES.map((src) => src.name).join(', ')}`);
    }
    else if (k === '--peers') {
      const ps = val().split(',');
      for (const p of ps) if (!(ALL_PEERS as readonly string[]).includes(p)) throw new Error(`unknown peer ${p}; one of ${ALL_PEERS.join(', ')}`);
      a.peers = ps as PeerId[];
    } else throw new Error(`unknown argument ${k} (try --quick, --rounds, --no-write, --out, --json, --sources, --peers)`);
  }
  return a;
}

export async function main(argv: readonly string[]): Promise<void> {
  const args = parseArgs(argv);
  const log = (l: string): void => console.error(l);
  const ctx: BenchContext = { quick: args.quick, peers: args.peers, log };
  const t0 = performance.now();
  const before = machineInfo();
  // Every system runs once per round, all in turn, and keeps its best round: the machine is shared,
  // and a slow minute should not land on one system only.
  const rounds: BenchRow[][] = [];
  const notes = new Set<string>();
  for (let round = 1; round <= args.rounds; round++) {
    const rows: BenchRow[] = [];
    for (const src of SOURCES) {
      if (args.sources && !args.sources.includes(src.name)) continue;
      if (args.rounds > 1) log(`[bench] round ${round} of ${args.rounds}: ${src.name}`);
      const r = await src.run(ctx);
      rows.push(...r.rows);
      r.notes.forEach((n) => notes.add(n));
    }
    rounds.push(rows);
  }
  const rows = bestOfRounds(rounds);
  const seconds = (performance.now() - t0) / 1000;

  const machine = machineInfo();
  const peak = machinePeak();
  const warn = loadWarning(machine, before);
  const allNotes = [...(warn ? [warn] : []), ...notes];
  const md = [
    '# chainrule benchmark',
    '',
    machineHeader(machine, before),
    ...(peak ? [`- ${peak.note}`] : []),
    `- run: \`pnpm bench\`${args.quick ? ' --quick (partial epochs, short rounds)' : ''}, ${seconds.toFixed(0)} s in all; each system runs alone, one after another, ` +
      (args.rounds > 1 ? `in ${args.rounds} rounds; each row is its system's best round (fastest epoch, highest GFLOP/s per shape)` : 'in one round'),
    '',
    ...(allNotes.length ? ['Notes:', '', ...allNotes.map((n) => `- ${n}`), ''] : []),
    formatTable(rows, { reference: pickReference(rows), peak }),
  ].join('\n');

  process.stdout.write(md + '\n');
  if (args.json) writeFileSync(args.json, JSON.stringify({ machine, before, rows, rounds, notes: allNotes }, null, 2) + '\n');
  if (args.write) {
    writeResults(args.out, md);
    log(`[bench] wrote ${args.out}`);
  }
}

const isMain = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    console.error(e instanceof Error ? e.stack ?? e.message : e);
    process.exit(1);
  });
}
