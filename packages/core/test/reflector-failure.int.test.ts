/**
 * The reflector under failure against a real apiserver: expired continue tokens (fault proxy), RBAC
 * revoked after the sync (a real ServiceAccount), a CRD deleted and re-installed while it runs.
 */
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, installCRDs, startFaultProxy, widgetCRD } from '@mcp-controllers/testkit';
import { useControlPlane, useNamespace } from '@mcp-controllers/testkit/vitest';
import { KubeClient } from '../src/client/index.js';
import type { KubeObject } from '../src/object.js';
import { Reflector, type ReflectorOptions } from '../src/reflector.js';
import { Store } from '../src/store.js';

const configMaps = { group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap', namespaced: true };
const serviceAccounts = { ...configMaps, plural: 'serviceaccounts', kind: 'ServiceAccount' };
const rbac = { group: 'rbac.authorization.k8s.io', version: 'v1', namespaced: true };
const roles = { ...rbac, plural: 'roles', kind: 'Role' };
const roleBindings = { ...rbac, plural: 'rolebindings', kind: 'RoleBinding' };
const crds = {
  group: 'apiextensions.k8s.io',
  version: 'v1',
  plural: 'customresourcedefinitions',
  kind: 'CustomResourceDefinition',
  namespaced: false,
};
/** A CRD of this file alone (the Widget CRD under another name): deleting it disturbs no other test. */
const gadgetGroup = 'reflector-failure.mcp-controllers.dev';
const gadgets = { group: gadgetGroup, version: 'v1', plural: 'gadgets', kind: 'Gadget', namespaced: true };
const gadgetCRD = {
  ...widgetCRD,
  metadata: { name: `gadgets.${gadgetGroup}` },
  spec: {
    ...widgetCRD.spec,
    group: gadgetGroup,
    names: { plural: 'gadgets', singular: 'gadget', kind: 'Gadget' },
  },
};

const controlPlane = useControlPlane();
const namespace = useNamespace(controlPlane);

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function startReflector(
  client: KubeClient,
  options: Partial<ReflectorOptions<KubeObject>> & { resource?: ReflectorOptions<KubeObject>['resource'] },
): { reflector: Reflector; store: Store; states: string[] } {
  const store = new Store();
  const states: string[] = [];
  const reflector = new Reflector({
    client,
    resource: configMaps,
    store,
    backoff: { initialMs: 100, maxMs: 1_000 },
    ...options,
  });
  reflector.onStateChange(() => states.push(reflector.health().state));
  reflector.start();
  cleanups.push(() => reflector.stop());
  return { reflector, store, states };
}

const cm = (ns: string, name: string) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: ns },
});
const waitForState = (reflector: Reflector, state: string, timeoutMs = 20_000) =>
  eventually(() => (reflector.health().state === state ? true : undefined), {
    timeoutMs,
    what: `health ${state} (now ${JSON.stringify(reflector.health())})`,
  });

/** A kubeconfig with a TokenRequest token of a ServiceAccount (as testkit's chart helper makes). */
async function serviceAccountKubeConfig(admin: KubeConfig, ns: string, name: string): Promise<KubeConfig> {
  const token = await admin.makeApiClient(CoreV1Api).createNamespacedServiceAccountToken({
    name,
    namespace: ns,
    body: { spec: { audiences: [], expirationSeconds: 3600 } },
  });
  const cluster = admin.getCurrentCluster();
  if (!cluster) throw new Error('no current cluster');
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ ...cluster, name: 'cluster' }],
    users: [{ name, token: token.status?.token }],
    contexts: [{ name: 'sa', cluster: 'cluster', user: name }],
    currentContext: 'sa',
  });
  return kc;
}

