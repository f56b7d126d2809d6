// The controller runs with a ServiceAccount token bound to exactly the roles `helm template` renders:
// it must do its whole job with them (create every owned object, grant the vmcp its Role, which
// Kubernetes allows only to whoever holds those rules, shrink that Role in place for inline mode,
// create and read back the HMAC Secret, set replicas under its own field manager, write status, hold
// its Lease), and never be refused a request.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatedCRDPaths, virtualMCPServer } from '@mcp-controllers/api';
import {
  configMapResource,
  deploymentResource,
  KubeClient,
  leaseResource,
  roleResource,
  secretResource,
  type KubeObject,
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
import { vmcpDiscoveredRules, vmcpInlineRules } from '../src/rbac.js';
import {
  condition,
  entry,
  groupWith,
  remoteProxy,
  server,
  startVmcpController,
  summary,
  telemetryConfig,
  vmcp,
  vmcpReaches,
  type RunningVmcpController,
  type VmcpView,
} from './harness.js';

const chart = new URL('../chart', import.meta.url).pathname;
const controlPlane = useControlPlane();
let admin: KubeClient;
let manager: RunningVmcpController;
let simulator: WorkloadSimulator;
let release: string;

beforeAll(async () => {
  const kc = controlPlane().kubeConfig;
  await installCRDs(kc, generatedCRDPaths());
  admin = new KubeClient(kc);
  simulator = await startWorkloadSimulator({ kubeConfig: kc });
  const asChart = await chartRelease(kc, chart, { release: 'mcp', namespacePrefix: 'mcp-system' });
  release = asChart.namespace;
  manager = await startVmcpController(asChart.kubeConfig, asChart.args);
});
afterAll(async () => {
  await manager.stop();
  await simulator.stop();
});

type Deployment = KubeObject & { spec: { replicas?: number } };
type Role = KubeObject & { rules: unknown[] };

/** Ours at the vMCP's current generation (the runtime's `BackendsDiscovered` left out). */
const ours = (v: VmcpView) => summary(v).filter((c) => !c.startsWith('BackendsDiscovered='));
const readyAt = (generation: number) => (v: VmcpView) =>
  v.status?.phase === 'Ready' &&
  v.metadata.generation === generation &&
  condition(v, 'Ready')?.observedGeneration === generation;

/** One of each member kind: an MCPServer, an MCPRemoteProxy, entries with a CA bundle and forwarded headers. */
async function team(ns: string): Promise<void> {
  await admin.create(configMapResource, {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'docs-ca', namespace: ns },
    data: { 'ca.pem': 'PEM' },
  });
  await server(admin, ns, 'yardstick', 'streamable-http');
  await remoteProxy(admin, ns, 'crm');
  await entry(admin, ns, 'docs', { caBundleRef: { configMapRef: { name: 'docs-ca', key: 'ca.pem' } } });
  await entry(admin, ns, 'search', {
    headerForward: {
      addPlaintextHeaders: { 'X-Tenant': 'acme' },
      addHeadersFromSecret: [
        { headerName: 'X-API-Key', valueSecretRef: { name: 'search-key', key: 'token' } },
      ],
    },
  });
  await telemetryConfig(admin, ns, 'otel', {
    openTelemetry: { enabled: true, endpoint: 'collector:4318', tracing: { enabled: true } },
  });
  await groupWith(admin, ns, 'team', {
    phase: 'Ready',
    servers: ['yardstick'],
    remoteProxies: ['crm'],
    entries: ['docs', 'search'],
  });
}

