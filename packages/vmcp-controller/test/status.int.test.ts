// The VirtualMCPServer's status against a real apiserver: every row of the phase table (pods from
// testkit's workload simulator, `discoveredBackends` written as the vmcp runtime writes them), the
// runtime's fields surviving our writes, the group missing then created, the telemetry reference
// found / missing / changed, and the HMAC Secret created once and checked.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatedCRDPaths, mcpTelemetryConfig, virtualMCPServer } from '@mcp-controllers/api';
import {
  configMapResource,
  deploymentResource,
  eventResource,
  KubeClient,
  secretResource,
  type KubeObject,
} from '@mcp-controllers/core';
import {
  eventually,
  installCRDs,
  setStatus,
  startWorkloadSimulator,
  type WorkloadSimulator,
} from '@mcp-controllers/testkit';
import { useControlPlane, useNamespace } from '@mcp-controllers/testkit/vitest';
import {
  condition,
  groupWith,
  reportBackends,
  server,
  setGroupStatus,
  startVmcpController,
  summary,
  telemetryConfig,
  vmcp,
  vmcpReaches,
  type RunningVmcpController,
  type VmcpView,
} from './harness.js';

const controlPlane = useControlPlane();
const namespace = useNamespace(controlPlane);
let client: KubeClient;
let manager: RunningVmcpController;
let simulator: WorkloadSimulator;

beforeAll(async () => {
  await installCRDs(controlPlane().kubeConfig, generatedCRDPaths());
  client = new KubeClient(controlPlane().kubeConfig);
  simulator = await startWorkloadSimulator({ kubeConfig: controlPlane().kubeConfig });
  manager = await startVmcpController(controlPlane().kubeConfig);
});
afterAll(async () => {
  await manager.stop();
  await simulator.stop();
});

type Deployment = KubeObject & {
  spec: {
    template: {
      metadata: { annotations: Record<string, string> };
      spec: {
        containers: { env: { name: string; value?: string }[]; volumeMounts: { name: string }[] }[];
        volumes: { name: string }[];
      };
    };
  };
};

const ready = (phase: string, reason: string) => (v: VmcpView) =>
  v.status?.phase === phase && condition(v, 'Ready')?.reason === reason;
const readyRow = ready('Ready', 'DeploymentReady');

/** A ready group `team` with one MCPServer, and the simulator's own vmcp runtime switched off. */
async function setUp(ns: string, name: string, spec: Record<string, unknown> = {}): Promise<void> {
  await server(client, ns, 'yardstick', 'streamable-http');
  await groupWith(client, ns, 'team', { phase: 'Ready', servers: ['yardstick'] });
  simulator.setVmcpRuntime(ns, name, 'absent');
  await client.create(virtualMCPServer.resource, vmcp(ns, name, spec));
}

