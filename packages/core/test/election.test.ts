import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, type KubeClient } from '../src/client/index.js';
import { decide, LeaderElector, sameRecord, type LeaseSpec } from '../src/election.js';

const now = Date.parse('2025-01-01T12:00:00.000Z');
const me = 'me_1';
const leaseMs = 15_000;
const microTimeFormat = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;

const held = (extra: LeaseSpec = {}): LeaseSpec => ({
  holderIdentity: 'other_2',
  leaseDurationSeconds: 15,
  acquireTime: '2025-01-01T11:00:00.000000Z',
  renewTime: '2025-01-01T11:59:58.000000Z',
  leaseTransitions: 4,
  ...extra,
});

describe('decide', () => {
  it('takes a lease that does not exist yet, with zero transitions and micro-time stamps', () => {
    const d = decide(undefined, 0, now, me, leaseMs);
    expect(d).toEqual({
      action: 'acquire',
      spec: {
        holderIdentity: me,
        leaseDurationSeconds: 15,
        acquireTime: '2025-01-01T12:00:00.000000Z',
        renewTime: '2025-01-01T12:00:00.000000Z',
        leaseTransitions: 0,
      },
    });
    if (d.action === 'wait') throw new Error('unreachable');
    expect(d.spec.renewTime).toMatch(microTimeFormat);
    expect(d.spec.acquireTime).toMatch(microTimeFormat);
  });

  it('claims whole seconds, rounded up, never less than one', () => {
    const seconds = (ms: number) => {
      const d = decide(undefined, 0, now, me, ms);
      return d.action === 'wait' ? undefined : d.spec.leaseDurationSeconds;
    };
    expect(seconds(3_000)).toBe(3);
    expect(seconds(2_500)).toBe(3);
    expect(seconds(200)).toBe(1);
  });

  it('waits while another holder is fresh by the local observation time', () => {
    const d = decide(held(), now - 5_000, now, me, leaseMs);
    expect(d).toEqual({ action: 'wait', holder: 'other_2', expiresAt: now + 10_000 });
  });

  it('still waits when the remote renewTime is long past: only our own clock counts (skew)', () => {
    const record = held({ renewTime: '2025-01-01T10:00:00.000000Z' }); // two hours "old" by the remote clock
    expect(decide(record, now - 1_000, now, me, leaseMs).action).toBe('wait');
    expect(decide(record, now - 15_000, now, me, leaseMs).action).toBe('wait'); // exactly at expiry: not yet
  });

  it('takes over once observedAt + leaseDuration has passed, even when the remote renewTime is in the future', () => {
    const record = held({ renewTime: '2025-01-01T13:00:00.000000Z' }); // an hour ahead by the remote clock
    const d = decide(record, now - 15_001, now, me, leaseMs);
    expect(d).toEqual({
      action: 'acquire',
      spec: {
        holderIdentity: me,
        leaseDurationSeconds: 15,
        acquireTime: '2025-01-01T12:00:00.000000Z',
        renewTime: '2025-01-01T12:00:00.000000Z',
        leaseTransitions: 5,
      },
    });
  });

  it("judges expiry by the holder's leaseDurationSeconds, not ours", () => {
    const short = held({ leaseDurationSeconds: 2 });
    expect(decide(short, now - 2_001, now, me, 60_000).action).toBe('acquire');
    expect(decide(short, now - 1_999, now, me, 60_000).action).toBe('wait');
    const unset = held({ leaseDurationSeconds: undefined }); // falls back to our own duration
    expect(decide(unset, now - 14_000, now, me, leaseMs).action).toBe('wait');
    expect(decide(unset, now - 16_000, now, me, leaseMs).action).toBe('acquire');
  });

  it('renews our own lease keeping acquireTime and transitions, whatever its age', () => {
    const ours = held({ holderIdentity: me });
    for (const observedAt of [now, now - 60_000]) {
      expect(decide(ours, observedAt, now, me, leaseMs)).toEqual({
        action: 'renew',
        spec: {
          holderIdentity: me,
          leaseDurationSeconds: 15,
          acquireTime: '2025-01-01T11:00:00.000000Z',
          renewTime: '2025-01-01T12:00:00.000000Z',
          leaseTransitions: 4,
        },
      });
    }
  });

  it('treats an empty holder (a released lease) as free at once, counting a transition', () => {
    const released = held({ holderIdentity: '', leaseDurationSeconds: 1 });
    const d = decide(released, now, now, me, leaseMs);
    expect(d.action).toBe('acquire');
    if (d.action === 'wait') throw new Error('unreachable');
    expect(d.spec).toMatchObject({
      holderIdentity: me,
      acquireTime: '2025-01-01T12:00:00.000000Z',
      leaseTransitions: 5,
    });
    expect(decide(held({ holderIdentity: undefined }), now, now, me, leaseMs).action).toBe('acquire');
  });
});