describe('reflector under failure (real apiserver)', () => {
  it('falls back to one full list when a continue token expires, instead of looping on page 1', async () => {
    const cp = controlPlane();
    const direct = new KubeClient(cp.kubeConfig);
    const ns = namespace();
    for (let i = 0; i < 12; i++) await direct.create(configMaps, cm(ns, `cm-${i}`));
    const proxy = await startFaultProxy(cp.kubeConfig);
    cleanups.push(() => proxy.close());
    const expired = proxy.inject({ match: (r) => r.query.has('continue'), status: 410, reason: 'Expired' });

    const { reflector, store } = startReflector(new KubeClient(proxy.kubeConfig()), {
      namespace: ns,
      pageSize: 5,
    });
    await eventually(() => (reflector.hasSynced() ? true : undefined), {
      what: `sync (${proxy.requests().length} requests so far)`,
    });
    expect(store.size).toBe(12);
    const lists = proxy.requests((r) => !r.watch && r.path.endsWith('/configmaps'));
    expect(lists.map((r) => [r.query.get('limit'), r.query.has('continue')])).toEqual([
      ['5', false], // page 1
      ['5', true], // page 2: its token expired (410)
      [null, false], // one full list, no limit
    ]);
    expect(expired.hits()).toBe(1);
    expect(reflector.stats.listFallbacks).toBe(1);
    expect(reflector.health()).toEqual({ state: 'ok' });
  });

  it('goes failing (403) when its RoleBinding is deleted after the sync, and ok once it is back', async () => {
    const cp = controlPlane();
    const admin = new KubeClient(cp.kubeConfig);
    const ns = namespace();
    await admin.create(serviceAccounts, { metadata: { name: 'reader', namespace: ns } });
    await admin.create(roles, {
      metadata: { name: 'reader', namespace: ns },
      rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['list', 'watch'] }],
    });
    const binding = {
      metadata: { name: 'reader', namespace: ns },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'reader' },
      subjects: [{ kind: 'ServiceAccount', name: 'reader', namespace: ns }],
    };
    await admin.create(roleBindings, binding);
    const asReader = new KubeClient(await serviceAccountKubeConfig(cp.kubeConfig, ns, 'reader'));
    await eventually(
      async () =>
        await asReader
          .list(configMaps, ns)
          .then(() => true)
          .catch(() => undefined),
      { what: 'the RoleBinding taking effect' },
    );

    // A long grace period: a 403 must show at once, not once some transient-failure grace ran out.
    // Deleting a binding does not cut an established watch: short watches make the next one see it.
    const { reflector, states } = startReflector(asReader, {
      namespace: ns,
      healthGraceMs: 600_000,
      watchTimeoutSeconds: () => 2,
    });
    await waitForState(reflector, 'ok');
    await admin.delete(roleBindings, { namespace: ns, name: 'reader' });
    await waitForState(reflector, 'failing');
    expect(reflector.health()).toMatchObject({ state: 'failing', code: 403 });
    const health = reflector.health();
    expect(health.state === 'failing' && health.cause).toContain('grant this controller');

    await admin.create(roleBindings, binding);
    await waitForState(reflector, 'ok');
    expect(states).toEqual(['ok', 'failing', 'ok']);
  });

  it('goes missing after the grace period when its CRD is deleted, relists, and recovers on re-install', async () => {
    const cp = controlPlane();
    const admin = new KubeClient(cp.kubeConfig);
    const ns = namespace();
    await installCRDs(cp.kubeConfig, [gadgetCRD]);
    const gadget = (name: string) => ({
      apiVersion: `${gadgetGroup}/v1`,
      kind: 'Gadget',
      metadata: { name, namespace: ns },
    });
    await admin.create(gadgets, gadget('one'));

    const client = new KubeClient(cp.kubeConfig);
    const graceMs = 2_000;
    const { reflector, store, states } = startReflector(client, {
      resource: gadgets,
      namespace: ns,
      healthGraceMs: graceMs,
      backoff: { initialMs: 100, maxMs: 400 },
    });
    await waitForState(reflector, 'ok');
    expect(store.size).toBe(1);

    const deletedAt = performance.now();
    await admin.delete(crds, { name: gadgetCRD.metadata.name });
    await waitForState(reflector, 'missing', 60_000);
    expect(performance.now() - deletedAt).toBeGreaterThanOrEqual(graceMs);
    const missing = reflector.health();
    expect(missing.state === 'missing' && missing.cause).toContain('CRD is not installed');
    // It relists (lists answered 404) instead of retrying a watch from a dead resource version.
    expect(client.tally.count({ verb: 'list', code: 404 })).toBeGreaterThan(0);
    expect(reflector.stats.relists).toBeGreaterThanOrEqual(1);

    await installCRDs(cp.kubeConfig, [gadgetCRD]);
    await waitForState(reflector, 'ok', 30_000);
    await admin.create(gadgets, gadget('two'));
    await eventually(() => (store.keys().join() === `${ns}/two` ? true : undefined), {
      what: `the store showing the new gadget alone (has ${store.keys().join()})`,
    });
    expect(states).toEqual(['ok', 'missing', 'ok']);
  });
});
