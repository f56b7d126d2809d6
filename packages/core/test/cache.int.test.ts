/**
 * The shared cache against a real apiserver: one informer over several namespaces (a relist in one
 * must not wipe the others), and what it keeps of Secrets.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createNamespace, eventually, startFaultProxy } from '@mcp-controllers/testkit';
import { useControlPlane, useNamespace } from '@mcp-controllers/testkit/vitest';
import { Cache } from '../src/cache.js';
import { KubeClient } from '../src/client/index.js';
import { lastAppliedAnnotation } from '../src/transform.js';

const configMaps = { group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap', namespaced: true };
const secrets = { ...configMaps, plural: 'secrets', kind: 'Secret' };

const controlPlane = useControlPlane();
const namespace = useNamespace(controlPlane);

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const cm = (ns: string, name: string) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: ns },
});

describe('cache (real apiserver)', () => {
  it('relists one watched namespace without deleting the objects of the other', async () => {
    const cp = controlPlane();
    const direct = new KubeClient(cp.kubeConfig);
    const a = namespace();
    const b = await createNamespace(cp.kubeConfig);
    await direct.create(configMaps, cm(a, 'stays'));
    await direct.create(configMaps, cm(a, 'vanishes'));
    await direct.create(configMaps, cm(b, 'other'));
    const proxy = await startFaultProxy(cp.kubeConfig);
    cleanups.push(() => proxy.close());
    const cache = new Cache(new KubeClient(proxy.kubeConfig()), {
      namespaces: [a, b],
      reflector: { backoff: { initialMs: 50, maxMs: 200 } },
    });
    const informer = cache.informer(configMaps);
    cache.start();
    cleanups.push(() => cache.stop());
    await cache.waitForSync(20_000);
    const [reflectorA, reflectorB] = informer.reflectors;
    expect(informer.store.keys().sort()).toEqual([`${a}/stays`, `${a}/vanishes`, `${b}/other`].sort());

    // Namespace a's next watch answers 410, so a relists; b resumes its watch where it was.
    const gone = proxy.inject({
      match: (r) => r.watch && r.path.includes(`/namespaces/${a}/`),
      status: 410,
      reason: 'Expired',
      times: 1,
    });
    proxy.cut();
    await direct.delete(configMaps, { namespace: a, name: 'vanishes' });
    proxy.restore();
    await eventually(() => (informer.store.get(`${a}/vanishes`) ? undefined : true), {
      what: 'the relist of namespace a removing the vanished object',
    });
    expect(gone.hits()).toBe(1);
    expect(reflectorA?.stats.relists).toBe(1);
    expect(reflectorB?.stats.relists).toBe(0);
    expect(informer.store.keys().sort()).toEqual([`${a}/stays`, `${b}/other`].sort());
    expect(informer.health()).toEqual({ state: 'ok' });
    expect(cache.problems()).toEqual([]);
  });

  it('caches Secrets with their key names but without their values, managedFields or last-applied', async () => {
    const cp = controlPlane();
    const direct = new KubeClient(cp.kubeConfig);
    const ns = namespace();
    const value = Buffer.from('s3cr3t-value').toString('base64');
    await direct.create(secrets, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: 'creds',
        namespace: ns,
        annotations: { [lastAppliedAnnotation]: `{"data":"${value}"}`, keep: 'yes' },
      },
      data: { password: value, username: Buffer.from('admin').toString('base64') },
    });
    const cache = new Cache(direct, { namespaces: [ns] });
    const informer = cache.informer(secrets);
    cache.start();
    cleanups.push(() => cache.stop());
    await cache.waitForSync(20_000);
    const listed = informer.store.get(`${ns}/creds`);
    expect(listed?.data).toEqual({ password: '', username: '' });
    expect(listed?.metadata.annotations).toEqual({ keep: 'yes' });
    expect(listed?.metadata).not.toHaveProperty('managedFields');

    // The same through a watch event.
    await direct.patch(secrets, { namespace: ns, name: 'creds' }, 'merge', { data: { token: value } });
    await eventually(
      () =>
        (informer.store.get(`${ns}/creds`)?.data as Record<string, string> | undefined)?.token === '' ||
        undefined,
      {
        what: 'the update in the cache',
      },
    );
    const watched = informer.store.get(`${ns}/creds`);
    expect(watched?.data).toEqual({ password: '', username: '', token: '' });
    expect(JSON.stringify(informer.store.list())).not.toContain(value);
  });
});
