import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually, installCRDs, widget, widgetCRD, widgetResource } from '@mcp-controllers/testkit';
import { useControlPlane, useNamespace } from '@mcp-controllers/testkit/vitest';
import { applyOwned } from '../src/apply.js';
import { Cache } from '../src/cache.js';
import { KubeClient, keyOf, type ResourceRef } from '../src/client/index.js';
import { appliedHashAnnotation } from '../src/drift.js';
import { configMapResource, deploymentResource, secretResource, serviceResource } from '../src/kinds.js';
import type { KubeObject } from '../src/object.js';
import { OwnershipConflictError, withOwner } from '../src/owner.js';

const controlPlane = useControlPlane();
const namespace = useNamespace(controlPlane);
beforeAll(async () => {
  await installCRDs(controlPlane().kubeConfig, [widgetCRD]);
});

const fieldManager = 'mcp-test-controller';
const ownedApply = (
  client: KubeClient,
  resource: ResourceRef,
  desired: KubeObject,
  cached: KubeObject | undefined,
  extra: { createOnly?: boolean; cacheComplete?: boolean; adoptOrphans?: boolean } = {},
) => applyOwned({ client, resource, desired, cached, fieldManager, ...extra });
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Spec {
  image?: string;
  env?: Record<string, string>;
}

// Pure builders, as a controller has them: the only source of both creation and drift detection.
function deploymentFor(owner: KubeObject, spec: Spec = {}): KubeObject {
  const name = owner.metadata.name ?? '';
  const labels = { app: 'widget', instance: name };
  const env = Object.entries(spec.env ?? { MODE: 'test' }).map(([k, value]) => ({ name: k, value }));
  return withOwner(
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace: owner.metadata.namespace, labels },
      spec: {
        // replicas deliberately unset: an HPA or `kubectl scale` owns it
        selector: { matchLabels: labels },
        template: {
          metadata: { labels, annotations: { 'example.dev/config-hash': 'abc' } },
          spec: {
            containers: [
              {
                name: 'app',
                image: spec.image ?? 'example.dev/app:1',
                args: ['serve', '--port=8080'],
                ports: [{ name: 'http', containerPort: 8080 }],
                // fieldRef.apiVersion is defaulted to v1 by the apiserver
                env: [...env, { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
                resources: { requests: { cpu: '100m', memory: '128Mi' } },
              },
            ],
          },
        },
      },
    },
    owner,
  );
}

function serviceFor(owner: KubeObject): KubeObject {
  const name = owner.metadata.name ?? '';
  return withOwner(
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: `svc-${name}`, namespace: owner.metadata.namespace },
      // clusterIP, sessionAffinity and type are left to apiserver defaulting; protocol is a key of
      // the ports list-map, which server-side apply on v1.20 requires in the body
      spec: {
        selector: { app: 'widget', instance: name },
        ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }],
      },
    },
    owner,
  );
}

function configMapFor(
  owner: KubeObject,
  data: Record<string, string> = { 'config.yaml': 'a: 1\n' },
): KubeObject {
  const name = owner.metadata.name ?? '';
  return withOwner(
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: `${name}-config`, namespace: owner.metadata.namespace },
      data,
    },
    owner,
  );
}

async function setup() {
  const kc = controlPlane().kubeConfig;
  const ns = namespace();
  const client = new KubeClient(kc); // the controller's writes, counted
  const other = new KubeClient(kc); // another actor (kubectl, an HPA)
  const cache = new Cache(new KubeClient(kc), { namespaces: [ns] });
  for (const r of [deploymentResource, serviceResource, configMapResource, secretResource]) cache.informer(r);
  cache.start();
  cleanups.push(() => cache.stop());
  await cache.waitForSync(10_000);
  const owner = await other.create<KubeObject>(widgetResource, widget(ns, 'w'));
  const cached = (r: ResourceRef, desired: KubeObject) => cache.store(r).get(keyOf(desired));
  /** Waits until the cache holds `obj`'s resourceVersion, as a reconcile triggered by its event would. */
  const synced = (r: ResourceRef, obj: KubeObject) =>
    eventually(() => {
      const c = cache.store(r).get(keyOf(obj));
      return c?.metadata.resourceVersion === obj.metadata.resourceVersion ? c : undefined;
    });
  const apply = (r: ResourceRef, desired: KubeObject) => ownedApply(client, r, desired, cached(r, desired));
  return { ns, client, other, cache, owner, synced, apply };
}

