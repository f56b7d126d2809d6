import { defineConfig, type ViteUserConfig } from 'vitest/config';

// Workspace packages export their TypeScript sources under the `source` condition, so tests and
// type checks never need a prior build of the packages they import.
const conditions = ['source', 'module', 'node', 'import', 'default'];

export function packageConfig(name: string): ViteUserConfig {
  return defineConfig({
    resolve: { conditions },
    ssr: { resolve: { conditions, externalConditions: ['source'] } },
    test: {
      name,
      include: ['test/**/*.test.ts'],
      // Resolves (or builds, once) the kube-apiserver and etcd binaries before any test file runs;
      // each integration test file then starts its own control plane with `useControlPlane()`.
      globalSetup: [new URL('./packages/testkit/src/vitest-global-setup.ts', import.meta.url).pathname],
      testTimeout: 60_000,
      hookTimeout: 120_000,
      pool: 'forks',
    },
  });
}
