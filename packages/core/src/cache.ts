/**
 * Shared informers: one store per resource, filled by one reflector per watched namespace (or one
 * cluster-wide), shared by every controller of the process. Reconcilers read from here, never from
 * the API, so a reconcile costs no request until it writes.
 *
 * Under failure: `Informer.health()` says at any time whether a store can be trusted (see health.ts;
 * the worst of its reflectors: `failing` over `missing` over `syncing` over `ok`), and
 * `onStateChange` listeners hear every change of it. `Cache.problems()` lists, in words, why the
 * cache as a whole cannot be trusted now (readiness uses it): informers not synced, and non-optional
 * informers `failing` or `missing`. Objects are stored after the informer's transform (transform.ts).
 */
import type { KubeClient } from './client/http.js';
import { resourceLabel, type ResourceRef } from './client/resources.js';
import { delay } from './backoff.js';
import { healthKey, worstHealth, type InformerHealth } from './health.js';
import { errorFields, silentLogger, type Logger } from './log.js';
import type { KubeObject } from './object.js';
import { Reflector, type ReflectorHandlers, type ReflectorOptions } from './reflector.js';
import { Store } from './store.js';
import { defaultTransform, type Transform } from './transform.js';

/** What `Informer.lookup` can say: the objects, or why there are none to read. */
export type IndexLookup<T> =
  { state: 'ok'; objects: T[] } | { state: 'missing'; cause: string } | { state: 'unknown'; cause: string };

export class Informer<T extends KubeObject = KubeObject> {
  readonly store: Store<T>;
  readonly reflectors: Reflector<T>[];
  /** What every object passes before it is stored (also for writes put into the store directly). */
  readonly transform: Transform<T>;
  /**
   * An optional informer does not hold up `Cache.waitForSync` once its list has failed, nor makes
   * `Cache.problems()` report it: a controller that can report "this kind cannot be listed" (CRD
   * missing, RBAC) runs without it and reads `health()` instead of its store.
   */
  optional = false;
  private readonly stateListeners: (() => void)[] = [];
  private notifiedKey = 'syncing false';

  constructor(
    readonly resource: ResourceRef,
    client: KubeClient,
    namespaces: readonly string[] | undefined,
    private readonly log: Logger,
    tuning: Partial<ReflectorOptions<T>> = {},
  ) {
    this.store = new Store<T>({ log: log.child({ resource: resourceLabel(resource) }) });
    this.transform =
      tuning.transform ?? defaultTransform<T>(resource, { keepManagedFields: tuning.keepManagedFields });
    const scopes = resource.namespaced && namespaces?.length ? namespaces : [undefined];
    const transform = this.transform;
    this.reflectors = scopes.map(
      (namespace) =>
        new Reflector<T>({ ...tuning, client, resource, namespace, store: this.store, log, transform }),
    );
    for (const reflector of this.reflectors) {
      reflector.onStateChange(() => {
        this.reflectorChanged();
      });
    }
  }

  addHandler(handler: ReflectorHandlers<T>): void {
    for (const reflector of this.reflectors) reflector.addHandler(handler);
  }

  hasSynced(): boolean {
    return this.reflectors.every((r) => r.hasSynced());
  }

  /**
   * The first list error among the reflectors that have not synced (one per watched namespace); once
   * all have synced, undefined even if they fail later: use `health()` for that.
   */
  listError(): unknown {
    for (const reflector of this.reflectors) {
      const err = reflector.listError();
      if (err !== undefined) return err;
    }
    return undefined;
  }

  /** Synced, or optional and known to fail: nothing left to wait for. */
  settled(): boolean {
    return (
      this.hasSynced() || (this.optional && this.reflectors.every((r) => r.hasSynced() || r.listError()))
    );
  }

  /** Whether this store can be trusted now: the worst health of its reflectors (see health.ts). */
  health(): InformerHealth {
    return worstHealth(this.reflectors.map((r) => r.health()));
  }

  /**
   * The objects under an index value, if this store can be trusted now; the rule every controller
   * follows for a kind it reads: `missing` (the CRD is not installed) means no object of the kind
   * exists, anything else that is not `ok` (failing, or not listed yet) leaves the answer `unknown`,
   * with a cause that says what to do.
   */
  lookup(index: string, value: string): IndexLookup<T> {
    return this.read(() => this.store.byIndex(index, value));
  }

  /** The object under `namespace/name` (none or one), by the same rule as `lookup`. */
  lookupKey(key: string): IndexLookup<T> {
    return this.read(() => {
      const obj = this.store.get(key);
      return obj ? [obj] : [];
    });
  }

  private read(objects: () => T[]): IndexLookup<T> {
    const health = this.health();
    switch (health.state) {
      case 'ok':
        return { state: 'ok', objects: objects() };
      case 'missing':
        return { state: 'missing', cause: health.cause };
      case 'failing':
        return { state: 'unknown', cause: health.cause };
      case 'syncing':
        // Not reached once a manager has waited for its caches; said plainly if it is.
        return { state: 'unknown', cause: 'the first list has not completed yet' };
    }
  }

