/**
 * Informer health: whether a cache can be trusted now, from what its reflectors last saw.
 *
 * - `syncing`: no list attempt has finished yet;
 * - `ok`: synced, and the latest list/watch attempt worked, or failed only briefly (a failure
 *   younger than the grace period: a watch reconnecting, an apiserver rolling);
 * - `missing`: the resource answers 404 (CRD not installed). Before the first sync at once; after it
 *   only once the 404s have lasted the grace period, since a restarting apiserver serves 404 for CRDs
 *   for a moment;
 * - `failing`: anything else. 401 and 403 at once (credentials or RBAC are not transient); network
 *   errors, 5xx and 410 relist loops once they have lasted the grace period; before the first sync
 *   at once. `cause` says what to do (`describeListFailure`), `sinceMs` how long it has been failing.
 *
 * Durations are measured on a monotonic clock (`performance.now`), never the wall clock.
 */
import { statusCode } from './client/errors.js';
import { resourceLabel, type ResourceRef } from './client/resources.js';
import { errorFields, type Logger } from './log.js';

export type InformerHealth =
  | { state: 'syncing' }
  | { state: 'ok' }
  | { state: 'missing'; cause: string }
  | { state: 'failing'; cause: string; code?: number; sinceMs: number };

export const defaultHealthGraceMs = 30_000;

/** What a reflector knows about its own recent attempts. */
export interface HealthFacts {
  synced: boolean;
  /** The latest failure of the current streak; undefined when the latest attempt worked. */
  error: unknown;
  /** When the current failure streak began (monotonic ms); undefined without one. */
  failingSince: number | undefined;
}

/** The health these facts amount to at monotonic time `now`. Pure. */
export function healthOf(
  facts: HealthFacts,
  resource: ResourceRef,
  now: number,
  graceMs: number,
): InformerHealth {
  const { synced, error } = facts;
  if (error === undefined) return synced ? { state: 'ok' } : { state: 'syncing' };
  const code = statusCode(error);
  const sinceMs = Math.max(0, now - (facts.failingSince ?? now));
  const cause = describeListFailure(error, resource);
  const immediate = !synced || code === 401 || code === 403;
  if (!immediate && sinceMs < graceMs) return { state: 'ok' };
  if (code === 404) return { state: 'missing', cause };
  return code === undefined
    ? { state: 'failing', cause, sinceMs }
    : { state: 'failing', cause, code, sinceMs };
}

/** A short key that changes exactly when listeners must hear about it: the state and the status code. */
export function healthKey(health: InformerHealth): string {
  return health.state === 'failing' ? `failing:${health.code ?? 0}` : health.state;
}

/** Severity for combining the health of several reflectors (one per namespace) into one. */
const rank: Record<InformerHealth['state'], number> = { ok: 0, syncing: 1, missing: 2, failing: 3 };

/** The worst of several healths; among failing ones, the one failing longest. `ok` for none. */
export function worstHealth(healths: readonly InformerHealth[]): InformerHealth {
  let worst: InformerHealth = { state: 'ok' };
  for (const h of healths) {
    if (rank[h.state] > rank[worst.state]) worst = h;
    else if (h.state === 'failing' && worst.state === 'failing' && h.sinceMs > worst.sinceMs) worst = h;
  }
  return worst;
}

/**
 * Why a resource cannot be listed, in words that say what to do: for logs, and for the conditions of
 * controllers that report a kind they cannot read (see `Informer.health()`).
 */
export function describeListFailure(err: unknown, resource: ResourceRef): string {
  const code = statusCode(err);
  const name = resourceLabel(resource);
  if (code === 404) {
    return `the ${name} CRD is not installed (404); install it (chart mcp-controllers-crds) and it is picked up on its own`;
  }
  if (code === 403)
    return `access denied (403): grant this controller's ServiceAccount list and watch on ${name}`;
  if (code === 401)
    return `unauthorized (401): this controller's credentials for ${name} were rejected; check its token or kubeconfig`;
  if (err === undefined) return 'not listed yet';
  const detail = err instanceof Error ? err.message : JSON.stringify(err);
  return `${detail}; check that the apiserver is reachable and healthy`;
}

/**
 * The health bookkeeping of one reflector: the current failure streak (latest error, when it began),
 * the last success, and the listeners to tell when the health key changes, including when a grace
 * period runs out with nothing else happening (a timer, unref'd: it never keeps a process alive).
 */
export class HealthTracker {
  synced = false;
  private error: unknown;
  private failingSince: number | undefined;
  private lastSuccessAt: number | undefined;
  private notifiedKey: string | undefined;
  private graceTimer: NodeJS.Timeout | undefined;
  private readonly listeners: (() => void)[] = [];

  constructor(
    private readonly resource: ResourceRef,
    private readonly graceMs: number,
    private readonly log: Logger,
  ) {}

  health(): InformerHealth {
    const facts = { synced: this.synced, error: this.error, failingSince: this.failingSince };
    return healthOf(facts, this.resource, performance.now(), this.graceMs);
  }

  /** The latest failure of the current streak; undefined while list/watch works. */
  lastError(): unknown {
    return this.error;
  }

  msSinceSuccess(): number | undefined {
    return this.lastSuccessAt === undefined ? undefined : performance.now() - this.lastSuccessAt;
  }

  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  failed(err: unknown): void {
    this.error = err;
    this.failingSince ??= performance.now();
    this.update();
  }

  /**
   * A list or watch worked; `endsStreak`: it also ends the current failure streak. Returns true when
   * it did end one.
   */
  succeeded(endsStreak: boolean): boolean {
    this.lastSuccessAt = performance.now();
    if (endsStreak && this.error !== undefined) {
      this.error = undefined;
      this.failingSince = undefined;
      this.update();
      return true;
    }
    if (this.notifiedKey !== 'ok') this.update(); // e.g. the first sync: syncing -> ok
    return false;
  }

  stop(): void {
    clearTimeout(this.graceTimer);
    this.graceTimer = undefined;
  }

  /** Notifies listeners when the health key changed; re-checks when a grace period runs out. */
  private update(): void {
    const health = this.health();
    const key = healthKey(health);
    this.stop();
    if (health.state === 'ok' && this.error !== undefined && this.failingSince !== undefined) {
      const left = this.failingSince + this.graceMs - performance.now();
      this.graceTimer = setTimeout(
        () => {
          this.update();
        },
        Math.max(0, left) + 1,
      );
      this.graceTimer.unref();
    }
    if (key === this.notifiedKey) return;
    const first = this.notifiedKey === undefined;
    this.notifiedKey = key;
    if (first && key === 'syncing') return;
    if (health.state === 'failing' || health.state === 'missing') {
      this.log.warn({ health }, `informer ${health.state}: ${health.cause}`);
    } else if (!first) {
      this.log.info({ health }, `informer ${health.state}`);
    }
    for (const listener of this.listeners) {
      try {
        listener();
      } catch (err) {
        this.log.error({ ...errorFields(err) }, 'state listener failed');
      }
    }
  }
}