describe('phase table (§10.3)', () => {
  it('Pending without pods, Failed when they crash-loop, then Ready / Degraded from the backends', async () => {
    const ns = namespace();
    simulator.setBehaviour(ns, 'table', 'pending');
    await setUp(ns, 'table');
    await vmcpReaches(client, ns, 'table', ready('Pending', 'DeploymentNotReady'), 'Pending: pods not ready');

    simulator.setBehaviour(ns, 'table', 'crashloop');
    await vmcpReaches(client, ns, 'table', ready('Failed', 'DeploymentFailed'), 'Failed: crash loop');

    simulator.setBehaviour(ns, 'table', 'ready');
    let view = await vmcpReaches(client, ns, 'table', readyRow, 'Ready: no backends reported yet');
    expect(view.status?.backendCount).toBe(0);

    await reportBackends(client, ns, 'table', [
      { name: 'a', status: 'ready' },
      { name: 'b', status: 'unauthenticated' },
    ]);
    view = await vmcpReaches(
      client,
      ns,
      'table',
      (v) => readyRow(v) && v.status?.backendCount === 2,
      'all routable',
    );

    await reportBackends(client, ns, 'table', [
      { name: 'a', status: 'ready' },
      { name: 'b', status: 'unavailable' },
    ]);
    view = await vmcpReaches(client, ns, 'table', ready('Degraded', 'BackendsDegraded'), 'some unhealthy');
    expect(view.status?.backendCount).toBe(1);
    expect(view.status?.message).toBe('Virtual MCP server is running with 1/2 backends available');

    await reportBackends(client, ns, 'table', [
      { name: 'a', status: 'degraded' },
      { name: 'b', status: 'unknown' },
    ]);
    view = await vmcpReaches(client, ns, 'table', ready('Degraded', 'BackendsUnavailable'), 'none routable');
    expect(view.status?.backendCount).toBe(0);

    // No pods at all (scaled to zero): Pending, whatever the backends say.
    await client.patch(virtualMCPServer.resource, { namespace: ns, name: 'table' }, 'merge', {
      spec: { replicas: 0 },
    });
    view = await vmcpReaches(client, ns, 'table', ready('Pending', 'DeploymentNotReady'), 'Pending: no pods');
    expect(view.status?.message).toBe('No pods found for Virtual MCP server');
  });

  it('keeps what the runtime wrote (discoveredBackends, BackendsDiscovered) through its own writes', async () => {
    const ns = namespace();
    await setUp(ns, 'shared');
    await vmcpReaches(client, ns, 'shared', readyRow, 'Ready');
    const runtimeCondition = {
      type: 'BackendsDiscovered',
      status: 'True',
      reason: 'BackendDiscoverySucceeded',
      message: 'Discovered 1 backends',
      lastTransitionTime: '2026-11-29T00:00:00Z',
    };
    const current = await client.get<VmcpView>(virtualMCPServer.resource, { namespace: ns, name: 'shared' });
    await setStatus(
      client,
      virtualMCPServer.resource,
      { namespace: ns, name: 'shared' },
      {
        discoveredBackends: [{ name: 'yardstick', url: 'http://yardstick:8080', status: 'unavailable' }],
        conditions: [...(current.status?.conditions ?? []), runtimeCondition],
      },
    );
    await vmcpReaches(client, ns, 'shared', ready('Degraded', 'BackendsUnavailable'), 'Degraded');
    // A spec change makes the controller write everything it owns once more.
    await client.patch(virtualMCPServer.resource, { namespace: ns, name: 'shared' }, 'merge', {
      spec: { config: { operational: { logLevel: 'debug' } } },
    });
    const view = await vmcpReaches(
      client,
      ns,
      'shared',
      (v) => ready('Degraded', 'BackendsUnavailable')(v) && v.status?.observedGeneration === 2,
      'generation 2 observed',
    );
    expect(view.status?.discoveredBackends).toEqual([
      { name: 'yardstick', url: 'http://yardstick:8080', status: 'unavailable' },
    ]);
    expect(condition(view, 'BackendsDiscovered')).toEqual(runtimeCondition);
  });
});

describe('references', () => {
  it('waits for a missing group with a fixed requeue, then rolls out once it exists and is ready', async () => {
    const ns = namespace();
    await client.create(virtualMCPServer.resource, vmcp(ns, 'early'));
    let view = await vmcpReaches(client, ns, 'early', ready('Failed', 'GroupNotReady'), 'Failed: no group');
    expect(condition(view, 'GroupRefValidated')?.reason).toBe('GroupRefNotFound');
    expect(view.status?.message).toBe(
      'Referenced MCPGroup team not found; create it or fix spec.groupRef.name',
    );
    const exists = async (name: string) =>
      client.get(deploymentResource, { namespace: ns, name }).then(
        () => true,
        () => false,
      );
    expect(await exists('early')).toBe(false);

    await groupWith(client, ns, 'team', { phase: 'Pending' });
    view = await vmcpReaches(
      client,
      ns,
      'early',
      (v) => ready('Pending', 'GroupNotReady')(v) && (v.status?.message ?? '').includes('phase: Pending'),
      'Pending: group not ready',
    );
    expect(condition(view, 'GroupRefValidated')?.message).toBe(
      "MCPGroup 'team' is not ready (phase: Pending)",
    );
    expect(await exists('early')).toBe(false);

    await setGroupStatus(client, ns, 'team', { phase: 'Ready' });
    view = await vmcpReaches(client, ns, 'early', readyRow, 'Ready once the group is');
    expect(summary(view)).toContain('GroupRefValidated=True/GroupRefValid');
    expect(await exists('early')).toBe(true);
  });

  it('telemetry ref: missing blocks the rollout, found wires env and config, a change rolls the pods', async () => {
    const ns = namespace();
    await setUp(ns, 'traced', { telemetryConfigRef: { name: 'otel', serviceName: 'hub' } });
    let view = await vmcpReaches(client, ns, 'traced', ready('Failed', 'NotRolledOut'), 'Failed: no config');
    expect(condition(view, 'TelemetryConfigRefValidated')?.reason).toBe('TelemetryConfigRefNotFound');

    const otel = (endpoint: string) => ({
      openTelemetry: {
        enabled: true,
        endpoint,
        tracing: { enabled: true },
        caBundleRef: { configMapRef: { name: 'otel-ca', key: 'ca.crt' } },
      },
    });
    await telemetryConfig(client, ns, 'otel', otel('https://collector:4318'), 'hash-1');
    view = await vmcpReaches(
      client,
      ns,
      'traced',
      (v) => readyRow(v) && v.status?.telemetryConfigHash === 'hash-1',
      'Ready with the telemetry hash',
    );
    expect(condition(view, 'TelemetryConfigRefValidated')?.reason).toBe('TelemetryConfigRefValid');
    const deployment = () => client.get<Deployment>(deploymentResource, { namespace: ns, name: 'traced' });
    const d = await deployment();
    expect(d.spec.template.spec.containers[0]?.env).toContainEqual({
      name: 'OTEL_RESOURCE_ATTRIBUTES',
      value: `service.name=hub,service.namespace=${ns}`,
    });
    expect(d.spec.template.spec.volumes.map((v) => v.name)).toContain('otel-ca-bundle-otel-ca');
    const configYaml = async () =>
      (
        await client.get<KubeObject & { data: Record<string, string> }>(configMapResource, {
          namespace: ns,
          name: 'traced-vmcp-config',
        })
      ).data['config.yaml'] ?? '';
    expect(await configYaml()).toContain('endpoint: collector:4318');
    expect(await configYaml()).toContain('caCertPath: /config/certs/otel/otel-ca/ca.crt');

    const before = d.spec.template.metadata.annotations['toolhive.stacklok.dev/runconfig-checksum'];
    await client.patch(mcpTelemetryConfig.resource, { namespace: ns, name: 'otel' }, 'merge', {
      spec: otel('https://other:4318'),
    });
    await setStatus(
      client,
      mcpTelemetryConfig.resource,
      { namespace: ns, name: 'otel' },
      { configHash: 'hash-2' },
    );
    await vmcpReaches(client, ns, 'traced', (v) => v.status?.telemetryConfigHash === 'hash-2', 'new hash');
    await eventually(async () => ((await configYaml()).includes('endpoint: other:4318') ? true : undefined), {
      timeoutMs: 5_000,
      what: 'config.yaml follows the telemetry config',
    });
    const after = (await deployment()).spec.template.metadata.annotations[
      'toolhive.stacklok.dev/runconfig-checksum'
    ];
    expect(after).not.toBe(before);
  });
});

