import { createServer } from 'node:net';

/**
 * A port on 127.0.0.1 that was free a moment ago. Another process can still take it before we bind
 * it, so callers retry startup with new ports when a component reports "address already in use".
 */
export function freeLoopbackPort(): Promise<number> {
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
