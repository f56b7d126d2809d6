import { afterEach, describe, expect, it, vi } from 'vitest';
import type { KubeClient } from '../src/client/index.js';
import { decide, LeaderElector, sameRecord, type LeaseSpec } from '../src/election.js';
import { fakeLeaseApi } from './fake-lease-api.js';

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

describe('LeaderElector rounds (fake timers)', () => {
  const timing = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };
  afterEach(() => {
    vi.useRealTimers();
  });

  function elector(api: ReturnType<typeof fakeLeaseApi>, extra: { onStartedLeading?: () => void } = {}) {
    const events: string[] = [];
    const logs: { level: string; msg: string; fields: Record<string, unknown> }[] = [];
    const log = {
      info: (fields: object, msg: string) =>
        logs.push({ level: 'info', msg, fields: fields as Record<string, unknown> }),
      warn: (fields: object, msg: string) =>
        logs.push({ level: 'warn', msg, fields: fields as Record<string, unknown> }),
    };
    const e = new LeaderElector({
      client: api.client,
      namespace: 'ns',
      name: 'lease',
      identity: me,
      ...timing,
      log,
      onStartedLeading: extra.onStartedLeading ?? (() => events.push('started')),
      onStoppedLeading: () => events.push('stopped'),
      onNewLeader: (id) => events.push(`leader ${id}`),
    });
    return { e, events, logs };
  }

  /** Writes the Lease as another replica would, through the same API. */
  async function writeAsOther(api: ReturnType<typeof fakeLeaseApi>, spec: LeaseSpec) {
    const key = { namespace: 'ns', name: 'lease' };
    let current: { metadata: Record<string, unknown>; spec?: LeaseSpec } | undefined;
    try {
      current = await api.client.get({} as never, key);
    } catch {
      current = undefined; // 404: none yet
    }
    const body = { metadata: current?.metadata ?? { name: 'lease', namespace: 'ns' }, spec };
    await (current ? api.client.replace({} as never, body) : api.client.create({} as never, body));
  }

  it('a standby waits out a fresh holder by its own clock, then takes over counting a transition', async () => {
    vi.useFakeTimers({ now: Date.parse('2025-01-01T12:00:00.000Z') });
    const api = fakeLeaseApi();
    await writeAsOther(api, { ...held(), leaseTransitions: 4 });
    const { e, events } = elector(api);
    void e.run();
    await vi.advanceTimersByTimeAsync(0);
    expect(events).toEqual(['leader other_2']);
    await vi.advanceTimersByTimeAsync(14_000);
    expect(e.isLeader()).toBe(false);
    await vi.advanceTimersByTimeAsync(6_000);
    expect(e.isLeader()).toBe(true);
    expect(events).toEqual(['leader other_2', 'leader me_1', 'started']);
    expect(api.state.writes.at(-1)).toMatchObject({
      holderIdentity: me,
      leaseTransitions: 5,
      leaseDurationSeconds: 15,
    });
    await e.release();
  });

  it('a leader that sees another holder in the Lease stops leading at once, and run() resolves', async () => {
    vi.useFakeTimers({ now: Date.parse('2025-01-01T12:00:00.000Z') });
    const api = fakeLeaseApi();
    const { e, events, logs } = elector(api);
    const done = e.run();
    await vi.advanceTimersByTimeAsync(0);
    expect(e.isLeader()).toBe(true);
    await writeAsOther(api, held({ holderIdentity: 'thief_3' }));
    await vi.advanceTimersByTimeAsync(timing.retryPeriodMs);
    await done;
    expect(e.isLeader()).toBe(false);
    expect(events).toEqual(['leader me_1', 'started', 'leader thief_3', 'stopped']);
    expect(logs.at(-1)).toMatchObject({
      level: 'warn',
      msg: 'lost leadership: the leader lease was taken over',
    });
    const writes = api.state.writes.length;
    await vi.advanceTimersByTimeAsync(10 * timing.retryPeriodMs);
    expect(api.state.writes.length).toBe(writes); // no more rounds
    await e.release(); // not leader: hands nothing over
    expect(api.state.writes.length).toBe(writes);
  });

  it('release() re-reads once after a 409 (a stale resourceVersion) and still hands the Lease over', async () => {
    vi.useFakeTimers({ now: Date.parse('2025-01-01T12:00:00.000Z') });
    const api = fakeLeaseApi();
    const { e, events } = elector(api);
    void e.run();
    await vi.advanceTimersByTimeAsync(0);
    // Someone rewrites our record unchanged: only the resourceVersion moves on.
    await writeAsOther(api, api.state.writes.at(-1)!);
    await e.release();
    expect(api.state.writes.at(-1)).toMatchObject({ holderIdentity: '', leaseDurationSeconds: 1 });
    expect(e.isLeader()).toBe(false);
    expect(events).not.toContain('stopped'); // release is not a loss
  });

  it('a callback that throws is logged and breaks nothing: the leader keeps renewing', async () => {
    vi.useFakeTimers({ now: Date.parse('2025-01-01T12:00:00.000Z') });
    const api = fakeLeaseApi();
    const { e, logs } = elector(api, {
      onStartedLeading: () => {
        throw new Error('boom');
      },
    });
    void e.run();
    await vi.advanceTimersByTimeAsync(0);
    const writes = api.state.writes.length;
    await vi.advanceTimersByTimeAsync(3 * timing.retryPeriodMs);
    expect(e.isLeader()).toBe(true);
    expect(api.state.writes.length).toBe(writes + 3);
    expect(logs.filter((l) => l.level === 'warn').map((l) => l.msg)).toEqual(['onStartedLeading failed']);
    await e.release();
  });

  it('logs a failing round once per 30 s, and a standby losing a race not at all', async () => {
    vi.useFakeTimers({ now: Date.parse('2025-01-01T12:00:00.000Z') });
    const api = fakeLeaseApi();
    api.state.fail = true;
    const { e, logs } = elector(api);
    void e.run();
    await vi.advanceTimersByTimeAsync(25_000); // about ten failing rounds
    expect(logs.map((l) => `${l.level} ${l.msg}`)).toEqual(['warn leader lease acquisition failed']);
    expect(logs[0]!.fields).toMatchObject({ lease: 'lease', err: { code: 'ECONNREFUSED' } });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(logs.map((l) => l.msg)).toEqual([
      'leader lease acquisition failed',
      'leader lease acquisition failed',
    ]);
    expect(logs[1]!.fields.repeated).toBeGreaterThan(5);
    await e.abandon();
  });
});