  /**
   * Called whenever `health()` changes state (or a failing status code), before and after the first
   * sync, and when `settled()` turns true.
   */
  onStateChange(listener: () => void): void {
    this.stateListeners.push(listener);
  }

  private reflectorChanged(): void {
    const key = `${healthKey(this.health())} ${this.settled()}`;
    if (key === this.notifiedKey) return;
    this.notifiedKey = key;
    for (const listener of this.stateListeners) {
      try {
        listener();
      } catch (err) {
        this.log.error({ ...errorFields(err) }, 'informer state listener failed');
      }
    }
  }

  start(): void {
    for (const reflector of this.reflectors) reflector.start();
  }

  async stop(): Promise<void> {
    await Promise.all(this.reflectors.map((r) => r.stop()));
  }
}

export interface CacheOptions {
  /** Watch only these namespaces (namespaced kinds); all when empty or undefined. */
  namespaces?: readonly string[];
  log?: Logger;
  /**
   * Reflector tuning: tests (backoff, timeouts, `healthGraceMs`), and `resyncPeriodMs` (periodic
   * resync, off by default).
   */
  reflector?: Partial<ReflectorOptions<KubeObject>>;
  /**
   * A transform per resource, replacing `defaultTransform(resource)` (transform.ts) for it; return
   * undefined to keep the default.
   */
  transform?: (resource: ResourceRef) => Transform | undefined;
}

export class Cache {
  private readonly informers = new Map<string, Informer>();
  private started = false;
  private readonly log: Logger;

  constructor(
    private readonly client: KubeClient,
    private readonly options: CacheOptions = {},
  ) {
    this.log = options.log ?? silentLogger;
  }

  get namespaces(): readonly string[] | undefined {
    return this.options.namespaces?.length ? this.options.namespaces : undefined;
  }

  /** The informer of a resource, created on first use (and started at once if the cache runs). */
  informer<T extends KubeObject = KubeObject>(resource: ResourceRef): Informer<T> {
    const label = resourceLabel(resource);
    let informer = this.informers.get(label);
    if (!informer) {
      const transform = this.options.transform?.(resource);
      informer = new Informer(resource, this.client, this.namespaces, this.log, {
        ...this.options.reflector,
        ...(transform ? { transform } : {}),
      });
      this.informers.set(label, informer);
      if (this.started) informer.start();
    }
    return informer as unknown as Informer<T>;
  }

  store<T extends KubeObject = KubeObject>(resource: ResourceRef): Store<T> {
    return this.informer<T>(resource).store;
  }

  /** True when this namespace is watched (always true without --watch-namespace). */
  watches(namespace: string | undefined): boolean {
    return !this.namespaces || namespace === undefined || this.namespaces.includes(namespace);
  }

  start(): void {
    this.started = true;
    for (const informer of this.informers.values()) informer.start();
  }

  async stop(): Promise<void> {
    this.started = false;
    await Promise.all([...this.informers.values()].map((i) => i.stop()));
  }

  /** Every informer synced, or (optional ones) known to fail. */
  hasSynced(): boolean {
    return [...this.informers.values()].every((i) => i.settled());
  }

  /** Names of the resources whose initial list has not completed, for readiness messages. */
  unsynced(): string[] {
    return [...this.informers.entries()].filter(([, i]) => !i.settled()).map(([label]) => label);
  }

  /**
   * Why this cache cannot be trusted now, one readable line per resource; empty when it can. Names
   * every informer that has not settled (its initial list is pending or failing) and every
   * non-optional informer whose health is `failing` or `missing` after its sync.
   */
  problems(): string[] {
    const problems: string[] = [];
    for (const [label, informer] of this.informers) {
      const health = informer.health();
      if (!informer.settled()) {
        const why =
          health.state === 'failing' || health.state === 'missing' ? health.cause : 'initial list pending';
        problems.push(`${label} not synced: ${why}`);
      } else if (!informer.optional && health.state === 'failing') {
        problems.push(`${label} failing for ${Math.round(health.sinceMs / 1000)} s: ${health.cause}`);
      } else if (!informer.optional && health.state === 'missing') {
        problems.push(`${label} missing: ${health.cause}`);
      }
    }
    return problems;
  }

  /** Waits for every informer's initial list; throws after `timeoutMs` naming the laggards. */
  async waitForSync(timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    const deadline = performance.now() + timeoutMs;
    while (!this.hasSynced()) {
      if (signal?.aborted) return false;
      if (performance.now() > deadline) {
        throw new Error(
          `caches not synced within ${timeoutMs} ms: ${this.unsynced().join(', ')}; ` +
            'check that the CRDs are installed and that RBAC allows list and watch on them',
        );
      }
      await delay(20, signal);
    }
    return true;
  }
}
