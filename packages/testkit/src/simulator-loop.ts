/**
 * The event plumbing of the workload simulator (`simulator.ts`): a keyed work queue, a watch that
 * reconnects by itself (events only say *which* object to look at), and a list-then-watch loop that
 * keeps a copy current (the simulator's stores, `simulator-store.ts`).
 */
import { Watch, type KubeConfig } from '@kubernetes/client-node';
import type { SimulatorLog } from './simulator.js';

export function httpCode(err: unknown): number | undefined {
  const e = err as { code?: unknown; statusCode?: unknown } | null;
  const code = e?.code ?? e?.statusCode;
  return typeof code === 'number' ? code : undefined;
}

/** The first line of an error, with its HTTP status when it has one (client-node puts the body after). */
export function errorText(err: unknown): string {
  const code = httpCode(err);
  const message = (err instanceof Error ? err.message.split('\n')[0]! : String(err)).slice(0, 300);
  return code ? `${code}: ${message}` : message;
}

/**
 * Runs `work(key)` for each added key, one run per key at a time and at most `concurrency` at once.
 * A key added while it runs runs again afterwards (once, however often it was added). A failing run
 * is retried: 404 and 409 (races with other writers: an object deleted or changed between a read and
 * a write) after 50 ms and silently; anything else with backoff up to 10 s, logged (warn) on the
 * second consecutive failure of a streak. `run` never rejects, so nothing it starts can become an
 * unhandled rejection. After `stop()` nothing new starts; it resolves once the runs in flight end.
 */
export class KeyedWorkQueue {
  private readonly queued = new Set<string>();
  private readonly active = new Map<string, Promise<void>>();
  private readonly dirty = new Set<string>();
  /** Consecutive failures per key (the backoff's exponent) and the retries waiting. */
  private readonly attempts = new Map<string, number>();
  private readonly retries = new Map<string, NodeJS.Timeout>();
  private stopped = false;
  private finished = 0;

  constructor(
    private readonly work: (key: string) => Promise<void>,
    private readonly log: SimulatorLog,
    private readonly concurrency: number,
  ) {}

  add(key: string): void {
    if (this.stopped) return;
    if (this.active.has(key)) {
      this.dirty.add(key);
      return;
    }
    this.queued.add(key);
    this.pump();
  }

  idle(): boolean {
    return this.queued.size === 0 && this.active.size === 0 && this.retries.size === 0;
  }

  stats(): { reconciles: number; queued: number; inFlight: number } {
    return {
      reconciles: this.finished,
      queued: this.queued.size + this.retries.size + this.dirty.size,
      inFlight: this.active.size,
    };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.retries.values()) clearTimeout(timer);
    this.retries.clear();
    this.queued.clear();
    this.dirty.clear();
    while (this.active.size > 0) await Promise.all(this.active.values());
  }

  private pump(): void {
    for (const key of this.queued) {
      if (this.active.size >= this.concurrency) return;
      if (this.active.has(key)) continue;
      this.queued.delete(key);
      clearTimeout(this.retries.get(key));
      this.retries.delete(key);
      this.active.set(key, this.run(key));
    }
  }

  private async run(key: string): Promise<void> {
    try {
      await this.work(key);
      const failed = this.attempts.get(key) ?? 0;
      this.attempts.delete(key);
      if (failed >= 2) this.log.info({ deployment: key }, 'workload simulator: reconciled again');
    } catch (err) {
      if (!this.stopped) this.retryLater(key, err);
    } finally {
      this.finished++;
      this.active.delete(key);
      if (this.dirty.delete(key)) this.add(key);
      if (!this.stopped) this.pump();
    }
  }

  private retryLater(key: string, err: unknown): void {
    const code = httpCode(err);
    const race = code === 404 || code === 409;
    const attempt = (this.attempts.get(key) ?? 0) + 1;
    this.attempts.set(key, attempt);
    if (attempt === 2 && !race) {
      this.log.warn(
        { deployment: key, error: errorText(err) },
        'workload simulator: reconcile keeps failing; retrying with backoff (check that the apiserver is up and the kubeconfig may write Pods, Deployments/status, StatefulSets and Services)',
      );
    }
    const timer = setTimeout(
      () => {
        this.retries.delete(key);
        this.add(key);
      },
      race ? 50 : Math.min(10_000, 100 * 2 ** attempt),
    );
    timer.unref();
    this.retries.set(key, timer);
  }
}

export type RawObject = {
  metadata?: { name?: string; namespace?: string; ownerReferences?: { kind?: string; name?: string }[] };
};

export interface WatchLoop {
  stop(): void;
}

/**
 * Runs `session` again and again until `stop()`: each run opens a stream and calls `end` once it is
 * over (a second call is ignored). Between runs a backoff of 100 ms doubling to 10 s, reset once a
 * run lasted 10 s; the third quick failure in a row is logged (warn). A throwing `session` ends its
 * run with that error. Resolves after the first run started (or failed). Its timers do not hold the
 * process open.
 */
