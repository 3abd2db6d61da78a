import { defineConfig } from 'vitest/config';
import { entryPointSources } from './scripts/entry-points.js';

// Temporal's native core crashes under worker threads: every project runs in forked processes.
const temporalTimeouts = { testTimeout: 120_000, hookTimeout: 180_000, setupFiles: ['test/support/no-network.ts', 'test/support/quiet-runtime.ts'] };

export default defineConfig({
  // `@weftworks/weft/…` imports (the example, the consumer's shapes) resolve to the sources here.
  // Exact matches: a plain key would also rewrite `@weftworks/weft/catalog` as a path under `@weftworks/weft`'s file.
  resolve: {
    alias: Object.entries(entryPointSources()).map(([name, file]) => ({ find: new RegExp(`^${name.replaceAll('/', '\\/')}$`), replacement: file })),
  },
  test: {
    pool: 'forks',
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'], setupFiles: ['test/support/no-network.ts'] } },
      {
        extends: true,
        test: {
          name: 'types',
          include: [],
          typecheck: { enabled: true, only: true, include: ['test/types/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
        },
      },
      { extends: true, test: { name: 'replay', include: ['test/replay/**/*.test.ts'], ...temporalTimeouts } },
      { extends: true, test: { name: 'temporal', include: ['test/temporal/**/*.test.ts'], ...temporalTimeouts } },
      { extends: true, test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], ...temporalTimeouts, fileParallelism: false } },
    ],
  },
});
