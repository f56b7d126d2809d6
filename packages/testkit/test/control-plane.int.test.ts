import { CoreV1Api, CustomObjectsApi, Watch } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { eventually, installCRDs, pidAlive, startControlPlane } from '../src/index.js';
import { useControlPlane, useNamespace } from '../src/vitest.js';

const crdPath = new URL('./fixtures/widgets-crd.yaml', import.meta.url).pathname;
const widgets = { group: 'testkit.mcp-controllers.dev', version: 'v1', plural: 'widgets' };

const controlPlane = useControlPlane();
const namespace = useNamespace(controlPlane);

describe('a real control plane', () => {
  it('serves a CRD with a status subresource, watches, generations and finalizers', async () => {
    const kc = controlPlane().kubeConfig;
    expect(await installCRDs(kc, [crdPath])).toEqual(['widgets.testkit.mcp-controllers.dev']);
    const api = kc.makeApiClient(CustomObjectsApi);
    const ns = namespace();

    const seen: string[] = [];
    const watch = await new Watch(kc).watch(
      `/apis/${widgets.group}/${widgets.version}/namespaces/${ns}/${widgets.plural}`,
      {},
      (phase) => seen.push(phase),
      () => undefined,
    );
    try {
      const body = {
        apiVersion: `${widgets.group}/${widgets.version}`,
        kind: 'Widget',
        metadata: { name: 'w1', finalizers: ['testkit.mcp-controllers.dev/hold'] },
        spec: { size: 3 },
      };
      const created = (await api.createNamespacedCustomObject({ ...widgets, namespace: ns, body })) as {
        metadata: { generation: number };
        spec: { color: string };
      };
      expect(created.metadata.generation).toBe(1);
      expect(created.spec.color).toBe('blue'); // the schema default was applied
      await eventually(() => (seen.includes('ADDED') ? true : undefined), { what: 'watch ADDED' });

      const get = async () =>
        (await api.getNamespacedCustomObject({ ...widgets, namespace: ns, name: 'w1' })) as {
          metadata: { generation: number; deletionTimestamp?: string };
          status?: { phase: string };
        };
      await api.replaceNamespacedCustomObjectStatus({
        ...widgets,
        namespace: ns,
        name: 'w1',
        body: { ...(await get()), status: { phase: 'Ready' } },
      });
      const afterStatus = await get();
      expect(afterStatus.status?.phase).toBe('Ready');
      expect(afterStatus.metadata.generation).toBe(1);

      await api.replaceNamespacedCustomObject({
        ...widgets,
        namespace: ns,
        name: 'w1',
        body: { ...(await get()), spec: { size: 4, color: 'blue' } },
      });
      expect((await get()).metadata.generation).toBe(2);

      await api.deleteNamespacedCustomObject({ ...widgets, namespace: ns, name: 'w1' });
      const held = await get();
      expect(held.metadata.deletionTimestamp).toMatch(/^\d{4}-/);
      await api.replaceNamespacedCustomObject({
        ...widgets,
        namespace: ns,
        name: 'w1',
        body: { ...held, metadata: { ...held.metadata, finalizers: [] } },
      });
      await eventually(() => (seen.includes('DELETED') ? true : undefined), { what: 'watch DELETED' });
      await expect(get()).rejects.toMatchObject({ code: 404 });
    } finally {
      watch.abort();
    }
  });

  it('rejects an object that breaks the schema with a 422 naming the field', async () => {
    const kc = controlPlane().kubeConfig;
    await installCRDs(kc, [crdPath]);
    const body = {
      apiVersion: 'testkit.mcp-controllers.dev/v1',
      kind: 'Widget',
      metadata: { name: 'big' },
      spec: { size: 101 },
    };
    const attempt = kc
      .makeApiClient(CustomObjectsApi)
      .createNamespacedCustomObject({ ...widgets, namespace: namespace(), body });
    await expect(attempt).rejects.toMatchObject({
      code: 422,
      body: expect.stringContaining('spec.size') as unknown,
    });
  });

  it('keeps objects across an apiserver restart with etcd kept', async () => {
    const cp = controlPlane();
    const core = cp.kubeConfig.makeApiClient(CoreV1Api);
    const ns = namespace();
    await core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: 'survivor' }, data: { a: '1' } },
    });
    const etcdPid = cp.pids()[0];
    await cp.stopApiServer();
    await expect(core.readNamespacedConfigMap({ namespace: ns, name: 'survivor' })).rejects.toThrow();
    await cp.startApiServer();
    expect(cp.pids()[0]).toBe(etcdPid);
    const back = await core.readNamespacedConfigMap({ namespace: ns, name: 'survivor' });
    expect(back.data).toEqual({ a: '1' });
  });

  it('answers 410 Gone for a resource version older than an etcd compaction', async () => {
    const cp = controlPlane();
    const core = cp.kubeConfig.makeApiClient(CoreV1Api);
    const ns = namespace();
    const first = await core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: 'old' } },
    });
    for (let i = 0; i < 3; i++) {
      await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: `newer-${i}` } } });
    }
    // With the apiserver down, no watch cache holds the old history; after compaction etcd no longer does.
    await cp.stopApiServer();
    await cp.compactEtcd();
    await cp.startApiServer();
    const outcome = await new Promise<string>((resolve) => {
      void new Watch(cp.kubeConfig).watch(
        `/api/v1/namespaces/${ns}/configmaps`,
        { resourceVersion: first.metadata!.resourceVersion! },
        (phase, obj: { code?: number }) => {
          if (phase === 'ERROR') resolve(`ERROR ${obj.code}`);
        },
        (err: unknown) => {
          resolve(err instanceof Error ? `done ${err.message}` : 'done');
        },
      );
    });
    expect(outcome).toMatch(/410|Gone|too old/);
  });

  it('runs two control planes side by side without clashes and leaves no process behind', async () => {
    const second = await startControlPlane();
    try {
      expect(second.server).not.toBe(controlPlane().server);
      const names = await Promise.all(
        [controlPlane(), second].map(async (cp) => {
          const list = await cp.kubeConfig.makeApiClient(CoreV1Api).listNamespace();
          return list.items.map((n) => n.metadata?.name);
        }),
      );
      for (const list of names) expect(list).toContain('default');
    } finally {
      await second.stop();
    }
    expect(second.allPids().length).toBeGreaterThanOrEqual(2);
    expect(second.allPids().filter(pidAlive)).toEqual([]);
  });
});
