/**
 * List + watch one resource (in one namespace, or all) into a Store, forever.
 *
 * Contract: after `start()`, the store converges to the apiserver's state and every change is
 * delivered to the handlers as add / update(old, new) / delete, until `stop()`. It never gives up:
 * - the initial list is paginated (500 per page); `hasSynced()` turns true after it;
 * - watches ask for bookmarks and a random server timeout (5-10 min), and resume from the last
 *   resource version seen (events and bookmarks both advance it);
 * - a watch with no byte for longer than the server timeout plus a margin is treated as dead;
 * - 410 Gone (HTTP or an ERROR event) relists; objects that vanished meanwhile come out as deletes;
 * - any other failure waits a jittered backoff (800 ms -> 30 s, reset after 2 min) and retries;
 * - a handler that throws is logged and skipped; it cannot stop the reflector or the other handlers.
 * Until the first list succeeds, `listError()` holds the last failure (e.g. 404: CRD not installed,
 * 403: RBAC) and `onStateChange` listeners hear when it appears, changes status code, or clears.
 */
import { isGone, ApiError } from './client/errors.js';
import type { KubeClient, WatchEvent } from './client/http.js';
import { apiVersionOf, collectionPath, keyOf, resourceLabel, type ResourceRef } from './client/resources.js';
import { Backoff, delay, type BackoffOptions } from './backoff.js';
import { errorFields, silentLogger, type Logger } from './log.js';
import type { KubeList, KubeObject } from './object.js';
import type { Store } from './store.js';

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
  /** Keep metadata.managedFields in cached objects (dropped by default to save memory). */
  keepManagedFields?: boolean;
}

export interface ReflectorStats {
  lists: number;
  watches: number;
  relists: number;
  failures: number;
  handlerErrors: number;
}

class GoneError extends Error {}

export class Reflector<T extends KubeObject = KubeObject> {
  readonly stats: ReflectorStats = { lists: 0, watches: 0, relists: 0, failures: 0, handlerErrors: 0 };
  private readonly o: ReflectorOptions<T>;
  private readonly log: Logger;
  private readonly backoff: Backoff;
  private readonly handlers: ReflectorHandlers<T>[];
  private resourceVersion: string | undefined;
  private synced = false;
  private failure: unknown;
  private readonly stateListeners: (() => void)[] = [];
  private abort = new AbortController();
  private loop: Promise<void> | undefined;

  constructor(options: ReflectorOptions<T>) {
    this.o = options;
    this.handlers = [...(options.handlers ?? [])];
    this.backoff = new Backoff(options.backoff);
    this.log = (options.log ?? silentLogger).child({
      resource: resourceLabel(options.resource),
      ...(options.namespace ? { watchNamespace: options.namespace } : {}),
    });
  }

  addHandler(handler: ReflectorHandlers<T>): void {
    this.handlers.push(handler);
  }

  hasSynced(): boolean {
    return this.synced;
  }

  /** Why the initial list has not succeeded yet; undefined once synced or before the first try. */
  listError(): unknown {
    return this.synced ? undefined : this.failure;
  }

  /** Called when the reflector syncs or its list error changes (status code or first appearance). */
  onStateChange(listener: () => void): void {
    this.stateListeners.push(listener);
  }

  private setFailure(err: unknown): void {
    const before = this.failure;
    this.failure = err;
    const code = (e: unknown) => (e instanceof ApiError ? e.code : e === undefined ? -1 : 0);
    if (code(before) !== code(err)) this.notifyState();
  }

  private notifyState(): void {
    for (const listener of this.stateListeners) {
      try {
        listener();
      } catch (err) {
        this.log.error({ ...errorFields(err) }, 'state listener failed');
      }
    }
  }

  lastSyncResourceVersion(): string | undefined {
    return this.resourceVersion;
  }

  start(): void {
    if (this.loop) return;
    this.abort = new AbortController();
    this.loop = this.run(this.abort.signal);
  }

