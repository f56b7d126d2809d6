/**
 * A loopback TCP proxy in front of the apiserver, for fault injection: `cut()` drops every open
 * connection and refuses new ones until `restore()`, so a client is disconnected while the test keeps
 * changing the cluster through a direct connection. `hang()` is a silent partition (a blackhole):
 * every connection, open or new, stays open but no byte flows either way until `restore()`, so only
 * a client's own deadlines can end its requests. TLS passes through untouched.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { createConnection, createServer, type Socket } from 'node:net';

export interface TcpProxy {
  readonly port: number;
  /** A copy of `kc` whose server is the proxy. */
  kubeConfigFor(kc: KubeConfig): KubeConfig;
  cut(): void;
  /** Blackhole: connections stay open, nothing flows (new ones are accepted and held). */
  hang(): void;
  /** Ends cut() and hang(): held connections start flowing. */
  restore(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  /** Client sockets with their upstream (undefined: accepted while hung, not connected yet). */
  const pairs = new Map<Socket, Socket | undefined>();
  let cut = false;
  let hung = false;
  const flow = (client: Socket, upstream: Socket) => {
    client.pipe(upstream).pipe(client);
    client.resume();
    upstream.resume();
  };
  const connect = (client: Socket) => {
    const upstream = createConnection(target);
    sockets.add(upstream);
    pairs.set(client, upstream);
    const drop = () => {
      upstream.destroy();
      client.destroy();
      sockets.delete(upstream);
    };
    upstream.on('error', drop).on('close', drop);
    flow(client, upstream);
  };
  const server = createServer((client) => {
    if (cut) {
      client.destroy();
      return;
    }
    sockets.add(client);
    client
      .on('error', () => client.destroy())
      .on('close', () => {
        pairs.get(client)?.destroy();
        pairs.delete(client);
        sockets.delete(client);
      });
    if (hung) {
      client.pause();
      pairs.set(client, undefined);
      return;
    }
    connect(client);
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
      pairs.clear();
    },
    hang() {
      hung = true;
      for (const [client, upstream] of pairs) {
        client.unpipe();
        client.pause();
        if (upstream) {
          upstream.unpipe();
          upstream.pause();
        }
      }
    },
    restore() {
      cut = false;
      if (!hung) return;
      hung = false;
      for (const [client, upstream] of pairs) {
        if (upstream) flow(client, upstream);
        else connect(client);
      }
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
