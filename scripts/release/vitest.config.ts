import { defineConfig } from 'vitest/config';

// Unit tests of the release scripts: pure functions and temp copies of a workspace, no control plane,
// so none of the packages' global setup (control-plane binaries) is needed here.
export default defineConfig({
  test: {
    name: 'release',
    include: ['test/**/*.test.ts'],
    // versioning.test.ts runs the real changesets CLI and git (a few seconds each on a busy 2-core
    // machine), past vitest's 5 s default.
    testTimeout: 60_000,
  },
});
