// Informer health after the first sync: the controller talks to the apiserver through a fault proxy,
// so a test can take a member kind away (RBAC revoked: 403) while the controller runs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mcpGroup, mcpRemoteProxy, mcpServer, generatedCRDPaths } from '@mcp-controllers/api';
import { KubeClient } from '@mcp-controllers/core';
import { createNamespace, installCRDs, startFaultProxy, type FaultProxy } from '@mcp-controllers/testkit';
import { useControlPlane } from '@mcp-controllers/testkit/vitest';
import { groupObject, groupReaches, member, startGroupController } from './harness.js';

const controlPlane = useControlPlane();
let proxy: FaultProxy;
let admin: KubeClient;

beforeAll(async () => {
  const kc = controlPlane().kubeConfig;
  await installCRDs(kc, generatedCRDPaths());
  admin = new KubeClient(kc);
  proxy = await startFaultProxy(kc);
});
afterAll(async () => {
  await proxy.close();
});

const servers = /\/mcpservers(\/|$)/;

describe('member kinds that fail after the first sync', () => {
  it('a kind denied after sync makes the group Failed naming it and drops its list; it recovers when allowed again', async () => {
    const ns = await createNamespace(controlPlane().kubeConfig, 'denied-later');
    await admin.create(mcpGroup.resource, groupObject(ns, 'g'));
    await admin.create(mcpServer.resource, member('MCPServer', ns, 's', 'g'));
    await admin.create(mcpRemoteProxy.resource, member('MCPRemoteProxy', ns, 'p', 'g'));
    const manager = await startGroupController(proxy.kubeConfig());
    try {
      await groupReaches(admin, ns, 'g', {
        phase: 'Ready',
        servers: ['s'],
        serverCount: 1,
        remoteProxies: ['p'],
        remoteProxyCount: 1,
      });
      // RBAC revoked for MCPServers: every list and watch of them is denied from now on. Dropping
      // the open connections makes the reflector ask again, as a watch ending on its own would.
      const denied = proxy.inject({
        match: (r) => servers.test(r.path),
        status: 403,
        reason: 'Forbidden',
        message: 'mcpservers.toolhive.stacklok.dev is forbidden',
      });
      proxy.cut();
      proxy.restore();
      const failed = await groupReaches(admin, ns, 'g', {
        phase: 'Failed',
        remoteProxies: ['p'],
        remoteProxyCount: 1,
      });
      // Unknown is not zero: the failing kind's list and count are removed, not left stale.
      expect(failed.servers).toBeUndefined();
      expect(failed.serverCount).toBeUndefined();
      expect(failed.conditions?.[0]).toMatchObject({
        type: 'MCPServersChecked',
        status: 'False',
        reason: 'ListMCPServersCheckFailed',
      });
      expect(failed.conditions?.[0]?.message).toContain(
        `cannot list MCPServers in namespace ${ns}: access denied (403)`,
      );
      expect(denied.hits()).toBeGreaterThan(0);

      denied.remove();
      await groupReaches(
        admin,
        ns,
        'g',
        { phase: 'Ready', servers: ['s'], serverCount: 1, remoteProxies: ['p'] },
        30_000,
      );
    } finally {
      proxy.clear();
      await manager.stop();
    }
  });
});
