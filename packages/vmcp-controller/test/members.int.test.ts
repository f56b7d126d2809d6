// A member kind the controller cannot list (here: every request for MCPRemoteProxies answered 403
// by testkit's fault proxy, as a missing RBAC rule would) is never taken for "no such members":
// while the group lists one, nothing is rolled out and BackendsConfigured says why; once the list
// works again, the member is in config.yaml.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { generatedCRDPaths, virtualMCPServer } from '@mcp-controllers/api';
import { configMapResource, KubeClient, type KubeObject } from '@mcp-controllers/core';
import {
  eventually,
  installCRDs,
  startFaultProxy,
  type FaultProxy,
  type InjectedFault,
} from '@mcp-controllers/testkit';
import { useControlPlane, useNamespace } from '@mcp-controllers/testkit/vitest';
import {
  condition,
  groupWith,
  remoteProxy,
  server,
  setGroupStatus,
  startVmcpController,
  vmcp,
  vmcpReaches,
  type RunningVmcpController,
} from './harness.js';

const controlPlane = useControlPlane();
const namespace = useNamespace(controlPlane);
let client: KubeClient;
let proxy: FaultProxy;
let forbidden: InjectedFault;
let manager: RunningVmcpController;

beforeAll(async () => {
  await installCRDs(controlPlane().kubeConfig, generatedCRDPaths());
  client = new KubeClient(controlPlane().kubeConfig);
  proxy = await startFaultProxy(controlPlane().kubeConfig);
  forbidden = proxy.inject({
    match: (r) => r.path.includes('/mcpremoteproxies'),
    status: 403,
    reason: 'Forbidden',
    message:
      'mcpremoteproxies is forbidden: User "mcp-vmcp-controller" cannot list resource "mcpremoteproxies"',
  });
  manager = await startVmcpController(proxy.kubeConfig());
});
afterAll(async () => {
  await manager.stop();
  await proxy.close();
});

const backendNames = async (ns: string): Promise<string[] | undefined> => {
  try {
    const cm = await client.get<KubeObject & { data: Record<string, string> }>(configMapResource, {
      namespace: ns,
      name: 'hub-vmcp-config',
    });
    const config = parse(cm.data['config.yaml'] ?? '') as { backends?: { name: string }[] };
    return (config.backends ?? []).map((b) => b.name);
  } catch {
    return undefined;
  }
};

describe('a member kind that cannot be listed', () => {
  it('stops the rollout while the group lists such a member, and says so', async () => {
    const ns = namespace();
    await server(client, ns, 'yardstick', 'streamable-http');
    await remoteProxy(client, ns, 'crm');
    await groupWith(client, ns, 'team', { phase: 'Ready', servers: ['yardstick'], remoteProxies: ['crm'] });
    await client.create(virtualMCPServer.resource, vmcp(ns, 'hub', { outgoingAuth: { source: 'inline' } }));
    const view = await vmcpReaches(
      client,
      ns,
      'hub',
      (v) => condition(v, 'BackendsConfigured')?.reason === 'MembersUnreadable',
      'BackendsConfigured=False/MembersUnreadable',
    );
    expect(condition(view, 'BackendsConfigured')?.message).toContain(
      "cannot read the group's MCPRemoteProxies",
    );
    expect(forbidden.hits()).toBeGreaterThan(0);
    // Not rolled out: a config.yaml without crm would drop it.
    expect(await backendNames(ns)).toBeUndefined();

    // The group no longer lists a proxy: nothing can be missed, the rest rolls out.
    await setGroupStatus(client, ns, 'team', { remoteProxies: [] });
    await eventually(
      async () => (JSON.stringify(await backendNames(ns)) === '["yardstick"]' ? true : undefined),
      {
        timeoutMs: 10_000,
        what: 'config.yaml with the server only',
      },
    );

    // The list works again and the group lists the proxy: it joins.
    forbidden.remove();
    await setGroupStatus(client, ns, 'team', { remoteProxies: ['crm'] });
    await eventually(
      async () => (JSON.stringify(await backendNames(ns)) === '["crm","yardstick"]' ? true : undefined),
      { timeoutMs: 15_000, what: 'config.yaml with the proxy' },
    );
    await vmcpReaches(
      client,
      ns,
      'hub',
      (v) => condition(v, 'BackendsConfigured')?.reason === 'BackendsConfigured',
      'BackendsConfigured=True',
    );
  });
});
