/**
 * A scripted stand-in for the two KubeClient methods a Reflector calls (list, watch), for unit tests
 * of the reflector's failure handling without an apiserver. Every answer is asynchronous (a macrotask
 * away), so a reflector that loops on an answer loops at full speed without freezing the test.
 */
import { setImmediate as tick } from 'node:timers/promises';
import { apiErrorFrom } from '../src/client/errors.js';
import type { KubeClient, Query, WatchEvent } from '../src/client/http.js';
import type { ResourceRef } from '../src/client/resources.js';
import type { KubeList, KubeObject } from '../src/object.js';

export interface WatchCall {
  query: Query;
  emit(event: WatchEvent<KubeObject>): void;
  /** Ends the stream as the server does at its timeout. */
  end(): void;
  /** Breaks the stream with an error. */
  fail(err: Error): void;
}

export interface FakeScript {
  /** Answers a list call (the nth, from 0); undefined (or no script): every object, one page. */
  list?(
    query: Query,
    n: number,
    namespace: string | undefined,
    resource: ResourceRef,
  ): KubeList<KubeObject> | Error | undefined;
  /** Decides a watch call: an Error answers at once (like a non-200), undefined opens the stream. */
  watch?(query: Query, n: number, namespace: string | undefined): Error | undefined;
  /** Called once a watch is open, e.g. to emit events on it. */
  opened?(call: WatchCall): void;
}

export const apiError = (code: number, reason = ''): Error =>
  apiErrorFrom(code, JSON.stringify({ reason }), 'list', '/fake');

export class FakeClient {
  readonly lists: Query[] = [];
  readonly watches: WatchCall[] = [];
  objects: KubeObject[] = [];
  resourceVersion = 1;
  private current: WatchCall | undefined;

  constructor(private readonly script: FakeScript = {}) {}

  asClient(): KubeClient {
    return this as unknown as KubeClient;
  }

  /** The open watch, if any. */
  get open(): WatchCall | undefined {
    return this.current;
  }

  async list<T>(
    resource: ResourceRef,
    namespace: string | undefined,
    options: { query?: Query } = {},
  ): Promise<T> {
    await tick();
    const query = options.query ?? {};
    const n = this.lists.length;
    this.lists.push(query);
    const answer = this.script.list?.(query, n, namespace, resource) ?? {
      metadata: { resourceVersion: String(this.resourceVersion) },
      items: this.objects.map((o) => structuredClone(o)),
    };
    if (answer instanceof Error) throw answer;
    return answer as T;
  }

  async watch<T>(
    _r: unknown,
    namespace: string | undefined,
    query: Query,
    onEvent: (event: WatchEvent<T>) => void,
    options: { signal?: AbortSignal; onOpen?: () => void } = {},
  ): Promise<void> {
    await tick();
    const n = this.watches.length;
    const refused = this.script.watch?.(query, n, namespace);
    return new Promise<void>((resolve, reject) => {
      let done = false;
      const finish = (err?: Error) => {
        if (done) return;
        done = true;
        if (this.current === call) this.current = undefined;
        options.signal?.removeEventListener('abort', onAbort);
        if (err) reject(err);
        else resolve();
      };
      const onAbort = () => {
        finish();
      };
      const call: WatchCall = {
        query,
        emit: (event) => {
          if (done) return;
          try {
            onEvent(structuredClone(event) as WatchEvent<T>);
          } catch (err) {
            finish(err instanceof Error ? err : new Error(String(err)));
          }
        },
        end: () => {
          finish();
        },
        fail: (err) => {
          finish(err);
        },
      };
      this.watches.push(call);
      if (refused) {
        finish(refused);
        return;
      }
      if (options.signal?.aborted) {
        finish();
        return;
      }
      options.signal?.addEventListener('abort', onAbort, { once: true });
      this.current = call;
      options.onOpen?.();
      this.script.opened?.(call);
    });
  }
}

export const configMap = (name: string, data: Record<string, string> = {}, rv = '1'): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'ns', resourceVersion: rv },
  data,
});
