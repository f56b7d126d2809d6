/**
 * Lease-based leader election, wire-compatible with client-go's tools/leaderelection (LeaseLock).
 *
 * Contract: `run()` tries to acquire the coordination.k8s.io/v1 Lease every retryPeriod (x1-1.2
 * jitter); once leader it renews every retryPeriod. Leadership is lost, `onStoppedLeading` runs once
 * and `run()` resolves when no renewal succeeded for renewDeadline, or when another holder is seen
 * in the Lease. `release()` stops the loop and, if leader, hands the Lease over at once (empty
 * holder, 1 s duration) without calling `onStoppedLeading`. Nothing here throws or rejects: API
 * errors and callback errors are logged (a repeated failure once per 30 s). Expiry is judged by local
 * time (when *we* last saw the record change), never by the remote renewTime, so clock skew between
 * replicas does not matter; and by the monotonic clock, never the wall clock, so a clock step (NTP,
 * a VM resumed) cannot make a leader believe it holds the Lease longer than it does. The wall clock
 * only stamps acquireTime/renewTime, which other replicas never use for expiry.
 */
import { isAlreadyExists, isConflict, isNotFound } from './client/errors.js';
import type { KubeClient } from './client/http.js';
import type { ResourceRef } from './client/resources.js';
import { microTime } from './client/time.js';
import { delay } from './backoff.js';
import { errorFields, RepeatFilter, silentLogger } from './log.js';

export const leaseResource: ResourceRef = {
  group: 'coordination.k8s.io',
  version: 'v1',
  plural: 'leases',
  kind: 'Lease',
  namespaced: true,
};

export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

type Lease = { metadata: { name?: string; namespace?: string; resourceVersion?: string }; spec?: LeaseSpec };

export interface LeaderElectionOptions {
  client: KubeClient;
  namespace: string;
  /** Lease name. */
  name: string;
  /** holderIdentity, e.g. `${hostname}_${uuid}`; must be unique per process. */
  identity: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  onStartedLeading: () => void;
  /** Called once when leadership is lost (not after `release()`); the manager exits here. */
  onStoppedLeading: () => void;
  /** Called with every new non-empty holder seen, ourselves included. */
  onNewLeader?: (identity: string) => void;
  log?: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
  /** Tests: `monotonic` for every expiry and deadline, `wall` (epoch ms) for the Lease's timestamps. */
  clock?: ElectionClock;
}

export interface ElectionClock {
  wall(): number;
  monotonic(): number;
}

const systemClock: ElectionClock = { wall: () => Date.now(), monotonic: () => performance.now() };

export type Decision =
  /** Someone else holds a lease that has not expired by our clock. */
  | { action: 'wait'; holder: string; expiresAt: number }
  /** Write `spec`: `acquire` takes the lease (create it when absent), `renew` refreshes ours. */
  | { action: 'acquire' | 'renew'; spec: Required<LeaseSpec> };

/**
 * The pure core of one round. `record` is the Lease spec last read (undefined: no Lease),
 * `observedAt` the local (monotonic) time it was first seen in this form, `now` the same clock now;
 * `wallNow` (epoch ms, default `now`) only stamps the written record. The holder's own
 * leaseDurationSeconds rules its expiry; `leaseDurationMs` is what we claim (and the fallback).
 */
export function decide(
  record: LeaseSpec | undefined,
  observedAt: number,
  now: number,
  identity: string,
  leaseDurationMs: number,
  wallNow: number = now,
): Decision {
  const holder = record?.holderIdentity ?? '';
  const claimed = record?.leaseDurationSeconds;
  const durationMs = claimed !== undefined && claimed > 0 ? claimed * 1000 : leaseDurationMs;
  const expiresAt = observedAt + durationMs;
  if (holder !== '' && holder !== identity && expiresAt >= now) return { action: 'wait', holder, expiresAt };
  const changesHands = holder !== identity;
  const stamp = microTime(new Date(wallNow));
  const spec: Required<LeaseSpec> = {
    holderIdentity: identity,
    // Rounded up: claiming less than we act on would let a standby start while we still lead.
    leaseDurationSeconds: Math.max(1, Math.ceil(leaseDurationMs / 1000)),
    acquireTime: changesHands || !record?.acquireTime ? stamp : record.acquireTime,
    renewTime: stamp,
    leaseTransitions: (record?.leaseTransitions ?? 0) + (record && changesHands ? 1 : 0),
  };
  return { action: changesHands ? 'acquire' : 'renew', spec };
}

