import { afterEach, describe, expect, it } from 'vitest';
import { startFaultProxy, type FaultProxy } from '../src/fault-proxy.js';
import { httpGet } from '../src/local-http.js';
import { useControlPlane } from '../src/vitest.js';

const controlPlane = useControlPlane();
let proxy: FaultProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
});

/** One GET through the proxy: the status, the headers and the body, or the socket error. */
const get = (url: string, timeoutMs = 10_000) => httpGet(url, timeoutMs);

describe('fault proxy', () => {
  it('forwards with the upstream credentials and records every request', async () => {
    proxy = await startFaultProxy(controlPlane().kubeConfig);
    const res = await get(`${proxy.url}/api/v1/namespaces/default`);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ kind: 'Namespace', metadata: { name: 'default' } });
    expect(proxy.requests().map((r) => `${r.method} ${r.path}`)).toEqual(['GET /api/v1/namespaces/default']);
  });

  it('answers an injected status with a Status body, only as often as told', async () => {
    proxy = await startFaultProxy(controlPlane().kubeConfig);
    const fault = proxy.inject({
      match: (r) => r.query.has('limit'),
      status: 429,
      headers: { 'retry-after': '2' },
      times: 1,
    });
    const first = await get(`${proxy.url}/api/v1/namespaces?limit=1`);
    expect(first.status).toBe(429);
    expect(first.headers['retry-after']).toBe('2');
    expect(JSON.parse(first.body)).toMatchObject({ kind: 'Status', code: 429, reason: 'TooManyRequests' });
    expect((await get(`${proxy.url}/api/v1/namespaces?limit=1`)).status).toBe(200);
    expect(fault.hits()).toBe(1);
  });

  it('holds a hung request until the rule is removed', async () => {
    proxy = await startFaultProxy(controlPlane().kubeConfig);
    const fault = proxy.inject({ hang: true });
    const outcome = get(`${proxy.url}/api/v1/namespaces`, 60_000).then(
      () => 'answered',
      () => 'dropped',
    );
    const raced = await Promise.race([
      outcome,
      new Promise((resolve) => setTimeout(resolve, 500, 'still hanging')),
    ]);
    expect(raced).toBe('still hanging');
    fault.remove();
    expect(await outcome).toBe('dropped');
  });

  it('cut() refuses connections until restore()', async () => {
    proxy = await startFaultProxy(controlPlane().kubeConfig);
    proxy.cut();
    await expect(get(`${proxy.url}/api/v1/namespaces`)).rejects.toThrow();
    proxy.restore();
    expect((await get(`${proxy.url}/api/v1/namespaces`)).status).toBe(200);
  });
});
