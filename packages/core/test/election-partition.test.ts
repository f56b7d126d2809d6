// The LeaderElector against a silent partition in real time: AbortSignal.timeout bounds each
// request, and fake timers cannot move it. Kept out of the mutation run (vitest.unit.config.ts): it
// takes seconds of wall clock per run, and every elector mutant would pay them.
import { describe, expect, it, vi } from 'vitest';
import { LeaderElector } from '../src/election.js';
import { fakeLeaseApi } from './fake-lease-api.js';

const me = 'me_1';

describe('LeaderElector under a silent partition (real time)', () => {
  it('bounds each request by what is left of the renew deadline, so it gives up on time', async () => {
    const timing = { leaseDurationMs: 3_000, renewDeadlineMs: 2_000, retryPeriodMs: 1_000 };
    const api = fakeLeaseApi();
    let stoppedAt = 0;
    const elector = new LeaderElector({
      client: api.client,
      namespace: 'ns',
      name: 'lease',
      identity: me,
      ...timing,
      onStartedLeading: () => undefined,
      onStoppedLeading: () => {
        stoppedAt = performance.now();
      },
    });
    const done = elector.run();
    await vi.waitFor(
      () => {
        expect(api.state.writes.length).toBeGreaterThanOrEqual(2); // acquired and renewed once
      },
      { timeout: 5_000 },
    );
    api.state.hang = true; // the next renewal (one retry period later) never gets an answer
    const lastRenewal = api.state.writtenAt.at(-1)!;
    await done;
    const gaveUpAfter = stoppedAt - lastRenewal;
    console.log(`[election] gave up ${Math.round(gaveUpAfter)} ms after the last renewal`);
    // The contract: no later than renewDeadline after the last renewal. A request bounded by the
    // whole renewDeadline instead (sent one retry period after the renewal) would end 1 s later.
    expect(gaveUpAfter).toBeGreaterThanOrEqual(timing.renewDeadlineMs - 50);
    expect(gaveUpAfter).toBeLessThan(timing.renewDeadlineMs + 500);
  });
});
