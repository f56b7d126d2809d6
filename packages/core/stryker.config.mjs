// Mutation testing of the kernel with its unit tests (`pnpm mutate`, run by CI; fails below 80%).
// Every module whose logic a unit test can reach is mutated. Excluded, each for the reason given:
// pure I/O edges, proven by the integration tests against a real apiserver (`*.int.test.ts`), where
// one control plane per mutant would take hours on CI's 2 cores, and files without logic.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  // perTest coverage names the tests that reach each mutant; no module-graph search for related files.
  vitest: { configFile: 'vitest.unit.config.ts', related: false },
  plugins: ['@stryker-mutator/vitest-runner', './stryker-ignore-logs.mjs'],
  // No mutants inside log calls: message text and fields are for people (see the plugin's comment).
  ignorers: ['log-calls'],
  coverageAnalysis: 'perTest',
  mutate: [
    'src/**/*.ts',
    // Re-exports only.
    '!src/index.ts',
    '!src/client/index.ts',
    // Constant tables of built-in kinds, no logic.
    '!src/kinds.ts',
    // Wiring of cache, servers, election and controllers around a live apiserver (manager.int tests).
    '!src/manager.ts',
    // main(): signals and exit codes of a real process (manager-process.test spawns one per case).
    '!src/process.ts',
    // HTTP listeners for probes and /metrics (manager.int tests scrape them).
    '!src/servers.ts',
    // Server-side apply and deletes: each line is a request; the decision is drift.ts's (mutated).
    '!src/apply.ts',
    '!src/cleanup.ts',
    // applyOwned over a primary's children, wave by wave, and the replicas apply: requests only (the
    // server and vmcp controllers' integration tests count them); the order is apply-order.ts's.
    '!src/children.ts',
    // Uncached get/list: each line is a request; the 410 fallback is pager.ts's (mutated).
    '!src/api-reader.ts',
    // Sockets, TLS, credentials and the send loop: proven against a real apiserver and the
    // testkit's fault proxy (client*.int tests); the pure parts (errors, resources, rate limit,
    // watch line splitting, time, tally, kubeconfig lookup) are mutated.
    '!src/client/http.ts',
    '!src/client/exchange.ts',
    '!src/client/request.ts',
    '!src/client/transport.ts',
  ],
  // Module-level constants (metric buckets, regexes) would need the whole suite per mutant (half
  // the run time for 8% of the mutants); the tests that read them still run against the real ones.
  ignoreStatic: true,
  // progress: a line every few seconds so a long CI step shows it is alive; json: reports/mutation for a closer look.
  reporters: ['clear-text', 'progress', 'json'],
  // The score table only: no list of surviving mutants or tests in CI's log.
  clearTextReporter: { allowColor: false, allowEmojis: false, reportTests: false, reportMutants: false },
  thresholds: { high: 90, low: 80, break: 80 },
  // The unit tests wait on timers more than they compute: four workers keep two cores busy.
  concurrency: 4,
  timeoutMS: 10_000,
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
