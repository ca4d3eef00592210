import { defineConfig } from 'vite';

// The app builds from chainrule's TypeScript sources (their '@chainrule/source' export condition), so a
// fresh clone needs no package build first, only the WebAssembly kernels (`pnpm run kernels`).
const conditions = ['@chainrule/source', 'browser', 'module', 'import', 'default'];

export default defineConfig({
  // Relative asset paths: dist/ works from any folder of any static host.
  base: './',
  resolve: { conditions },
  worker: { format: 'es' },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 2048 },
  preview: { strictPort: true },
});
