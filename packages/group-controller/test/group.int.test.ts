import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mcpGroup, mcpRemoteProxy, mcpServer, mcpServerEntry, generatedCRDPaths } from '@mcp-controllers/api';
import { KubeClient, type KubeObject } from '@mcp-controllers/core';
import { controllerSettles, eventually, installCRDs } from '@mcp-controllers/testkit';
import { useControlPlane, useNamespace } from '@mcp-controllers/testkit/vitest';
import {
  groupObject,
  groupReaches,
  member,
  readGroup,
  startGroupController,
  type RunningGroupController,
} from './harness.js';
import { legacyGroupFinalizer } from '../src/reconcile.js';

const controlPlane = useControlPlane();
const namespace = useNamespace(controlPlane);
let client: KubeClient;
let manager: RunningGroupController;

beforeAll(async () => {
  await installCRDs(controlPlane().kubeConfig, generatedCRDPaths());
  client = new KubeClient(controlPlane().kubeConfig);
  manager = await startGroupController(controlPlane().kubeConfig);
});
afterAll(async () => {
  await manager.stop();
});

const resources = {
  MCPServer: mcpServer,
  MCPRemoteProxy: mcpRemoteProxy,
  MCPServerEntry: mcpServerEntry,
} as const;
async function addMember(kind: keyof typeof resources, name: string, group?: string) {
  await client.create(resources[kind].resource, member(kind, namespace(), name, group));
}

