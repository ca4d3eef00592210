/**
 * The addon runs its fused, unary, binary and sum3 kernels at the CPU's widest vector width only, so core's
 * kernel tests (kernels-native*.test.ts) check that width against the reference. These build and run the C++
 * checks in packages/native/bench that compare every width this CPU runs (AVX-512, AVX2, portable) bit for
 * bit: fused programs against a per-element evaluation, the elementwise kernels against their portable loops.
 * They need g++, as building the addon from source does. (Here, not in packages/native/test: that package is CommonJS.)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const nativeDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../native');
const out = mkdtempSync(path.join(tmpdir(), 'chainrule-native-check-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** Compiles the check (as the addon is compiled: no contraction) and runs it; returns its output. */
function buildAndRun(name: string, sources: readonly string[]): string {
  const binary = path.join(out, name);
  const build = spawnSync('g++', ['-O2', '-std=c++17', '-ffp-contract=off', '-fno-math-errno', '-Wno-psabi', '-o', binary, ...sources],
    { cwd: nativeDir, encoding: 'utf8' });
  if (build.error || build.status !== 0) throw new Error(`g++ could not build bench/${name}.cc: ${build.error?.message ?? build.stderr}`);
  const run = spawnSync(binary, [], { encoding: 'utf8' });
  return `${run.stdout}${run.stderr}${run.status === 0 ? '' : `\nexit status ${run.status}`}`;
}

describe('every vector width gives the same bits', () => {
  it('fused programs: the one-pass chains and the block interpreter, against a per-element evaluation', () => {
    const output = buildAndRun('fused-check', ['bench/fused-check.cc']);
    expect(output).toMatch(/^fused-check: 0 of \d+ runs differ/m);
    expect(output).not.toMatch(/FAIL|exit status/);
  });

  it('unary, binary and sum3, against their portable loops', () => {
    const output = buildAndRun('elementwise-check', ['bench/elementwise-check.cc', 'src/exp.cc']);
    expect(output).toMatch(/^elementwise-check: 0 of \d+ runs differ/m);
    expect(output).not.toMatch(/FAIL|exit status/);
  });
});