describe('sameRecord', () => {
  it('sees a change in any election field, and nothing else', () => {
    expect(sameRecord(held(), held())).toBe(true);
    expect(sameRecord(undefined, undefined)).toBe(true);
    expect(sameRecord(held(), undefined)).toBe(false);
    expect(sameRecord(held(), { ...held(), extra: 1 } as LeaseSpec)).toBe(true);
    for (const change of [
      { holderIdentity: 'x' },
      { leaseDurationSeconds: 1 },
      { acquireTime: '2025-01-01T11:00:00.000001Z' },
      { renewTime: '2025-01-01T11:59:58.000001Z' },
      { leaseTransitions: 5 },
    ]) {
      expect(sameRecord(held(), held(change)), JSON.stringify(change)).toBe(false);
    }
  });
});

describe('LeaderElector options', () => {
  const base = {
    client: {} as KubeClient,
    namespace: 'ns',
    name: 'lease',
    identity: me,
    onStartedLeading: () => undefined,
    onStoppedLeading: () => undefined,
  };

  it('accepts the defaults and rejects timings where a standby could start before the leader gives up', () => {
    expect(new LeaderElector(base).isLeader()).toBe(false);
    expect(() => new LeaderElector({ ...base, leaseDurationMs: 10_000 })).toThrow(/leaseDurationMs/);
    expect(() => new LeaderElector({ ...base, retryPeriodMs: 9_000 })).toThrow(/retryPeriodMs/);
  });

  it('resolves release() and abandon() at once when never run', async () => {
    const elector = new LeaderElector(base);
    await elector.release();
    await elector.abandon();
    expect(elector.isLeader()).toBe(false);
  });
});

/** An in-memory Lease API with compare-and-swap on resourceVersion; `fail` makes every call reject. */
function fakeLeaseApi() {
  let stored: { metadata: Record<string, unknown>; spec?: LeaseSpec } | undefined;
  let version = 0;
  const state = { fail: false, hang: false, writes: [] as LeaseSpec[], writtenAt: [] as number[] };
  /** A partition: the request never gets an answer; only its own signal can end it. */
  const hung = (options?: { signal?: AbortSignal }) =>
    new Promise<never>((_resolve, reject) => {
      options?.signal?.addEventListener('abort', () => {
        reject(options.signal?.reason as Error);
      });
    });
  const check = () => {
    if (state.fail)
      throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6443'), { code: 'ECONNREFUSED' });
  };
  const copy = <T>(v: T): T => structuredClone(v);
  const client = {
    get: (_r: unknown, _key: unknown, options?: { signal?: AbortSignal }) => {
      if (state.hang) return hung(options);
      check();
      if (!stored) throw new ApiError(404, 'NotFound', 'leases not found', 'get', '/leases/x');
      return Promise.resolve(copy(stored));
    },
    create: (_r: unknown, body: { metadata: Record<string, unknown>; spec?: LeaseSpec }) => {
      check();
      if (stored) throw new ApiError(409, 'AlreadyExists', 'exists', 'create', '/leases');
      stored = { ...copy(body), metadata: { ...body.metadata, resourceVersion: String(++version) } };
      state.writes.push(copy(body.spec!));
      state.writtenAt.push(performance.now());
      return Promise.resolve(copy(stored));
    },
    replace: (_r: unknown, body: { metadata: Record<string, unknown>; spec?: LeaseSpec }) => {
      check();
      if (body.metadata.resourceVersion !== stored?.metadata.resourceVersion) {
        throw new ApiError(409, 'Conflict', 'modified', 'update', '/leases/x');
      }
      stored = { ...copy(body), metadata: { ...body.metadata, resourceVersion: String(++version) } };
      state.writes.push(copy(body.spec!));
      state.writtenAt.push(performance.now());
      return Promise.resolve(copy(stored));
    },
  };
  return { client: client as unknown as KubeClient, state };
}

