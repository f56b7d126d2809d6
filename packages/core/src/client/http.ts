/**
 * A raw-JSON Kubernetes REST client.
 *
 * Why not client-node's generated APIs: their model serializers rename and drop fields of plain JSON
 * (`default` vs `_default`), turn timestamps into `Date`s on some paths and not on others, and pick
 * JSON Patch as the default content type. Here every body is the apiserver's JSON, every patch says
 * its content type, and every request is counted by verb, resource and code.
 *
 * The contract under failure:
 * - Rate limit: every request, and every watch once at its start, first takes a token from a
 *   client-go style bucket when `qps` is given (unset or `<= 0`: no client-side limit). A controller
 *   binary sets it from `--kube-api-qps`/`--kube-api-burst` (default: no limit, the apiserver's priority
 *   and fairness governs, as with controller-runtime since v0.21); tools and test drivers leave it unset.
 * - Deadline: an ordinary request settles within `timeoutMs` (30 s) of leaving the rate limiter,
 *   whatever happens: loading credentials, waiting for a pooled socket, connecting, the answer, the
 *   body, retries. A watch must get its response headers within `watchHeaderTimeoutMs` (30 s); after
 *   that only its idle timeout applies.
 * - Sockets: watches never share or take sockets of ordinary requests (see `transport.ts`).
 * - Credentials: loaded lazily and refreshed every minute; a failed load fails the requests waiting
 *   for it (`ECREDENTIALS`) and the next request loads again. A 401 reloads the credentials once and,
 *   when they changed, sends the request once more.
 * - 429 (any verb) and 5xx (reads) with `Retry-After`: waits the given seconds (capped at 60 s) and
 *   sends again, at most 10 sends, never past the deadline; then the ApiError surfaces.
 * - Errors: `ApiError` for an answer, `RequestError` (with `code`) for no answer; see `errors.ts`.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { IncomingMessage } from 'node:http';
import type { ObjectMeta } from '../object.js';
import { RequestError } from './errors.js';
import { exchange, type ExchangeContext } from './exchange.js';
import { defaultBurst, TokenBucket } from './rate-limit.js';
import { Deadline, readText } from './request.js';
import {
  collectionPath,
  objectKey,
  objectPath,
  resourceLabel,
  type ObjectKey,
  type ResourceRef,
} from './resources.js';
import { RequestTally } from './tally.js';
import { Transports } from './transport.js';
import { readWatchStream, type WatchEvent } from './watch.js';

export { RequestTally, type RequestRecord } from './tally.js';
export { LineSplitter, WatchIdleError, type WatchEvent } from './watch.js';

export type PatchType = 'merge' | 'json' | 'apply';

const patchContentTypes: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  apply: 'application/apply-patch+yaml',
};

export type Query = Record<string, string | number | boolean | undefined>;

export interface RequestOptionsLite {
  query?: Query;
  body?: unknown;
  contentType?: string;
  /** Label for metrics and errors, e.g. `mcpgroups.toolhive.stacklok.dev/status`. */
  resource?: string;
  signal?: AbortSignal;
}

/** Options of the verb methods: a subresource (`status`), query parameters, cancellation. */
export interface CallOptions {
  subresource?: string;
  query?: Query;
  signal?: AbortSignal;
}

export interface KubeClientOptions {
  userAgent?: string;
  /** Deadline of every request but watches (30 s); see the module comment for what it covers. */
  timeoutMs?: number;
  /** How long a watch may wait for its response headers (30 s). */
  watchHeaderTimeoutMs?: number;
  tally?: RequestTally;
  /** Requests per second; unset, 0 or negative: no client-side rate limiting (the manager passes its flags). */
  qps?: number;
  /** Requests that may go at once above `qps` (default client-go's 10). */
  burst?: number;
  /** Sockets ordinary requests may use at once (64); watches are not counted. */
  maxSockets?: number;
}

export class KubeClient {
  readonly server: string;
  readonly tally: RequestTally;
  private readonly userAgent: string;
  private readonly timeoutMs: number;
  private readonly watchHeaderTimeoutMs: number;
  private readonly transports: Transports;
  private readonly context: ExchangeContext;

  constructor(
    readonly kubeConfig: KubeConfig,
    options: KubeClientOptions = {},
  ) {
    const cluster = kubeConfig.getCurrentCluster();
    if (!cluster)
      throw new Error('the kubeconfig has no current cluster; set current-context or pass --kubeconfig');
    this.server = cluster.server.replace(/\/+$/, '');
    this.userAgent = options.userAgent ?? 'mcp-controllers';
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.watchHeaderTimeoutMs = options.watchHeaderTimeoutMs ?? 30_000;
    this.tally = options.tally ?? new RequestTally();
    this.transports = new Transports(kubeConfig, this.server, {
      maxSockets: options.maxSockets ?? 64,
      retireAfterMs: this.timeoutMs + 1_000,
    });
    this.context = {
      server: this.server,
      userAgent: this.userAgent,
      tally: this.tally,
      limiter: new TokenBucket({ qps: options.qps ?? 0, burst: options.burst ?? defaultBurst }),
      transports: this.transports,
    };
  }

