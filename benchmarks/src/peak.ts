/**
 * The machine's peak floating-point rate, for the matmul tables' "% of peak": cores × FMA units × lanes × 2 ×
 * clock. Lanes come from the CPU's flags (AVX-512: 16 float32, AVX2+FMA: 8). FMA units are assumed to be 2:
 * true of Zen 4/5 EPYC (Zen 5: two 512-bit FMA pipes; Zen 4 splits 512-bit FMAs over its 256-bit pipes, so
 * its AVX-512 peak equals its AVX2 one) and of Xeon Gold/Platinum with AVX-512. The clock is measured
 * (src/clock.cc, built with g++ here), since /proc/cpuinfo's "cpu MHz" under a hypervisor is the nominal
 * clock and the cores run faster; without g++ that nominal clock is used, and the note says so.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Peak {
  /** GFLOP/s of one core in float32 and in float64 (half the lanes). */
  readonly perCore32: number;
  readonly perCore64: number;
  /** How it was worked out, for the report. */
  readonly note: string;
}

const FMA_UNITS = 2;

function cpuinfo(): string {
  try {
    return readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    return '';
  }
}

/** The clock in GHz measured by src/clock.cc, or undefined when it cannot be built or run here. */
function measuredClock(): number | undefined {
  const exe = join(os.tmpdir(), `chainrule-bench-clock-${process.pid}`);
  const build = spawnSync('g++', ['-O2', '-o', exe, fileURLToPath(new URL('./clock.cc', import.meta.url))], { encoding: 'utf8' });
  if (build.status !== 0) return undefined;
  const run = spawnSync(exe, [], { encoding: 'utf8', timeout: 30_000 });
  spawnSync('rm', ['-f', exe]);
  const ghz = Number(run.stdout?.trim());
  return run.status === 0 && ghz > 0 ? ghz : undefined;
}

/** The peak per core, or null when the CPU has no FMA vectors this knows (then no "% of peak" is shown). */
export function machinePeak(): Peak | null {
  const info = cpuinfo();
  const flags = new Set((/^flags\s*:\s*(.*)$/m.exec(info)?.[1] ?? '').split(/\s+/));
  // Zen 4 (AMD family 25) runs AVX-512 on 256-bit FMA pipes: its peak is AVX2's.
  const zen4 = /^vendor_id\s*:\s*AuthenticAMD$/m.test(info) && /^cpu family\s*:\s*25$/m.test(info);
  const lanes = flags.has('avx512f') && !zen4 ? 16 : flags.has('avx2') && flags.has('fma') ? 8 : 0;
  if (lanes === 0) return null;
  const nominal = Math.max(0, ...[...info.matchAll(/^cpu MHz\s*:\s*([\d.]+)$/gm)].map((m) => Number(m[1]) / 1000));
  const measured = measuredClock();
  const ghz = measured ?? nominal;
  if (!(ghz > 0)) return null;
  const perCore32 = FMA_UNITS * lanes * 2 * ghz;
  const clock = measured !== undefined
    ? `${ghz.toFixed(2)} GHz measured (a chain of dependent adds; /proc/cpuinfo says ${nominal.toFixed(2)} GHz, the nominal clock)`
    : `${ghz.toFixed(2)} GHz from /proc/cpuinfo (nominal: the cores may run faster, so a fraction can pass 100%)`;
  return {
    perCore32,
    perCore64: perCore32 / 2,
    note: `peak per core = ${FMA_UNITS} FMA units (assumed) × ${lanes} float32 lanes (${lanes === 16 ? 'AVX-512' : zen4 ? 'Zen 4: AVX-512 on 256-bit pipes' : 'AVX2'}) × 2 FLOP × ${clock} = ` +
      `${perCore32.toFixed(0)} GFLOP/s float32, ${(perCore32 / 2).toFixed(0)} float64; a row on t threads is taken against t cores`,
  };
}
