// The MCPServer controller against a real apiserver, with testkit's workload simulator playing the
// kubelet (pods from each Deployment) and ToolHive's proxy runner (its StatefulSet and Services).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatedCRDPaths, mcpServer } from '@mcp-controllers/api';
import {
  configMapResource,
  deploymentResource,
  KubeClient,
  newerResourceVersion,
  roleBindingResource,
  roleResource,
  serviceAccountResource,
  serviceResource,
  statefulSetResource,
  type KubeObject,
  type ResourceRef,
} from '@mcp-controllers/core';
import {
  controllerSettles,
  eventually,
  installCRDs,
  startWorkloadSimulator,
  type WorkloadSimulator,
} from '@mcp-controllers/testkit';
import { useControlPlane, useNamespace } from '@mcp-controllers/testkit/vitest';
import { restartedAtAnnotation } from '../src/reconcile.js';
import {
  condition,
  runnerImage,
  server,
  serverReaches,
  startServerController,
  summary,
  yardstick,
  yardstickImage,
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

interface Deployment extends KubeObject {
  spec: {
    replicas?: number;
    template: {
      metadata: { labels: Record<string, string>; annotations: Record<string, string> };
      spec: {
        serviceAccountName: string;
        containers: {
          name: string;
          image: string;
          args: string[];
          env?: { name: string; value?: string }[];
        }[];
      };
    };
  };
}

const isReady = (v: { status?: { phase?: string } }) => v.status?.phase === 'Ready';
const get = <T extends KubeObject = KubeObject>(resource: ResourceRef, name: string) =>
  client.get<T>(resource, { namespace: namespace(), name });
const exists = async (resource: ResourceRef, name: string) => {
  try {
    await get(resource, name);
    return true;
  } catch {
    return false;
  }
};
const runConfigOf = async (name: string) => {
  const cm = await get<KubeObject & { data: Record<string, string> }>(configMapResource, `${name}-runconfig`);
  return JSON.parse(cm.data['runconfig.json'] ?? '{}') as Record<string, unknown>;
};

describe('generated objects', () => {
  it('creates what ToolHive creates for the streamable-http yardstick, all owned by the MCPServer', async () => {
    const ns = namespace();
    const reads = manager.client.tally.count({ verb: 'get' });
    await client.create(mcpServer.resource, yardstick(ns));
    const view = await serverReaches(client, ns, 'yardstick', isReady, 'Ready');
    // Seven children, each created by one apply: what the healthy cache lacks is not read first.
    expect(manager.client.tally.count({ verb: 'get' }) - reads).toBe(0);
    expect(view.status).toMatchObject({
      url: `http://mcp-yardstick-proxy.${ns}.svc.cluster.local:8080/mcp`,
      readyReplicas: 1,
      message: 'MCP server is running',
    });
    expect(view.metadata.finalizers).toContain('mcpserver.toolhive.stacklok.dev/finalizer');
    expect(summary(view)).toEqual([
      'ConfigReferencesSupported=True/ConfigReferencesSupported',
      'PodTemplateValid=True/ValidPodTemplateSpec',
      'Ready=True/Ready',
    ]);

    const owned = [
      [configMapResource, 'yardstick-runconfig'],
      [deploymentResource, 'yardstick'],
      [serviceResource, 'mcp-yardstick-proxy'],
      [serviceAccountResource, 'yardstick-proxy-runner'],
      [roleResource, 'yardstick-proxy-runner'],
      [roleBindingResource, 'yardstick-proxy-runner'],
      [serviceAccountResource, 'yardstick-sa'],
    ] as const;
    for (const [resource, name] of owned) {
      const obj = await get(resource, name);
      expect(obj.metadata.ownerReferences, `${resource.kind} ${name}`).toEqual([
        expect.objectContaining({
          kind: 'MCPServer',
          name: 'yardstick',
          uid: view.metadata.uid,
          controller: true,
        }),
      ]);
    }

    const runConfig = await runConfigOf('yardstick');
    expect(runConfig).toMatchObject({
      schema_version: 'v0.1.0',
      image: yardstickImage,
      name: 'yardstick',
      transport: 'streamable-http',
      port: 8080,
      target_port: 8080,
      proxy_mode: 'streamable-http',
      env_vars: {
        MCP_TRANSPORT: 'streamable-http',
        MCP_PORT: '8080',
        FASTMCP_PORT: '8080',
        TRANSPORT: 'streamable-http',
      },
    });
    const cm = await get(configMapResource, 'yardstick-runconfig');
    const checksum = cm.metadata.annotations?.['toolhive.stacklok.dev/content-checksum'];
    expect(checksum).toMatch(/^[0-9a-f]{64}$/);

    const deployment = await get<Deployment>(deploymentResource, 'yardstick');
    expect(deployment.spec.replicas).toBe(1); // the apiserver's default: we left it unset
    const pod = deployment.spec.template;
    expect(pod.metadata.annotations['toolhive.stacklok.dev/runconfig-checksum']).toBe(checksum);
    expect(pod.spec.serviceAccountName).toBe('yardstick-proxy-runner');
    const [container] = pod.spec.containers;
    expect(container?.name).toBe('toolhive');
    expect(container?.image).toBe(runnerImage);
    expect(container?.args[0]).toBe('run');
    expect(container?.args.at(-1)).toBe(yardstickImage);
    expect(JSON.parse(container?.args[1]?.replace('--k8s-pod-patch=', '') ?? '{}')).toMatchObject({
      spec: { serviceAccountName: 'yardstick-sa' },
    });
  });

  it('keeps an sse server on sse and caps a stdio server at one replica', async () => {
    const ns = namespace();
    await client.create(mcpServer.resource, server(ns, 'sse', { transport: 'sse', mcpPort: 9000 }));
    await client.create(
      mcpServer.resource,
      server(ns, 'stdio', { transport: 'stdio', replicas: 3, proxyMode: 'sse' }),
    );
    const sse = await serverReaches(client, ns, 'sse', isReady, 'Ready');
    expect(sse.status?.url).toBe(`http://mcp-sse-proxy.${ns}.svc.cluster.local:8080/sse#sse`);
    expect(await runConfigOf('sse')).toMatchObject({
      transport: 'sse',
      proxy_mode: 'sse',
      target_port: 9000,
    });
    const stdio = await serverReaches(client, ns, 'stdio', isReady, 'Ready');
    expect(stdio.status?.url).toBe(`http://mcp-stdio-proxy.${ns}.svc.cluster.local:8080/sse#stdio`);
    expect(condition(stdio, 'StdioReplicaCapped')?.reason).toBe('StdioTransportCapAt1');
    expect((await get<Deployment>(deploymentResource, 'stdio')).spec.replicas).toBe(1);
    expect((await runConfigOf('stdio')).env_vars).toEqual({ MCP_TRANSPORT: 'stdio' });
  });

  it('rejects an invalid podTemplateSpec with a condition and creates nothing', async () => {
    const ns = namespace();
    await client.create(
      mcpServer.resource,
      server(ns, 'bad-template', {
        transport: 'streamable-http',
        podTemplateSpec: { spec: { containers: [{ name: 7 }] } },
      }),
    );
    const view = await serverReaches(
      client,
      ns,
      'bad-template',
      (v) => v.status?.phase === 'Failed',
      'Failed',
    );
    expect(condition(view, 'PodTemplateValid')).toMatchObject({
      status: 'False',
      reason: 'InvalidPodTemplateSpec',
    });
    expect(condition(view, 'PodTemplateValid')?.message).toContain('containers[0].name');
    expect(await exists(deploymentResource, 'bad-template')).toBe(false);
  });

  it('refuses to roll out a server that references a kind this project does not serve', async () => {
    const ns = namespace();
    await client.create(
      mcpServer.resource,
      yardstick(ns, 'oidc', { oidcConfigRef: { name: 'corp', audience: 'x' } }),
    );
    const view = await serverReaches(client, ns, 'oidc', (v) => v.status?.phase === 'Failed', 'Failed');
    expect(condition(view, 'ConfigReferencesSupported')).toMatchObject({
      status: 'False',
      reason: 'UnsupportedConfigReference',
    });
    expect(condition(view, 'ConfigReferencesSupported')?.message).toContain(
      'spec.oidcConfigRef (MCPOIDCConfig)',
    );
    expect(await exists(deploymentResource, 'oidc')).toBe(false);
  });
});

describe('no clobbering, no hot loop', () => {
  it('repairs drift in managed fields, keeps what others added, and writes nothing in a steady state', async () => {
    const ns = namespace();
    await client.create(mcpServer.resource, yardstick(ns, 'steady'));
    await serverReaches(client, ns, 'steady', isReady, 'Ready');

    // Drift: someone changes the runner image by hand.
    await client.patch(deploymentResource, { namespace: ns, name: 'steady' }, 'json', [
      { op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'evil:latest' },
    ]);
    await eventually(
      async () => {
        const d = await get<Deployment>(deploymentResource, 'steady');
        return d.spec.template.spec.containers[0]?.image === runnerImage ? true : undefined;
      },
      { timeoutMs: 15_000, what: 'runner image restored' },
    );

    // `kubectl rollout restart` and a label added by someone else survive.
    const restartedAt = '2026-11-29T00:00:00Z';
    await client.patch(deploymentResource, { namespace: ns, name: 'steady' }, 'merge', {
      metadata: { labels: { 'team.example.com/cost-center': '42' } },
      spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': restartedAt } } } },
    });
    // Settled: the simulator has finished the rollout the annotation started, and the controller has
    // seen the Deployment as it is now and has nothing left to do.
    const settled = async () => {
      await eventually(() => (simulator.idle() ? true : undefined), {
        timeoutMs: 15_000,
        what: 'simulator idle',
      });
      const version = (await get(deploymentResource, 'steady')).metadata.resourceVersion;
      // The cache holds that version or a newer one: a late status write by the simulator moves it on.
      const seen = () =>
        manager.cache.store(deploymentResource).get(`${ns}/steady`)?.metadata.resourceVersion;
      await controllerSettles(manager, () => seen() === version || newerResourceVersion(seen(), version));
    };
    await settled();
    const writes = manager.client.tally.writes();
    const reconciles = JSON.stringify(await manager.metrics.reconcileTotal.get());
    // Events on owned objects reconcile the server again; nothing may be written for them.
    await client.patch(serviceResource, { namespace: ns, name: 'mcp-steady-proxy' }, 'merge', {
      metadata: { labels: { 'team.example.com/cost-center': '42' } },
    });
    await client.patch(deploymentResource, { namespace: ns, name: 'steady' }, 'merge', {
      metadata: { annotations: { 'team.example.com/owner': 'platform' } },
    });
    await settled();
    expect(JSON.stringify(await manager.metrics.reconcileTotal.get())).not.toBe(reconciles);
    const d = await get<Deployment>(deploymentResource, 'steady');
    expect(d.spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt']).toBe(restartedAt);
    expect(d.metadata.labels?.['team.example.com/cost-center']).toBe('42');
    expect(manager.client.tally.writes() - writes).toBe(0);
  });
});

describe('replicas', () => {
  it('holds spec.replicas, and leaves the count alone once spec.replicas is cleared', async () => {
    const ns = namespace();
    const replicasOf = async () => (await get<Deployment>(deploymentResource, 'scaled')).spec.replicas;
    await client.create(mcpServer.resource, yardstick(ns, 'scaled', { replicas: 2 }));
    await serverReaches(client, ns, 'scaled', (v) => v.status?.readyReplicas === 2, 'two ready');
    // Set in the spec: a manual scale is drift, and is repaired.
    await client.patch(deploymentResource, { namespace: ns, name: 'scaled' }, 'merge', {
      spec: { replicas: 4 },
    });
    await eventually(async () => ((await replicasOf()) === 2 ? true : undefined), {
      timeoutMs: 15_000,
      what: 'replicas back to 2',
    });
    // Cleared: the count stays (server-side apply must not drop it and let the apiserver reset it to 1),
    // and a manual scale now sticks.
    await client.patch(mcpServer.resource, { namespace: ns, name: 'scaled' }, 'json', [
      { op: 'remove', path: '/spec/replicas' },
    ]);
    await serverReaches(
      client,
      ns,
      'scaled',
      (v) => v.status?.readyReplicas === 2,
      'reconciled without replicas',
    );
    expect(await replicasOf()).toBe(2);
    await client.patch(deploymentResource, { namespace: ns, name: 'scaled' }, 'merge', {
      spec: { replicas: 3 },
    });
    await serverReaches(client, ns, 'scaled', (v) => v.status?.readyReplicas === 3, 'three ready');
    expect(await replicasOf()).toBe(3);
  });
});

describe('phase from the pods', () => {
  it('goes Failed when the pods crash-loop, Stopped when scaled to zero, Ready again when scaled up', async () => {
    const ns = namespace();
    simulator.setBehaviour(ns, 'flaky', 'crashloop');
    await client.create(mcpServer.resource, yardstick(ns, 'flaky'));
    const failed = await serverReaches(client, ns, 'flaky', (v) => v.status?.phase === 'Failed', 'Failed');
    expect(failed.status?.message).toBe('MCP server pod failed: CrashLoopBackOff');
    expect(condition(failed, 'Ready')).toMatchObject({ status: 'False', reason: 'NotReady' });

    simulator.setBehaviour(ns, 'flaky', 'ready');
    await client.patch(deploymentResource, { namespace: ns, name: 'flaky' }, 'merge', {
      spec: { replicas: 0 },
    });
    const stopped = await serverReaches(client, ns, 'flaky', (v) => v.status?.phase === 'Stopped', 'Stopped');
    expect(stopped.status?.readyReplicas).toBe(0);
    // replicas is unset in the spec: the controller leaves the Deployment's count to whoever scaled it.
    expect((await get<Deployment>(deploymentResource, 'flaky')).spec.replicas).toBe(0);

    await client.patch(deploymentResource, { namespace: ns, name: 'flaky' }, 'merge', {
      spec: { replicas: 2 },
    });
    const up = await serverReaches(client, ns, 'flaky', (v) => v.status?.readyReplicas === 2, 'two ready');
    expect(up.status?.phase).toBe('Ready');
  });

  it('is Pending while the runner StatefulSet is missing, and bounces the proxy so the runner recreates it', async () => {
    const ns = namespace();
    await client.create(mcpServer.resource, yardstick(ns, 'healer'));
    await serverReaches(client, ns, 'healer', isReady, 'Ready');
    const before = await get<Deployment>(deploymentResource, 'healer');
    expect(before.spec.template.metadata.annotations[restartedAtAnnotation]).toBeUndefined();
    await client.delete(statefulSetResource, { namespace: ns, name: 'healer' });
    // The proxy is bounced (a pod-template annotation): the simulator, as the runner does when its pod
    // starts, recreates the StatefulSet.
    const stamp = await eventually(
      async () =>
        (await get<Deployment>(deploymentResource, 'healer')).spec.template.metadata.annotations[
          restartedAtAnnotation
        ],
      { timeoutMs: 15_000, what: 'proxy bounced' },
    );
    expect(Date.parse(stamp)).toBeGreaterThan(Date.parse(before.metadata.creationTimestamp ?? '') - 1_000);
    await eventually(async () => ((await exists(statefulSetResource, 'healer')) ? true : undefined), {
      timeoutMs: 15_000,
      what: 'StatefulSet recreated',
    });
    const healed = await serverReaches(client, ns, 'healer', isReady, 'Ready again');
    expect(healed.status?.message).toBe('MCP server is running');
    expect(await exists(statefulSetResource, 'healer')).toBe(true);
  });
});

describe('deletion', () => {
  it('removes what the runner created without owner references, then the finalizer', async () => {
    const ns = namespace();
    await client.create(mcpServer.resource, yardstick(ns, 'gone'));
    await serverReaches(client, ns, 'gone', isReady, 'Ready');
    expect(await exists(statefulSetResource, 'gone')).toBe(true);
    expect(await exists(serviceResource, 'mcp-gone')).toBe(true);
    expect(await exists(serviceResource, 'mcp-gone-headless')).toBe(true);
    await client.delete(mcpServer.resource, { namespace: ns, name: 'gone' });
    await eventually(async () => ((await exists(mcpServer.resource, 'gone')) ? undefined : true), {
      timeoutMs: 15_000,
      what: 'MCPServer gone',
    });
    expect(await exists(statefulSetResource, 'gone')).toBe(false);
    expect(await exists(serviceResource, 'mcp-gone')).toBe(false);
    expect(await exists(serviceResource, 'mcp-gone-headless')).toBe(false);
    expect(await exists(configMapResource, 'gone-runconfig')).toBe(false);
  });
});
