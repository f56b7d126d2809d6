/**
 * List + watch one resource (in one namespace, or all) into a Store, forever.
 *
 * Contract: after `start()`, the store converges to the apiserver's state and every change is
 * delivered to the handlers as add / update(old, new) / delete, until `stop()`. It never gives up:
 * - the initial list is paginated (500 per page); an expired `continue` token (410 on a continued
 *   page) falls back to one full list without pagination (`stats.listFallbacks`, a warn line), never
 *   to page 1 in a loop (see pager.ts); `hasSynced()` turns true after the first complete list;
 * - every object passes the informer's transform before it is stored (transform.ts: managedFields and
 *   the last-applied annotation dropped, Secret values blanked by default);
 * - watches ask for bookmarks and a random server timeout (5-10 min), and resume from the last
 *   resource version seen (events and bookmarks both advance it);
 * - a watch with no byte for longer than the server timeout plus a margin is treated as dead;
 * - 410 Gone (HTTP or an ERROR event) relists at once; objects that vanished meanwhile come out as
 *   deletes. A 410 straight after a list (before any event) is a loop, not progress: it relists after
 *   a backoff and counts as a failure;
 * - 404 (the CRD was deleted) relists after a backoff instead of retrying a watch on a dead resource
 *   version; once the resource is back, the relist brings the store up to date;
 * - any other failure waits a jittered backoff (800 ms -> 30 s, reset after 2 min) and retries;
 *   repeated warn lines for the same cause are rate-limited (once per 30 s, with `repeated`);
 * - a handler that throws is logged and skipped; it cannot stop the reflector or the other handlers;
 * - with `resyncPeriodMs`, every cached object of its scope is re-delivered as update(obj, obj) that
 *   often (off by default).
 * `health()` says whether the store can be trusted now, at any time, before and after the first sync
 * (see health.ts: `syncing`, `ok`, `missing`, `failing` with the cause and for how long; transient
 * failures count only once they outlast `healthGraceMs`, 401/403 at once). `onStateChange` listeners
 * hear every change of the health state (and of a failing status code). `listError()` keeps its
 * older, narrower meaning: the last failure, until the first list succeeds.
 */
import { isGone, statusCode, ApiError } from './client/errors.js';
import type { KubeClient, WatchEvent } from './client/http.js';
import { apiVersionOf, collectionPath, keyOf, resourceLabel, type ResourceRef } from './client/resources.js';
import { Backoff, delay, type BackoffOptions } from './backoff.js';
import { defaultHealthGraceMs, describeListFailure, HealthTracker, type InformerHealth } from './health.js';
import { errorFields, RepeatFilter, silentLogger, type Logger } from './log.js';
import type { KubeList, KubeObject } from './object.js';
import { listAllPages } from './pager.js';
import type { Store } from './store.js';
import { defaultTransform, type Transform } from './transform.js';

export { describeListFailure } from './health.js';

export interface ReflectorHandlers<T> {
  onAdd?(obj: T): void;
  onUpdate?(old: T, obj: T): void;
  onDelete?(obj: T): void;
}

export interface ReflectorOptions<T extends KubeObject> {
  client: KubeClient;
  resource: ResourceRef;
  store: Store<T>;
  /** Undefined: all namespaces (or a cluster-scoped kind). */
  namespace?: string;
  handlers?: ReflectorHandlers<T>[];
  log?: Logger;
  pageSize?: number;
  labelSelector?: string;
  backoff?: BackoffOptions;
  /** Server-side watch timeout in seconds; random in [300, 600) by default. */
  watchTimeoutSeconds?: () => number;
  /** Silence after which a watch counts as dead; default timeout + 30 s. */
  idleMarginMs?: number;
  /** Keep metadata.managedFields in cached objects (dropped by the default transform). */
  keepManagedFields?: boolean;
  /** Replaces the default transform (`defaultTransform(resource)`); see transform.ts. */
  transform?: Transform<T>;
  /** How long a transient failure after the first sync may last before health() says so; 30 s. */
  healthGraceMs?: number;
  /** Re-deliver every cached object as update(obj, obj) this often; off (0) by default. */
  resyncPeriodMs?: number;
}

export interface ReflectorStats {
  lists: number;
  watches: number;
  relists: number;
  failures: number;
  handlerErrors: number;
  /** Expired `continue` tokens answered with one full list. */
  listFallbacks: number;
  resyncs: number;
}

class GoneError extends Error {}

