import { defineConfig } from 'vitest/config';

// Run from benchmarks/: `pnpm test` (the workspace's root vitest config does not include benchmarks).
export default defineConfig({
  test: { include: ['test/**/*.test.ts'], testTimeout: 60_000 },
});
