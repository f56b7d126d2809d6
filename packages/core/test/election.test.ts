import { describe, expect, it } from 'vitest';
import type { KubeClient } from '../src/client/index.js';
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