describe('applyOwned', () => {
  it('creates each child with one write, then costs zero requests while nothing changes', async () => {
    const { client, owner, synced, apply } = await setup();
    const children: [ResourceRef, KubeObject][] = [
      [deploymentResource, deploymentFor(owner)],
      [serviceResource, serviceFor(owner)],
      [configMapResource, configMapFor(owner)],
    ];
    for (const [r, desired] of children) {
      const outcome = await apply(r, desired);
      expect(outcome.action).toBe('created');
      expect(outcome.object.metadata).toHaveProperty('managedFields');
      // What reconciles compare against: the cache's copy, managedFields stripped.
      expect((await synced(r, outcome.object)).metadata).not.toHaveProperty('managedFields');
    }
    expect(client.tally.writes()).toBe(3);
    const requests = client.tally.count();
    for (let round = 0; round < 5; round++) {
      for (const [r, desired] of children) expect((await apply(r, desired)).action).toBe('unchanged');
    }
    expect(client.tally.count()).toBe(requests); // not even a read: the cache answered
    // The apiserver did default what we left out; none of it caused a write.
    const deployment = (await apply(deploymentResource, deploymentFor(owner))).object;
    expect(deployment.spec).toMatchObject({
      revisionHistoryLimit: 10,
      strategy: { type: 'RollingUpdate' },
      template: {
        spec: {
          containers: [
            {
              imagePullPolicy: 'IfNotPresent',
              terminationMessagePath: '/dev/termination-log',
              env: [
                { name: 'MODE', value: 'test' },
                { name: 'POD', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } },
              ],
            },
          ],
        },
      },
    });
    const service = (await apply(serviceResource, serviceFor(owner))).object;
    expect(service.spec).toMatchObject({
      sessionAffinity: 'None',
      type: 'ClusterIP',
      ports: [{ port: 80, protocol: 'TCP', targetPort: 8080 }],
    });
    expect((service.spec as { clusterIP?: string }).clusterIP).toMatch(/^10\./);
    expect(client.tally.writes()).toBe(3);
  });

  it('keeps a rollout restart, foreign labels and replicas scaled by someone else, at zero writes', async () => {
    const { ns, client, other, owner, synced, apply } = await setup();
    const created = (await apply(deploymentResource, deploymentFor(owner))).object;
    const key = { namespace: ns, name: 'w' };
    const restartedAt = '2026-11-28T18:00:00Z';
    await other.patch(
      deploymentResource,
      key,
      'merge',
      {
        spec: {
          template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': restartedAt } } },
        },
      },
      { fieldManager: 'kubectl-rollout' },
    );
    await other.patch(
      deploymentResource,
      key,
      'merge',
      { metadata: { labels: { team: 'platform' }, annotations: { note: 'x' } } },
      {
        fieldManager: 'kubectl-label',
      },
    );
    const scaled = await other.patch<KubeObject>(
      deploymentResource,
      key,
      'merge',
      { spec: { replicas: 3 } },
      {
        subresource: 'scale',
        fieldManager: 'hpa',
      },
    );
    expect(scaled.spec).toMatchObject({ replicas: 3 });
    const live = await other.get<KubeObject>(deploymentResource, key);
    expect(live.metadata.resourceVersion).not.toBe(created.metadata.resourceVersion);
    await synced(deploymentResource, live);
    const writes = client.tally.writes();
    expect((await apply(deploymentResource, deploymentFor(owner))).action).toBe('unchanged');
    expect(client.tally.writes()).toBe(writes);

    // A real change of ours is applied, and still leaves everything of theirs alone.
    const updated = await apply(deploymentResource, deploymentFor(owner, { image: 'example.dev/app:2' }));
    expect(updated.action).toBe('updated');
    expect(client.tally.writes()).toBe(writes + 1);
    const after = await other.get<KubeObject & { spec: Record<string, unknown> }>(deploymentResource, key);
    expect(after.metadata.labels).toMatchObject({ team: 'platform', app: 'widget' });
    expect(after.metadata.annotations).toMatchObject({ note: 'x' });
    expect(after.spec).toMatchObject({
      replicas: 3,
      template: {
        metadata: {
          annotations: { 'kubectl.kubernetes.io/restartedAt': restartedAt, 'example.dev/config-hash': 'abc' },
        },
        spec: { containers: [{ image: 'example.dev/app:2' }] },
      },
    });
  });

  it('repairs drift in a field we manage with exactly one write', async () => {
    const { ns, client, other, owner, synced, apply } = await setup();
    await apply(deploymentResource, deploymentFor(owner));
    const edited = await other.patch<KubeObject>(
      deploymentResource,
      { namespace: ns, name: 'w' },
      'json',
      [{ op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'evil.dev/app:6' }],
      { fieldManager: 'kubectl-edit' },
    );
    await synced(deploymentResource, edited);
    const writes = client.tally.writes();
    const repaired = await apply(deploymentResource, deploymentFor(owner));
    expect(repaired).toMatchObject({
      action: 'updated',
      reason: 'spec.template.spec.containers[name=app].image',
    });
    expect(client.tally.writes()).toBe(writes + 1);
    expect(repaired.object.spec).toMatchObject({
      template: { spec: { containers: [{ image: 'example.dev/app:1' }] } },
    });
    await synced(deploymentResource, repaired.object);
    expect((await apply(deploymentResource, deploymentFor(owner))).action).toBe('unchanged');
    expect(client.tally.writes()).toBe(writes + 1);
  });

  it('removes an env var the builder stopped setting, with one write', async () => {
    const { ns, client, other, owner, synced, apply } = await setup();
    const two = { env: { MODE: 'test', DEBUG: '1' } };
    await synced(deploymentResource, (await apply(deploymentResource, deploymentFor(owner, two))).object);
    const writes = client.tally.writes();
    const outcome = await apply(deploymentResource, deploymentFor(owner, { env: { MODE: 'test' } }));
    expect(outcome).toMatchObject({
      action: 'updated',
      reason: `metadata.annotations.${appliedHashAnnotation}`,
    });
    expect(client.tally.writes()).toBe(writes + 1);
    const live = await other.get<KubeObject>(deploymentResource, { namespace: ns, name: 'w' });
    const env = (live.spec as { template: { spec: { containers: { env: { name: string }[] }[] } } }).template
      .spec.containers[0]!.env;
    expect(env.map((e) => e.name)).toEqual(['MODE', 'POD']);
    await synced(deploymentResource, outcome.object);
    expect((await apply(deploymentResource, deploymentFor(owner, { env: { MODE: 'test' } }))).action).toBe(
      'unchanged',
    );
    expect(client.tally.writes()).toBe(writes + 1);
  });

  it('reads once instead of writing when the cache has not seen the object yet', async () => {
    const { client, owner } = await setup();
    const desired = configMapFor(owner);
    await ownedApply(client, configMapResource, desired, undefined);
    const writes = client.tally.writes();
    const again = await ownedApply(client, configMapResource, desired, undefined);
    expect(again.action).toBe('unchanged');
    expect(client.tally.writes()).toBe(writes);
    expect(client.tally.count({ verb: 'get', code: 200 })).toBe(1);
  });

  it('a cache lagging behind our own write costs one no-op apply, not a loop', async () => {
    const { client, owner, synced } = await setup();
    const v1 = await ownedApply(client, configMapResource, configMapFor(owner), undefined);
    const desired = configMapFor(owner, { 'config.yaml': 'a: 2\n' });
    const v2 = await ownedApply(client, configMapResource, desired, v1.object);
    // A reconcile that still sees v1 in the cache applies again; the apiserver stores nothing new.
    const stale = await ownedApply(client, configMapResource, desired, v1.object);
    expect(stale.action).toBe('updated');
    expect(stale.object.metadata.resourceVersion).toBe(v2.object.metadata.resourceVersion);
    const writes = client.tally.writes();
    const fresh = await synced(configMapResource, v2.object);
    expect((await ownedApply(client, configMapResource, desired, fresh)).action).toBe('unchanged');
    expect(client.tally.writes()).toBe(writes);
  });

  it('refuses to take over a child controlled by another owner, without writing', async () => {
    const { ns, client, other, owner } = await setup();
    const rival = await other.create<KubeObject>(widgetResource, widget(ns, 'rival'));
    const theirs = withOwner(
      { metadata: { name: 'w-config', namespace: ns }, data: { theirs: 'yes' } },
      rival,
    );
    await other.create(configMapResource, theirs);
    const attempt = ownedApply(client, configMapResource, configMapFor(owner), undefined);
    await expect(attempt).rejects.toBeInstanceOf(OwnershipConflictError);
    await expect(attempt).rejects.toMatchObject({
      conflict: {
        reason: 'ControlledByAnother',
        message: `ConfigMap ${ns}/w-config exists and is controlled by Widget rival, not by Widget w; delete it or rename it`,
      },
    });
    expect(client.tally.writes()).toBe(0);
    const live = await other.get<KubeObject>(configMapResource, { namespace: ns, name: 'w-config' });
    expect(live.data).toEqual({ theirs: 'yes' });
  });

  describe('with a complete cache (cacheComplete)', () => {
    const complete = { cacheComplete: true };

    it('creates a child the cache lacks with one request, and reads nothing', async () => {
      const { client, owner } = await setup();
      const outcome = await ownedApply(client, configMapResource, configMapFor(owner), undefined, complete);
      expect(outcome).toMatchObject({ action: 'created', reason: 'absent' });
      expect(outcome.object.metadata.ownerReferences).toMatchObject([{ uid: owner.metadata.uid }]);
      expect(client.tally.count()).toBe(1);
      expect(client.tally.count({ verb: 'patch', code: 201 })).toBe(1);
    });

    it('still refuses an object of another owner that the cache has not seen, and leaves it as it was', async () => {
      const { ns, client, other, owner } = await setup();
      const rival = await other.create<KubeObject>(widgetResource, widget(ns, 'rival'));
      const theirs = withOwner(
        { metadata: { name: 'w-config', namespace: ns }, data: { theirs: 'yes' } },
        rival,
      );
      const before = await other.create<KubeObject>(configMapResource, theirs);
      const attempt = ownedApply(client, configMapResource, configMapFor(owner), undefined, complete);
      await expect(attempt).rejects.toMatchObject({ conflict: { reason: 'ControlledByAnother' } });
      await expect(attempt).rejects.toBeInstanceOf(OwnershipConflictError);
      const live = await other.get<KubeObject>(configMapResource, { namespace: ns, name: 'w-config' });
      expect(live.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
      expect(live.metadata.ownerReferences).toEqual(before.metadata.ownerReferences);
      expect(live.data).toEqual({ theirs: 'yes' });
      // The refused apply, then the read that names the owner: no write went through.
      expect(client.tally.count({ verb: 'patch', code: 422 })).toBe(1);
      expect(client.tally.count({ verb: 'get', code: 200 })).toBe(1);
    });

    it('adopts an orphan the cache has not seen, as it would after a read', async () => {
      const { ns, client, other, owner } = await setup();
      await other.create(configMapResource, {
        metadata: { name: 'w-config', namespace: ns, labels: { team: 'platform' } },
        data: { old: 'x' },
      });
      const outcome = await ownedApply(client, configMapResource, configMapFor(owner), undefined, complete);
      expect(outcome.object.metadata.ownerReferences).toMatchObject([
        { uid: owner.metadata.uid, controller: true },
      ]);
      expect(outcome.object.metadata.labels).toEqual({ team: 'platform' });
      expect(outcome.object.data).toMatchObject({ 'config.yaml': 'a: 1\n' });
    });

    it('reads first for createOnly and adoptOrphans: false', async () => {
      const { ns, client, other, owner } = await setup();
      const secret = withOwner(
        { metadata: { name: 'w-hmac', namespace: ns }, type: 'Opaque', data: { key: 'Zmlyc3Q=' } },
        owner,
      );
      await other.create(secretResource, secret);
      const replacement = { ...secret, data: { key: 'c2Vjb25k' } };
      const kept = await ownedApply(client, secretResource, replacement, undefined, {
        ...complete,
        createOnly: true,
      });
      expect(kept.action).toBe('unchanged');
      await other.create(configMapResource, { metadata: { name: 'w-config', namespace: ns } });
      const orphan = ownedApply(client, configMapResource, configMapFor(owner), undefined, {
        ...complete,
        adoptOrphans: false,
      });
      await expect(orphan).rejects.toMatchObject({ conflict: { reason: 'NotControlled' } });
      expect(client.tally.writes()).toBe(0);
      expect((await other.get<KubeObject>(secretResource, { namespace: ns, name: 'w-hmac' })).data).toEqual({
        key: 'Zmlyc3Q=',
      });
    });
  });

  it('createOnly: creates a generated Secret once and never overwrites it', async () => {
    const { ns, client, other, owner } = await setup();
    const secret = (value: string) =>
      withOwner(
        {
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name: 'w-hmac', namespace: ns },
          type: 'Opaque',
          data: { key: value },
        },
        owner,
      );
    const first = await ownedApply(client, secretResource, secret('Zmlyc3Q='), undefined, {
      createOnly: true,
    });
    expect(first.action).toBe('created');
    const second = await ownedApply(client, secretResource, secret('c2Vjb25k'), first.object, {
      createOnly: true,
    });
    expect(second.action).toBe('unchanged');
    expect(client.tally.writes()).toBe(1);
    expect((await other.get<KubeObject>(secretResource, { namespace: ns, name: 'w-hmac' })).data).toEqual({
      key: 'Zmlyc3Q=',
    });
  });
});
