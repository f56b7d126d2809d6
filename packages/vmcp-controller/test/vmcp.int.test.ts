// The VirtualMCPServer controller against a real apiserver: what it makes for a group of one sse and
// one streamable-http MCPServer, one MCPRemoteProxy and two MCPServerEntries, in discovered and inline
// mode, and how a change of the group reaches config.yaml and the pods. testkit's workload simulator
// plays the kubelet (pods from the Deployment); the group's and members' status are written by the
// test, as their controllers would.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { generatedCRDPaths, mcpServer, mcpServerEntry, virtualMCPServer } from '@mcp-controllers/api';
import {
  configMapResource,
  deploymentResource,
  KubeClient,
  newerResourceVersion,
  roleBindingResource,
  roleResource,
  secretResource,
  serviceAccountResource,
  serviceResource,
  type KubeObject,
  type ResourceRef,
} from '@mcp-controllers/core';
import {
  controllerSettles,
  eventually,
  installCRDs,
  setStatus,
  startWorkloadSimulator,
  type WorkloadSimulator,
} from '@mcp-controllers/testkit';
import { useControlPlane, useNamespace } from '@mcp-controllers/testkit/vitest';
import { vmcpDiscoveredRules, vmcpInlineRules } from '../src/rbac.js';
import {
  condition,
  entry,
  groupWith,
  remoteProxy,
  server,
  setEntryPhase,
  setGroupStatus,
  startVmcpController,
  summary,
  vmcp,
  vmcpImage,
  vmcpReaches,
  type RunningVmcpController,
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

interface Deployment extends KubeObject {
  spec: {
    replicas?: number;
    template: {
      metadata: { annotations: Record<string, string> };
      spec: {
        serviceAccountName: string;
        containers: {
          name: string;
          image: string;
          args: string[];
          env: { name: string; value?: string; valueFrom?: unknown }[];
          volumeMounts: { name: string; mountPath: string }[];
        }[];
        volumes: { name: string; configMap?: { name: string } }[];
      };
    };
  };
}
interface ConfigMap extends KubeObject {
  data: Record<string, string>;
}
interface Backend {
  name: string;
  url: string;
  transport: string;
  type?: string;
  caBundlePath?: string;
  metadata: Record<string, string>;
}

const checksum = 'toolhive.stacklok.dev/runconfig-checksum';
const get = <T extends KubeObject = KubeObject>(resource: ResourceRef, name: string) =>
  client.get<T>(resource, { namespace: namespace(), name });
const configOf = async (name: string) =>
  parse((await get<ConfigMap>(configMapResource, `${name}-vmcp-config`)).data['config.yaml'] ?? '') as {
    name: string;
    groupRef: string;
    backends?: Backend[];
    outgoingAuth: { source: string };
  };
const isReady = (v: { status?: { phase?: string } }) => v.status?.phase === 'Ready';
const absent = (resource: ResourceRef, name: string) =>
  get(resource, name).then(
    () => false,
    () => true,
  );

/** The group `team` of the issue: two MCPServers, a remote proxy, two entries. */
async function team(ns: string): Promise<void> {
  await client.create(configMapResource, {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'docs-ca', namespace: ns },
    data: { 'ca.pem': 'PEM' },
  });
  await server(client, ns, 'yardstick', 'streamable-http');
  await server(client, ns, 'events', 'sse');
  await remoteProxy(client, ns, 'crm');
  await entry(client, ns, 'docs', { caBundleRef: { configMapRef: { name: 'docs-ca', key: 'ca.pem' } } });
  await entry(client, ns, 'search', {
    headerForward: {
      addPlaintextHeaders: { 'X-Tenant': 'acme' },
      addHeadersFromSecret: [
        { headerName: 'X-API-Key', valueSecretRef: { name: 'search-key', key: 'token' } },
      ],
    },
  });
  await groupWith(client, ns, 'team', {
    phase: 'Ready',
    servers: ['events', 'yardstick'],
    remoteProxies: ['crm'],
    entries: ['docs', 'search'],
  });
}

