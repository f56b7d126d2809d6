// An input the controller cannot read is "unknown", never "not found": with MCPTelemetryConfigs
// denied (403 through a fault proxy) a server that references one says TelemetryConfigRefError, is
// not rolled out, and is rolled out from the first list that succeeds. Its own control plane: no
// other controller may reconcile the same servers.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { generatedCRDPaths, mcpServer } from '@mcp-controllers/api';
import { deploymentResource, KubeClient } from '@mcp-controllers/core';
import {
  createNamespace,
  installCRDs,
  startFaultProxy,
  startWorkloadSimulator,
  type FaultProxy,
  type WorkloadSimulator,
} from '@mcp-controllers/testkit';
import { useControlPlane } from '@mcp-controllers/testkit/vitest';
import { condition, serverReaches, startServerController, telemetryConfig, yardstick } from './harness.js';

const controlPlane = useControlPlane();
let client: KubeClient;
let proxy: FaultProxy;
let simulator: WorkloadSimulator;

beforeAll(async () => {
  await installCRDs(controlPlane().kubeConfig, generatedCRDPaths());
  client = new KubeClient(controlPlane().kubeConfig);
  proxy = await startFaultProxy(controlPlane().kubeConfig);
  simulator = await startWorkloadSimulator({ kubeConfig: controlPlane().kubeConfig });
});
afterAll(async () => {
  await simulator.stop();
  await proxy.close();
});

const reason = (type: string, expected: string) => (v: Parameters<typeof condition>[0]) =>
  condition(v, type)?.reason === expected;
const otel = { openTelemetry: { enabled: true, endpoint: 'collector:4318', tracing: { enabled: true } } };

it('says TelemetryConfigRefError, never NotFound, while configs cannot be read, and rolls out once they can', async () => {
  const ns = await createNamespace(controlPlane().kubeConfig, 'tel-denied');
  await telemetryConfig(client, ns, 'shared', otel, 'h');
  const denied = proxy.inject({
    match: (r) => /\/mcptelemetryconfigs(\/|\?|$)/.test(r.path),
    status: 403,
    reason: 'Forbidden',
    message: 'mcptelemetryconfigs is forbidden',
  });
  const manager = await startServerController(proxy.kubeConfig());
  try {
    await client.create(
      mcpServer.resource,
      yardstick(ns, 'blind', { telemetryConfigRef: { name: 'shared' } }),
    );
    const error = await serverReaches(
      client,
      ns,
      'blind',
      reason('TelemetryConfigRefValidated', 'TelemetryConfigRefError'),
      'TelemetryConfigRefError',
    );
    expect(condition(error, 'TelemetryConfigRefValidated')?.message).toContain(
      "grant this controller's ServiceAccount list and watch on mcptelemetryconfigs",
    );
    expect(error.status?.phase).not.toBe('Failed');
    await expect(client.get(deploymentResource, { namespace: ns, name: 'blind' })).rejects.toMatchObject({
      code: 404,
    });
    expect(denied.hits()).toBeGreaterThan(0);

    denied.remove();
    const valid = await serverReaches(
      client,
      ns,
      'blind',
      (v) => v.status?.phase === 'Ready',
      'Ready once configs can be read',
      30_000,
    );
    expect(condition(valid, 'TelemetryConfigRefValidated')?.reason).toBe('TelemetryConfigRefValid');
  } finally {
    proxy.clear();
    await manager.stop();
  }
});
