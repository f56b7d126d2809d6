// applyChildren against a real apiserver: the children of one primary applied together (the waves'
// order is applyWaves', unit-tested in apply-order.test.ts), nothing sent when nothing drifted, an ownership conflict collected while every other child is still
// applied, and the Deployment's replicas set under a field manager of their own, only without conflicts.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually, installCRDs, widget, widgetCRD, widgetResource } from '@mcp-controllers/testkit';
import { useControlPlane, useNamespace } from '@mcp-controllers/testkit/vitest';
import { Cache } from '../src/cache.js';
import { applyChildren } from '../src/children.js';
import { KubeClient, type ResourceRef } from '../src/client/index.js';
import { configMapResource, deploymentResource, serviceAccountResource } from '../src/kinds.js';
import { silentLogger } from '../src/log.js';
import type { KubeObject } from '../src/object.js';
import { withOwner } from '../src/owner.js';

const controlPlane = useControlPlane();
const namespace = useNamespace(controlPlane);
beforeAll(async () => {
  await installCRDs(controlPlane().kubeConfig, [widgetCRD]);
});
const stops: (() => void)[] = [];
afterEach(() => {
  for (const stop of stops.splice(0)) stop();
});

const fieldManager = 'mcp-test-controller';
type Deployment = KubeObject & {
  spec?: { replicas?: number };
  metadata: { managedFields?: { manager?: string; fieldsV1?: { 'f:spec'?: Record<string, unknown> } }[] };
};

function children(owner: KubeObject): { resource: ResourceRef; object: KubeObject }[] {
  const name = owner.metadata.name ?? '';
  const ns = owner.metadata.namespace;
  const labels = { app: 'widget', instance: name };
  return [
    {
      resource: serviceAccountResource,
      object: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: ns } },
    },
    {
      resource: configMapResource,
      object: {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: `${name}-config`, namespace: ns },
        data: { a: '1' },
      },
    },
    {
      resource: deploymentResource,
      object: {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name, namespace: ns, labels },
        spec: {
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: { serviceAccountName: name, containers: [{ name: 'app', image: 'example.dev/app:1' }] },
          },
        },
      },
    },
  ];
}

async function setup() {
  const kc = controlPlane().kubeConfig;
  const ns = namespace();
  const client = new KubeClient(kc); // the controller's requests, counted
  const admin = new KubeClient(kc);
  const cache = new Cache(new KubeClient(kc), { namespaces: [ns] });
  for (const r of [deploymentResource, configMapResource, serviceAccountResource]) cache.informer(r);
  cache.start();
  stops.push(() => void cache.stop());
  expect(await cache.waitForSync(10_000)).toBe(true);
  const owner = await admin.create<KubeObject>(widgetResource, widget(ns, 'w'));
  const apply = (replicas?: number) =>
    applyChildren({
      client,
      cache,
      owner,
      ownerResource: widgetResource,
      children: children(owner),
      replicas,
      fieldManager,
      log: silentLogger,
    });
  /** Every child as the cache holds it, once it holds them all. */
  const cachedChildren = () => {
    const found = children(owner).map(({ resource, object }) =>
      cache.store(resource).get(`${ns}/${object.metadata.name ?? ''}`),
    );
    return found.every((c) => c !== undefined) ? found : undefined;
  };
  return { ns, client, admin, cache, owner, apply, cachedChildren };
}

describe('applyChildren', () => {
  it('creates every child owned by the primary; sends nothing once the cache shows them unchanged', async () => {
    const { client, owner, apply, cachedChildren } = await setup();
    expect(await apply()).toEqual([]);
    expect(client.tally.writes()).toBe(3);
    // Creations come into the cache by the watch (writeThrough only refreshes cached objects).
    const cached = await eventually(() => cachedChildren());
    for (const child of cached) {
      expect(child.metadata.ownerReferences).toEqual([
        expect.objectContaining({ uid: owner.metadata.uid, controller: true }),
      ]);
    }
    const requests = client.tally.count();
    expect(await apply()).toEqual([]);
    expect(client.tally.count()).toBe(requests);
  });

  it("sets the Deployment's replicas under a field manager of their own, once; none when unset", async () => {
    const { ns, client, admin, apply, cachedChildren } = await setup();
    await apply();
    await eventually(() => cachedChildren());
    const unset = await admin.get<Deployment>(deploymentResource, { namespace: ns, name: 'w' });
    expect(managersOf(unset, 'f:replicas')).not.toContain(`${fieldManager}-replicas`);
    await apply(3);
    const deployment = await admin.get<Deployment>(deploymentResource, { namespace: ns, name: 'w' });
    expect(deployment.spec?.replicas).toBe(3);
    expect(managersOf(deployment, 'f:replicas')).toEqual([`${fieldManager}-replicas`]);
    const writes = client.tally.writes();
    await apply(3);
    expect(client.tally.writes()).toBe(writes);
  });

  it('collects an ownership conflict, applies every other child, and leaves the replicas alone', async () => {
    const { ns, client, admin, cache, apply } = await setup();
    const rival = await admin.create<KubeObject>(widgetResource, widget(ns, 'rival'));
    const [, configMap] = children(rival);
    const taken = await admin.create<KubeObject>(
      configMapResource,
      withOwner(
        { ...configMap!.object, metadata: { ...configMap!.object.metadata, name: 'w-config' } },
        rival,
        widgetResource,
      ),
    );
    await eventually(() => cache.store(configMapResource).get(`${ns}/w-config`));

    expect((await apply()).map((c) => c.message)).toEqual([expect.stringContaining('w-config')]);
    expect(client.tally.writes()).toBe(2); // the ServiceAccount and the Deployment
    await eventually(() => cache.store(deploymentResource).get(`${ns}/w`));
    // The Deployment is ours and cached now: only the conflict keeps its replicas from being set.
    expect((await apply(3)).map((c) => c.message)).toEqual([expect.stringContaining('w-config')]);
    expect(client.tally.writes()).toBe(2);
    const stillTheirs = await admin.get<KubeObject>(configMapResource, { namespace: ns, name: 'w-config' });
    expect(stillTheirs.metadata.resourceVersion).toBe(taken.metadata.resourceVersion);
    const deployment = await admin.get<Deployment>(deploymentResource, { namespace: ns, name: 'w' });
    expect(managersOf(deployment, 'f:replicas')).not.toContain(`${fieldManager}-replicas`);
    expect(deployment.metadata.ownerReferences?.[0]?.name).toBe('w');
  });
});

/** The field managers that own `spec.<field>` of an object read with its managedFields. */
function managersOf(object: Deployment, field: string): (string | undefined)[] {
  return (object.metadata.managedFields ?? [])
    .filter((m) => m.fieldsV1?.['f:spec']?.[field] !== undefined)
    .map((m) => m.manager);
}
