import { defineConfig } from 'vitest/config';

// Tests run the TypeScript sources of @chainrule/* through their '@chainrule/source' export condition.
const conditions = ['@chainrule/source', 'node', 'import', 'module', 'default'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['@chainrule/source'] } },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'examples/test/**/*.test.ts', 'benchmarks/test/**/*.test.ts', 'packaging/test/**/*.test.ts', 'docs/test/**/*.test.ts', 'apps/*/test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
