import { afterEach, describe, expect, it } from 'vitest';
import { eventually, startTcpProxy } from '@mcp-controllers/testkit';
import { useControlPlane, useNamespace } from '@mcp-controllers/testkit/vitest';
import { KubeClient, microTime } from '../src/client/index.js';
import { LeaderElector, leaseResource, type LeaseSpec } from '../src/election.js';

// Short timings keep the suite quick; production defaults are 15 s / 10 s / 2 s.
const timing = { leaseDurationMs: 3_000, renewDeadlineMs: 2_000, retryPeriodMs: 500 };
const jitteredRetryMs = timing.retryPeriodMs * 1.2;
// Upper bounds of *liveness* (how soon something happens) get generous slack: 2 cores, other test
// files running. Safety bounds (never before, never overlapping) get none: the contract is exact there.
const livenessSlackMs = 2_000;
const leaseName = 'controller-leader';
const microTimeFormat = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;

const controlPlane = useControlPlane();
const namespace = useNamespace(controlPlane);

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Candidate {
  identity: string;
  elector: LeaderElector;
  /** run()'s promise: settles when the loop ends. */
  done: Promise<void>;
  started: number[];
  stopped: number[];
  leadersSeen: string[];
  warnings: string[];
}

/** Every candidate of the current test, to check that no two ever lead at once. */
let field: Candidate[] = [];
let overlaps = 0;
afterEach(() => {
  field = [];
  overlaps = 0;
});

function candidate(client: KubeClient, ns: string, identity: string): Candidate {
  const c = { identity, started: [], stopped: [], leadersSeen: [], warnings: [] } as unknown as Candidate;
  c.elector = new LeaderElector({
    client,
    namespace: ns,
    name: leaseName,
    identity,
    ...timing,
    onStartedLeading: () => {
      c.started.push(Date.now());
      if (field.some((other) => other !== c && other.elector.isLeader())) overlaps++;
    },
    onStoppedLeading: () => {
      c.stopped.push(Date.now());
    },
    onNewLeader: (holder) => {
      c.leadersSeen.push(holder);
    },
    log: {
      info: () => undefined,
      warn: (obj, msg) => {
        c.warnings.push(`${msg} ${JSON.stringify(obj)}`);
      },
    },
  });
  c.done = c.elector.run();
  field.push(c);
  cleanups.push(() => c.elector.abandon());
  return c;
}

async function readLease(client: KubeClient, ns: string): Promise<LeaseSpec> {
  const lease = await client.get<{ spec: LeaseSpec }>(leaseResource, { namespace: ns, name: leaseName });
  return lease.spec;
}

function expectMicroTimes(spec: LeaseSpec): void {
  expect(spec.acquireTime).toMatch(microTimeFormat);
  expect(spec.renewTime).toMatch(microTimeFormat);
}

/** Starts two candidates on one Lease and waits until one leads and the other has seen it do so. */
async function leaderAndStandby(client: KubeClient, ns: string): Promise<[Candidate, Candidate]> {
  const a = candidate(client, ns, 'replica-a_1');
  const b = candidate(client, ns, 'replica-b_2');
  const leader = await eventually(() => field.find((c) => c.elector.isLeader()), { what: 'a leader' });
  const standby = leader === a ? b : a;
  await eventually(() => (standby.leadersSeen.includes(leader.identity) ? true : undefined), {
    what: 'the standby to see the leader',
  });
  return [leader, standby];
}

function measured(label: string, ms: number): number {
  console.log(`[election] ${label}: ${ms} ms`);
  return ms;
}

