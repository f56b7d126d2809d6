import { afterEach, describe, expect, it } from 'vitest';
import { eventually, startTcpProxy, type TcpProxy } from '@mcp-controllers/testkit';
import { useControlPlane, useNamespace } from '@mcp-controllers/testkit/vitest';
import { KubeClient } from '../src/client/index.js';
import type { KubeObject } from '../src/object.js';
import { Reflector } from '../src/reflector.js';
import { Store } from '../src/store.js';

const configMaps = { group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap', namespaced: true };
const controlPlane = useControlPlane();
const namespace = useNamespace(controlPlane);

interface Recorded {
  events: string[];
  reflector: Reflector;
  store: Store;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function startReflector(client: KubeClient, ns: string, extra: { throwOn?: string } = {}): Recorded {
  const events: string[] = [];
  const store = new Store();
  const name = (o: KubeObject) => o.metadata.name ?? '';
  const reflector = new Reflector({
    client,
    resource: configMaps,
    namespace: ns,
    store,
    backoff: { initialMs: 100, maxMs: 1_000 },
    handlers: [
      {
        onAdd: (o) => {
          if (name(o) === extra.throwOn) throw new Error('handler bug');
          events.push(`add ${name(o)}`);
        },
        onUpdate: (old, o) => {
          events.push(
            `update ${name(o)} ${JSON.stringify((old as { data?: unknown }).data)}->${JSON.stringify((o as { data?: unknown }).data)}`,
          );
        },
        onDelete: (o) => events.push(`delete ${name(o)}`),
      },
    ],
  });
  reflector.start();
  cleanups.push(() => reflector.stop());
  return { events, reflector, store };
}

const cm = (ns: string, name: string, data: Record<string, string> = {}) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: ns },
  data,
});

async function waitFor(events: string[], expected: string) {
  await eventually(() => (events.includes(expected) ? true : undefined), {
    timeoutMs: 20_000,
    what: `event "${expected}" (seen: ${events.join(', ')})`,
  });
}

describe('reflector against a real apiserver', () => {
  it('lists, then sees creates, updates with the old object, and deletes', async () => {
    const client = new KubeClient(controlPlane().kubeConfig);
    const ns = namespace();
    await client.create(configMaps, cm(ns, 'before'));
    const { events, reflector, store } = startReflector(client, ns);
    await eventually(() => (reflector.hasSynced() ? true : undefined), { what: 'initial sync' });
    expect(events).toEqual(['add before']);
    expect(store.get(`${ns}/before`)?.kind).toBe('ConfigMap'); // filled in for list items

    await client.create(configMaps, cm(ns, 'a', { v: '1' }));
    await waitFor(events, 'add a');
    await client.patch(configMaps, { namespace: ns, name: 'a' }, 'merge', { data: { v: '2' } });
    await waitFor(events, 'update a {"v":"1"}->{"v":"2"}');
    await client.delete(configMaps, { namespace: ns, name: 'a' });
    await waitFor(events, 'delete a');
    expect(store.get(`${ns}/a`)).toBeUndefined();
    expect(typeof store.get(`${ns}/before`)?.metadata.creationTimestamp).toBe('string'); // plain JSON
  });

  it('survives an apiserver restart and delivers what changed after it', async () => {
    const cp = controlPlane();
    const client = new KubeClient(cp.kubeConfig);
    const ns = namespace();
    const { events, reflector } = startReflector(client, ns);
    await eventually(() => (reflector.hasSynced() ? true : undefined), { what: 'initial sync' });
    await cp.stopApiServer();
    await eventually(() => (reflector.stats.failures > 0 ? true : undefined), { what: 'a failed reconnect' });
    await cp.startApiServer();
    await client.create(configMaps, cm(ns, 'after-restart'));
    await waitFor(events, 'add after-restart');
  });

  it('delivers changes made while it was disconnected', async () => {
    const cp = controlPlane();
    const direct = new KubeClient(cp.kubeConfig);
    const ns = namespace();
    await direct.create(configMaps, cm(ns, 'doomed'));
    await direct.create(configMaps, cm(ns, 'changed', { v: '1' }));
    const proxy: TcpProxy = await startTcpProxy({ host: '127.0.0.1', port: Number(new URL(cp.server).port) });
    cleanups.push(() => proxy.close());
    const { events, reflector } = startReflector(new KubeClient(proxy.kubeConfigFor(cp.kubeConfig)), ns);
    await eventually(() => (reflector.hasSynced() ? true : undefined), { what: 'initial sync' });

    proxy.cut();
    await direct.delete(configMaps, { namespace: ns, name: 'doomed' });
    await direct.patch(configMaps, { namespace: ns, name: 'changed' }, 'merge', { data: { v: '2' } });
    await direct.create(configMaps, cm(ns, 'born'));
    await eventually(() => (reflector.stats.failures > 0 ? true : undefined), {
      what: 'the reflector noticing the cut',
    });
    proxy.restore();
    await waitFor(events, 'delete doomed');
    await waitFor(events, 'update changed {"v":"1"}->{"v":"2"}');
    await waitFor(events, 'add born');
  });

  it('relists after 410 Gone and reports objects deleted meanwhile as deletes', async () => {
    const cp = controlPlane();
    const direct = new KubeClient(cp.kubeConfig);
    const ns = namespace();
    await direct.create(configMaps, cm(ns, 'vanishes'));
    await direct.create(configMaps, cm(ns, 'stays'));
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: Number(new URL(cp.server).port) });
    cleanups.push(() => proxy.close());
    const { events, reflector, store } = startReflector(
      new KubeClient(proxy.kubeConfigFor(cp.kubeConfig)),
      ns,
    );
    await eventually(() => (reflector.hasSynced() ? true : undefined), { what: 'initial sync' });

    proxy.cut();
    await direct.delete(configMaps, { namespace: ns, name: 'vanishes' });
    await direct.create(configMaps, cm(ns, 'appears'));
    // A fresh apiserver watch cache plus a compacted etcd: the old resource version is gone for good.
    await cp.stopApiServer();
    await cp.compactEtcd();
    await cp.startApiServer();
    proxy.restore();

    await waitFor(events, 'delete vanishes');
    await waitFor(events, 'add appears');
    expect(reflector.stats.relists).toBeGreaterThanOrEqual(1);
    expect(reflector.stats.lists).toBeGreaterThanOrEqual(2);
    expect(store.keys().sort()).toEqual([`${ns}/appears`, `${ns}/stays`]);
  });

  it('keeps going when a handler throws', async () => {
    const client = new KubeClient(controlPlane().kubeConfig);
    const ns = namespace();
    const { events, reflector } = startReflector(client, ns, { throwOn: 'poison' });
    await eventually(() => (reflector.hasSynced() ? true : undefined), { what: 'initial sync' });
    await client.create(configMaps, cm(ns, 'poison'));
    await client.create(configMaps, cm(ns, 'fine'));
    await waitFor(events, 'add fine');
    expect(reflector.stats.handlerErrors).toBe(1);
    expect(events).not.toContain('add poison');
  });
});
