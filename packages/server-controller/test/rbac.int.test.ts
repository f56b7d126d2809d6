// The controller runs with a ServiceAccount token bound to exactly the roles `helm template` renders:
// it must do its whole job with them (create every owned object, grant the proxy runner its Role,
// which Kubernetes allows only to whoever holds those rules, write status, delete the runner's
// objects on deletion, hold its Lease), and nothing more.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatedCRDPaths, mcpServer } from '@mcp-controllers/api';
import {
  deploymentResource,
  isForbidden,
  KubeClient,
  leaseResource,
  roleResource,
  secretResource,
  statefulSetResource,
  type Manager,
} from '@mcp-controllers/core';
import {
  chartRelease,
  createNamespace,
  eventually,
  installCRDs,
  startWorkloadSimulator,
  type WorkloadSimulator,
} from '@mcp-controllers/testkit';
import { useControlPlane } from '@mcp-controllers/testkit/vitest';
import {
  groupWithPhase,
  serverReaches,
  startServerController,
  summary,
  telemetryConfig,
  yardstick,
} from './harness.js';

const chart = new URL('../chart', import.meta.url).pathname;
const controlPlane = useControlPlane();
let admin: KubeClient;
let asController: KubeClient;
let manager: Manager;
let simulator: WorkloadSimulator;
let release: string;

beforeAll(async () => {
  const kc = controlPlane().kubeConfig;
  await installCRDs(kc, generatedCRDPaths());
  admin = new KubeClient(kc);
  simulator = await startWorkloadSimulator({ kubeConfig: kc });
  const asChart = await chartRelease(kc, chart, { release: 'mcp', namespacePrefix: 'mcp-system' });
  release = asChart.namespace;
  asController = new KubeClient(asChart.kubeConfig);
  manager = await startServerController(asChart.kubeConfig, asChart.args);
});
afterAll(async () => {
  await manager.stop();
  await simulator.stop();
});

const allTrue = [
  'ConfigReferencesSupported=True/ConfigReferencesSupported',
  'GroupRefValidated=True/GroupRefIsValid',
  'PodTemplateValid=True/ValidPodTemplateSpec',
  'Ready=True/Ready',
  'TelemetryConfigRefValidated=True/TelemetryConfigRefValid',
];

describe('server-controller with only its chart’s RBAC', () => {
  it('runs a server that uses a group and a telemetry config, deletes it cleanly, and holds its Lease', async () => {
    const ns = await createNamespace(controlPlane().kubeConfig, 'rbac');
    await groupWithPhase(admin, ns, 'team', 'Ready');
    await telemetryConfig(admin, ns, 'otel', {
      openTelemetry: { enabled: true, endpoint: 'collector:4318', tracing: { enabled: true } },
    });
    await admin.create(
      mcpServer.resource,
      yardstick(ns, 'full', { groupRef: { name: 'team' }, telemetryConfigRef: { name: 'otel' } }),
    );
    const view = await serverReaches(admin, ns, 'full', (v) => v.status?.phase === 'Ready', 'Ready');
    expect(summary(view)).toEqual(allTrue);
    // The runner's Role was granted (RBAC escalation prevention lets only a holder of the rules do it).
    await admin.get(roleResource, { namespace: ns, name: 'full-proxy-runner' });

    await admin.delete(mcpServer.resource, { namespace: ns, name: 'full' });
    await eventually(
      async () => {
        try {
          await admin.get(mcpServer.resource, { namespace: ns, name: 'full' });
          return undefined;
        } catch {
          return true;
        }
      },
      { timeoutMs: 15_000, what: 'MCPServer deleted' },
    );
    await expect(admin.get(statefulSetResource, { namespace: ns, name: 'full' })).rejects.toMatchObject({
      code: 404,
    });

    const lease = await admin.get<{ spec: { holderIdentity?: string } }>(leaseResource, {
      namespace: release,
      name: manager.flags.leaderElectionId,
    });
    expect(lease.spec.holderIdentity).toBe(manager.identity);
    expect(manager.client.tally.count({ code: 403 })).toBe(0);
  });

  it('is denied what it was not granted: Secrets, MCPServer specs, other kinds', async () => {
    const ns = await createNamespace(controlPlane().kubeConfig, 'denied');
    await admin.create(secretResource, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's', namespace: ns },
      stringData: { token: 't' },
    });
    await admin.create(mcpServer.resource, yardstick(ns, 'e'));
    const denied = [
      () => asController.get(secretResource, { namespace: ns, name: 's' }),
      () => asController.list(secretResource, ns),
      () => asController.delete(mcpServer.resource, { namespace: ns, name: 'e' }),
      () => asController.create(mcpServer.resource, yardstick(ns, 'made-up')),
      () => asController.list({ ...deploymentResource, plural: 'daemonsets', kind: 'DaemonSet' }, ns),
    ];
    for (const attempt of denied) await expect(attempt()).rejects.toSatisfy(isForbidden);
  });
});
