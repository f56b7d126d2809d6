import { createServer } from 'node:net';

/**
 * A port on 127.0.0.1 that was free a moment ago. Another process can still take it before we bind
 * it, so callers retry startup with new ports when a component reports "address already in use".
 */
export async function freeLoopbackPort(): Promise<number> {
  // The kernel may give the same ephemeral port to two calls in a row once the first is closed;
  // processes started side by side from one test would then race for it. Never hand one out twice.
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await anyFreePort();
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
  return anyFreePort();
}

const handedOut = new Set<number>();

function anyFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => {
        resolve(port);
      });
    });
  });
}
