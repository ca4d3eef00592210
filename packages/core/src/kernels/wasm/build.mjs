// Compiles assembly/kernels.ts twice, with plain SIMD and with relaxed SIMD (FMA), into build/.
// Run by `pnpm --filter @chainrule/core build`; the loader picks the binary the runtime accepts.
import asc from 'assemblyscript/asc';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const outDir = join(here, 'build');
mkdirSync(outDir, { recursive: true });

const variants = [
  { file: 'kernels-simd.wasm', features: 'simd' },
  { file: 'kernels-relaxed-simd.wasm', features: 'simd,relaxed-simd' },
  // The same over shared memory, for the optional second matmul thread.
  { file: 'kernels-simd-shared.wasm', features: 'simd,threads', shared: true },
  { file: 'kernels-relaxed-simd-shared.wasm', features: 'simd,relaxed-simd,threads', shared: true },
];

for (const v of variants) {
  const args = [
    join(here, 'assembly', 'kernels.ts'),
    '-O3', '--noAssert', '--runtime', 'stub', '--importMemory', '--enable', v.features,
    '--outFile', join(outDir, v.file),
  ];
  if (v.shared) args.push('--sharedMemory', '--maximumMemory', '32768');
  const { error, stderr } = await asc.main(args);
  if (error) {
    console.error(stderr.toString());
    console.error(`kernels: building ${v.file} failed: ${error.message}`);
    process.exit(1);
  }
}
console.log(`kernels: built ${variants.length} WebAssembly binaries into ${outDir}`);