  /** One request; resolves with the parsed JSON body (undefined when empty), rejects with ApiError or RequestError. */
  async request<T>(verb: string, method: string, path: string, opts: RequestOptionsLite = {}): Promise<T> {
    // As client-go: the first token is taken before the deadline starts, so a throttled client
    // does not time out requests it has not sent yet.
    await this.context.limiter.take(opts.signal).catch((err: unknown) => {
      throw new RequestError('EABORTED', verb, path, 'aborted by the caller while rate limited', {
        cause: err,
      });
    });
    const deadline = new Deadline(this.timeoutMs, opts.signal, verb, path);
    try {
      const res = await exchange(this.context, verb, method, path, opts, deadline, false);
      const text = await readText(res, deadline);
      return (text ? JSON.parse(text) : undefined) as T;
    } finally {
      deadline.dispose();
    }
  }

  get<T>(r: ResourceRef, key: ObjectKey, options: CallOptions = {}): Promise<T> {
    return this.request<T>('get', 'GET', objectPath(r, key, options.subresource), {
      resource: label(r, options.subresource),
      signal: options.signal,
    });
  }

  list<T>(r: ResourceRef, namespace: string | undefined, options: CallOptions = {}): Promise<T> {
    return this.request<T>('list', 'GET', collectionPath(r, namespace), {
      query: options.query,
      resource: label(r),
      signal: options.signal,
    });
  }

  create<T>(
    r: ResourceRef,
    obj: { metadata?: ObjectMeta; [field: string]: unknown },
    options: CallOptions = {},
  ): Promise<T> {
    const path = collectionPath(r, r.namespaced ? obj.metadata?.namespace : undefined);
    return this.request<T>('create', 'POST', path, {
      body: obj,
      query: options.query,
      resource: label(r),
      signal: options.signal,
    });
  }

  /** PUT; the body's `metadata.resourceVersion`, when set, makes it a compare-and-swap (409 on a stale one). */
  replace<T>(
    r: ResourceRef,
    obj: { metadata?: ObjectMeta; [field: string]: unknown },
    options: CallOptions = {},
  ): Promise<T> {
    return this.request<T>('update', 'PUT', objectPath(r, objectKey(obj), options.subresource), {
      body: obj,
      resource: label(r, options.subresource),
      signal: options.signal,
    });
  }

  patch<T>(
    r: ResourceRef,
    key: ObjectKey,
    type: PatchType,
    body: unknown,
    options: { subresource?: string; fieldManager?: string; force?: boolean; signal?: AbortSignal } = {},
  ): Promise<T> {
    if (type === 'apply' && !options.fieldManager) throw new Error('server-side apply needs a fieldManager');
    return this.request<T>('patch', 'PATCH', objectPath(r, key, options.subresource), {
      body,
      contentType: patchContentTypes[type],
      query: { fieldManager: options.fieldManager, force: options.force },
      resource: label(r, options.subresource),
      signal: options.signal,
    });
  }

  delete(r: ResourceRef, key: ObjectKey, body?: unknown): Promise<unknown> {
    return this.request('delete', 'DELETE', objectPath(r, key), { body, resource: label(r) });
  }

  /**
   * Streams a watch. Resolves when the server closes the stream or `signal` aborts it (in any phase);
   * rejects with an ApiError for a non-200 answer, with a RequestError `ETIMEDOUT` when the response
   * headers do not arrive within `headerTimeoutMs`, with WatchIdleError when no byte arrived for
   * `idleTimeoutMs` afterwards, and with the network error otherwise. `onEvent` runs synchronously
   * for each line, in order. A watch takes one rate-limit token when it starts.
   */
  async watch<T>(
    r: ResourceRef,
    namespace: string | undefined,
    query: Query,
    onEvent: (event: WatchEvent<T>) => void,
    options: {
      signal?: AbortSignal;
      idleTimeoutMs?: number;
      headerTimeoutMs?: number;
      /** Called once the server accepted the watch (200 and headers in), before any event. */
      onOpen?: () => void;
    } = {},
  ): Promise<void> {
    const path = collectionPath(r, namespace);
    const signal = options.signal;
    try {
      await this.context.limiter.take(signal);
    } catch (err) {
      if (signal?.aborted) return;
      throw err;
    }
    const deadline = new Deadline(
      options.headerTimeoutMs ?? this.watchHeaderTimeoutMs,
      signal,
      'watch',
      path,
    );
    let res: IncomingMessage;
    try {
      res = await exchange(
        this.context,
        'watch',
        'GET',
        path,
        { query: { ...query, watch: 1 }, resource: label(r) },
        deadline,
        true,
      );
    } catch (err) {
      if (signal?.aborted) return;
      throw err;
    } finally {
      // Headers are in (or it failed): from here on only the idle timeout and the caller's signal apply.
      deadline.dispose();
    }
    try {
      options.onOpen?.();
    } catch (err) {
      res.destroy();
      throw err;
    }
    await readWatchStream(res, path, onEvent, { signal, idleTimeoutMs: options.idleTimeoutMs });
  }

  /** Closes every socket, watches included (on shutdown). */
  close(): Promise<void> {
    this.transports.close();
    return Promise.resolve();
  }
}

function label(r: ResourceRef, subresource?: string): string {
  return subresource ? `${resourceLabel(r)}/${subresource}` : resourceLabel(r);
}
