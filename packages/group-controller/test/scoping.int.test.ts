// A control plane of its own: no other group controller may write here, so what this file sees is
// what the controller under test did. Each test starts from every CRD installed (a test may delete
// one) and from namespaces of its own, so none depends on another's state or order.
import { beforeEach, describe, expect, it } from 'vitest';
import { mcpGroup, mcpRemoteProxy, mcpServer, generatedCRDPaths } from '@mcp-controllers/api';
import { isNotFound, KubeClient } from '@mcp-controllers/core';
import { createNamespace, eventually, installCRDs } from '@mcp-controllers/testkit';
import { useControlPlane } from '@mcp-controllers/testkit/vitest';
import { groupObject, groupReaches, member, readGroup, startGroupController } from './harness.js';

const crdFiles = generatedCRDPaths();
const controlPlane = useControlPlane();
beforeEach(async () => {
  await installCRDs(controlPlane().kubeConfig, crdFiles);
});

describe('scoping and missing member kinds', () => {
  it('--watch-namespace: groups in other namespaces are never touched', async () => {
    const kc = controlPlane().kubeConfig;
    const client = new KubeClient(kc);
    const [watched, ignored] = [await createNamespace(kc, 'watched'), await createNamespace(kc, 'ignored')];
    const manager = await startGroupController(kc, [`--watch-namespace=${watched}`]);
    try {
      // Created first: a controller that watched it would reconcile it before the watched group.
      await client.create(mcpGroup.resource, groupObject(ignored, 'g'));
      await client.create(mcpServer.resource, member('MCPServer', ignored, 's', 'g'));
      await client.create(mcpGroup.resource, groupObject(watched, 'g'));
      await groupReaches(client, watched, 'g', { phase: 'Ready', servers: [] });
      await client.create(mcpGroup.resource, groupObject(watched, 'h'));
      await groupReaches(client, watched, 'h', { phase: 'Ready' });
      expect(await readGroup(client, ignored, 'g')).toBeUndefined();
      expect(
        manager.cache
          .store(mcpGroup.resource)
          .list()
          .map((g) => g.metadata.namespace),
      ).toEqual([watched, watched]);
    } finally {
      await manager.stop();
    }
  });

  it('a member kind whose CRD is not installed counts as none: the group is Ready naming it, and lists it once the CRD appears', async () => {
    const kc = controlPlane().kubeConfig;
    const client = new KubeClient(kc);
    const proxies = `${mcpRemoteProxy.plural}.${mcpRemoteProxy.group}`;
    await client.delete(
      {
        group: 'apiextensions.k8s.io',
        version: 'v1',
        plural: 'customresourcedefinitions',
        kind: 'CustomResourceDefinition',
        namespaced: false,
      },
      { name: proxies },
    );
    // CRD deletion is asynchronous (its objects are cleaned up first): wait until the kind really
    // cannot be listed, or the controller may still list it once and report it.
    await eventually(
      async () => {
        try {
          await client.list(mcpRemoteProxy.resource, undefined);
          return undefined;
        } catch (err) {
          if (isNotFound(err)) return true;
          throw err;
        }
      },
      { timeoutMs: 30_000, what: `${proxies} no longer served` },
    );
    const ns = await createNamespace(kc, 'missing');
    await client.create(mcpGroup.resource, groupObject(ns, 'g'));
    await client.create(mcpServer.resource, member('MCPServer', ns, 'kept', 'g'));
    const manager = await startGroupController(kc);
    try {
      const ready = await groupReaches(
        client,
        ns,
        'g',
        { phase: 'Ready', servers: ['kept'], serverCount: 1, remoteProxies: [], remoteProxyCount: 0 },
        30_000,
      );
      expect(ready.conditions?.[0]).toMatchObject({
        type: 'MCPServersChecked',
        status: 'True',
        reason: 'ListMCPServersCheckSucceeded',
      });
      expect(ready.conditions?.[0]?.message).toContain(
        `Listed MCPServers and MCPServerEntries in namespace ${ns}; not installed, counted as none: MCPRemoteProxies (the ${proxies} CRD is not installed`,
      );

      await installCRDs(
        kc,
        crdFiles.filter((f) => f.endsWith(`_${mcpRemoteProxy.plural}.yaml`)),
      );
      await client.create(mcpRemoteProxy.resource, member('MCPRemoteProxy', ns, 'proxy', 'g'));
      const listed = await groupReaches(
        client,
        ns,
        'g',
        { phase: 'Ready', remoteProxies: ['proxy'], remoteProxyCount: 1, servers: ['kept'] },
        30_000,
      );
      expect(listed.conditions?.[0]?.message).toBe(
        `Listed MCPServers, MCPRemoteProxies and MCPServerEntries in namespace ${ns}`,
      );
    } finally {
      await manager.stop();
    }
  });
});
