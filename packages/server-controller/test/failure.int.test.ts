// Failure paths, on a control plane of their own (no other controller reconciles these servers):
// - an input the controller cannot read is "unknown", never "not found": with MCPTelemetryConfigs
//   denied (403 through a fault proxy) a server that references one says TelemetryConfigRefError, is
//   not rolled out, and is rolled out from the first list that succeeds;
// - a runner that never recreates its StatefulSet: the proxy is bounced at most once per cooldown.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { generatedCRDPaths, mcpServer } from '@mcp-controllers/api';
import { deploymentResource, KubeClient, type KubeObject } from '@mcp-controllers/core';
import {
  createNamespace,
  eventually,
  installCRDs,
  startFaultProxy,
  startWorkloadSimulator,
  type FaultProxy,
  type WorkloadSimulator,
} from '@mcp-controllers/testkit';
import { useControlPlane } from '@mcp-controllers/testkit/vitest';
import { runnerMissingMessage } from '../src/phase.js';
import { bounceCooldownMs, restartedAtAnnotation } from '../src/reconcile.js';
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

it('bounces the proxy at most once per cooldown while the runner never recreates its StatefulSet', async () => {
  const ns = await createNamespace(controlPlane().kubeConfig, 'no-runner');
  let clock = Date.now();
  simulator.setRunner(ns, 'lonely', 'absent');
  const manager = await startServerController(controlPlane().kubeConfig, [], { now: () => clock });
  const stampOf = async () =>
    (
      await client.get<
        KubeObject & { spec: { template: { metadata: { annotations?: Record<string, string> } } } }
      >(deploymentResource, { namespace: ns, name: 'lonely' })
    ).spec.template.metadata.annotations?.[restartedAtAnnotation];
  try {
    await client.create(mcpServer.resource, yardstick(ns, 'lonely'));
    const pending = await serverReaches(
      client,
      ns,
      'lonely',
      (v) => v.status?.message === runnerMissingMessage,
      'Pending: runner StatefulSet missing',
    );
    expect(pending.status?.phase).toBe('Pending');
    expect(pending.status?.readyReplicas).toBe(1);
    const first = await eventually(stampOf, { timeoutMs: 15_000, what: 'first bounce' });
    expect(first).toBe(new Date(clock).toISOString());

    // Within the cooldown the server is looked at again (every 10 s) but not bounced.
    const reconciles = async () =>
      (await manager.metrics.reconcileTotal.get()).values.reduce((n, v) => n + v.value, 0);
    const before = await reconciles();
    await eventually(async () => ((await reconciles()) > before ? true : undefined), {
      timeoutMs: 20_000,
      what: 'a reconcile after the requeue',
    });
    expect(await stampOf()).toBe(first);

    // Past the cooldown: bounced again.
    clock += bounceCooldownMs + 1_000;
    const second = await eventually(async () => ((await stampOf()) !== first ? stampOf() : undefined), {
      timeoutMs: 20_000,
      what: 'second bounce',
    });
    expect(second).toBe(new Date(clock).toISOString());
  } finally {
    await manager.stop();
  }
});