describe('MCPGroup membership', () => {
  it('lists MCPServers, MCPRemoteProxies and MCPServerEntries that name the group', async () => {
    const ns = namespace();
    await client.create(mcpGroup.resource, groupObject(ns, 'team'));
    await addMember('MCPServer', 'b-server', 'team');
    await addMember('MCPServer', 'a-server', 'team');
    await addMember('MCPServer', 'loner');
    await addMember('MCPServer', 'elsewhere', 'other');
    await addMember('MCPRemoteProxy', 'proxy', 'team');
    await addMember('MCPServerEntry', 'entry', 'team');
    const status = await groupReaches(client, ns, 'team', {
      phase: 'Ready',
      servers: ['a-server', 'b-server'],
      serverCount: 2,
      remoteProxies: ['proxy'],
      remoteProxyCount: 1,
      entries: ['entry'],
      entryCount: 1,
      observedGeneration: 1,
    });
    expect(status.conditions).toEqual([
      expect.objectContaining({
        type: 'MCPServersChecked',
        status: 'True',
        reason: 'ListMCPServersCheckSucceeded',
      }),
    ]);
  });

  it('a group with no members is Ready with empty lists', async () => {
    await client.create(mcpGroup.resource, groupObject(namespace(), 'empty'));
    await groupReaches(client, namespace(), 'empty', {
      phase: 'Ready',
      servers: [],
      serverCount: 0,
      remoteProxies: [],
      remoteProxyCount: 0,
      entries: [],
      entryCount: 0,
    });
  });

  it('a member that moves updates the old and the new group; a deleted member leaves its group', async () => {
    const ns = namespace();
    await client.create(mcpGroup.resource, groupObject(ns, 'one'));
    await client.create(mcpGroup.resource, groupObject(ns, 'two'));
    await addMember('MCPServer', 'mover', 'one');
    await addMember('MCPServerEntry', 'entry', 'one');
    await groupReaches(client, ns, 'one', { servers: ['mover'], entries: ['entry'] });
    await groupReaches(client, ns, 'two', { servers: [], entries: [] });

    await client.patch(mcpServer.resource, { namespace: ns, name: 'mover' }, 'merge', {
      spec: { groupRef: { name: 'two' } },
    });
    await groupReaches(client, ns, 'one', { servers: [], serverCount: 0, entries: ['entry'] });
    await groupReaches(client, ns, 'two', { servers: ['mover'], serverCount: 1 });

    await client.delete(mcpServerEntry.resource, { namespace: ns, name: 'entry' });
    await groupReaches(client, ns, 'one', { entries: [], entryCount: 0 });
  });

  it('a deleted group goes at once (no finalizer) and a new group of that name starts fresh', async () => {
    const ns = namespace();
    await client.create(mcpGroup.resource, groupObject(ns, 'short-lived'));
    await addMember('MCPRemoteProxy', 'proxy', 'short-lived');
    await groupReaches(client, ns, 'short-lived', { remoteProxies: ['proxy'] });
    await client.delete(mcpGroup.resource, { namespace: ns, name: 'short-lived' });
    await expect(readGroup(client, ns, 'short-lived')).rejects.toThrow(/404|not found/i);

    await client.create(mcpGroup.resource, groupObject(ns, 'short-lived'));
    await groupReaches(client, ns, 'short-lived', {
      phase: 'Ready',
      remoteProxies: ['proxy'],
      remoteProxyCount: 1,
    });
  });

  it("removes ToolHive's legacy finalizer from a group being deleted, and no other finalizer", async () => {
    const ns = namespace();
    await client.create(mcpGroup.resource, {
      ...groupObject(ns, 'legacy'),
      metadata: { namespace: ns, name: 'legacy', finalizers: [legacyGroupFinalizer, 'example.dev/keep'] },
    });
    await groupReaches(client, ns, 'legacy', { phase: 'Ready' });
    await client.delete(mcpGroup.resource, { namespace: ns, name: 'legacy' });
    const left = await eventually(
      async () => {
        const g = await client.get<KubeObject>(mcpGroup.resource, { namespace: ns, name: 'legacy' });
        return g.metadata.finalizers?.includes(legacyGroupFinalizer) === false ? g : undefined;
      },
      { what: 'legacy finalizer removed' },
    );
    expect(left.metadata.finalizers).toEqual(['example.dev/keep']);
    expect(left.metadata.deletionTimestamp).toBeDefined();
    await client.patch(mcpGroup.resource, { namespace: ns, name: 'legacy' }, 'json', [
      { op: 'remove', path: '/metadata/finalizers' },
    ]);
    await expect(readGroup(client, ns, 'legacy')).rejects.toThrow(/404|not found/i);
  });

  it('makes zero writes during 30 s of reconciles that change nothing', async () => {
    const ns = namespace();
    await client.create(mcpGroup.resource, groupObject(ns, 'idle'));
    for (let i = 0; i < 5; i++) await addMember('MCPServer', `s${i}`, 'idle');
    await groupReaches(client, ns, 'idle', { serverCount: 5 });
    const cachedGroup = () => manager.cache.store(mcpGroup.resource).get(`${ns}/idle`);
    await controllerSettles(
      manager,
      () => (cachedGroup()?.status as { serverCount?: number } | undefined)?.serverCount === 5,
    );
    const reconciles = async () =>
      (await manager.metrics.reconcileTotal.get()).values
        .filter((v) => v.labels.controller === 'mcpgroup')
        .reduce((sum, v) => sum + v.value, 0);
    const before = manager.client.tally.writes();
    const ranBefore = await reconciles();
    // Changes that reach the controller (each wakes the group) but change nothing it reports.
    const touches = [
      () =>
        client.patch(mcpGroup.resource, { namespace: ns, name: 'idle' }, 'merge', {
          metadata: { annotations: { touched: String(performance.now()) } },
        }),
      (i: number) =>
        client.patch(mcpServer.resource, { namespace: ns, name: `s${i % 5}` }, 'merge', {
          metadata: { annotations: { touched: String(performance.now()) } },
        }),
      (i: number) =>
        client.patch(mcpServer.resource, { namespace: ns, name: `s${i % 5}` }, 'merge', {
          metadata: { labels: { touched: String(i) } },
        }),
    ];
    const started = performance.now();
    let touched = 0;
    while (performance.now() - started < 30_000) {
      const ran = await reconciles();
      await touches[touched % touches.length]!(touched);
      touched++;
      await eventually(async () => ((await reconciles()) > ran ? true : undefined), {
        what: 'a reconcile of the touched group',
      });
      // Paces the touches over the window (a rate, not a synchronisation).
      await sleep(500);
    }
    expect(touched).toBeGreaterThanOrEqual(20);
    expect((await reconciles()) - ranBefore).toBeGreaterThanOrEqual(touched);
    expect(manager.client.tally.writes()).toBe(before);
  }, 90_000);
});