describe('HMAC Secret', () => {
  it('is created once and kept across spec changes; a foreign one is a condition and a Warning Event', async () => {
    const ns = namespace();
    await setUp(ns, 'sessions');
    await vmcpReaches(client, ns, 'sessions', readyRow, 'Ready');
    const secret = () =>
      client.get<KubeObject & { data: Record<string, string> }>(secretResource, {
        namespace: ns,
        name: 'sessions-hmac-secret',
      });
    const first = await secret();
    const key = Buffer.from(Buffer.from(first.data['hmac-secret'] ?? '', 'base64').toString(), 'base64');
    expect(key).toHaveLength(32);
    await client.patch(virtualMCPServer.resource, { namespace: ns, name: 'sessions' }, 'merge', {
      spec: { replicas: 2 },
    });
    await vmcpReaches(
      client,
      ns,
      'sessions',
      (v) => readyRow(v) && v.status?.observedGeneration === 2,
      'gen 2',
    );
    const second = await secret();
    expect(second.data).toEqual(first.data);
    expect(second.metadata.resourceVersion).toBe(first.metadata.resourceVersion);

    // A Secret of that name owned by nobody, holding a short key: never overwritten, reported.
    const short = Buffer.from(Buffer.from('short').toString('base64')).toString('base64');
    await client.create(secretResource, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'other-hmac-secret', namespace: ns },
      data: { 'hmac-secret': short },
    });
    simulator.setVmcpRuntime(ns, 'other', 'absent');
    await client.create(virtualMCPServer.resource, vmcp(ns, 'other'));
    const view = await vmcpReaches(
      client,
      ns,
      'other',
      ready('Failed', 'NotRolledOut'),
      'Failed: bad secret',
    );
    expect(condition(view, 'HMACSecretValid')).toMatchObject({
      status: 'False',
      reason: 'HMACSecretInvalid',
    });
    expect(view.status?.message).toContain(
      `Secret ${ns}/other-hmac-secret is not controlled by VirtualMCPServer`,
    );
    const kept = await client.get<KubeObject & { data: Record<string, string> }>(secretResource, {
      namespace: ns,
      name: 'other-hmac-secret',
    });
    expect(kept.data['hmac-secret']).toBe(short);
    await eventually(
      async () => {
        const list = await client.list<{
          items: (KubeObject & { reason?: string; regarding?: { name?: string } })[];
        }>(eventResource, ns);
        return list.items.some(
          (e) => e.reason === 'HMACSecretValidationFailed' && e.regarding?.name === 'other',
        )
          ? true
          : undefined;
      },
      { timeoutMs: 5_000, what: 'Warning Event HMACSecretValidationFailed' },
    );
    const exists = await client.get(deploymentResource, { namespace: ns, name: 'other' }).then(
      () => true,
      () => false,
    );
    expect(exists).toBe(false);
  });
});
