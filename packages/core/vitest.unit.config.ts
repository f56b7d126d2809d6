// Core's unit tests alone (no control plane): what Stryker runs for every mutant. Integration tests
// (`*.int.test.ts`) need a real apiserver and are too slow to repeat per mutant on 2 cores.
import { defineConfig } from 'vitest/config';

const conditions = ['source', 'module', 'node', 'import', 'default'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['source'] } },
  test: {
    include: ['test/**/*.test.ts'],
    exclude: [
      'test/**/*.int.test.ts',
      '**/node_modules/**',
      // Real time by necessity (AbortSignal.timeout cannot be faked): seconds of wall clock per run,
      // paid again by every mutant it covers. `pnpm test` (vitest.config.ts) runs it.
      'test/election-partition.test.ts',
    ],
    pool: 'forks',
    testTimeout: 20_000,
  },
});