const fields = ['holderIdentity', 'leaseDurationSeconds', 'acquireTime', 'renewTime', 'leaseTransitions'];

/** Whether two records are the same for expiry purposes: any field change restarts the expiry clock. */
export function sameRecord(a: LeaseSpec | undefined, b: LeaseSpec | undefined): boolean {
  return JSON.stringify(a, fields) === JSON.stringify(b, fields); // the replacer fixes keys and their order
}

const jitter = 0.2;

export class LeaderElector {
  private readonly o: Required<Omit<LeaderElectionOptions, 'onNewLeader'>> &
    Pick<LeaderElectionOptions, 'onNewLeader'>;
  private readonly repeats = new RepeatFilter();
  private readonly wake = new AbortController();
  private running?: Promise<void>;
  private stopped = false;
  private leading = false;
  private lease?: Lease;
  private observed?: LeaseSpec;
  private observedAt = 0;
  private renewedAt = 0;
  private reported = '';

  constructor(options: LeaderElectionOptions) {
    this.o = {
      ...options,
      leaseDurationMs: options.leaseDurationMs ?? 15_000,
      renewDeadlineMs: options.renewDeadlineMs ?? 10_000,
      retryPeriodMs: options.retryPeriodMs ?? 2_000,
      log: options.log ?? silentLogger,
      clock: options.clock ?? systemClock,
    };
    // client-go's checks: a leader must give up before a standby may take over, and must get
    // more than one (jittered) attempt per deadline.
    const { leaseDurationMs: lease, renewDeadlineMs: deadline, retryPeriodMs: retry } = this.o;
    if (lease <= deadline) throw new Error('leaseDurationMs must exceed renewDeadlineMs');
    if (deadline <= retry * (1 + jitter)) throw new Error('renewDeadlineMs must exceed 1.2 x retryPeriodMs');
  }

  /** Starts the loop (once; later calls return the same promise), which never rejects. */
  run(): Promise<void> {
    this.running ??= this.loop();
    return this.running;
  }

  /** True from a successful acquire until leadership is lost, released or abandoned. */
  isLeader(): boolean {
    return this.leading;
  }

  /** Graceful shutdown: stops the loop and, if leader, hands the Lease over. Never throws. */
  async release(): Promise<void> {
    this.stop();
    await this.running; // the round in flight ends first (its requests are bounded), so no write races ours
    if (!this.leading) return;
    this.leading = false;
    try {
      await this.handOver().catch(async (err: unknown) => {
        // 409: our resourceVersion is stale (a renewal that landed after its timeout); re-read once.
        if (!isConflict(err)) throw err;
        this.lease = await this.read();
        await this.handOver();
      });
    } catch (err) {
      this.warn(err, 'could not release the leader lease');
    }
  }

  /**
   * Stop like `kill -9` would: stop the timers, write nothing, call nothing; the Lease expires on its
   * own. The manager uses it when reconciles outlive the grace period (releasing would let a standby
   * start while they may still write); tests use it to simulate a crash. Resolves once the loop has
   * exited (a request already in flight may still land, as before a kill).
   */
  async abandon(): Promise<void> {
    this.stop();
    await this.running;
    this.leading = false;
  }

