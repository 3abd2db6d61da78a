import { defineConfig } from 'vitest/config';
import { entryPointSources } from './scripts/entry-points.js';

// Temporal's native core crashes under worker threads: every project runs in forked processes.
const temporalTimeouts = { testTimeout: 120_000, hookTimeout: 180_000, setupFiles: ['test/support/no-network.ts', 'test/support/quiet-runtime.ts'] };

export default defineConfig({
  // `@weftworks/weft/…` imports (the example, the consumer's shapes) resolve to the sources here.
  resolve: { alias: entryPointSources() },
  test: {
    pool: 'forks',
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], setupFiles: ['test/support/no-network.ts'] } },
      {
        test: {
          name: 'types',
          include: [],
          typecheck: { enabled: true, only: true, include: ['test/types/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
        },
      },
      { test: { name: 'replay', include: ['test/replay/**/*.test.ts'], ...temporalTimeouts } },
      { test: { name: 'temporal', include: ['test/temporal/**/*.test.ts'], ...temporalTimeouts } },
      { test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], ...temporalTimeouts, fileParallelism: false } },
    ],
  },
});
