/**
 * Credentials and connections of a KubeClient.
 *
 * Credentials come from `KubeConfig.applyToHTTPSOptions` (client certificates, bearer tokens, exec
 * plugins, basic auth, impersonation) and are loaded lazily, then again once they are older than the
 * refresh period (60 s, client-go's token file period). Token-file users (in-cluster service
 * accounts) have their file read by us on every load: client-node's own file cache would add another
 * 60 s of staleness and cannot be told to forget. The client works on a private copy of the
 * kubeConfig, replaced by a fresh copy on `reload()`, so a 401 also discards client-node's cached
 * exec credentials.
 *
 * Failure modes: a load that fails (exec plugin exits non-zero, a token or certificate file is
 * missing) rejects the requests waiting for it with `ECREDENTIALS` and is never cached: the next
 * request loads again. A failing periodic refresh keeps the previous credentials (retrying at most
 * once a second) until a load works or the server answers 401. `reload()` after a 401 loads at once
 * and says whether anything changed, so a request is retried only when that can help.
 *
 * Connections: ordinary requests share a keep-alive pool of at most `maxSockets` sockets; watches
 * use their own agent without keep-alive and without a cap, so however many watches are open they
 * never take a socket an ordinary request is waiting for. New TLS material (a rotated client
 * certificate) gets new agents; the old request pool is destroyed once its in-flight requests are
 * past their deadline, open watches run on until they end.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { readFile } from 'node:fs/promises';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent, type RequestOptions } from 'node:https';
import { isDeepStrictEqual } from 'node:util';

export interface TlsOptions {
  ca?: RequestOptions['ca'];
  cert?: RequestOptions['cert'];
  key?: RequestOptions['key'];
  rejectUnauthorized?: boolean;
  servername?: string;
}

export interface Transport {
  /** Bounded keep-alive pool for everything but watches. */
  readonly requestAgent: HttpAgent;
  /** One socket per watch, closed when the watch ends; no cap. */
  readonly watchAgent: HttpAgent;
  readonly tls: TlsOptions;
  readonly headers: Readonly<Record<string, string>>;
  /** Increases with every load; a 401 names the generation it was answered for. */
  readonly generation: number;
  readonly loadedAt: number;
}

export interface TransportOptions {
  /** Sockets for ordinary requests; waiting for one counts against the request's deadline. */
  maxSockets?: number;
  /** Credentials older than this are loaded again before the next request. */
  refreshMs?: number;
  /** After a failed refresh, the previous credentials are used this long before the next attempt. */
  retryMs?: number;
  /** How long after a TLS change the old request pool may still carry in-flight requests. */
  retireAfterMs?: number;
  /** Monotonic milliseconds; `performance.now()` by default. */
  now?: () => number;
}

export class CredentialsError extends Error {
  override readonly name = 'CredentialsError';
  readonly code = 'ECREDENTIALS';
}

export class Transports {
  private source: KubeConfig;
  private transport?: Transport;
  private loading?: Promise<Transport>;
  private nextAttemptAt = 0;
  private generation = 0;
  private readonly retired = new Set<HttpAgent>();
  private readonly secure: boolean;
  private readonly now: () => number;
  private readonly maxSockets: number;
  private readonly refreshMs: number;
  private readonly retryMs: number;
  private readonly retireAfterMs: number;

  constructor(
    private readonly kubeConfig: KubeConfig,
    server: string,
    options: TransportOptions = {},
  ) {
    this.source = copyOf(kubeConfig);
    this.secure = server.startsWith('https:');
    this.now = options.now ?? (() => performance.now());
    this.maxSockets = options.maxSockets ?? 64;
    this.refreshMs = options.refreshMs ?? 60_000;
    this.retryMs = options.retryMs ?? 1_000;
    this.retireAfterMs = options.retireAfterMs ?? 60_000;
  }

  /** The transport to send with: loads when there is none, refreshes when it is old. */
  async current(): Promise<Transport> {
    const current = this.transport;
    const now = this.now();
    const usable = current && (now - current.loadedAt < this.refreshMs || now < this.nextAttemptAt);
    if (usable && !this.loading) return current;
    try {
      return await this.load();
    } catch (err) {
      if (!current) throw err;
      // Keep working with what we have: a 401 forces a reload anyway if it has really expired.
      this.nextAttemptAt = this.now() + this.retryMs;
      return current;
    }
  }

