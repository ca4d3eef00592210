import { defineConfig } from 'vitest/config';

// Run from benchmarks/: `pnpm test` (the workspace's root vitest config does not include benchmarks).
const conditions = ['@chainrule/source', 'node', 'import', 'module', 'default'];
export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['@chainrule/source'] } },
  test: { include: ['test/**/*.test.ts'], testTimeout: 60_000 },
});