  async stop(): Promise<void> {
    this.abort.abort();
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
        if (err instanceof GoneError || isGone(err)) {
          this.log.info(
            { resourceVersion: this.resourceVersion },
            'resource version too old (410 Gone); relisting',
          );
          this.resourceVersion = undefined;
          this.stats.relists++;
          continue;
        }
        this.stats.failures++;
        if (!this.synced) this.setFailure(err);
        const wait = this.backoff.next();
        this.log.warn(
          { ...errorFields(err), retryInMs: Math.round(wait) },
          `list/watch failed; retrying with backoff: ${describeListFailure(err, this.o.resource)}`,
        );
        await delay(wait, signal);
      }
    }
  }

  private async listAndReplace(signal: AbortSignal): Promise<void> {
    const items: T[] = [];
    let next: string | undefined;
    let resourceVersion: string | undefined;
    do {
      const page = await this.o.client.list<KubeList<T>>(this.o.resource, this.o.namespace, {
        query: { limit: this.o.pageSize ?? 500, continue: next, labelSelector: this.o.labelSelector },
        signal,
      });
      for (const item of page.items) items.push(this.withKind(item));
      next = page.metadata.continue || undefined;
      resourceVersion = page.metadata.resourceVersion;
    } while (next);
    this.stats.lists++;
    const delta = this.o.store.replace(items, this.o.namespace);
    this.resourceVersion = resourceVersion;
    const first = !this.synced;
    this.synced = true;
    this.failure = undefined;
    for (const obj of delta.added) this.dispatch('onAdd', obj);
    for (const [old, obj] of delta.updated) this.dispatch('onUpdate', old, obj);
    for (const obj of delta.deleted) this.dispatch('onDelete', obj);
    if (first) this.notifyState();
  }

  private async watchOnce(signal: AbortSignal): Promise<void> {
    const timeoutSeconds = this.o.watchTimeoutSeconds?.() ?? 300 + Math.floor(Math.random() * 300);
    const startedAt = Date.now();
    let events = 0;
    this.stats.watches++;
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
      { signal, idleTimeoutMs: timeoutSeconds * 1000 + (this.o.idleMarginMs ?? 30_000) },
    );
    // A stream the server ends at once with nothing in it would otherwise reconnect in a hot loop.
    if (events === 0 && Date.now() - startedAt < 1_000 && !signal.aborted) {
      throw new Error('watch closed immediately without events');
    }
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
    const obj = this.withKind(event.object);
    const rv = obj.metadata.resourceVersion;
    if (event.type === 'BOOKMARK') {
      if (rv) this.resourceVersion = rv;
      return;
    }
    if (event.type === 'DELETED') {
      const old = this.o.store.remove(keyOf(obj));
      this.dispatch('onDelete', old ? { ...obj } : obj);
    } else {
      const old = this.o.store.upsert(obj);
      if (old) this.dispatch('onUpdate', old, obj);
      else this.dispatch('onAdd', obj);
    }
    if (rv) this.resourceVersion = rv;
    this.backoff.reset();
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
   * Readies a freshly parsed object (ours alone, so it is changed in place) for the cache: list
   * responses omit apiVersion/kind on items, and managedFields, a large part of every object that no
   * reconciler reads, is dropped (controller-runtime's TransformStripManagedFields).
   */
  private withKind(obj: T): T {
    obj.apiVersion ??= apiVersionOf(this.o.resource);
    obj.kind ??= this.o.resource.kind;
    if (this.o.keepManagedFields !== true) delete (obj.metadata as { managedFields?: unknown }).managedFields;
    return obj;
  }
}

/**
 * Why a resource cannot be listed, in words that say what to do: for logs, and for the conditions of
 * controllers that report a kind they cannot read (see `Informer.listError()`).
 */
export function describeListFailure(err: unknown, resource: ResourceRef): string {
  const code = err instanceof ApiError ? err.code : undefined;
  const name = resourceLabel(resource);
  if (code === 404) {
    return `the ${name} CRD is not installed (404); install it (chart mcp-controllers-crds) and it is picked up on its own`;
  }
  if (code === 403)
    return `access denied (403): grant this controller's ServiceAccount list and watch on ${name}`;
  if (err === undefined) return 'not listed yet';
  const detail = err instanceof Error ? err.message : JSON.stringify(err);
  return `${detail}; check that the apiserver is reachable and healthy`;
}