export class Reflector<T extends KubeObject = KubeObject> {
  readonly stats: ReflectorStats = {
    lists: 0,
    watches: 0,
    relists: 0,
    failures: 0,
    handlerErrors: 0,
    listFallbacks: 0,
    resyncs: 0,
  };
  private readonly o: ReflectorOptions<T>;
  private readonly log: Logger;
  private readonly backoff: Backoff;
  private readonly handlers: ReflectorHandlers<T>[];
  private readonly transform: Transform<T>;
  private readonly tracker: HealthTracker;
  private readonly repeats = new RepeatFilter();
  private resourceVersion: string | undefined;
  /** A list succeeded and no watch event has followed yet: a 410 now means a relist loop. */
  private freshList = false;
  /** The current failure streak is a 410 relist loop: a list that works does not end it. */
  private goneLoop = false;
  private resyncTimer: NodeJS.Timeout | undefined;
  private abort = new AbortController();
  private loop: Promise<void> | undefined;

  constructor(options: ReflectorOptions<T>) {
    this.o = options;
    this.handlers = [...(options.handlers ?? [])];
    this.backoff = new Backoff(options.backoff);
    this.transform =
      options.transform ??
      defaultTransform<T>(options.resource, { keepManagedFields: options.keepManagedFields });
    this.log = (options.log ?? silentLogger).child({
      resource: resourceLabel(options.resource),
      ...(options.namespace ? { watchNamespace: options.namespace } : {}),
    });
    this.tracker = new HealthTracker(
      options.resource,
      options.healthGraceMs ?? defaultHealthGraceMs,
      this.log,
    );
  }

  addHandler(handler: ReflectorHandlers<T>): void {
    this.handlers.push(handler);
  }

  hasSynced(): boolean {
    return this.tracker.synced;
  }

  /** Why the initial list has not succeeded yet; undefined once synced or before the first try. */
  listError(): unknown {
    return this.tracker.synced ? undefined : this.tracker.lastError();
  }

  /** Whether the store can be trusted now; see health.ts. */
  health(): InformerHealth {
    return this.tracker.health();
  }

  /** The latest failure of the current failure streak; undefined while list/watch works. */
  lastError(): unknown {
    return this.tracker.lastError();
  }

  /** Milliseconds since a list or watch last worked; undefined if none ever did. */
  msSinceSuccess(): number | undefined {
    return this.tracker.msSinceSuccess();
  }

  /** Called whenever health().state (or a failing status code) changes, the first sync included. */
  onStateChange(listener: () => void): void {
    this.tracker.onChange(listener);
  }

  lastSyncResourceVersion(): string | undefined {
    return this.resourceVersion;
  }

  start(): void {
    if (this.loop) return;
    this.abort = new AbortController();
    this.loop = this.run(this.abort.signal);
    const period = this.o.resyncPeriodMs ?? 0;
    if (period > 0) {
      this.resyncTimer = setInterval(() => {
        this.resync();
      }, period);
      this.resyncTimer.unref();
    }
  }

  async stop(): Promise<void> {
    this.abort.abort();
    clearInterval(this.resyncTimer);
    this.tracker.stop();
    await this.loop;
    this.loop = undefined;
  }

