// MCPServer references: the MCPTelemetryConfig (every reason, the hash, the rollout a config change
// causes, the deprecated inline form) and the MCPGroup (appears later, becomes ready, ref cleared).
// The telemetry controller does not run here: the tests publish `status.configHash` themselves.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatedCRDPaths, mcpServer, mcpTelemetryConfig } from '@mcp-controllers/api';
import { configMapResource, deploymentResource, KubeClient, type KubeObject } from '@mcp-controllers/core';
import { installCRDs, startWorkloadSimulator, type WorkloadSimulator } from '@mcp-controllers/testkit';
import { useControlPlane, useNamespace } from '@mcp-controllers/testkit/vitest';
import {
  condition,
  groupWithPhase,
  serverReaches,
  setConfigHash,
  setGroupPhase,
  startServerController,
  telemetryConfig,
  yardstick,
  type RunningServerController,
} from './harness.js';

const controlPlane = useControlPlane();
const namespace = useNamespace(controlPlane);
let client: KubeClient;
let manager: RunningServerController;
let simulator: WorkloadSimulator;

beforeAll(async () => {
  await installCRDs(controlPlane().kubeConfig, generatedCRDPaths());
  client = new KubeClient(controlPlane().kubeConfig);
  simulator = await startWorkloadSimulator({ kubeConfig: controlPlane().kubeConfig });
  manager = await startServerController(controlPlane().kubeConfig);
});
afterAll(async () => {
  await manager.stop();
  await simulator.stop();
});

interface Container {
  name: string;
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
  volumeMounts?: { name: string; mountPath: string }[];
}
type Deployment = KubeObject & {
  spec: {
    template: { metadata: { annotations: Record<string, string> }; spec: { containers: Container[] } };
  };
};

const otel = {
  openTelemetry: {
    enabled: true,
    endpoint: 'https://otel-collector.monitoring:4318',
    tracing: { enabled: true, samplingRate: '0.1' },
    metrics: { enabled: true },
    sensitiveHeaders: [{ name: 'x-api-key', secretKeyRef: { name: 'otel-auth', key: 'token' } }],
  },
  prometheus: { enabled: true },
};
const deployment = (name: string) =>
  client.get<Deployment>(deploymentResource, { namespace: namespace(), name });
const runConfig = async (name: string) => {
  const cm = await client.get<KubeObject & { data: Record<string, string> }>(configMapResource, {
    namespace: namespace(),
    name: `${name}-runconfig`,
  });
  return JSON.parse(cm.data['runconfig.json'] ?? '{}') as { telemetry_config?: Record<string, unknown> };
};
const reason = (type: string, expected: string) => (v: Parameters<typeof condition>[0]) =>
  condition(v, type)?.reason === expected;

