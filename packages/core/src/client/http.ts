/**
 * A raw-JSON Kubernetes REST client.
 *
 * Why not client-node's generated APIs: their model serializers rename and drop fields of plain JSON
 * (`default` vs `_default`), turn timestamps into `Date`s on some paths and not on others, and pick
 * JSON Patch as the default content type. Here every body is the apiserver's JSON, every patch says
 * its content type, and every request is counted by verb, resource and code.
 *
 * Authentication comes from `KubeConfig.applyToHTTPSOptions` (client certificates, bearer tokens,
 * exec plugins and in-cluster token files, re-applied every minute so rotated tokens are picked up).
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { isDeepStrictEqual } from 'node:util';
import { Agent as HttpsAgent, request as httpsRequest, type RequestOptions } from 'node:https';
import type { ObjectMeta } from '../object.js';
import { apiErrorFrom } from './errors.js';
import {
  collectionPath,
  objectKey,
  objectPath,
  resourceLabel,
  type ObjectKey,
  type ResourceRef,
} from './resources.js';

export type PatchType = 'merge' | 'json' | 'apply';

const patchContentTypes: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  apply: 'application/apply-patch+yaml',
};

export interface RequestRecord {
  verb: string;
  resource: string;
  code: number;
}

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

export interface WatchEvent<T = unknown> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: T;
}

export class WatchIdleError extends Error {
  override readonly name = 'WatchIdleError';
}

/** Counts requests by `verb resource code`; the manager exports it as `rest_client_requests_total`. */
export class RequestTally {
  private readonly counts = new Map<string, RequestRecord & { count: number }>();
  private readonly observers: ((r: RequestRecord) => void)[] = [];

  record(r: RequestRecord): void {
    const key = `${r.verb} ${r.resource} ${r.code}`;
    const entry = this.counts.get(key) ?? { ...r, count: 0 };
    entry.count++;
    this.counts.set(key, entry);
    for (const observe of this.observers) observe(r);
  }

  onRequest(observer: (r: RequestRecord) => void): void {
    this.observers.push(observer);
  }

  /** Total of the requests matching every given field (`{verb: 'patch'}` counts all patches). */
  count(filter: Partial<RequestRecord> = {}): number {
    let total = 0;
    for (const entry of this.counts.values()) {
      if (filter.verb !== undefined && entry.verb !== filter.verb) continue;
      if (filter.resource !== undefined && entry.resource !== filter.resource) continue;
      if (filter.code !== undefined && entry.code !== filter.code) continue;
      total += entry.count;
    }
    return total;
  }

  /** Writes: create, update, patch, delete. */
  writes(resource?: string): number {
    return ['create', 'update', 'patch', 'delete']
      .map((verb) => this.count(resource === undefined ? { verb } : { verb, resource }))
      .reduce((a, b) => a + b, 0);
  }

  entries(): (RequestRecord & { count: number })[] {
    return [...this.counts.values()].map((e) => ({ ...e }));
  }
}

interface Transport {
  agent: HttpAgent;
  tls: RequestOptions;
  headers: Record<string, string>;
  loadedAt: number;
}

const credentialRefreshMs = 60_000;

export interface KubeClientOptions {
  userAgent?: string;
  /** Per-request timeout for everything but watches. */
  timeoutMs?: number;
  tally?: RequestTally;
}

