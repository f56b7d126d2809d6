/**
 * The manager's two small HTTP endpoints: probes (`/healthz`, `/readyz`) and Prometheus `/metrics`.
 * A server that cannot listen rejects with a BindError naming the flag, the address and what to do
 * (another port, or 0 to disable), e.g. when the port is already in use.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

/** `:8080` -> all interfaces, `host:port` -> that host; `0` means disabled (undefined). */
export function parseBindAddress(address: string): { host?: string; port: number } | undefined {
  if (address === '0') return undefined;
  const colon = address.lastIndexOf(':');
  const host = address.slice(0, colon).replace(/^\[|\]$/g, '');
  return { ...(host ? { host } : {}), port: Number(address.slice(colon + 1)) };
}

/** A server could not listen: a configuration problem the message explains, not a bug. */
export class BindError extends Error {
  override readonly name = 'BindError';
}

const bindProblems: Record<string, string> = {
  EADDRINUSE: 'address already in use',
  EACCES: 'permission denied (ports below 1024 need privileges)',
  EADDRNOTAVAIL: 'address not available on this host',
};

async function listen(server: Server, address: string, flag: string): Promise<Server | undefined> {
  const bind = parseBindAddress(address);
  if (!bind) return undefined;
  await new Promise<void>((resolve, reject) => {
    const fail = (err: NodeJS.ErrnoException) => {
      const problem = (err.code && bindProblems[err.code]) ?? err.message;
      reject(
        new BindError(`--${flag} ${address}: ${problem}; pick another port or 0 to disable`, { cause: err }),
      );
    };
    server.once('error', fail);
    server.listen(bind.port, bind.host, () => {
      server.off('error', fail);
      resolve();
    });
  });
  return server;
}

export function boundPort(server: Server | undefined): number | undefined {
  return (server?.address() as AddressInfo | null)?.port;
}

export interface ProbeState {
  /** Names of the checks that fail; empty when ready. */
  notReady(): string[];
}

export function startProbeServer(address: string, state: ProbeState): Promise<Server | undefined> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz' || path === '/livez') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      return;
    }
    if (path === '/readyz') {
      const failing = state.notReady();
      res
        .writeHead(failing.length ? 503 : 200, { 'content-type': 'text/plain' })
        .end(failing.length ? `not ready: ${failing.join('; ')}\n` : 'ok');
      return;
    }
    res.writeHead(404).end();
  });
  return listen(server, address, 'health-probe-bind-address');
}

export function startMetricsServer(address: string, registry: Registry): Promise<Server | undefined> {
  const server = createServer((req, res) => {
    if ((req.url ?? '/').split('?')[0] !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (err: unknown) => res.writeHead(500).end(String(err)),
    );
  });
  return listen(server, address, 'metrics-bind-address');
}

export function closeServer(server: Server | undefined): Promise<void> {
  if (!server) return Promise.resolve();
  server.closeAllConnections();
  return new Promise((resolve) =>
    server.close(() => {
      resolve();
    }),
  );
}
