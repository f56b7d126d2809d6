// The first rollout of a vMCP under the chart's RBAC, through a fault proxy that holds the Role's
// apply: without the `bind` verb, the apiserver checks a RoleBinding against its Role and answers 404
// while the Role does not exist yet, so the RoleBinding must wait for it (core apply-order.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatedCRDPaths, virtualMCPServer } from '@mcp-controllers/api';
import { KubeClient } from '@mcp-controllers/core';
import {
  chartRelease,
  createNamespace,
  installCRDs,
  startFaultProxy,
  startWorkloadSimulator,
  type FaultProxy,
  type WorkloadSimulator,
} from '@mcp-controllers/testkit';
import { useControlPlane } from '@mcp-controllers/testkit/vitest';
import {
  groupWith,
  server,
  startVmcpController,
  vmcp,
  vmcpReaches,
  type RunningVmcpController,
} from './harness.js';

const chart = new URL('../chart', import.meta.url).pathname;
const controlPlane = useControlPlane();
let admin: KubeClient;
let manager: RunningVmcpController;
let simulator: WorkloadSimulator;
let proxy: FaultProxy;
let ns: string;

beforeAll(async () => {
  const kc = controlPlane().kubeConfig;
  await installCRDs(kc, generatedCRDPaths());
  admin = new KubeClient(kc);
  simulator = await startWorkloadSimulator({ kubeConfig: kc });
  ns = await createNamespace(kc, 'first');
  await server(admin, ns, 'yardstick', 'streamable-http');
  await groupWith(admin, ns, 'team', { phase: 'Ready', servers: ['yardstick'] });
  const asChart = await chartRelease(kc, chart, { release: 'mcp', namespacePrefix: 'mcp-system' });
  proxy = await startFaultProxy(asChart.kubeConfig);
  manager = await startVmcpController(proxy.kubeConfig(), asChart.args);
});
afterAll(async () => {
  await manager.stop();
  await simulator.stop();
  await proxy.close();
});

describe('the first reconcile of a vMCP', () => {
  it('creates the RoleBinding only once its Role exists, so the apiserver never refuses it (no `bind` verb)', async () => {
    const refusals = () =>
      manager.client.tally
        .entries()
        .filter((e) => e.code >= 400 && e.code !== 409 && !(e.verb === 'get' && e.code === 404));
    const before = refusals();
    // The Role's apply reaches the apiserver late; the RoleBinding must wait for it.
    const held = proxy.inject({
      match: (r) => r.method === 'PATCH' && r.path.endsWith('/roles/late-vmcp'),
      delayMs: 1_500,
      times: 1,
    });
    await admin.create(virtualMCPServer.resource, vmcp(ns, 'late'));
    await vmcpReaches(admin, ns, 'late', (v) => v.status?.phase === 'Ready', 'Ready', 30_000);
    expect(held.hits()).toBe(1);
    // Not counted: reads answering 404 (applyOwned reads an object the cache does not hold) and 409s
    // (a status computed from an older copy; routine).
    expect(refusals()).toEqual(before);
  });
});