  private stop(): void {
    this.stopped = true;
    this.wake.abort();
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      await this.tick();
      // A leader wakes at its deadline at the latest, so a lost lease is noticed on time. The delay
      // resolves at once when stopped, and its timer never keeps the process alive.
      const leaderDelay = Math.max(0, Math.min(this.o.retryPeriodMs, this.remaining()));
      const standbyDelay = this.o.retryPeriodMs * (1 + jitter * Math.random());
      await delay(this.leading ? leaderDelay : standbyDelay, this.wake.signal);
    }
  }

  /** One acquire-or-renew round; never throws. */
  private async tick(): Promise<void> {
    const leading = this.leading;
    if (leading && this.remaining() <= 0) {
      const sinceRenewalMs = Math.round(this.o.clock.monotonic() - this.renewedAt);
      this.lose({ sinceRenewalMs }, 'renew deadline passed');
      return;
    }
    try {
      const lease = await this.read();
      const now = this.o.clock.monotonic();
      this.observe(lease, now);
      const { identity, leaseDurationMs } = this.o;
      const d = decide(this.observed, this.observedAt, now, identity, leaseDurationMs, this.o.clock.wall());
      if (d.action === 'wait') {
        // Another holder with a valid lease cannot turn into us before it expires, which is after
        // our renew deadline; waiting for the deadline (as client-go does) only prolongs two leaders.
        if (leading) this.lose({ holder: d.holder }, 'the leader lease was taken over');
        return;
      }
      // PUT with the resourceVersion just read: a compare-and-swap, 409 when someone wrote in between.
      const metadata = lease?.metadata ?? { name: this.o.name, namespace: this.o.namespace };
      const body = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata, spec: d.spec };
      const written = await this.send(lease ? 'PUT' : 'POST', body);
      this.observe(written, this.o.clock.monotonic());
      // `now` is from before the write: the deadline counts from when we read, never later.
      this.renewedAt = now;
      this.repeats.forget('round');
      if (!leading) {
        this.leading = true;
        this.o.log.info({ lease: this.o.name, identity: this.o.identity }, 'became leader');
        this.callback('onStartedLeading', this.o.onStartedLeading, this.o.identity);
      }
    } catch (err) {
      // Lost races (409 AlreadyExists/Conflict) are routine for a standby; anything else is worth a warning.
      if (!leading && (isAlreadyExists(err) || isConflict(err))) return;
      this.warn(err, leading ? 'leader lease renewal failed' : 'leader lease acquisition failed');
    }
  }

  private lose(detail: object, msg: string): void {
    this.leading = false;
    this.stop();
    this.o.log.warn({ lease: this.o.name, ...detail }, `lost leadership: ${msg}`);
    this.callback('onStoppedLeading', this.o.onStoppedLeading, this.o.identity);
  }

  /** Remembers the record and, when it changed, the local time of the change. */
  private observe(lease: Lease | undefined, at: number): void {
    this.lease = lease;
    if (sameRecord(this.observed, lease?.spec)) return;
    this.observed = lease?.spec;
    this.observedAt = at;
    const holder = lease?.spec?.holderIdentity ?? '';
    if (holder === '' || holder === this.reported) return;
    this.reported = holder;
    this.o.log.info({ lease: this.o.name, holder }, 'new leader observed');
    this.callback('onNewLeader', this.o.onNewLeader, holder);
  }

  private remaining(): number {
    return this.renewedAt + this.o.renewDeadlineMs - this.o.clock.monotonic();
  }

  private async read(): Promise<Lease | undefined> {
    try {
      return await this.send('GET');
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** Empty holder and a 1 s duration: a standby takes over at its next round instead of after expiry. */
  private async handOver(): Promise<void> {
    const lease = this.lease;
    if (lease?.spec?.holderIdentity !== this.o.identity) return; // not ours (any more): nothing to hand over
    const t = microTime(new Date(this.o.clock.wall()));
    const spec = { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, acquireTime: t, renewTime: t };
    await this.send('PUT', { ...lease, spec }, this.o.renewDeadlineMs);
    this.o.log.info({ lease: this.o.name }, 'released the leader lease');
  }

  private warn(err: unknown, msg: string): void {
    const fields = errorFields(err);
    const repeat = this.repeats.admit('round', `${msg}: ${fields.err.message}`);
    if (repeat) this.o.log.warn({ lease: this.o.name, ...fields, ...repeat }, msg);
  }

  /** Each request is bounded: a leader's by what is left of its deadline, so a hung call cannot outlive it. */
  private send(method: 'GET' | 'POST' | 'PUT', body?: Lease, timeoutMs?: number): Promise<Lease> {
    // Whole milliseconds (AbortSignal.timeout rejects fractions), rounded down to stay within the deadline.
    const ms = Math.max(
      1,
      Math.floor(timeoutMs ?? (this.leading ? this.remaining() : this.o.renewDeadlineMs)),
    );
    const options = { signal: AbortSignal.timeout(ms) };
    const { client } = this.o;
    if (method === 'GET') return client.get<Lease>(leaseResource, this.o, options);
    return method === 'POST'
      ? client.create<Lease>(leaseResource, body!, options)
      : client.replace<Lease>(leaseResource, body!, options);
  }

  /** Run on a microtask and caught: a callback that throws or rejects cannot break the loop. */
  private callback(what: string, fn: ((identity: string) => unknown) | undefined, identity: string): void {
    void Promise.resolve(identity)
      .then(fn)
      .catch((err: unknown) => {
        this.warn(err, `${what} failed`);
      });
  }
}
