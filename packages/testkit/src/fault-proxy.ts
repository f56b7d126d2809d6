/**
 * An HTTP fault proxy in front of the apiserver: the client under test talks plain HTTP to the
 * proxy, which forwards every request with the upstream kubeconfig's credentials (the test
 * control plane's admin), except where a rule says otherwise. Rules answer a chosen status (403, 410,
 * 429 with `Retry-After`, 500...) with a Kubernetes `Status` body, hold a request for a while, or
 * never answer at all (a partitioned network: the socket stays open, nothing flows). `cut()` drops
 * every open connection, watches included, and refuses new ones until `restore()`.
 *
 * Every request is recorded, so a test can assert how many lists, watches or retries a component
 * made. The proxy is for tests only: it trusts the upstream's certificate authority from the
 * kubeconfig and never runs outside loopback.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import type { Socket } from 'node:net';

export interface FaultRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  watch: boolean;
}

export interface FaultRule {
  /** Which requests the rule applies to; every request when omitted. */
  match?: (req: FaultRequest) => boolean;
  /** Answer with this HTTP status and a `Status` body instead of forwarding. */
  status?: number;
  reason?: string;
  message?: string;
  /** Extra response headers of the answer, e.g. `{'retry-after': '1'}`. */
  headers?: Record<string, string>;
  /** Hold the request this long, then forward it (or answer `status`). */
  delayMs?: number;
  /** Never answer: the connection stays open until `cut()`, `close()` or the rule's `remove()`. */
  hang?: boolean;
  /** Apply to the next N matching requests only; every one by default. */
  times?: number;
}

export interface InjectedFault {
  remove(): void;
  /** How many requests the rule has acted on. */
  hits(): number;
}

export interface FaultProxy {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** A kubeconfig whose server is the proxy; it needs no credentials. */
  kubeConfig(): KubeConfig;
  inject(rule: FaultRule): InjectedFault;
  /** Removes every rule (hung requests are released by closing their connections). */
  clear(): void;
  /** Every request seen so far, in order; filtered when `match` is given. */
  requests(match?: (r: FaultRequest) => boolean): FaultRequest[];
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

interface ActiveRule {
  rule: FaultRule;
  hits: number;
  /** Responses held by a `hang` rule, ended when the rule goes. */
  held: Set<ServerResponse>;
}

const reasons: Record<number, string> = {
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  409: 'Conflict',
  410: 'Expired',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

export async function startFaultProxy(upstream: KubeConfig): Promise<FaultProxy> {
  const cluster = upstream.getCurrentCluster();
  if (!cluster) throw new Error('startFaultProxy: the upstream kubeconfig has no current cluster');
  const target = new URL(cluster.server);
  const tls: RequestOptions = {};
  await upstream.applyToHTTPSOptions(tls);

  const rules: ActiveRule[] = [];
  const seen: FaultRequest[] = [];
  const sockets = new Set<Socket>();
  let refusing = false;

  const take = (req: FaultRequest): ActiveRule | undefined => {
    const active = rules.find(
      (r) => (r.rule.times === undefined || r.hits < r.rule.times) && (r.rule.match?.(req) ?? true),
    );
    if (active) active.hits++;
    return active;
  };

  const answer = (res: ServerResponse, rule: FaultRule, req: FaultRequest) => {
    const code = rule.status!;
    const reason = rule.reason ?? reasons[code] ?? 'Unknown';
    const body = JSON.stringify({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: rule.message ?? `injected ${code} for ${req.method} ${req.path}`,
      reason,
      code,
    });
    res.writeHead(code, { 'content-type': 'application/json', ...rule.headers }).end(body);
  };

  const forward = (incoming: IncomingMessage, res: ServerResponse) => {
    const headers = { ...incoming.headers, host: target.host };
    delete headers.authorization; // the upstream credentials decide who we are
    const upstreamReq = httpsRequest(
      {
        ...tls,
        host: target.hostname,
        port: target.port,
        method: incoming.method,
        path: incoming.url,
        headers: { ...headers, ...(tls.headers as Record<string, string> | undefined) },
      },
      (upstreamRes) => {
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
        // A watch with no event yet has sent its headers upstream: pass them on now, not with the
        // first body chunk, or the client's header deadline expires on a healthy, quiet watch.
        res.flushHeaders();
        upstreamRes.pipe(res);
        res.on('close', () => upstreamRes.destroy());
      },
    );
    upstreamReq.on('error', () => {
      if (!res.headersSent) res.writeHead(502).end();
      else res.destroy();
    });
    res.on('close', () => upstreamReq.destroy());
    incoming.pipe(upstreamReq);
  };

  const server = createServer((incoming, res) => {
    const url = new URL(incoming.url ?? '/', 'http://proxy');
    const req: FaultRequest = {
      method: incoming.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      watch: ['1', 'true'].includes(url.searchParams.get('watch') ?? ''),
    };
    seen.push(req);
    const active = take(req);
    const act = () => {
      if (res.destroyed) return;
      if (active?.rule.hang) {
        active.held.add(res);
        res.on('close', () => active.held.delete(res));
        incoming.resume(); // drain the body; never answer
        return;
      }
      if (active?.rule.status !== undefined) {
        incoming.resume();
        answer(res, active.rule, req);
        return;
      }
      forward(incoming, res);
    };
    const delayMs = active?.rule.delayMs ?? 0;
    if (delayMs > 0) setTimeout(act, delayMs);
    else act();
  });
  server.on('connection', (socket) => {
    if (refusing) {
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const url = `http://127.0.0.1:${port}`;

  const release = (active: ActiveRule) => {
    for (const res of active.held) res.destroy();
    active.held.clear();
  };
  const dropAll = () => {
    for (const socket of sockets) socket.destroy();
    sockets.clear();
  };

  return {
    url,
    kubeConfig() {
      const kc = new KubeConfig();
      kc.loadFromOptions({
        clusters: [{ name: 'fault-proxy', server: url, skipTLSVerify: true }],
        users: [{ name: 'fault-proxy' }],
        contexts: [{ name: 'fault-proxy', cluster: 'fault-proxy', user: 'fault-proxy' }],
        currentContext: 'fault-proxy',
      });
      return kc;
    },
    inject(rule) {
      const active: ActiveRule = { rule, hits: 0, held: new Set() };
      rules.push(active);
      return {
        remove() {
          const index = rules.indexOf(active);
          if (index >= 0) rules.splice(index, 1);
          release(active);
        },
        hits: () => active.hits,
      };
    },
    clear() {
      for (const active of rules.splice(0)) release(active);
    },
    requests: (match) => (match ? seen.filter(match) : [...seen]),
    cut() {
      refusing = true;
      dropAll();
    },
    restore() {
      refusing = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const active of rules.splice(0)) release(active);
        dropAll();
        server.close(() => {
          resolve();
        });
      }),
  };
}