async function reconnecting(
  path: string,
  log: SimulatorLog,
  session: (end: (err: unknown) => void) => Promise<AbortController | undefined>,
): Promise<WatchLoop> {
  const state: { stopped: boolean; abort?: AbortController; timer?: NodeJS.Timeout } = { stopped: false };
  // A function, not the field: the compiler would keep the narrowing from before the await.
  const stopped = () => state.stopped;
  let failures = 0;
  const connect = async (): Promise<void> => {
    if (state.stopped) return;
    const since = Date.now();
    let ended = false;
    const end = (err: unknown) => {
      if (ended) return;
      ended = true;
      if (state.stopped) return;
      failures = Date.now() - since > 10_000 ? 0 : failures + 1;
      if (err && failures === 3) {
        log.warn(
          { path, error: errorText(err) },
          'workload simulator: watch keeps failing; check that the apiserver is up and the kubeconfig may list and watch it',
        );
      }
      state.timer = setTimeout(() => void connect(), Math.min(10_000, 100 * 2 ** failures));
      state.timer.unref();
    };
    try {
      const abort = await session(end);
      state.abort = abort;
      // stop() may have run while the stream was connecting.
      if (stopped()) abort?.abort();
    } catch (err) {
      end(err);
    }
  };
  await connect();
  return {
    stop() {
      state.stopped = true;
      clearTimeout(state.timer);
      state.abort?.abort();
    },
  };
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface ListWatchHandlers<T> {
  /** A list's items: the whole current content of the path (first, and after every reconnect). */
  onList(items: T[]): void;
  /** A change after that list, in the apiserver's order. */
  onEvent(type: WatchEventType, obj: T): void;
  /** The list failed or the watch ended: what was listed may miss changes until the next `onList`. */
  onGap(): void;
}

export interface ListWatchSource<T> {
  /** The collection's path, e.g. `/api/v1/namespaces/ns/pods`. */
  path: string;
  /** The list: items and the list's resourceVersion; it must apply the same filter as `query`. */
  list: () => Promise<{ items: T[]; resourceVersion: string | undefined }>;
  /** Query parameters of the watch besides `resourceVersion` (e.g. a `labelSelector`). */
  query?: Record<string, string>;
  /** A watch event's object (plain JSON) as `list` returns items, e.g. a typed client-node model. */
  decode?: (raw: unknown) => T;
}

/**
 * Keeps a copy of `source.path`'s objects current until `stop()`, as an informer does: each
 * (re)connect runs `list` (items and the list's resourceVersion), hands the items to `onList`, then
 * watches from that resourceVersion, so every event after the list arrives once, deletions included.
 * Any end (a dropped stream, the apiserver's watch timeout, an `ERROR` event such as 410 Gone, a
 * failed list, a throwing `decode`) calls `onGap` once and reconnects with a fresh list (backoff and
 * logging as `reconnecting`); events of an ended stream are dropped. Handlers must not throw
 * (client-node swallows it). Resolves after the first list and connect attempt.
 */
export async function startListWatchLoop<T>(
  kubeConfig: KubeConfig,
  source: ListWatchSource<T>,
  handlers: ListWatchHandlers<T>,
  log: SimulatorLog,
): Promise<WatchLoop> {
  const decode = source.decode ?? ((raw: unknown) => raw as T);
  return reconnecting(source.path, log, async (end) => {
    // An object, not locals: `finish` may run before the watch connects (a failed list or connect).
    const stream: { over: boolean; controller?: AbortController } = { over: false };
    const finish = (err: unknown) => {
      if (stream.over) return;
      stream.over = true;
      stream.controller?.abort();
      handlers.onGap();
      end(err);
    };
    let listed: { items: T[]; resourceVersion: string | undefined };
    try {
      listed = await source.list();
    } catch (err) {
      finish(err);
      return undefined;
    }
    handlers.onList(listed.items);
    const query = {
      ...source.query,
      ...(listed.resourceVersion ? { resourceVersion: listed.resourceVersion } : {}),
    };
    stream.controller = await new Watch(kubeConfig).watch(
      source.path,
      query,
      (type: string, obj: unknown) => {
        if (stream.over) return;
        if (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED') {
          let decoded: T;
          try {
            decoded = decode(obj);
          } catch (err) {
            finish(err);
            return;
          }
          handlers.onEvent(type, decoded);
        } else if (type === 'ERROR') finish(watchError(obj));
        // BOOKMARK (not asked for) and anything else carry no change.
      },
      finish,
    );
    if (stream.over) stream.controller.abort();
    return stream.controller;
  });
}

/** An `ERROR` event's Status as an error with its code, so logs read e.g. `410: too old ...`. */
function watchError(status: unknown): Error {
  const { code, message } = (status ?? {}) as { code?: unknown; message?: unknown };
  return Object.assign(new Error(typeof message === 'string' ? message : 'watch ERROR event'), {
    code: typeof code === 'number' ? code : undefined,
  });
}
