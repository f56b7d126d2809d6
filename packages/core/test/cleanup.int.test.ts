import { describe, expect, it } from 'vitest';
import { createNamespace } from '@mcp-controllers/testkit';
import { useControlPlane, useNamespace } from '@mcp-controllers/testkit/vitest';
import { deleteByLabel, deleteIfPresent } from '../src/cleanup.js';
import { isNotFound, KubeClient } from '../src/client/index.js';
import { removeFinalizer } from '../src/finalizers.js';
import { configMapResource, serviceResource, statefulSetResource } from '../src/kinds.js';
import type { KubeObject } from '../src/object.js';

const controlPlane = useControlPlane();
const namespace = useNamespace(controlPlane);
const finalizer = 'example.dev/hold';

function configMap(ns: string, name: string, labels: Record<string, string> = {}, finalizers?: string[]) {
  return {
    metadata: { name, namespace: ns, labels, ...(finalizers ? { finalizers } : {}) },
    data: { k: name },
  };
}

async function exists(client: KubeClient, resource = configMapResource, ns: string, name: string) {
  try {
    return await client.get<KubeObject>(resource, { namespace: ns, name });
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

describe('deleteIfPresent', () => {
  it('is idempotent: deletes, then reports nothing left without failing on 404', async () => {
    const client = new KubeClient(controlPlane().kubeConfig);
    const ns = namespace();
    await client.create(configMapResource, configMap(ns, 'a'));
    expect(await deleteIfPresent(client, configMapResource, { namespace: ns, name: 'a' })).toBe(false);
    expect(await exists(client, configMapResource, ns, 'a')).toBeUndefined();
    expect(await deleteIfPresent(client, configMapResource, { namespace: ns, name: 'a' })).toBe(false);
    expect(client.tally.count({ verb: 'delete', code: 404 })).toBe(1);
  });

  it('reports an object held by a finalizer as left until the finalizer goes', async () => {
    const client = new KubeClient(controlPlane().kubeConfig);
    const ns = namespace();
    await client.create(configMapResource, configMap(ns, 'held', {}, [finalizer]));
    const key = { namespace: ns, name: 'held' };
    expect(await deleteIfPresent(client, configMapResource, key)).toBe(true);
    expect(await deleteIfPresent(client, configMapResource, key)).toBe(true);
    const terminating = await exists(client, configMapResource, ns, 'held');
    expect(terminating?.metadata.deletionTimestamp).toBeDefined();
    await removeFinalizer(client, configMapResource, terminating!, finalizer);
    expect(await deleteIfPresent(client, configMapResource, key)).toBe(false);
  });

  it('with a uid precondition, leaves a newer object of the same name alone', async () => {
    const client = new KubeClient(controlPlane().kubeConfig);
    const ns = namespace();
    const first = await client.create<KubeObject>(configMapResource, configMap(ns, 'x'));
    await client.delete(configMapResource, { namespace: ns, name: 'x' });
    const second = await client.create<KubeObject>(configMapResource, configMap(ns, 'x'));
    const key = { namespace: ns, name: 'x' };
    expect(await deleteIfPresent(client, configMapResource, key, { uid: first.metadata.uid })).toBe(false);
    expect((await exists(client, configMapResource, ns, 'x'))?.metadata.uid).toBe(second.metadata.uid);
    expect(await deleteIfPresent(client, configMapResource, key, { uid: second.metadata.uid })).toBe(false);
    expect(await exists(client, configMapResource, ns, 'x')).toBeUndefined();
  });

  it("removes a runtime's StatefulSet and Service that carry no owner reference", async () => {
    const client = new KubeClient(controlPlane().kubeConfig);
    const ns = namespace();
    const labels = { app: 'runner' };
    await client.create(statefulSetResource, {
      metadata: { name: 'srv', namespace: ns, labels },
      spec: {
        serviceName: 'srv',
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: { containers: [{ name: 'mcp', image: 'example.dev/mcp:1' }] },
        },
      },
    });
    await client.create(serviceResource, {
      metadata: { name: 'mcp-srv-headless', namespace: ns, labels },
      spec: { clusterIP: 'None', selector: labels, ports: [{ port: 8080 }] },
    });
    expect(await deleteIfPresent(client, statefulSetResource, { namespace: ns, name: 'srv' })).toBe(false);
    expect(await deleteIfPresent(client, serviceResource, { namespace: ns, name: 'mcp-srv-headless' })).toBe(
      false,
    );
    expect(await exists(client, statefulSetResource, ns, 'srv')).toBeUndefined();
    expect(await exists(client, serviceResource, ns, 'mcp-srv-headless')).toBeUndefined();
  });

  it('reports a foreground deletion as left (it waits for the garbage collector)', async () => {
    const client = new KubeClient(controlPlane().kubeConfig);
    const ns = namespace();
    await client.create(configMapResource, configMap(ns, 'fg'));
    const key = { namespace: ns, name: 'fg' };
    expect(await deleteIfPresent(client, configMapResource, key, { propagationPolicy: 'Foreground' })).toBe(
      true,
    );
    // No kube-controller-manager runs here, so the foregroundDeletion finalizer stays.
    expect((await exists(client, configMapResource, ns, 'fg'))?.metadata.finalizers).toEqual([
      'foregroundDeletion',
    ]);
  });
});

describe('deleteByLabel', () => {
  it('deletes the matching objects of one namespace only and reports what is left', async () => {
    const kc = controlPlane().kubeConfig;
    const client = new KubeClient(kc);
    const ns = namespace();
    const elsewhere = await createNamespace(kc, 'other');
    const mine = { 'toolhive.stacklok.dev/mcp-server': 'srv' };
    await client.create(configMapResource, configMap(ns, 'one', mine));
    await client.create(configMapResource, configMap(ns, 'two', mine));
    await client.create(configMapResource, configMap(ns, 'held', mine, [finalizer]));
    await client.create(configMapResource, configMap(ns, 'unlabelled'));
    await client.create(configMapResource, configMap(elsewhere, 'one', mine));
    const selector = 'toolhive.stacklok.dev/mcp-server=srv';

    const first = await deleteByLabel(client, configMapResource, ns, selector);
    expect(first.deleted.sort()).toEqual(['one', 'two']);
    expect(first.left).toEqual(['held']);
    expect(await exists(client, configMapResource, ns, 'unlabelled')).toBeDefined();
    expect(await exists(client, configMapResource, elsewhere, 'one')).toBeDefined();

    expect(await deleteByLabel(client, configMapResource, ns, selector)).toEqual({
      deleted: [],
      left: ['held'],
    });
    const held = await exists(client, configMapResource, ns, 'held');
    await removeFinalizer(client, configMapResource, held!, finalizer);
    expect(await deleteByLabel(client, configMapResource, ns, selector)).toEqual({ deleted: [], left: [] });
  });

  it('refuses an empty selector, which would match everything', async () => {
    const client = new KubeClient(controlPlane().kubeConfig);
    await expect(deleteByLabel(client, configMapResource, namespace(), ' ')).rejects.toThrow(
      /empty label selector/,
    );
    expect(client.tally.count()).toBe(0);
  });
});
