import { afterEach, describe, expect, it } from 'vitest';
import { eventually, startFaultProxy, type FaultProxy, type FaultRequest } from '@mcp-controllers/testkit';
import { useControlPlane, useNamespace } from '@mcp-controllers/testkit/vitest';
import { ApiError, KubeClient, RequestError, statusCode } from '../src/client/index.js';
import type { KubeObject } from '../src/object.js';

const configMaps = { group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap', namespaced: true };
const controlPlane = useControlPlane();
const namespace = useNamespace(controlPlane);

/** Settles with the promise's outcome, or with 'pending' when it has not settled within `ms`. */
async function within<T>(
  ms: number,
  promise: Promise<T>,
): Promise<{ value?: T; error?: unknown; elapsedMs: number } | 'pending'> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const pending = new Promise<'pending'>((resolve) => {
    timer = setTimeout(() => {
      resolve('pending');
    }, ms);
  });
  try {
    return await Promise.race([
      promise.then(
        (value) => ({ value, elapsedMs: performance.now() - started }),
        (error: unknown) => ({ error, elapsedMs: performance.now() - started }),
      ),
      pending,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

async function createProbe(client: KubeClient, ns: string): Promise<void> {
  await client.create(configMaps, {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'probe', namespace: ns },
    data: { seen: 'yes' },
  });
}

describe('KubeClient under failure', () => {
  let proxy: FaultProxy | undefined;
  afterEach(async () => {
    await proxy?.close();
    proxy = undefined;
  });

  it('answers an ordinary request while 100 watches are open on the same client', async () => {
    const ns = namespace();
    const client = new KubeClient(controlPlane().kubeConfig, { qps: 0 });
    await createProbe(client, ns);
    const stop = new AbortController();
    const watches = Array.from({ length: 100 }, () =>
      client.watch(configMaps, ns, { timeoutSeconds: 600 }, () => undefined, { signal: stop.signal }),
    );
    try {
      // With one pool of 64 sockets for everything, the first 64 watches hold them all.
      await eventually(() => (client.tally.count({ verb: 'watch', code: 200 }) >= 64 ? true : undefined), {
        what: '64 watches open',
        timeoutMs: 30_000,
      });
      const answer = await within(
        5_000,
        client.get<KubeObject>(configMaps, { namespace: ns, name: 'probe' }),
      );
      expect(answer).not.toBe('pending');
      expect(answer !== 'pending' && answer.value?.data).toEqual({ seen: 'yes' });
      await eventually(() => (client.tally.count({ verb: 'watch', code: 200 }) === 100 ? true : undefined), {
        what: '100 watches open',
        timeoutMs: 30_000,
      });
    } finally {
      stop.abort();
      await Promise.allSettled(watches);
      await client.close();
    }
  });

  it('rejects a request the server never answers within its deadline, socket wait included', async () => {
    const ns = namespace();
    proxy = await startFaultProxy(controlPlane().kubeConfig);
    // One socket: the second request waits for it behind the first, and its deadline runs meanwhile.
    const client = new KubeClient(proxy.kubeConfig(), { qps: 0, timeoutMs: 2_000, maxSockets: 1 });
    await createProbe(client, ns);
    const hang = proxy.inject({ match: (r) => r.method === 'GET' && r.path.endsWith('/probe'), hang: true });
    const key = { namespace: ns, name: 'probe' };
    const first = within(10_000, client.get(configMaps, key));
    // The second request starts while the first holds the only socket.
    await eventually(() => (hang.hits() === 1 ? true : undefined), { what: 'the first request is held' });
    const second = within(10_000, client.get(configMaps, key));
    const outcomes = [await first, await second];
    for (const outcome of outcomes) {
      if (outcome === 'pending') throw new Error('a hung request did not settle within 10 s');
      expect(outcome.error).toBeInstanceOf(RequestError);
      expect((outcome.error as RequestError).code).toBe('ETIMEDOUT');
      expect(outcome.elapsedMs).toBeGreaterThanOrEqual(1_900);
      // A socket-idle timeout would give the second 2 s after it got the socket: ~4 s in all.
      expect(outcome.elapsedMs).toBeLessThan(3_200);
    }
    expect((outcomes[0] as { error: Error }).error.message).toMatch(
      /no answer within 2000 ms \(waiting for the response headers\)/,
    );
    hang.remove();
    // The client is usable afterwards, and a refused connection names the request and the cause.
    expect(
      ((await client.get<KubeObject>(configMaps, key)) as { data?: Record<string, string> }).data,
    ).toEqual({ seen: 'yes' });
    proxy.cut();
    const refused = await client.get(configMaps, key).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(RequestError);
    expect((refused as RequestError).message).toContain(`get /api/v1/namespaces/${ns}/configmaps/probe: `);
    expect((refused as RequestError).code).toMatch(/^E[A-Z]+$/);
    await client.close();
  });

  it('rejects a watch whose response headers never come within its header deadline', async () => {
    const ns = namespace();
    proxy = await startFaultProxy(controlPlane().kubeConfig);
    const client = new KubeClient(proxy.kubeConfig(), { qps: 0 });
    proxy.inject({ match: (r) => r.watch, hang: true, times: 1 });
    const events: unknown[] = [];
    const outcome = await within(
      10_000,
      client.watch(configMaps, ns, {}, (e) => events.push(e), {
        headerTimeoutMs: 1_500,
        idleTimeoutMs: 60_000,
      }),
    );
    if (outcome === 'pending') throw new Error('a watch without response headers did not settle within 10 s');
    expect(outcome.error).toBeInstanceOf(RequestError);
    expect((outcome.error as RequestError).code).toBe('ETIMEDOUT');
    expect(outcome.elapsedMs).toBeGreaterThanOrEqual(1_400);
    expect(outcome.elapsedMs).toBeLessThan(4_000);

    // Once headers are in, the header deadline no longer applies: a quiet watch stays open.
    const stop = new AbortController();
    let opened = 0;
    const quiet = client.watch(configMaps, ns, { timeoutSeconds: 60 }, (e) => events.push(e), {
      signal: stop.signal,
      headerTimeoutMs: 1_000,
      onOpen: () => opened++,
    });
    await eventually(() => (opened === 1 ? true : undefined), { what: 'the watch is open' });
    const still = await within(2_500, quiet);
    expect(still).toBe('pending');
    stop.abort();
    await quiet;
    expect(events).toEqual([]);
    await client.close();
  });

  it('waits as Retry-After says on 429 and sends again', async () => {
    const ns = namespace();
    proxy = await startFaultProxy(controlPlane().kubeConfig);
    const client = new KubeClient(proxy.kubeConfig(), { qps: 0 });
    await createProbe(client, ns);
    const isProbeGet = (r: FaultRequest) => r.method === 'GET' && r.path.endsWith('/probe');
    proxy.inject({ match: isProbeGet, status: 429, headers: { 'retry-after': '1' }, times: 2 });
    const outcome = await within(
      20_000,
      client.get<KubeObject>(configMaps, { namespace: ns, name: 'probe' }),
    );
    if (outcome === 'pending') throw new Error('the throttled request did not settle within 20 s');
    expect(outcome.error).toBeUndefined();
    expect(outcome.value?.data).toEqual({ seen: 'yes' });
    expect(outcome.elapsedMs).toBeGreaterThanOrEqual(1_900);
    expect(outcome.elapsedMs).toBeLessThan(8_000);
    expect(proxy.requests(isProbeGet)).toHaveLength(3);
    expect(client.tally.count({ verb: 'get', code: 429 })).toBe(2);
    expect(client.tally.count({ verb: 'get', code: 200 })).toBe(1);

    // A 429 without Retry-After, or one that would outlast the deadline, surfaces at once.
    proxy.inject({ match: isProbeGet, status: 429, times: 1 });
    const plain = await client.get(configMaps, { namespace: ns, name: 'probe' }).catch((err: unknown) => err);
    expect(plain).toBeInstanceOf(ApiError);
    expect(statusCode(plain)).toBe(429);
    const short = new KubeClient(proxy.kubeConfig(), { qps: 0, timeoutMs: 1_000 });
    proxy.inject({ match: isProbeGet, status: 429, headers: { 'retry-after': '5' }, times: 1 });
    const late = await within(3_000, short.get(configMaps, { namespace: ns, name: 'probe' }));
    expect(late !== 'pending' && statusCode(late.error)).toBe(429);
    expect(proxy.requests(isProbeGet)).toHaveLength(5);
    await client.close();
    await short.close();
  });
});