describe('LeaderElector timing against a stepped wall clock', () => {
  const timing = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };
  afterEach(() => {
    vi.useRealTimers();
  });

  async function leader(clock?: { wall(): number; monotonic(): number }) {
    vi.useFakeTimers({ now: Date.parse('2025-01-01T12:00:00.000Z') });
    const api = fakeLeaseApi();
    const events: string[] = [];
    const elector = new LeaderElector({
      client: api.client,
      namespace: 'ns',
      name: 'lease',
      identity: me,
      ...timing,
      ...(clock ? { clock } : {}),
      onStartedLeading: () => events.push('started'),
      onStoppedLeading: () => events.push('stopped'),
    });
    const done = elector.run();
    await vi.advanceTimersByTimeAsync(0);
    expect(elector.isLeader()).toBe(true);
    return { api, events, elector, done };
  }

  it('a wall clock stepped forward does not end a leadership that keeps renewing', async () => {
    const { events, elector, api } = await leader();
    vi.setSystemTime(Date.now() + 3_600_000); // NTP steps the clock an hour ahead
    await vi.advanceTimersByTimeAsync(5 * timing.retryPeriodMs);
    expect(events).toEqual(['started']);
    expect(elector.isLeader()).toBe(true);
    expect(api.state.writes.length).toBeGreaterThanOrEqual(5); // it kept renewing
    await elector.release();
  });

  it('a wall clock stepped back does not stretch the renew deadline', async () => {
    const { events, elector, api, done } = await leader();
    api.state.fail = true; // partitioned from now on
    const failedAt = performance.now();
    vi.setSystemTime(Date.now() - 3_600_000); // and the clock steps an hour back
    await vi.advanceTimersByTimeAsync(timing.renewDeadlineMs + timing.retryPeriodMs);
    expect(events).toEqual(['started', 'stopped']);
    expect(elector.isLeader()).toBe(false);
    await done;
    // It gave up no later than renewDeadline after the last successful renewal (at or before failedAt).
    expect(performance.now() - failedAt).toBeLessThanOrEqual(timing.renewDeadlineMs + timing.retryPeriodMs);
  });

  it('judges time by the monotonic clock and stamps the Lease with the wall clock (injected clock)', async () => {
    let offset = 0;
    // Fractions, as the real performance.now() has: every deadline must still work.
    let drift = 0;
    const clock = { wall: () => Date.now() + offset, monotonic: () => performance.now() + (drift += 0.001) };
    const { events, elector, api } = await leader(clock);
    offset = -86_400_000; // a day back, seen only through the injected wall clock
    const writes = api.state.writes.length;
    await vi.advanceTimersByTimeAsync(3 * timing.retryPeriodMs);
    expect(events).toEqual(['started']);
    expect(api.state.writes.length).toBe(writes + 3); // one renewal per retry period, none failed
    const last = api.state.writes.at(-1)!;
    expect(Date.parse(last.renewTime!)).toBe(Date.now() + offset);
    expect(last.acquireTime).toBe('2025-01-01T12:00:00.000000Z'); // kept from the first acquire
    await elector.release();
    expect(api.state.writes.at(-1)).toMatchObject({ holderIdentity: '', leaseDurationSeconds: 1 });
  });
});

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