  private async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        if (this.resourceVersion === undefined) await this.listAndReplace(signal);
        await this.watchOnce(signal);
      } catch (err) {
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- it may have flipped while we awaited
        if (signal.aborted) break;
        const gone = err instanceof GoneError || isGone(err);
        const loop = gone && this.freshList;
        this.freshList = false;
        if (gone || statusCode(err) === 404) {
          this.resourceVersion = undefined;
          this.stats.relists++;
        }
        if (gone && !loop) {
          this.log.info({ ...errorFields(err) }, 'resource version too old (410 Gone); relisting');
          continue;
        }
        if (loop) this.goneLoop = true;
        this.stats.failures++;
        this.tracker.failed(err);
        const wait = this.backoff.next();
        const cause = describeListFailure(err, this.o.resource);
        const repeat = this.repeats.admit('list/watch', cause);
        if (repeat) {
          this.log.warn(
            {
              ...errorFields(err),
              ...repeat,
              retryInMs: Math.round(wait),
              relist: this.resourceVersion === undefined,
            },
            `list/watch failed; retrying with backoff: ${cause}`,
          );
        }
        await delay(wait, signal);
      }
    }
  }

  private async listAndReplace(signal: AbortSignal): Promise<void> {
    const { items, resourceVersion } = await listAllPages<T>(
      (page) =>
        this.o.client.list<KubeList<T>>(this.o.resource, this.o.namespace, {
          query: { ...page, labelSelector: this.o.labelSelector },
          signal,
        }),
      this.o.pageSize ?? 500,
      (err) => {
        this.stats.listFallbacks++;
        this.log.warn(
          { ...errorFields(err) },
          'list continue token expired (410) between pages; falling back to one full list without pagination',
        );
      },
    );
    for (let i = 0; i < items.length; i++) items[i] = this.prepare(items[i]!);
    this.stats.lists++;
    const delta = this.o.store.replace(items, this.o.namespace);
    this.resourceVersion = resourceVersion;
    this.tracker.synced = true;
    this.freshList = true;
    // A list that works ends a failure streak, unless the streak is a relist loop (410 right after
    // every list): that loop ends with the first watch event.
    this.succeeded(!this.goneLoop);
    for (const obj of delta.added) this.dispatch('onAdd', obj);
    for (const [old, obj] of delta.updated) this.dispatch('onUpdate', old, obj);
    for (const obj of delta.deleted) this.dispatch('onDelete', obj);
  }

  private async watchOnce(signal: AbortSignal): Promise<void> {
    const timeoutSeconds = this.o.watchTimeoutSeconds?.() ?? 300 + Math.floor(Math.random() * 300);
    const startedAt = performance.now();
    let events = 0;
    let openTimer: NodeJS.Timeout | undefined;
    this.stats.watches++;
    try {
      await this.o.client.watch<T>(
        this.o.resource,
        this.o.namespace,
        {
          resourceVersion: this.resourceVersion,
          allowWatchBookmarks: true,
          timeoutSeconds,
          labelSelector: this.o.labelSelector,
        },
        (event) => {
          events++;
          this.apply(event);
        },
        {
          signal,
          idleTimeoutMs: timeoutSeconds * 1000 + (this.o.idleMarginMs ?? 30_000),
          onOpen: () => {
            if (!this.goneLoop) {
              this.succeeded(true);
              return;
            }
            // In a relist loop the 410 comes right after the watch opens; a watch that stays up
            // a moment is progress, even on a resource too quiet to send an event.
            openTimer = setTimeout(() => {
              this.progressed();
            }, 1_000);
            openTimer.unref();
          },
        },
      );
    } finally {
      clearTimeout(openTimer);
    }
    // A stream the server ends at once with nothing in it would otherwise reconnect in a hot loop.
    if (events === 0 && performance.now() - startedAt < 1_000 && !signal.aborted) {
      throw new Error('watch closed immediately without events');
    }
    this.progressed();
  }

  private apply(event: WatchEvent<T>): void {
    if (event.type === 'ERROR') {
      const status = event.object as { code?: number; reason?: string; message?: string };
      if (status.code === 410) throw new GoneError(status.message ?? 'Gone');
      throw new ApiError(
        status.code ?? 500,
        status.reason ?? 'WatchError',
        status.message ?? 'watch error event',
        'watch',
        collectionPath(this.o.resource, this.o.namespace),
      );
    }
    if (event.type === 'BOOKMARK') {
      const rv = event.object.metadata.resourceVersion;
      if (rv) this.resourceVersion = rv;
      this.progressed();
      return;
    }
    const obj = this.prepare(event.object);
    const rv = obj.metadata.resourceVersion;
    if (event.type === 'DELETED') {
      this.o.store.remove(keyOf(obj));
      this.dispatch('onDelete', obj);
    } else {
      const old = this.o.store.upsert(obj);
      if (old) this.dispatch('onUpdate', old, obj);
      else this.dispatch('onAdd', obj);
    }
    if (rv) this.resourceVersion = rv;
    this.progressed();
  }

  /** A watch event arrived or a watch ran its course: the reflector moves forward. */
  private progressed(): void {
    this.freshList = false;
    this.goneLoop = false;
    this.backoff.reset();
    this.succeeded(true);
  }

  private succeeded(endsStreak: boolean): void {
    if (this.tracker.succeeded(endsStreak)) {
      this.repeats.forget('list/watch');
      this.log.info('list/watch works again');
    }
  }

  private resync(): void {
    if (!this.tracker.synced) return;
    this.stats.resyncs++;
    for (const obj of this.o.store.list(this.o.namespace)) this.dispatch('onUpdate', obj, obj);
  }

  private dispatch(kind: 'onAdd' | 'onDelete', obj: T): void;
  private dispatch(kind: 'onUpdate', old: T, obj: T): void;
  private dispatch(kind: keyof ReflectorHandlers<T>, a: T, b?: T): void {
    for (const handler of this.handlers) {
      try {
        const result: unknown =
          kind === 'onUpdate'
            ? handler.onUpdate?.(a, b!)
            : kind === 'onAdd'
              ? handler.onAdd?.(a)
              : handler.onDelete?.(a);
        if (result instanceof Promise)
          result.catch((err: unknown) => {
            this.handlerFailed(kind, err);
          });
      } catch (err) {
        this.handlerFailed(kind, err);
      }
    }
  }

  private handlerFailed(kind: string, err: unknown): void {
    this.stats.handlerErrors++;
    this.log.error(
      { ...errorFields(err), handler: kind },
      'event handler threw; the event is skipped for it',
    );
  }

  /**
   * Readies a freshly parsed object (ours alone, so it may be changed in place) for the cache: list
   * responses omit apiVersion/kind on items; then the transform (managedFields, secrets, ...).
   */
  private prepare(obj: T): T {
    obj.apiVersion ??= apiVersionOf(this.o.resource);
    obj.kind ??= this.o.resource.kind;
    return this.transform(obj);
  }
}