describe('telemetryConfigRef', () => {
  it('is NotFound (no rollout) until the config exists, then wires it into the RunConfig, the env and the status', async () => {
    const ns = namespace();
    await client.create(
      mcpServer.resource,
      yardstick(ns, 'fetch', { telemetryConfigRef: { name: 'shared', serviceName: 'fetch-svc' } }),
    );
    const missing = await serverReaches(
      client,
      ns,
      'fetch',
      reason('TelemetryConfigRefValidated', 'TelemetryConfigRefNotFound'),
      'NotFound',
    );
    expect(missing.status?.phase).toBe('Failed');
    expect(condition(missing, 'TelemetryConfigRefValidated')?.message).toBe(
      'MCPTelemetryConfig shared not found',
    );

    await telemetryConfig(client, ns, 'shared', otel, 'hash-1');
    const valid = await serverReaches(client, ns, 'fetch', (v) => v.status?.phase === 'Ready', 'Ready');
    expect(condition(valid, 'TelemetryConfigRefValidated')).toMatchObject({
      status: 'True',
      reason: 'TelemetryConfigRefValid',
      message: 'MCPTelemetryConfig shared is valid',
    });
    expect(valid.status?.telemetryConfigHash).toBe('hash-1');
    expect((await runConfig('fetch')).telemetry_config).toMatchObject({
      endpoint: 'otel-collector.monitoring:4318',
      serviceName: 'fetch-svc',
      tracingEnabled: true,
      metricsEnabled: true,
      samplingRate: '0.1',
      enablePrometheusMetricsPath: true,
    });
    const env = (await deployment('fetch')).spec.template.spec.containers[0]?.env ?? [];
    expect(env.slice(0, 2)).toEqual([
      { name: 'OTEL_RESOURCE_ATTRIBUTES', value: `service.name=fetch-svc,service.namespace=${ns}` },
      {
        name: 'TOOLHIVE_OTEL_HEADER_X_API_KEY',
        valueFrom: { secretKeyRef: { name: 'otel-auth', key: 'token' } },
      },
    ]);
  });

  it('copies a new configHash, and rolls the pods when the config itself changes', async () => {
    const ns = namespace();
    await telemetryConfig(client, ns, 'shared', otel, 'hash-1');
    await client.create(
      mcpServer.resource,
      yardstick(ns, 'roll', { telemetryConfigRef: { name: 'shared' } }),
    );
    await serverReaches(client, ns, 'roll', (v) => v.status?.phase === 'Ready', 'Ready');
    const checksum = async () =>
      (await deployment('roll')).spec.template.metadata.annotations[
        'toolhive.stacklok.dev/runconfig-checksum'
      ];
    const before = await checksum();

    await setConfigHash(client, ns, 'shared', 'hash-2');
    await serverReaches(client, ns, 'roll', (v) => v.status?.telemetryConfigHash === 'hash-2', 'hash-2');
    expect(await checksum()).toBe(before); // the hash alone changes nothing the runner reads

    await client.patch(mcpTelemetryConfig.resource, { namespace: ns, name: 'shared' }, 'merge', {
      spec: { openTelemetry: { tracing: { samplingRate: '0.5' } } },
    });
    await serverReaches(client, ns, 'roll', (v) => v.status?.phase === 'Ready', 'Ready');
    await expect.poll(checksum, { timeout: 15_000 }).not.toBe(before);
    expect((await runConfig('roll')).telemetry_config).toMatchObject({ samplingRate: '0.5' });
  });

  it('is Invalid for a config that fails validation, and turns Valid again even when the hash did not change', async () => {
    const ns = namespace();
    // endpoint without tracing or metrics: the telemetry controller's rule (the CRD cannot say it).
    await telemetryConfig(
      client,
      ns,
      'broken',
      { openTelemetry: { enabled: true, endpoint: 'collector:4318' } },
      'same',
    );
    await client.create(
      mcpServer.resource,
      yardstick(ns, 'uses-broken', { telemetryConfigRef: { name: 'broken' } }),
    );
    const invalid = await serverReaches(
      client,
      ns,
      'uses-broken',
      reason('TelemetryConfigRefValidated', 'TelemetryConfigRefInvalid'),
      'Invalid',
    );
    expect(invalid.status?.phase).toBe('Failed');
    expect(condition(invalid, 'TelemetryConfigRefValidated')?.message).toContain(
      'MCPTelemetryConfig broken is invalid: ',
    );
    // ToolHive #4511: the condition must turn True although the copied hash stays the same.
    await client.patch(mcpTelemetryConfig.resource, { namespace: ns, name: 'broken' }, 'merge', {
      spec: { openTelemetry: { tracing: { enabled: true } } },
    });
    const fixed = await serverReaches(
      client,
      ns,
      'uses-broken',
      reason('TelemetryConfigRefValidated', 'TelemetryConfigRefValid'),
      'Valid',
    );
    expect(fixed.status?.telemetryConfigHash).toBe('same');
  });

  it('still honours the deprecated inline spec.telemetry, and rejects it together with a reference', async () => {
    const ns = namespace();
    const inline = {
      openTelemetry: {
        enabled: true,
        endpoint: 'collector:4318',
        headers: ['a=b'],
        tracing: { enabled: true },
      },
    };
    await client.create(mcpServer.resource, yardstick(ns, 'legacy', { telemetry: inline }));
    await serverReaches(client, ns, 'legacy', (v) => v.status?.phase === 'Ready', 'Ready');
    expect((await runConfig('legacy')).telemetry_config).toMatchObject({
      endpoint: 'collector:4318',
      headers: { a: 'b' },
      serviceName: 'legacy',
      samplingRate: '0.05',
    });
    // The v1.20 apiserver ignores the CEL rule; the controller applies it.
    await client.create(
      mcpServer.resource,
      yardstick(ns, 'both', { telemetry: inline, telemetryConfigRef: { name: 'x' } }),
    );
    const both = await serverReaches(client, ns, 'both', reason('Ready', 'InvalidSpec'), 'InvalidSpec');
    expect(both.status?.phase).toBe('Failed');
    expect(both.status?.message).toContain('telemetry and telemetryConfigRef are mutually exclusive');
  });
});

describe('a spec the runner would refuse', () => {
  it('is InvalidSpec with the problem, and is not rolled out', async () => {
    const ns = namespace();
    await client.create(mcpServer.resource, yardstick(ns, 'bad-env', { env: [{ name: 'A=B', value: 'x' }] }));
    const view = await serverReaches(client, ns, 'bad-env', reason('Ready', 'InvalidSpec'), 'InvalidSpec');
    expect(view.status?.phase).toBe('Failed');
    expect(view.status?.message).toBe('spec is invalid: spec.env: invalid variable name "A=B"');
    await expect(deployment('bad-env')).rejects.toMatchObject({ code: 404 });
  });
});

describe('groupRef', () => {
  it('follows the group as it appears and becomes ready, and drops the condition when the ref is cleared', async () => {
    const ns = namespace();
    await client.create(mcpServer.resource, yardstick(ns, 'member', { groupRef: { name: 'team' } }));
    const notFound = await serverReaches(
      client,
      ns,
      'member',
      reason('GroupRefValidated', 'GroupRefNotFound'),
      'NotFound',
    );
    // A group problem does not stop the server.
    expect(notFound.status?.url).toBeDefined();
    await groupWithPhase(client, ns, 'team', 'Pending');
    await serverReaches(client, ns, 'member', reason('GroupRefValidated', 'GroupRefNotReady'), 'NotReady');
    await setGroupPhase(client, ns, 'team', 'Ready');
    await serverReaches(client, ns, 'member', reason('GroupRefValidated', 'GroupRefIsValid'), 'IsValid');
    await client.patch(mcpServer.resource, { namespace: ns, name: 'member' }, 'json', [
      { op: 'remove', path: '/spec/groupRef' },
    ]);
    await serverReaches(
      client,
      ns,
      'member',
      (v) => condition(v, 'GroupRefValidated') === undefined,
      'condition removed',
    );
  });
});
