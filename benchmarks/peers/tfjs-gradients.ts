/**
 * Registers tfjs-core's gradients in Node.
 *
 * `@tensorflow/tfjs-core`'s Node entry (dist/tf-core.node.js) registers no gradients: the union package
 * `@tensorflow/tfjs` does it by bundling `@tensorflow/tfjs-core/dist/register_all_gradients` (ESM with
 * extensionless imports, which Node cannot load) into its own CommonJS file. We do the same with esbuild,
 * once, into benchmarks/.cache/. The bundled copy of the gradient code shares the engine, the kernel
 * registry and the gradient registry with the main copy through tfjs's global singletons (that is how the
 * union package works too). We avoid the union package because it pulls in core-js, whose install script
 * pnpm 12 refuses without a workspace-level allowBuilds entry.
 */
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);

let done = false;

export function registerTfjsGradients(): void {
  if (done) return;
  const corePkg = require.resolve('@tensorflow/tfjs-core/package.json');
  const version = (require(corePkg) as { version: string }).version;
  const entry = join(dirname(corePkg), 'dist', 'register_all_gradients.js');
  const cacheDir = join(dirname(fileURLToPath(import.meta.url)), '..', '.cache');
  const out = join(cacheDir, `tfjs-core-${version}-gradients.cjs`);
  if (!existsSync(out)) {
    mkdirSync(cacheDir, { recursive: true });
    const esbuild = require('esbuild') as typeof import('esbuild');
    const tmp = `${out}.${process.pid}.tmp`;
    esbuild.buildSync({
      entryPoints: [entry],
      bundle: true,
      format: 'cjs',
      platform: 'node',
      target: 'node20',
      outfile: tmp,
      logLevel: 'error',
    });
    renameSync(tmp, out);
  }
  require(out);
  done = true;
}
