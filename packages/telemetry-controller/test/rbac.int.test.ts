// The controller runs with a ServiceAccount token bound to exactly the roles `helm template` renders:
// it must do its whole job with them (finalizer, status, references, deletion), and nothing more.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mcpServer, mcpTelemetryConfig, virtualMCPServer, generatedCRDPaths } from '@mcp-controllers/api';
import { isForbidden, KubeClient, leaseResource, type Manager } from '@mcp-controllers/core';
import { chartRelease, createNamespace, installCRDs } from '@mcp-controllers/testkit';
import { useControlPlane } from '@mcp-controllers/testkit/vitest';
import {
  condition,
  configGone,
  configReaches,
  sameRefs,
  startTelemetryController,
  telemetryConfig,
  workload,
} from './harness.js';

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
  manager = await startTelemetryController(asChart.kubeConfig, asChart.args);
});
afterAll(async () => {
  await manager.stop();
});

describe('telemetry-controller with only its chart’s RBAC', () => {
  it('validates, tracks references, blocks and completes deletion, and holds its Lease', async () => {
    const ns = await createNamespace(controlPlane().kubeConfig, 'rbac');
    await admin.create(
      mcpTelemetryConfig.resource,
      telemetryConfig(ns, 'otel', { openTelemetry: { endpoint: 'c:4318', metrics: { enabled: true } } }),
    );
    await admin.create(mcpServer.resource, workload('MCPServer', ns, 'server', 'otel'));
    await admin.create(virtualMCPServer.resource, workload('VirtualMCPServer', ns, 'vmcp', 'otel'));
    await configReaches(
      admin,
      ns,
      'otel',
      (v) =>
        condition(v, 'Valid')?.status === 'True' &&
        sameRefs(v, ['MCPServer/server', 'VirtualMCPServer/vmcp']),
      'valid and referenced',
    );
    await admin.delete(mcpTelemetryConfig.resource, { namespace: ns, name: 'otel' });
    await configReaches(
      admin,
      ns,
      'otel',
      (v) => condition(v, 'DeletionBlocked')?.status === 'True',
      'deletion blocked',
    );
    await admin.delete(mcpServer.resource, { namespace: ns, name: 'server' });
    await admin.delete(virtualMCPServer.resource, { namespace: ns, name: 'vmcp' });
    await configGone(admin, ns, 'otel');

    const lease = await admin.get<{ spec: { holderIdentity?: string } }>(leaseResource, {
      namespace: release,
      name: manager.flags.leaderElectionId,
    });
    expect(manager.flags.leaderElectionId).toBe('mcp-telemetry-controller');
    expect(lease.spec.holderIdentity).toBe(manager.identity);
    expect(manager.client.tally.count({ code: 403 })).toBe(0);
  });

  it('is denied what it was not granted', async () => {
    const ns = await createNamespace(controlPlane().kubeConfig, 'denied');
    await admin.create(mcpServer.resource, workload('MCPServer', ns, 'server'));
    const denied = [
      () =>
        asController.patch(mcpServer.resource, { namespace: ns, name: 'server' }, 'merge', {
          spec: { replicas: 2 },
        }),
      () =>
        asController.patch(
          mcpServer.resource,
          { namespace: ns, name: 'server' },
          'merge',
          { status: { telemetryConfigHash: 'x' } },
          { subresource: 'status' },
        ),
      () => asController.create(mcpTelemetryConfig.resource, telemetryConfig(ns, 'made-up', {})),
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
describe('telemetry-controller with the chart’s Role-only RBAC (watchNamespaces)', () => {
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
    scoped = await startTelemetryController(asChart.kubeConfig, asChart.args);
  });
  afterAll(async () => {
    await scoped.stop();
  });

  it('validates and tracks references in the watched namespace with Roles only', async () => {
    await admin.create(
      mcpTelemetryConfig.resource,
      telemetryConfig(watched, 'otel', { openTelemetry: { endpoint: 'c:4318', metrics: { enabled: true } } }),
    );
    await admin.create(mcpServer.resource, workload('MCPServer', watched, 'server', 'otel'));
    await configReaches(
      admin,
      watched,
      'otel',
      (v) => condition(v, 'Valid')?.status === 'True' && sameRefs(v, ['MCPServer/server']),
      'valid and referenced',
    );
    expect(scoped.flags.watchNamespaces).toEqual([watched]);
    expect(scoped.client.tally.writes()).toBeGreaterThan(0);
    expect(scoped.client.tally.count({ code: 403 })).toBe(0);
  });
});
