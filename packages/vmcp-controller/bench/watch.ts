// One object of the cluster as a watch delivers it, each version stamped with its arrival time: how
// the bench times "the member changed" -> "the new config.yaml is in the ConfigMap" without polling
// a 300 KB object. The stream is reopened from the last resourceVersion when the apiserver ends it
// (from scratch after a 410 or an ERROR event); a failure to reopen is retried every 200 ms until
// `stop()`, and waiting callers then fail on their own deadline, naming what they waited for.
import { setTimeout as sleep } from 'node:timers/promises';
import {
  ApiError,
  type KubeClient,
  type KubeObject,
  type ResourceRef,
  type WatchEvent,
} from '@mcp-controllers/core';

export interface Seen<T> {
  /** `performance.now()` when the event arrived. */
  at: number;
  object: T;
}

interface Waiter<T> {
  since: number;
  accept: (object: T) => boolean;
  resolve: (seen: Seen<T>) => void;
}

export class ObjectWatch<T extends KubeObject> {
  private readonly seen: Seen<T>[] = [];
  private readonly waiters = new Set<Waiter<T>>();
  private readonly abort = new AbortController();
  private resourceVersion: string | undefined;
  private readonly loop: Promise<void>;

  private constructor(
    private readonly client: KubeClient,
    private readonly resource: ResourceRef,
    private readonly namespace: string,
    private readonly name: string,
    opened: () => void,
  ) {
    this.loop = this.run(opened);
  }

  /** Resolves once the apiserver accepted the watch (events from then on are recorded). */
  static async start<T extends KubeObject>(
    client: KubeClient,
    resource: ResourceRef,
    namespace: string,
    name: string,
  ): Promise<ObjectWatch<T>> {
    let watch: ObjectWatch<T> | undefined;
    await new Promise<void>((resolve) => {
      watch = new ObjectWatch<T>(client, resource, namespace, name, resolve);
    });
    if (!watch) throw new Error('unreachable: the watch was not constructed');
    return watch;
  }

  /** The versions that arrived at or after `since`, oldest first. */
  since(since: number): Seen<T>[] {
    return this.seen.filter((s) => s.at >= since);
  }

  /** The latest version received, if any. */
  latest(): Seen<T> | undefined {
    return this.seen.at(-1);
  }

  /** The first version that arrived at or after `since` and satisfies `accept`. */
  async next(
    since: number,
    accept: (object: T) => boolean,
    what: string,
    timeoutMs: number,
  ): Promise<Seen<T>> {
    const found = this.since(since).find((s) => accept(s.object));
    if (found) return found;
    let timer: NodeJS.Timeout | undefined;
    let waiter: Waiter<T> | undefined;
    try {
      return await new Promise<Seen<T>>((resolve, reject) => {
        waiter = { since, accept, resolve };
        this.waiters.add(waiter);
        timer = setTimeout(() => {
          reject(
            new Error(
              `${this.resource.kind} ${this.namespace}/${this.name}: ${what} not seen within ${timeoutMs} ms (${this.since(since).length} versions arrived meanwhile)`,
            ),
          );
        }, timeoutMs);
      });
    } finally {
      clearTimeout(timer);
      if (waiter) this.waiters.delete(waiter);
    }
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
  }

  private async run(opened: () => void): Promise<void> {
    const signal = this.abort.signal;
    const stopped = () => signal.aborted;
    while (!stopped()) {
      try {
        await this.client.watch<T>(
          this.resource,
          this.namespace,
          {
            fieldSelector: `metadata.name=${this.name}`,
            ...(this.resourceVersion ? { resourceVersion: this.resourceVersion } : {}),
          },
          (event) => {
            this.onEvent(event);
          },
          { signal, onOpen: opened },
        );
      } catch (err) {
        if (stopped()) return;
        if (err instanceof ApiError && err.code === 410) this.resourceVersion = undefined;
        await sleep(200);
      }
    }
  }

  private onEvent(event: WatchEvent<T>): void {
    const at = performance.now();
    if (event.type === 'ERROR') {
      this.resourceVersion = undefined;
      return;
    }
    this.resourceVersion = event.object.metadata.resourceVersion ?? this.resourceVersion;
    if (event.type !== 'ADDED' && event.type !== 'MODIFIED') return;
    const seen = { at, object: event.object };
    this.seen.push(seen);
    for (const waiter of [...this.waiters]) {
      if (at >= waiter.since && waiter.accept(event.object)) {
        this.waiters.delete(waiter);
        waiter.resolve(seen);
      }
    }
  }
}
