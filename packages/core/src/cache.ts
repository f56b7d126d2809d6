/**
 * Shared informers: one store per resource, filled by one reflector per watched namespace (or one
 * cluster-wide), shared by every controller of the process. Reconcilers read from here, never from
 * the API, so a reconcile costs no request until it writes.
 */
import type { KubeClient } from './client/http.js';
import { resourceLabel, type ResourceRef } from './client/resources.js';
import { delay } from './backoff.js';
import { silentLogger, type Logger } from './log.js';
import type { KubeObject } from './object.js';
import { Reflector, type ReflectorHandlers, type ReflectorOptions } from './reflector.js';
import { Store } from './store.js';

export class Informer<T extends KubeObject = KubeObject> {
  readonly store = new Store<T>();
  readonly reflectors: Reflector<T>[];
  /**
   * An optional informer does not hold up `Cache.waitForSync` once its list has failed: a controller
   * that can report "this kind cannot be listed" (CRD missing, RBAC) runs without it and reads
   * `listError()` instead of its store.
   */
  optional = false;

  constructor(
    readonly resource: ResourceRef,
    client: KubeClient,
    namespaces: readonly string[] | undefined,
    log: Logger,
    tuning: Partial<ReflectorOptions<T>> = {},
  ) {
    const scopes = resource.namespaced && namespaces?.length ? namespaces : [undefined];
    this.reflectors = scopes.map(
      (namespace) => new Reflector<T>({ ...tuning, client, resource, namespace, store: this.store, log }),
    );
  }

  addHandler(handler: ReflectorHandlers<T>): void {
    for (const reflector of this.reflectors) reflector.addHandler(handler);
  }

  hasSynced(): boolean {
    return this.reflectors.every((r) => r.hasSynced());
  }

  /** The first list error among the reflectors that have not synced (one per watched namespace). */
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

  onStateChange(listener: () => void): void {
    for (const reflector of this.reflectors) reflector.onStateChange(listener);
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
  /** Reflector tuning for tests (backoff, timeouts). */
  reflector?: Partial<ReflectorOptions<KubeObject>>;
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
      informer = new Informer(resource, this.client, this.namespaces, this.log, this.options.reflector);
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

  /** Waits for every informer's initial list; throws after `timeoutMs` naming the laggards. */
  async waitForSync(timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.hasSynced()) {
      if (signal?.aborted) return false;
      if (Date.now() > deadline) {
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