describe('leader election against a real apiserver', () => {
  it('elects exactly one of two candidates, and keeps it', async () => {
    const client = new KubeClient(controlPlane().kubeConfig);
    const ns = namespace();
    const [leader, standby] = await leaderAndStandby(client, ns);

    const first = await readLease(client, ns);
    expect(first).toMatchObject({
      holderIdentity: leader.identity,
      leaseDurationSeconds: 3,
      leaseTransitions: 0,
    });
    expectMicroTimes(first);
    // A few renewals later nothing has changed hands.
    await eventually(
      async () => {
        const spec = await readLease(client, ns);
        return Date.parse(spec.renewTime!) >= Date.parse(first.renewTime!) + 2 * timing.retryPeriodMs
          ? spec
          : undefined;
      },
      { timeoutMs: 5_000, what: 'two more renewals' },
    );
    const later = await readLease(client, ns);
    expect(later).toMatchObject({
      holderIdentity: leader.identity,
      acquireTime: first.acquireTime,
      leaseTransitions: 0,
    });
    expectMicroTimes(later);
    expect(leader.elector.isLeader()).toBe(true);
    expect(standby.elector.isLeader()).toBe(false);
    expect([leader.started.length, standby.started.length]).toEqual([1, 0]);
    expect([leader.stopped, standby.stopped]).toEqual([[], []]);
    expect(overlaps).toBe(0);
    // The standby's lost create race (409 AlreadyExists) is routine: nothing worth a warning happened.
    expect([...leader.warnings, ...standby.warnings]).toEqual([]);
    expect(client.tally.count({ verb: 'create', resource: 'leases.coordination.k8s.io', code: 201 })).toBe(1);
  });

  it('release() hands over at once: empty holder, 1 s, and the standby leads within two retry periods', async () => {
    const client = new KubeClient(controlPlane().kubeConfig);
    const ns = namespace();
    const [leader, standby] = await leaderAndStandby(client, ns);

    const releaseStarted = Date.now();
    await leader.elector.release();
    const releasedAt = Date.now();
    await leader.done;
    expect(leader.elector.isLeader()).toBe(false);
    await eventually(() => (standby.elector.isLeader() ? true : undefined), {
      timeoutMs: 2 * timing.retryPeriodMs,
      intervalMs: 10,
      what: 'the standby to take over after release',
    });
    measured('takeover after release() resolved', standby.started[0]! - releasedAt);
    measured('release() itself', releasedAt - releaseStarted);

    const spec = await readLease(client, ns);
    expect(spec).toMatchObject({
      holderIdentity: standby.identity,
      leaseDurationSeconds: 3,
      leaseTransitions: 1,
    });
    expectMicroTimes(spec);
    expect(leader.stopped).toEqual([]); // a voluntary release is not a loss
    expect(overlaps).toBe(0);
    expect([...leader.warnings, ...standby.warnings]).toEqual([]);
  });

  it('a sole leader releasing leaves the Lease free with a 1 s duration', async () => {
    const client = new KubeClient(controlPlane().kubeConfig);
    const ns = namespace();
    const solo = candidate(client, ns, 'solo_1');
    await eventually(() => (solo.elector.isLeader() ? true : undefined), { what: 'leadership' });
    await solo.elector.release();
    await solo.elector.release(); // idempotent
    const spec = await readLease(client, ns);
    expect(spec).toMatchObject({ holderIdentity: '', leaseDurationSeconds: 1, leaseTransitions: 0 });
    expectMicroTimes(spec);
    expect(solo.stopped).toEqual([]);
  });

  it('a leader that dies without releasing is replaced after the lease duration, not before', async () => {
    const client = new KubeClient(controlPlane().kubeConfig);
    const ns = namespace();
    const [leader, standby] = await leaderAndStandby(client, ns);

    const killedAt = Date.now();
    await leader.elector.abandon(); // like kill -9: no release write, no callback
    const lastRenewal = Date.parse((await readLease(client, ns)).renewTime!);
    // Worst case: the standby sees the final renewal one jittered retry late, and notices the expiry
    // up to one jittered retry late; requests and a busy machine add to that (liveness only).
    const bound = timing.leaseDurationMs + 2 * jitteredRetryMs + livenessSlackMs;
    await eventually(() => (standby.elector.isLeader() ? true : undefined), {
      timeoutMs: bound,
      intervalMs: 10,
      what: 'the standby to take over from a dead leader',
    });
    const takeover = measured('takeover after kill', standby.started[0]! - killedAt);
    measured('takeover after the last renewal', standby.started[0]! - lastRenewal);
    expect(takeover).toBeGreaterThanOrEqual(timing.leaseDurationMs - jitteredRetryMs);

    const spec = await readLease(client, ns);
    expect(spec).toMatchObject({ holderIdentity: standby.identity, leaseTransitions: 1 });
    expectMicroTimes(spec);
    // Not before the lease duration since the last renewal it could have observed.
    expect(Date.parse(spec.acquireTime!) - lastRenewal).toBeGreaterThanOrEqual(timing.leaseDurationMs);
    expect(leader.stopped).toEqual([]);
    expect(leader.elector.isLeader()).toBe(false);
    expect(standby.warnings).toEqual([]);
    expect(overlaps).toBe(0);
  });

  it('a leader whose Lease is taken over stops leading within renewDeadline + retryPeriod', async () => {
    const client = new KubeClient(controlPlane().kubeConfig);
    const ns = namespace();
    const victim = candidate(client, ns, 'victim_1');
    await eventually(() => (victim.elector.isLeader() ? true : undefined), { what: 'leadership' });

    const renewTime = microTime();
    await client.patch(leaseResource, { namespace: ns, name: leaseName }, 'merge', {
      spec: { holderIdentity: 'thief_9', renewTime, leaseDurationSeconds: 3 },
    });
    const stolenAt = Date.now();
    await eventually(() => (victim.stopped.length > 0 ? true : undefined), {
      timeoutMs: timing.renewDeadlineMs + timing.retryPeriodMs,
      intervalMs: 10,
      what: 'onStoppedLeading after the theft',
    });
    measured('onStoppedLeading after the theft', victim.stopped[0]! - stolenAt);
    await victim.done; // run() resolves once leadership is lost
    expect(victim.elector.isLeader()).toBe(false);
    expect(victim.stopped).toHaveLength(1);
    expect(victim.leadersSeen).toEqual(['victim_1', 'thief_9']);
    expect(victim.warnings.at(-1)).toMatch(/^lost leadership: the leader lease was taken over .*thief_9/);
    const spec = await readLease(client, ns);
    expect(spec).toMatchObject({ holderIdentity: 'thief_9', renewTime }); // the victim did not write it back
    expectMicroTimes(spec);
  });

  it('a partitioned leader (requests hang) gives up within renewDeadline, before the standby takes over', async () => {
    const cp = controlPlane();
    const ns = namespace();
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: Number(new URL(cp.server).port) });
    cleanups.push(() => proxy.close());
    const direct = new KubeClient(cp.kubeConfig);
    const leader = candidate(new KubeClient(proxy.kubeConfigFor(cp.kubeConfig)), ns, 'partitioned_1');
    await eventually(() => (leader.elector.isLeader() ? true : undefined), { what: 'leadership' });
    const standby = candidate(direct, ns, 'standby_2');
    await eventually(() => (standby.leadersSeen.includes(leader.identity) ? true : undefined), {
      what: 'the standby to see the leader',
    });

    // A silent partition: connections stay open and nothing comes back, so the renewal in flight
    // hangs and only the elector's per-request bound (what is left of its deadline) can end it.
    proxy.hang();
    const cutAt = Date.now();
    await eventually(() => (leader.stopped.length > 0 ? true : undefined), {
      timeoutMs: timing.renewDeadlineMs + livenessSlackMs,
      intervalMs: 10,
      what: 'the partitioned leader to give up',
    });
    const lastRenewal = Date.parse((await readLease(direct, ns)).renewTime!);
    measured('partitioned leader gave up after the hang', leader.stopped[0]! - cutAt);
    measured('partitioned leader gave up after its last renewal', leader.stopped[0]! - lastRenewal);
    // The contract: it stops once renewDeadline passed without a renewal. The safety margin is what
    // the standby must wait beyond that (leaseDuration - renewDeadline); the leader must be done by then.
    expect(leader.stopped[0]! - lastRenewal).toBeGreaterThanOrEqual(timing.renewDeadlineMs - jitteredRetryMs);
    expect(leader.stopped[0]! - lastRenewal).toBeLessThan(timing.leaseDurationMs);
    // The hung renewal was cut short by the elector, not by the client's 30 s default timeout.
    expect(leader.warnings.some((w) => /leader lease renewal failed/.test(w))).toBe(true);

    await eventually(() => (standby.elector.isLeader() ? true : undefined), {
      timeoutMs: timing.leaseDurationMs + 2 * jitteredRetryMs + livenessSlackMs,
      intervalMs: 10,
      what: 'the standby to take over',
    });
    measured('standby took over after the hang', standby.started[0]! - cutAt);
    // The safety property: the old leader had stopped before the new one started.
    expect(standby.started[0]!).toBeGreaterThan(leader.stopped[0]!);
    expect(standby.started[0]! - lastRenewal).toBeGreaterThanOrEqual(timing.leaseDurationMs);
    expect(overlaps).toBe(0);
  });
});