  /**
   * After a 401 answered to `stale`: loads from a fresh copy of the kubeConfig (exec plugins run
   * again, token files are read again). Resolves with the transport to retry with and whether its
   * credentials differ from `stale`'s; rejects with a CredentialsError when loading fails.
   */
  async reload(stale: Transport): Promise<{ transport: Transport; changed: boolean }> {
    let transport: Transport;
    if (this.transport && this.transport.generation !== stale.generation) {
      transport = this.transport; // someone else already reloaded since `stale` was used
    } else {
      if (!this.loading) this.source = copyOf(this.kubeConfig);
      transport = await this.load();
    }
    const changed = !sameCredentials(transport, stale);
    return { transport, changed };
  }

  close(): void {
    this.transport?.requestAgent.destroy();
    this.transport?.watchAgent.destroy();
    for (const agent of this.retired) agent.destroy();
    this.retired.clear();
  }

  private load(): Promise<Transport> {
    this.loading ??= this.loadOnce().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  private async loadOnce(): Promise<Transport> {
    const { tls, headers } = await credentialsOf(this.source);
    const previous = this.transport;
    const reuse = previous !== undefined && isDeepStrictEqual(previous.tls, tls);
    if (previous && !reuse) this.retire(previous.requestAgent);
    const transport: Transport = {
      requestAgent: reuse ? previous.requestAgent : this.agent(tls, true),
      watchAgent: reuse ? previous.watchAgent : this.agent(tls, false),
      tls,
      headers,
      generation: ++this.generation,
      loadedAt: this.now(),
    };
    this.transport = transport;
    this.nextAttemptAt = 0;
    return transport;
  }

  private agent(tls: TlsOptions, pooled: boolean): HttpAgent {
    const limits = pooled
      ? { keepAlive: true, maxSockets: this.maxSockets, maxFreeSockets: Math.min(16, this.maxSockets) }
      : { keepAlive: false, maxSockets: Infinity };
    return this.secure ? new HttpsAgent({ ...limits, ...tls }) : new HttpAgent(limits);
  }

  private retire(agent: HttpAgent): void {
    this.retired.add(agent);
    const timer = setTimeout(() => {
      this.retired.delete(agent);
      agent.destroy();
    }, this.retireAfterMs);
    timer.unref();
  }
}

function sameCredentials(a: Transport, b: Transport): boolean {
  return isDeepStrictEqual(a.headers, b.headers) && isDeepStrictEqual(a.tls, b.tls);
}

/** A private copy, so client-node's per-instance credential caches are ours to throw away. */
function copyOf(kc: KubeConfig): KubeConfig {
  const copy = new KubeConfig();
  copy.loadFromOptions({
    clusters: kc.clusters,
    users: kc.users,
    contexts: kc.contexts,
    currentContext: kc.currentContext,
  });
  return copy;
}

async function credentialsOf(kc: KubeConfig): Promise<{ tls: TlsOptions; headers: Record<string, string> }> {
  const opts: RequestOptions = {};
  const user = kc.getCurrentUser();
  try {
    await kc.applyToHTTPSOptions(opts);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(opts.headers ?? {})) if (typeof v === 'string') headers[k] = v;
    if (opts.auth) headers.Authorization = `Basic ${Buffer.from(opts.auth).toString('base64')}`;
    const tokenFile = (user?.authProvider as { config?: { tokenFile?: unknown } } | undefined)?.config
      ?.tokenFile;
    if (typeof tokenFile === 'string') {
      const token = (await readFile(tokenFile, 'utf8')).trim();
      if (!token) throw new Error(`the token file ${tokenFile} is empty`);
      headers.Authorization = `Bearer ${token}`;
    }
    const tls: TlsOptions = {};
    if (opts.ca !== undefined) tls.ca = opts.ca;
    if (opts.cert !== undefined) tls.cert = opts.cert;
    if (opts.key !== undefined) tls.key = opts.key;
    if (opts.rejectUnauthorized !== undefined) tls.rejectUnauthorized = opts.rejectUnauthorized;
    if (opts.servername) tls.servername = opts.servername;
    return { tls, headers };
  } catch (err) {
    const why = err instanceof Error ? err.message.trim() || err.name : String(err);
    const how = user?.exec
      ? 'exec plugin'
      : (user?.authProvider as { name?: string } | undefined)?.name === 'tokenFile'
        ? 'token file'
        : 'kubeconfig';
    throw new CredentialsError(`cannot load credentials (${how} of user ${user?.name ?? '?'}): ${why}`, {
      cause: err,
    });
  }
}
