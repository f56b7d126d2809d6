// The controller runs with a ServiceAccount token bound to exactly the roles `helm template` renders:
// it must do its whole job with them, and nothing outside them may work.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mcpGroup, mcpRemoteProxy, mcpServer, mcpServerEntry, generatedCRDPaths } from '@mcp-controllers/api';
import { isForbidden, isNotFound, KubeClient, leaseResource, type Manager } from '@mcp-controllers/core';
import { chartRelease, createNamespace, eventually, installCRDs } from '@mcp-controllers/testkit';
import { useControlPlane } from '@mcp-controllers/testkit/vitest';
import { groupObject, groupReaches, member, startGroupController } from './harness.js';
import { legacyGroupFinalizer } from '../src/reconcile.js';

const chart = new URL('../chart', import.meta.url).pathname;
const controlPlane = useControlPlane();
let admin: KubeClient;
let asController: KubeClient;
let manager: Manager;
let release: string;

beforeAll(async () => {
  const kc = controlPlane().kubeConfig;
  await installCRDs(kc, generatedCRDPaths());
  admin = new KubeClient(kc);
  const asChart = await chartRelease(kc, chart, { release: 'mcp', namespacePrefix: 'mcp-system' });
  release = asChart.namespace;
  asController = new KubeClient(asChart.kubeConfig);
  manager = await startGroupController(asChart.kubeConfig, asChart.args);
});
afterAll(async () => {
  await manager.stop();
});

describe('group-controller with only its chart’s RBAC', () => {
  it('does the membership job and holds its Lease', async () => {
    const ns = await createNamespace(controlPlane().kubeConfig, 'rbac');
    await admin.create(mcpGroup.resource, groupObject(ns, 'team'));
    await admin.create(mcpServer.resource, member('MCPServer', ns, 'server', 'team'));
    await admin.create(mcpRemoteProxy.resource, member('MCPRemoteProxy', ns, 'proxy', 'team'));
    await admin.create(mcpServerEntry.resource, member('MCPServerEntry', ns, 'entry', 'team'));
    await groupReaches(admin, ns, 'team', {
      phase: 'Ready',
      servers: ['server'],
      remoteProxies: ['proxy'],
      entries: ['entry'],
    });
    const lease = await admin.get<{ spec: { holderIdentity?: string } }>(leaseResource, {
      namespace: release,
      name: manager.flags.leaderElectionId,
    });
    expect(manager.flags.leaderElectionId).toBe('mcp-group-controller');
    expect(lease.spec.holderIdentity).toBe(manager.identity);
    expect(manager.client.tally.count({ code: 403 })).toBe(0);
  });

  it("removes ToolHive's legacy finalizer from a group being deleted", async () => {
    const ns = await createNamespace(controlPlane().kubeConfig, 'legacy');
    await admin.create(mcpGroup.resource, {
      ...groupObject(ns, 'old'),
      metadata: { namespace: ns, name: 'old', finalizers: [legacyGroupFinalizer] },
    });
    await groupReaches(admin, ns, 'old', { phase: 'Ready' });
    await admin.delete(mcpGroup.resource, { namespace: ns, name: 'old' });
    await eventually(
      async () => {
        try {
          await admin.get(mcpGroup.resource, { namespace: ns, name: 'old' });
          return undefined;
        } catch (err) {
          if (isNotFound(err)) return true;
          throw err;
        }
      },
      { what: 'the deleted group gone' },
    );
    expect(manager.client.tally.count({ code: 403 })).toBe(0);
  });

  it('is denied what it was not granted', async () => {
    const ns = await createNamespace(controlPlane().kubeConfig, 'denied');
    await admin.create(mcpServer.resource, member('MCPServer', ns, 'server'));
    const denied = [
      // Member status belongs to the member controllers.
      () =>
        asController.patch(
          mcpServer.resource,
          { namespace: ns, name: 'server' },
          'merge',
          { status: { phase: 'Ready' } },
          { subresource: 'status' },
        ),
      () =>
        asController.patch(mcpServer.resource, { namespace: ns, name: 'server' }, 'merge', {
          spec: { replicas: 2 },
        }),
      () => asController.create(mcpGroup.resource, groupObject(ns, 'made-up')),
      () => asController.delete(mcpServer.resource, { namespace: ns, name: 'server' }),
      () =>
        asController.list(
          { group: '', version: 'v1', plural: 'secrets', kind: 'Secret', namespaced: true },
          ns,
        ),
    ];
    for (const attempt of denied) await expect(attempt()).rejects.toSatisfy(isForbidden);
  });
});

// Role-only mode: with watchNamespaces the chart renders no cluster-scoped RBAC; the controller,
// started with the chart's own --watch-namespace, must still do its whole job in those namespaces.
describe('group-controller with the chart’s Role-only RBAC (watchNamespaces)', () => {
  let scoped: Manager;
  let watched: string;

  beforeAll(async () => {
    // The all-namespaces controller above would do the work otherwise.
    await manager.stop();
    const kc = controlPlane().kubeConfig;
    watched = await createNamespace(kc, 'watched');
    const asChart = await chartRelease(kc, chart, {
      release: 'scoped',
      namespacePrefix: 'mcp-scoped',
      set: [`watchNamespaces={${watched}}`],
    });
    expect(asChart.docs.filter((d) => d.kind.startsWith('Cluster'))).toEqual([]);
    scoped = await startGroupController(asChart.kubeConfig, asChart.args);
  });
  afterAll(async () => {
    await scoped.stop();
  });

  it('does the membership job in the watched namespace with Roles only', async () => {
    await admin.create(mcpGroup.resource, groupObject(watched, 'team'));
    await admin.create(mcpServer.resource, member('MCPServer', watched, 'server', 'team'));
    await groupReaches(admin, watched, 'team', { phase: 'Ready', servers: ['server'] });
    expect(scoped.flags.watchNamespaces).toEqual([watched]);
    expect(scoped.client.tally.writes()).toBeGreaterThan(0);
    expect(scoped.client.tally.count({ code: 403 })).toBe(0);
  });
});
