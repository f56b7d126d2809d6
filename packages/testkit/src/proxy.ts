/**
 * A loopback TCP proxy in front of the apiserver, for fault injection: `cut()` drops every open
 * connection and refuses new ones until `restore()`, so a client is disconnected while the test keeps
 * changing the cluster through a direct connection. TLS passes through untouched.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { createConnection, createServer, type Socket } from 'node:net';

export interface TcpProxy {
  readonly port: number;
  /** A copy of `kc` whose server is the proxy. */
  kubeConfigFor(kc: KubeConfig): KubeConfig;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let cut = false;
  const server = createServer((client) => {
    if (cut) {
      client.destroy();
      return;
    }
    const upstream = createConnection(target);
    sockets.add(client).add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    kubeConfigFor(kc) {
      const copy = new KubeConfig();
      copy.loadFromString(kc.exportConfig());
      const clusters = copy.clusters.map((c) => ({ ...c, server: `https://127.0.0.1:${port}` }));
      copy.loadFromOptions({
        ...copy,
        clusters,
        contexts: copy.contexts,
        users: copy.users,
        currentContext: copy.currentContext,
      });
      return copy;
    },
    cut() {
      cut = true;
      for (const socket of sockets) socket.destroy();
      sockets.clear();
    },
    restore() {
      cut = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => {
          resolve();
        });
      }),
  };
}