describe('discovered and inline mode', () => {
  it('discovered: config.yaml without backends, the Deployment, Service, RBAC and HMAC Secret, all owned', async () => {
    const ns = namespace();
    await team(ns);
    await client.create(virtualMCPServer.resource, vmcp(ns, 'hub'));
    const view = await vmcpReaches(client, ns, 'hub', isReady, 'Ready');
    expect(view.status?.url).toBe(`http://vmcp-hub.${ns}.svc.cluster.local:4483`);
    // Ours only: the simulator, playing the vmcp runtime, adds BackendsDiscovered.
    expect(summary(view).filter((c) => !c.startsWith('BackendsDiscovered='))).toEqual([
      'GroupRefValidated=True/GroupRefValid',
      'HMACSecretValid=True/HMACSecretValid',
      'PodTemplateSpecValid=True/PodTemplateSpecValid',
      'Ready=True/DeploymentReady',
      'Valid=True/ValidationSucceeded',
    ]);

    const config = await configOf('hub');
    expect(config).toMatchObject({ name: 'hub', groupRef: 'team', outgoingAuth: { source: 'discovered' } });
    expect(config.backends).toBeUndefined();

    const d = await get<Deployment>(deploymentResource, 'hub');
    const container = d.spec.template.spec.containers[0];
    expect(container?.image).toBe(vmcpImage);
    expect(container?.args).toEqual([
      'serve',
      '--config=/etc/vmcp-config/config.yaml',
      '--host=0.0.0.0',
      '--port=4483',
    ]);
    expect(container?.env.map((e) => e.name)).toEqual([
      'VMCP_NAME',
      'VMCP_NAMESPACE',
      'TOOLHIVE_HEADER_FORWARD_SEARCH',
      'TOOLHIVE_SECRET_HEADER_FORWARD_X_API_KEY_SEARCH',
      'VMCP_SESSION_HMAC_SECRET',
      'XDG_CONFIG_HOME',
      'HOME',
      'TOOLHIVE_RUNTIME',
      'UNSTRUCTURED_LOGS',
      'TOOLHIVE_SECRETS_PROVIDER',
    ]);
    expect(
      container?.env.find((e) => e.name === 'TOOLHIVE_SECRET_HEADER_FORWARD_X_API_KEY_SEARCH')?.valueFrom,
    ).toEqual({
      secretKeyRef: { name: 'search-key', key: 'token' },
    });
    expect(d.spec.template.spec.volumes.map((v) => v.name)).toEqual(['vmcp-config', 'ca-bundle-docs']);
    expect(container?.volumeMounts).toContainEqual(
      expect.objectContaining({ name: 'ca-bundle-docs', mountPath: '/etc/toolhive/ca-bundles/docs' }),
    );
    expect(d.spec.template.spec.serviceAccountName).toBe('hub-vmcp');
    expect(d.spec.replicas).toBe(1);

    const role = await get<KubeObject & { rules: unknown[] }>(roleResource, 'hub-vmcp');
    expect(role.rules).toEqual(vmcpDiscoveredRules.map((r) => ({ ...r })));
    const service = await get<KubeObject & { spec: { ports: { port: number }[] } }>(
      serviceResource,
      'vmcp-hub',
    );
    expect(service.spec.ports[0]?.port).toBe(4483);
    for (const [resource, name] of [
      [serviceAccountResource, 'hub-vmcp'],
      [roleBindingResource, 'hub-vmcp'],
      [configMapResource, 'hub-vmcp-config'],
      [secretResource, 'hub-hmac-secret'],
      [deploymentResource, 'hub'],
      [serviceResource, 'vmcp-hub'],
      [roleResource, 'hub-vmcp'],
    ] as const) {
      const owner = (await get(resource, name)).metadata.ownerReferences?.[0];
      expect(owner, `${resource.kind} ${name}`).toMatchObject({
        kind: 'VirtualMCPServer',
        name: 'hub',
        controller: true,
      });
    }
  });

  it('inline: every usable member is a backend (sse stays sse, entries typed, CA path), and the Role shrinks', async () => {
    const ns = namespace();
    await team(ns);
    await client.create(
      virtualMCPServer.resource,
      vmcp(ns, 'static', { outgoingAuth: { source: 'inline' } }),
    );
    const view = await vmcpReaches(client, ns, 'static', isReady, 'Ready');
    expect(summary(view)).toContain('BackendsConfigured=True/BackendsConfigured');
    const backends = (await configOf('static')).backends ?? [];
    expect(backends.map((b) => [b.name, b.transport, b.type ?? '', b.caBundlePath ?? ''])).toEqual([
      ['crm', 'streamable-http', '', ''],
      ['docs', 'streamable-http', 'entry', '/etc/toolhive/ca-bundles/docs/ca.pem'],
      ['events', 'sse', '', ''],
      ['search', 'streamable-http', 'entry', ''],
      ['yardstick', 'streamable-http', '', ''],
    ]);
    expect(backends.find((b) => b.name === 'events')?.url).toBe(
      `http://mcp-events-proxy.${ns}.svc.cluster.local:8080`,
    );
    expect(backends.find((b) => b.name === 'crm')?.metadata).toMatchObject({
      workload_type: 'remote_proxy',
      remote_url: 'https://mcp.example.com/mcp',
    });
    const role = await get<KubeObject & { rules: unknown[] }>(roleResource, 'static-vmcp');
    expect(role.rules).toEqual(vmcpInlineRules.map((r) => ({ ...r })));
  });

  it('an entry that joins, turns Failed or leaves changes config.yaml and rolls the pods within seconds', async () => {
    const ns = namespace();
    await team(ns);
    await client.create(virtualMCPServer.resource, vmcp(ns, 'live', { outgoingAuth: { source: 'inline' } }));
    await vmcpReaches(client, ns, 'live', isReady, 'Ready');
    const names = async () => ((await configOf('live')).backends ?? []).map((b) => b.name);
    const podChecksum = async () =>
      (await get<Deployment>(deploymentResource, 'live')).spec.template.metadata.annotations[checksum];
    const changes = async (what: string, expected: string[], change: () => Promise<unknown>) => {
      const before = await podChecksum();
      const started = performance.now();
      await change();
      await eventually(
        async () => (JSON.stringify(await names()) === JSON.stringify(expected) ? true : undefined),
        {
          timeoutMs: 5_000,
          what,
        },
      );
      await eventually(async () => ((await podChecksum()) !== before ? true : undefined), {
        timeoutMs: 5_000,
        what: `${what}: pods roll`,
      });
      console.log(
        `[vmcp] ${what}: config.yaml and pod template after ${Math.round(performance.now() - started)} ms`,
      );
    };

    await changes('entry joins', ['crm', 'docs', 'events', 'extra', 'search', 'yardstick'], async () => {
      await entry(client, ns, 'extra', {});
      await setGroupStatus(client, ns, 'team', { entries: ['docs', 'extra', 'search'] });
    });
    await changes('entry turns Failed', ['crm', 'docs', 'events', 'search', 'yardstick'], () =>
      setEntryPhase(client, ns, 'extra', 'Failed'),
    );
    // The status says why it left (written after the objects, so waited for).
    await vmcpReaches(
      client,
      ns,
      'live',
      (v) =>
        isReady(v) &&
        (condition(v, 'BackendsConfigured')?.message ?? '').includes(
          'MCPServerEntry extra is in phase Failed',
        ),
      'BackendsConfigured names the Failed entry',
    );
    await changes('entry leaves', ['crm', 'events', 'search', 'yardstick'], () =>
      client.delete(mcpServerEntry.resource, { namespace: ns, name: 'docs' }),
    );
    // Its CA volume went with it.
    const volumes = (await get<Deployment>(deploymentResource, 'live')).spec.template.spec.volumes;
    expect(volumes.map((v) => v.name)).toEqual(['vmcp-config']);
  });

  it('inline with no usable member: Pending and BackendsConfigured=False naming each, nothing rolled out', async () => {
    const ns = namespace();
    await server(client, ns, 'starting', 'streamable-http', 'Pending');
    // Its controller has not published a URL yet.
    await setStatus(client, mcpServer.resource, { namespace: ns, name: 'starting' }, { url: null });
    await entry(client, ns, 'unchecked', {}, 'Pending');
    await groupWith(client, ns, 'team', { phase: 'Ready', servers: ['starting'], entries: ['unchecked'] });
    await client.create(virtualMCPServer.resource, vmcp(ns, 'empty', { outgoingAuth: { source: 'inline' } }));
    const view = await vmcpReaches(client, ns, 'empty', (v) => v.status?.phase === 'Pending', 'Pending');
    expect(condition(view, 'Ready')?.reason).toBe('NotRolledOut');
    const backends = condition(view, 'BackendsConfigured');
    expect(backends).toMatchObject({ status: 'False', reason: 'NoUsableBackends' });
    expect(backends?.message).toContain('MCPServer starting');
    expect(backends?.message).toContain('MCPServerEntry unchecked is in phase Pending');
    expect(await absent(deploymentResource, 'empty')).toBe(true);
    expect(await absent(configMapResource, 'empty-vmcp-config')).toBe(true);
  });

  it('names every field that needs a kind this project does not serve, and rolls nothing out', async () => {
    const ns = namespace();
    await team(ns);
    await client.create(
      virtualMCPServer.resource,
      vmcp(ns, 'sso', {
        incomingAuth: { type: 'oidc', oidcConfigRef: { name: 'corp', audience: 'vmcp' } },
        config: { compositeToolRefs: [{ name: 'deploy' }] },
      }),
    );
    const view = await vmcpReaches(client, ns, 'sso', (v) => v.status?.phase === 'Failed', 'Failed');
    expect(condition(view, 'Valid')?.reason).toBe('ValidationFailed');
    expect(condition(view, 'Valid')?.message).toContain(
      'spec.incomingAuth.oidcConfigRef (MCPOIDCConfig corp)',
    );
    expect(condition(view, 'Valid')?.message).toContain('spec.config.compositeToolRefs[0]');
    expect(condition(view, 'Ready')?.reason).toBe('InvalidSpec');
    expect(await absent(deploymentResource, 'sso')).toBe(true);
    expect(await absent(secretResource, 'sso-hmac-secret')).toBe(true);
  });

  it('repairs drift, keeps what others added, and writes nothing in a steady state', async () => {
    const ns = namespace();
    await team(ns);
    await client.create(virtualMCPServer.resource, vmcp(ns, 'steady'));
    await vmcpReaches(client, ns, 'steady', isReady, 'Ready');
    await client.patch(deploymentResource, { namespace: ns, name: 'steady' }, 'json', [
      { op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'evil:latest' },
    ]);
    await eventually(
      async () =>
        (await get<Deployment>(deploymentResource, 'steady')).spec.template.spec.containers[0]?.image ===
        vmcpImage
          ? true
          : undefined,
      { timeoutMs: 15_000, what: 'vmcp image restored' },
    );
    await client.patch(serviceResource, { namespace: ns, name: 'vmcp-steady' }, 'merge', {
      metadata: {
        labels: { 'team.example.com/cost-center': '42' },
        annotations: { 'team.example.com/owner': 'x' },
      },
    });
    const settled = async () => {
      await eventually(() => (simulator.idle() ? true : undefined), {
        timeoutMs: 15_000,
        what: 'simulator idle',
      });
      const version = (await get(deploymentResource, 'steady')).metadata.resourceVersion;
      const seen = () =>
        manager.cache.store(deploymentResource).get(`${ns}/steady`)?.metadata.resourceVersion;
      await controllerSettles(manager, () => seen() === version || newerResourceVersion(seen(), version));
    };
    await settled();
    const writes = manager.client.tally.writes();
    const reconciles = JSON.stringify(await manager.metrics.reconcileTotal.get());
    // Events on the primary, an owned object and a member reconcile again; nothing may be written.
    await client.patch(deploymentResource, { namespace: ns, name: 'steady' }, 'merge', {
      metadata: { annotations: { 'team.example.com/owner': 'platform' } },
    });
    await setGroupStatus(client, ns, 'team', { phase: 'Ready' });
    await settled();
    expect(JSON.stringify(await manager.metrics.reconcileTotal.get())).not.toBe(reconciles);
    expect(manager.client.tally.writes() - writes).toBe(0);
    const service = await get(serviceResource, 'vmcp-steady');
    expect(service.metadata.labels?.['team.example.com/cost-center']).toBe('42');
    expect(service.metadata.annotations?.['team.example.com/owner']).toBe('x');
  });
});
