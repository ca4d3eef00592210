// Builds the workspace package in the current folder into dist/: ESM .js, .d.ts and source maps
// (tsc -p tsconfig.build.json), plus any .wasm beside the sources, so `pnpm pack` ships what runs.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

// typescript's exports hide bin/tsc: find it beside its package.json.
const tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc');
rmSync('dist', { recursive: true, force: true });
const { status } = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
if (status !== 0) process.exit(status ?? 1);
for (const file of readdirSync('src', { recursive: true }).filter((f) => f.endsWith('.wasm'))) {
  const to = join('dist', file);
  mkdirSync(dirname(to), { recursive: true });
  cpSync(join('src', file), to);
}