export class KubeClient {
  readonly server: string;
  readonly tally: RequestTally;
  private readonly userAgent: string;
  private readonly timeoutMs: number;
  private transport?: Promise<Transport>;

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
    this.tally = options.tally ?? new RequestTally();
  }

  private async loadTransport(previous?: Transport): Promise<Transport> {
    const opts: RequestOptions = {};
    await this.kubeConfig.applyToHTTPSOptions(opts);
    const tls: RequestOptions = {
      ca: opts.ca,
      cert: opts.cert,
      key: opts.key,
      rejectUnauthorized: opts.rejectUnauthorized,
      servername: opts.servername,
    };
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(opts.headers ?? {})) if (typeof v === 'string') headers[k] = v;
    const sameTls =
      previous !== undefined &&
      isDeepStrictEqual([previous.tls.ca, previous.tls.cert, previous.tls.key], [tls.ca, tls.cert, tls.key]);
    if (sameTls) return { ...previous, headers, loadedAt: Date.now() };
    previous?.agent.destroy();
    const secure = this.server.startsWith('https:');
    const agent = secure
      ? new HttpsAgent({
          keepAlive: true,
          maxSockets: 64,
          ca: tls.ca,
          cert: tls.cert,
          key: tls.key,
          rejectUnauthorized: tls.rejectUnauthorized,
          servername: tls.servername ?? undefined,
        })
      : new HttpAgent({ keepAlive: true, maxSockets: 64 });
    return { agent, tls, headers, loadedAt: Date.now() };
  }

  private async currentTransport(): Promise<Transport> {
    const current = this.transport ? await this.transport : undefined;
    if (!current || Date.now() - current.loadedAt > credentialRefreshMs) {
      this.transport = this.loadTransport(current);
    }
    return this.transport!;
  }

  private async open(
    method: string,
    path: string,
    opts: RequestOptionsLite,
    timeoutMs: number | undefined,
  ): Promise<{ res: IncomingMessage; abort: () => void; release: () => void }> {
    const transport = await this.currentTransport();
    const url = new URL(this.server + path);
    for (const [k, v] of Object.entries(opts.query ?? {}))
      if (v !== undefined) url.searchParams.set(k, String(v));
    const body = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    const headers: Record<string, string> = {
      ...transport.headers,
      accept: 'application/json',
      'user-agent': this.userAgent,
    };
    if (body !== undefined) {
      headers['content-type'] = opts.contentType ?? 'application/json';
      headers['content-length'] = String(Buffer.byteLength(body));
    }
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const signal = opts.signal;
      const onAbort = () => {
        req.destroy(new Error('aborted'));
      };
      // One signal serves many requests (a reflector's whole life): callers release the listener as
      // soon as they are done with the response.
      const release = () => {
        signal?.removeEventListener('abort', onAbort);
      };
      const req = send(url, { method, headers, agent: transport.agent, ...transport.tls }, (res) => {
        resolve({ res, abort: () => req.destroy(), release });
      });
      if (timeoutMs !== undefined) {
        req.setTimeout(timeoutMs, () => {
          req.destroy(new Error(`${method} ${path} timed out after ${timeoutMs} ms`));
        });
      }
      req.on('error', (err) => {
        release();
        reject(err);
      });
      if (signal) {
        if (signal.aborted) onAbort();
        else signal.addEventListener('abort', onAbort, { once: true });
      }
      req.end(body);
    });
  }

  /** One request; resolves with the parsed JSON body (undefined when empty), rejects with ApiError. */
  async request<T>(verb: string, method: string, path: string, opts: RequestOptionsLite = {}): Promise<T> {
    const resource = opts.resource ?? path;
    let code = 0;
    try {
      const { res, release } = await this.open(method, path, opts, this.timeoutMs);
      code = res.statusCode ?? 0;
      const chunks: Buffer[] = [];
      try {
        for await (const chunk of res) chunks.push(chunk as Buffer);
      } finally {
        release();
      }
      const text = Buffer.concat(chunks).toString('utf8');
      if (code < 200 || code >= 300) throw apiErrorFrom(code, text, verb, path);
      return (text ? JSON.parse(text) : undefined) as T;
    } finally {
      this.tally.record({ verb, resource, code });
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
    options: { subresource?: string; fieldManager?: string; force?: boolean } = {},
  ): Promise<T> {
    if (type === 'apply' && !options.fieldManager) throw new Error('server-side apply needs a fieldManager');
    return this.request<T>('patch', 'PATCH', objectPath(r, key, options.subresource), {
      body,
      contentType: patchContentTypes[type],
      query: { fieldManager: options.fieldManager, force: options.force },
      resource: label(r, options.subresource),
    });
  }

  delete(r: ResourceRef, key: ObjectKey, body?: unknown): Promise<unknown> {
    return this.request('delete', 'DELETE', objectPath(r, key), { body, resource: label(r) });
  }

  /**
   * Streams a watch. Resolves when the server closes the stream or `signal` aborts it; rejects with
   * an ApiError for a non-200 answer, with WatchIdleError when no byte arrived for `idleTimeoutMs`,
   * and with the network error otherwise. `onEvent` runs synchronously for each line, in order.
   */
  async watch<T>(
    r: ResourceRef,
    namespace: string | undefined,
    query: Query,
    onEvent: (event: WatchEvent<T>) => void,
    options: { signal?: AbortSignal; idleTimeoutMs?: number } = {},
  ): Promise<void> {
    const path = collectionPath(r, namespace);
    const resource = label(r);
    let opened: { res: IncomingMessage; abort: () => void; release: () => void };
    try {
      opened = await this.open(
        'GET',
        path,
        { query: { ...query, watch: 1 }, signal: options.signal },
        undefined,
      );
    } catch (err) {
      this.tally.record({ verb: 'watch', resource, code: 0 });
      if (options.signal?.aborted) return;
      throw err;
    }
    const { res, abort, release } = opened;
    const code = res.statusCode ?? 0;
    this.tally.record({ verb: 'watch', resource, code });
    if (code !== 200) {
      release();
      const chunks: Buffer[] = [];
      for await (const chunk of res) chunks.push(chunk as Buffer);
      throw apiErrorFrom(code, Buffer.concat(chunks).toString('utf8'), 'watch', path);
    }
    await new Promise<void>((resolve, reject) => {
      let buffered = '';
      let idle: NodeJS.Timeout | undefined;
      const armIdle = () => {
        if (options.idleTimeoutMs === undefined) return;
        clearTimeout(idle);
        idle = setTimeout(() => {
          res.destroy(new WatchIdleError(`watch ${path}: no data for ${options.idleTimeoutMs} ms`));
        }, options.idleTimeoutMs);
        idle.unref();
      };
      const finish = (err?: Error) => {
        clearTimeout(idle);
        release();
        options.signal?.removeEventListener('abort', abort);
        if (err && !options.signal?.aborted) reject(err);
        else resolve();
      };
      armIdle();
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        armIdle();
        buffered += chunk;
        let newline: number;
        while ((newline = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, newline).trim();
          buffered = buffered.slice(newline + 1);
          if (!line) continue;
          let event: WatchEvent<T>;
          try {
            event = JSON.parse(line) as WatchEvent<T>;
          } catch {
            res.destroy(new Error(`watch ${path}: undecodable event ${line.slice(0, 200)}`));
            return;
          }
          try {
            onEvent(event);
          } catch (err) {
            // The consumer rejected the event (e.g. an ERROR event it turns into 410 handling):
            // end this stream and let the caller see why.
            res.destroy(err instanceof Error ? err : new Error(String(err)));
            return;
          }
        }
      });
      res.on('end', () => {
        finish();
      });
      res.on('error', finish);
      res.on('close', () => {
        finish();
      });
      options.signal?.addEventListener('abort', abort, { once: true });
    });
  }

  /** Closes idle keep-alive sockets (on shutdown). */
  async close(): Promise<void> {
    if (this.transport) (await this.transport).agent.destroy();
  }
}

function label(r: ResourceRef, subresource?: string): string {
  return subresource ? `${resourceLabel(r)}/${subresource}` : resourceLabel(r);
}
