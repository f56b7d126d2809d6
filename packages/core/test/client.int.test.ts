import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { eventually } from '@mcp-controllers/testkit';
import { useControlPlane, useNamespace } from '@mcp-controllers/testkit/vitest';
import {
  ApiError,
  isAlreadyExists,
  isConflict,
  isInvalid,
  isNotFound,
  defaultBurst,
  defaultQps,
  KubeClient,
  microTime,
} from '../src/client/index.js';
import type { KubeObject } from '../src/object.js';

const configMaps = { group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap', namespaced: true };
const leases = {
  group: 'coordination.k8s.io',
  version: 'v1',
  plural: 'leases',
  kind: 'Lease',
  namespaced: true,
};
const controlPlane = useControlPlane();
const namespace = useNamespace(controlPlane);

const cm = (ns: string, name: string, data: Record<string, string> = {}) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: ns },
  data,
});

describe('KubeClient', () => {
  it('turns Status bodies into typed errors', async () => {
    const client = new KubeClient(controlPlane().kubeConfig);
    const ns = namespace();
    const missing = await client.get(configMaps, { namespace: ns, name: 'nope' }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ApiError);
    expect(isNotFound(missing)).toBe(true);
    expect((missing as ApiError).message).toContain('configmaps "nope" not found');

    await client.create(configMaps, cm(ns, 'once'));
    const twice = await client.create(configMaps, cm(ns, 'once')).catch((e: unknown) => e);
    expect(isAlreadyExists(twice)).toBe(true);

    const stale = await client
      .replace(configMaps, {
        ...cm(ns, 'once'),
        metadata: { name: 'once', namespace: ns, resourceVersion: '1' },
      })
      .catch((e: unknown) => e);
    expect(isConflict(stale)).toBe(true);
    expect(isAlreadyExists(stale)).toBe(false);

    const invalid = await client.create(configMaps, cm(ns, 'Not_A_Name')).catch((e: unknown) => e);
    expect(isInvalid(invalid)).toBe(true);
  });

  it('sends each patch with its own content type', async () => {
    const client = new KubeClient(controlPlane().kubeConfig);
    const ns = namespace();
    await client.create(configMaps, cm(ns, 'p', { a: '1', b: '2' }));
    const key = { namespace: ns, name: 'p' };
    const merged = await client.patch<KubeObject>(configMaps, key, 'merge', { data: { b: null, c: '3' } });
    expect(merged.data).toEqual({ a: '1', c: '3' });
    const patched = await client.patch<KubeObject>(configMaps, key, 'json', [
      { op: 'test', path: '/data/a', value: '1' },
      { op: 'replace', path: '/data/a', value: 'one' },
    ]);
    expect(patched.data).toEqual({ a: 'one', c: '3' });
    const applied = await client.patch<KubeObject>(configMaps, key, 'apply', cm(ns, 'p', { d: '4' }), {
      fieldManager: 'test-apply',
      force: true,
    });
    expect((applied.data as Record<string, string>).d).toBe('4');
    expect(() => client.patch(configMaps, key, 'apply', {})).toThrow(/fieldManager/);
  });

  it('writes MicroTime values the apiserver accepts', async () => {
    const client = new KubeClient(controlPlane().kubeConfig);
    const ns = namespace();
    expect(microTime(new Date('2026-01-02T03:04:05.678Z'))).toBe('2026-01-02T03:04:05.678000Z');
    const lease = await client.create<KubeObject & { spec: { renewTime: string } }>(leases, {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'l', namespace: ns },
      spec: { holderIdentity: 'me', leaseDurationSeconds: 15, renewTime: microTime() },
    });
    expect(lease.spec.renewTime).toMatch(/\.\d{6}Z$/);
  });

  it('counts requests by verb, resource and code, and leaves no abort listener behind', async () => {
    const client = new KubeClient(controlPlane().kubeConfig, { qps: 0 });
    const ns = namespace();
    const signal = new AbortController().signal;
    for (let i = 0; i < 25; i++) {
      await client.request('list', 'GET', `/api/v1/namespaces/${ns}/configmaps`, {
        resource: 'configmaps',
        signal,
      });
    }
    await client.get(configMaps, { namespace: ns, name: 'absent' }).catch(() => undefined);
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
    expect(client.tally.count({ verb: 'list', resource: 'configmaps', code: 200 })).toBe(25);
    expect(client.tally.count({ verb: 'get', code: 404 })).toBe(1);
    expect(client.tally.writes()).toBe(0);
  });

  it('limits a client to the 5 requests a second of client-go, after a burst of 10', async () => {
    const client = new KubeClient(controlPlane().kubeConfig, { qps: defaultQps, burst: defaultBurst });
    const ns = namespace();
    const started = performance.now();
    const answeredAt: number[] = [];
    client.tally.onRequest(() => answeredAt.push(performance.now() - started));
    const lists = Array.from({ length: 15 }, () => client.list(configMaps, ns));
    // A watch takes one token when it starts, like any request: here the 16th.
    const stop = new AbortController();
    let openedAt = 0;
    const watch = client.watch(configMaps, ns, {}, () => undefined, {
      signal: stop.signal,
      onOpen: () => (openedAt = performance.now() - started),
    });
    await Promise.all(lists);
    await eventually(() => (openedAt > 0 ? true : undefined), { what: 'the watch is open' });
    stop.abort();
    await watch;
    expect(answeredAt).toHaveLength(16);
    const sorted = answeredAt.slice(0, 15).sort((a, b) => a - b);
    // The 15th list waits for the 5th token after the burst (5 x 200 ms), the watch for the 6th.
    expect(sorted[14]).toBeGreaterThanOrEqual(950);
    expect(sorted[14]).toBeLessThan(5_000);
    expect(openedAt).toBeGreaterThanOrEqual(1_150);
    expect(client.tally.count({ verb: 'list', code: 200 })).toBe(15);
  });
});
