import { KubeConfig } from '@kubernetes/client-node';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setImmediate as tick } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { KubeClient, type WatchEvent } from '../src/client/index.js';

const configMaps = { group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap', namespaced: true };

interface Cm {
  metadata: { name: string };
  data?: Record<string, string>;
}

/** A plain-HTTP server whose watch answer is written by `stream`; a client with no credentials. */
async function watchServer(
  stream: (res: ServerResponse) => Promise<void>,
): Promise<{ client: KubeClient; server: Server }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    void stream(res).then(() => res.end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [
      {
        name: 'c',
        server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        skipTLSVerify: true,
      },
    ],
    users: [{ name: 'u' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return { client: new KubeClient(kc, { qps: 0 }), server };
}

/**
 * Writes `text` in `size`-byte chunks (cutting multi-byte characters), yielding between them so they
 * arrive as separate reads.
 */
async function writeInChunks(res: ServerResponse, text: string, size: number): Promise<number> {
  const bytes = Buffer.from(text, 'utf8');
  let chunks = 0;
  for (let i = 0; i < bytes.length; i += size) {
    if (!res.write(bytes.subarray(i, i + size))) await new Promise((resolve) => res.once('drain', resolve));
    chunks++;
    await tick();
  }
  return chunks;
}

/**
 * Counts the characters every `String#indexOf('\n')` call scans while `run` runs: the work a watch
 * stream reader does to find line ends (linear in the stream when each chunk is scanned once,
 * quadratic when the growing buffer is rescanned on every chunk).
 */
async function newlineScanWork(run: () => Promise<void>): Promise<number> {
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const original = String.prototype.indexOf;
  let scanned = 0;
  String.prototype.indexOf = function (this: string, search: string, from?: number): number {
    if (search === '\n') scanned += this.length - Math.max(0, from ?? 0);
    return original.call(this, search, from);
  };
  try {
    await run();
  } finally {
    String.prototype.indexOf = original;
  }
  return scanned;
}

describe('watch stream reading', () => {
  let server: Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('parses a 1 MB object that arrives in 1,000 small chunks, scanning each byte once', async () => {
    const big = 'x'.repeat(1_000_000);
    const events = [
      { type: 'ADDED', object: { metadata: { name: 'small' } } },
      { type: 'ADDED', object: { metadata: { name: 'big' }, data: { big } } },
      { type: 'MODIFIED', object: { metadata: { name: 'small' }, data: { a: 'é€𝄞' } } },
    ];
    const text = events.map((e) => JSON.stringify(e)).join('\n') + '\n';
    let chunks = 0;
    const started = await watchServer(async (res) => {
      chunks = await writeInChunks(res, text, 1_000);
    });
    server = started.server;
    const received: WatchEvent<Cm>[] = [];
    const scanned = await newlineScanWork(() =>
      started.client.watch<Cm>(configMaps, 'ns', {}, (event) => received.push(event)),
    );
    expect(chunks).toBeGreaterThan(1_000);
    expect(received.map((e) => [e.type, e.object.metadata.name])).toEqual([
      ['ADDED', 'small'],
      ['ADDED', 'big'],
      ['MODIFIED', 'small'],
    ]);
    expect(received[1]!.object.data?.big).toBe(big);
    // Multi-byte characters split across chunks survive.
    expect(received[2]!.object.data?.a).toBe('é€𝄞');
    // Rescanning the growing buffer on every chunk scans ~500 MB here; once per byte is ~1 MB.
    expect(scanned).toBeLessThan(2 * text.length);
    await started.client.close();
  });
});
