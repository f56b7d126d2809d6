import { defineConfig } from 'vitest/config';

// One vitest run over every package and the release scripts (`pnpm vitest` from the root, or the README's
// test command).
// Each package has its own vitest.config.ts, so `pnpm --filter X test` works as well.
export default defineConfig({
  test: {
    projects: ['packages/*', 'scripts/release'],
  },
});