describe('vmcp-controller with only its chart’s RBAC', () => {
  it('runs a discovered vMCP with telemetry, switches it to inline, scales it, checks its HMAC Secret, holds its Lease: never refused', async () => {
    const ns = await createNamespace(controlPlane().kubeConfig, 'rbac');
    await team(ns);
    await admin.create(virtualMCPServer.resource, vmcp(ns, 'hub', { telemetryConfigRef: { name: 'otel' } }));
    const discovered = await vmcpReaches(admin, ns, 'hub', readyAt(1), 'Ready (discovered)');
    expect(ours(discovered)).toEqual([
      'GroupRefValidated=True/GroupRefValid',
      'HMACSecretValid=True/HMACSecretValid',
      'PodTemplateSpecValid=True/PodTemplateSpecValid',
      'Ready=True/DeploymentReady',
      'TelemetryConfigRefValidated=True/TelemetryConfigRefValid',
      'Valid=True/ValidationSucceeded',
    ]);
    expect(discovered.status?.telemetryConfigHash).toBe('hash-1');
    const get = <T extends KubeObject>(resource: typeof roleResource, name: string) =>
      admin.get<T>(resource, { namespace: ns, name });
    // Granting the Role needs every rule of it (RBAC escalation prevention).
    const role = await get<Role>(roleResource, 'hub-vmcp');
    expect(role.rules).toEqual(vmcpDiscoveredRules.map((r) => ({ ...r })));
    const roleUid = role.metadata.uid;

    // Inline mode: the same Role, its rules replaced in place.
    await admin.patch(virtualMCPServer.resource, { namespace: ns, name: 'hub' }, 'merge', {
      spec: { outgoingAuth: { source: 'inline' } },
    });
    const inline = await vmcpReaches(
      admin,
      ns,
      'hub',
      (v) => readyAt(2)(v) && condition(v, 'BackendsConfigured')?.status === 'True',
      'Ready (inline)',
    );
    expect(condition(inline, 'BackendsConfigured')?.message).toBe(
      '4 backends in config.yaml: crm, docs, search, yardstick',
    );
    const shrunk = await get<Role>(roleResource, 'hub-vmcp');
    expect(shrunk.rules).toEqual(vmcpInlineRules.map((r) => ({ ...r })));
    expect(shrunk.metadata.uid).toBe(roleUid);

    // Replicas: applied under their own field manager.
    await admin.patch(virtualMCPServer.resource, { namespace: ns, name: 'hub' }, 'merge', {
      spec: { replicas: 2 },
    });
    await eventually(
      async () => ((await get<Deployment>(deploymentResource, 'hub')).spec.replicas === 2 ? true : undefined),
      { timeoutMs: 15_000, what: 'Deployment at 2 replicas' },
    );
    const scaled = await get<Deployment & { metadata: { managedFields?: { manager?: string }[] } }>(
      deploymentResource,
      'hub',
    );
    const managers = (scaled.metadata.managedFields ?? []).map((f) => f.manager);
    expect(managers).toContain('mcp-vmcp-controller-replicas');
    await vmcpReaches(admin, ns, 'hub', readyAt(3), 'Ready with 2 replicas');

    // The HMAC Secret was created by the controller; a new resourceVersion of it is validated again
    // from an uncached GET, which the chart must allow.
    const secretGets = () => manager.client.tally.count({ verb: 'get', resource: 'secrets', code: 200 });
    const before = secretGets();
    await admin.patch(secretResource, { namespace: ns, name: 'hub-hmac-secret' }, 'merge', {
      metadata: { labels: { 'team.example.com/touched': 'yes' } },
    });
    await eventually(() => (secretGets() > before ? true : undefined), {
      timeoutMs: 15_000,
      what: 'the HMAC Secret read back (uncached)',
    });
    const checked = await vmcpReaches(admin, ns, 'hub', readyAt(3), 'Ready after the Secret check');
    expect(condition(checked, 'HMACSecretValid')?.status).toBe('True');

    const lease = await admin.get<{ spec: { holderIdentity?: string } }>(leaseResource, {
      namespace: release,
      name: manager.flags.leaderElectionId,
    });
    expect(lease.spec.holderIdentity).toBe(manager.identity);
    const refused = manager.client.tally.entries().filter((e) => e.code === 403);
    expect(refused).toEqual([]);
  });
});
