// The controller runs with a ServiceAccount token bound to exactly the roles `helm template` renders:
// it must do its whole job with them (every reference kind read through watches, status written, its
// Lease held), and nothing more: Secrets are list/watch only, never get.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatedCRDPaths, mcpExternalAuthConfig, mcpServerEntry } from '@mcp-controllers/api';
import {
  configMapResource,
  isForbidden,
  KubeClient,
  leaseResource,
  secretResource,
  type Manager,
} from '@mcp-controllers/core';
import { chartRelease, createNamespace, installCRDs } from '@mcp-controllers/testkit';
import { useControlPlane } from '@mcp-controllers/testkit/vitest';
import { entry, entryReaches, groupWithPhase, startEntryController, summary } from './harness.js';

const chart = new URL('../chart', import.meta.url).pathname;
const controlPlane = useControlPlane();
let admin: KubeClient;
let asController: KubeClient;
let manager: Manager;
let release: string;

/** An entry that needs every kind the controller reads, and the objects it names. */
async function fullyReferencedEntry(ns: string): Promise<void> {
  await groupWithPhase(admin, ns, 'team', 'Ready');
  await admin.create(configMapResource, {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'ca', namespace: ns },
    data: { 'ca.crt': 'PEM' },
  });
  await admin.create(secretResource, {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'key', namespace: ns },
    stringData: { token: 't' },
  });
  await admin.create(mcpExternalAuthConfig.resource, {
    apiVersion: 'toolhive.stacklok.dev/v1beta1',
    kind: 'MCPExternalAuthConfig',
    metadata: { name: 'auth', namespace: ns },
    spec: { type: 'unauthenticated' },
  });
  await admin.create(
    mcpServerEntry.resource,
    entry(ns, 'e', {
      remoteUrl: 'https://a.example.com/mcp',
      externalAuthConfigRef: { name: 'auth' },
      caBundleRef: { configMapRef: { name: 'ca', key: 'ca.crt' } },
      headerForward: {
        addHeadersFromSecret: [{ headerName: 'X-Key', valueSecretRef: { name: 'key', key: 'token' } }],
      },
    }),
  );
}

const allTrue = [
  'CABundleRefValidated=True/CABundleRefValid',
  'ExternalAuthConfigValidated=True/AuthConfigValid',
  'GroupRefValidated=True/GroupRefIsValid',
  'HeaderSecretRefsValidated=True/HeaderSecretsValid',
  'RemoteURLValidated=True/RemoteURLValid',
  'Valid=True/ConfigValid',
];

beforeAll(async () => {
  const kc = controlPlane().kubeConfig;
  await installCRDs(kc, generatedCRDPaths());
  admin = new KubeClient(kc);
  const asChart = await chartRelease(kc, chart, { release: 'mcp', namespacePrefix: 'mcp-system' });
  release = asChart.namespace;
  asController = new KubeClient(asChart.kubeConfig);
  manager = await startEntryController(asChart.kubeConfig, asChart.args);
});
afterAll(async () => {
  await manager.stop();
});

describe('entry-controller with only its chart’s RBAC', () => {
  it('validates an entry that names every kind it reads, and holds its Lease', async () => {
    const ns = await createNamespace(controlPlane().kubeConfig, 'rbac');
    await fullyReferencedEntry(ns);
    const view = await entryReaches(admin, ns, 'e', (v) => v.status?.phase === 'Valid', 'Valid');
    expect(summary(view)).toEqual(allTrue);
    const lease = await admin.get<{ spec: { holderIdentity?: string } }>(leaseResource, {
      namespace: release,
      name: manager.flags.leaderElectionId,
    });
    expect(manager.flags.leaderElectionId).toBe('mcp-entry-controller');
    expect(lease.spec.holderIdentity).toBe(manager.identity);
    expect(manager.client.tally.count({ code: 403 })).toBe(0);
  });

  it('is denied what it was not granted: reading one Secret, writing specs, creating anything', async () => {
    const ns = await createNamespace(controlPlane().kubeConfig, 'denied');
    await admin.create(secretResource, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's', namespace: ns },
      stringData: { token: 't' },
    });
    await admin.create(mcpServerEntry.resource, entry(ns, 'e', { remoteUrl: 'https://a.example.com/' }));
    const denied = [
      () => asController.get(secretResource, { namespace: ns, name: 's' }),
      () => asController.get(configMapResource, { namespace: ns, name: 'kube-root-ca.crt' }),
      () =>
        asController.patch(mcpServerEntry.resource, { namespace: ns, name: 'e' }, 'merge', {
          spec: { allowPrivateEndpoint: true },
        }),
      () => asController.delete(mcpServerEntry.resource, { namespace: ns, name: 'e' }),
      () =>
        asController.create(secretResource, {
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name: 'made-up', namespace: ns },
        }),
    ];
    for (const attempt of denied) await expect(attempt()).rejects.toSatisfy(isForbidden);
  });
});

// Role-only mode: with watchNamespaces the chart renders no cluster-scoped RBAC; the controller,
// started with the chart's own --watch-namespace, must still do its whole job in those namespaces.
describe('entry-controller with the chart’s Role-only RBAC (watchNamespaces)', () => {
  let scoped: Manager;
  let watched: string;

  beforeAll(async () => {
    await manager.stop();
    const kc = controlPlane().kubeConfig;
    watched = await createNamespace(kc, 'watched');
    const asChart = await chartRelease(kc, chart, {
      release: 'scoped',
      namespacePrefix: 'mcp-scoped',
      set: [`watchNamespaces={${watched}}`],
    });
    expect(asChart.docs.filter((d) => d.kind.startsWith('Cluster'))).toEqual([]);
    scoped = await startEntryController(asChart.kubeConfig, asChart.args);
  });
  afterAll(async () => {
    await scoped.stop();
  });

  it('validates an entry in the watched namespace with Roles only', async () => {
    await fullyReferencedEntry(watched);
    const view = await entryReaches(admin, watched, 'e', (v) => v.status?.phase === 'Valid', 'Valid');
    expect(summary(view)).toEqual(allTrue);
    expect(scoped.flags.watchNamespaces).toEqual([watched]);
    expect(scoped.client.tally.count({ code: 403 })).toBe(0);
  });
});
