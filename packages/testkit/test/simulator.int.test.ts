import {
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  type V1Deployment,
  type V1Pod,
} from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import {
  assertLocalControlPlane,
  eventually,
  startWorkloadSimulator,
  type WorkloadSimulator,
} from '../src/index.js';
import { useControlPlane, useNamespace } from '../src/vitest.js';

const controlPlane = useControlPlane();
const namespace = useNamespace(controlPlane, 'sim');
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

let sim: WorkloadSimulator | undefined;
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});

const apis = () => {
  const kc = controlPlane().kubeConfig;
  return { apps: kc.makeApiClient(AppsV1Api), core: kc.makeApiClient(CoreV1Api) };
};

async function startSim(): Promise<WorkloadSimulator> {
  sim = await startWorkloadSimulator({
    kubeConfig: controlPlane().kubeConfig,
    namespaces: [namespace()],
    resyncMs: 2_000,
  });
  return sim;
}

/** A Deployment; `mcp` makes it look like the MCPServer controller's proxy Deployment. */
function deployment(
  name: string,
  options: { replicas?: number; mcp?: boolean; checksum?: string } = {},
): V1Deployment {
  const labels: Record<string, string> = options.mcp
    ? {
        'app.kubernetes.io/name': 'mcpserver',
        'app.kubernetes.io/instance': name,
        toolhive: 'true',
        'toolhive-name': name,
      }
    : { app: name };
  return {
    metadata: { name, labels },
    spec: {
      ...(options.replicas === undefined ? {} : { replicas: options.replicas }),
      selector: { matchLabels: labels },
      template: {
        metadata: { labels, annotations: { 'example.com/checksum': options.checksum ?? 'a' } },
        spec: {
          containers: [
            {
              name: 'toolhive',
              image: 'ghcr.io/stacklok/toolhive/proxyrunner:v0.44.0',
              args: ['run', '--k8s-pod-patch={"spec":{"containers":[]}}', 'ghcr.io/example/fetch:1.0.0'],
            },
          ],
        },
      },
    },
  };
}

async function create(d: V1Deployment): Promise<V1Deployment> {
  return apis().apps.createNamespacedDeployment({ namespace: namespace(), body: d });
}

async function runConfig(name: string, transport: string): Promise<void> {
  await apis().core.createNamespacedConfigMap({
    namespace: namespace(),
    body: {
      metadata: { name: `${name}-runconfig` },
      data: { 'runconfig.json': JSON.stringify({ transport, target_port: 8080, port: 8080 }) },
    },
  });
}

const isReady = (p: V1Pod) =>
  p.status?.phase === 'Running' &&
  p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;

async function podsOf(name: string): Promise<V1Pod[]> {
  const list = await apis().core.listNamespacedPod({ namespace: namespace() });
  return list.items.filter((p) => p.metadata?.ownerReferences?.some((r) => r.name === name));
}

/** The Pods of `name` once there are `count` of them and all pass `accept`. */
async function podsWhen(name: string, count: number, accept: (p: V1Pod) => boolean, what: string) {
  return eventually(
    async () => {
      const pods = await podsOf(name);
      return pods.length === count && pods.every(accept) ? pods : undefined;
    },
    { what },
  );
}

async function readDeployment(name: string): Promise<V1Deployment> {
  return apis().apps.readNamespacedDeployment({ name, namespace: namespace() });
}

async function notFound(read: () => Promise<unknown>): Promise<boolean> {
  try {
    await read();
    return false;
  } catch (err) {
    if ((err as { code?: unknown }).code === 404) return true;
    throw err;
  }
}

/** Waits for a reconcile of everything that happened before this call (the simulator went idle after). */
async function settledAfter(action: () => Promise<unknown>): Promise<void> {
  const s = sim!;
  await eventually(() => (s.idle() ? true : undefined), { what: 'simulator idle' });
  const before = s.stats().reconciles;
  await action();
  await eventually(() => (s.stats().reconciles > before && s.idle() ? true : undefined), {
    what: 'simulator reconciled and idle',
  });
}

describe('workload simulator', () => {
  it('gives a Deployment ready Pods and a status, and scaling to 0 removes them', async () => {
    await startSim();
    const created = await create(deployment('web', { replicas: 2 }));
    const pods = await podsWhen('web', 2, isReady, 'two ready pods');
    for (const pod of pods) {
      expect(pod.metadata?.name).toMatch(/^web-[0-9a-f]{10}-[01]$/);
      expect(pod.spec?.nodeName).toBe('simulated-node');
      expect(pod.metadata?.labels?.app).toBe('web');
      expect(pod.metadata?.labels?.['pod-template-hash']).toMatch(/^[0-9a-f]{10}$/);
      expect(pod.metadata?.ownerReferences).toEqual([
        expect.objectContaining({
          kind: 'Deployment',
          name: 'web',
          uid: created.metadata?.uid,
          controller: true,
        }),
      ]);
      expect(pod.status?.containerStatuses).toEqual([
        expect.objectContaining({ name: 'toolhive', ready: true, restartCount: 0 }),
      ]);
      expect(pod.status?.containerStatuses?.[0]?.state?.running?.startedAt).toBeDefined();
    }
    const status = await eventually(async () => {
      const d = await readDeployment('web');
      return d.status?.readyReplicas === 2 ? d : undefined;
    });
    expect(status.status).toMatchObject({
      observedGeneration: status.metadata?.generation,
      replicas: 2,
      updatedReplicas: 2,
      availableReplicas: 2,
    });
    expect(status.status?.conditions).toContainEqual(
      expect.objectContaining({ type: 'Available', status: 'True' }),
    );

    const scaled = await apis().apps.patchNamespacedDeployment(
      { name: 'web', namespace: namespace(), body: { spec: { replicas: 0 } } },
      mergePatch,
    );
    await podsWhen('web', 0, () => true, 'no pods');
    const stopped = await eventually(async () => {
      const d = await readDeployment('web');
      return d.status?.observedGeneration === scaled.metadata?.generation ? d : undefined;
    });
    expect(stopped.status?.replicas ?? 0).toBe(0);
    expect(stopped.status?.readyReplicas ?? 0).toBe(0);
  });

  it('replaces the Pods when the pod template changes, like a rollout', async () => {
    await startSim();
    await create(deployment('roll'));
    const [before] = await podsWhen('roll', 1, isReady, 'a ready pod');
    const changed = await apis().apps.patchNamespacedDeployment(
      {
        name: 'roll',
        namespace: namespace(),
        body: { spec: { template: { metadata: { annotations: { 'example.com/checksum': 'b' } } } } },
      },
      mergePatch,
    );
    const [after] = await podsWhen(
      'roll',
      1,
      (p) => isReady(p) && p.metadata?.name !== before!.metadata?.name,
      'one new ready pod',
    );
    expect(after!.metadata?.annotations?.['example.com/checksum']).toBe('b');
    expect(after!.metadata?.labels?.['pod-template-hash']).not.toBe(
      before!.metadata?.labels?.['pod-template-hash'],
    );
    await eventually(async () => {
      const d = await readDeployment('roll');
      return d.status?.observedGeneration === changed.metadata?.generation && d.status?.updatedReplicas === 1
        ? d
        : undefined;
    });
  });

  it('crash-loops, waits or starts Pods as the behaviour says', async () => {
    const s = await startSim();
    s.setBehaviour(namespace(), 'crashy', 'crashloop');
    await create(deployment('crashy'));
    const waitingReason = (p: V1Pod) => p.status?.containerStatuses?.[0]?.state?.waiting?.reason;
    const [crashing] = await podsWhen(
      'crashy',
      1,
      (p) => waitingReason(p) === 'CrashLoopBackOff',
      'crash loop',
    );
    expect(crashing!.status?.phase).toBe('Running');
    expect(crashing!.status?.containerStatuses?.[0]).toMatchObject({ ready: false, restartCount: 5 });
    expect(crashing!.status?.containerStatuses?.[0]?.lastState?.terminated?.exitCode).toBe(1);
    await eventually(async () => {
      const d = await readDeployment('crashy');
      return d.status?.replicas === 1 && (d.status.readyReplicas ?? 0) === 0 ? d : undefined;
    });

    s.setBehaviour(namespace(), 'crashy', { waitingReason: 'ImagePullBackOff', message: 'no such image' });
    const [pulling] = await podsWhen(
      'crashy',
      1,
      (p) => waitingReason(p) === 'ImagePullBackOff',
      'image pull',
    );
    expect(pulling!.status?.phase).toBe('Pending');
    expect(pulling!.status?.containerStatuses?.[0]?.state?.waiting?.message).toBe('no such image');

    s.setBehaviour(namespace(), 'crashy', 'pending');
    await podsWhen(
      'crashy',
      1,
      (p) => p.status?.phase === 'Pending' && waitingReason(p) === 'ContainerCreating',
      'pending',
    );

    s.setBehaviour(namespace(), 'crashy', 'ready');
    await podsWhen('crashy', 1, isReady, 'ready again');
    await eventually(async () =>
      (await readDeployment('crashy')).status?.readyReplicas === 1 ? true : undefined,
    );
  });

  it('plays the proxy runner for streamable-http: StatefulSet and Services, once per new Pod', async () => {
    await startSim();
    const { apps, core } = apis();
    const ns = namespace();
    await create(deployment('fetch', { mcp: true }));
    // No RunConfig yet: the runconfig volume cannot mount, the Pod waits and nothing is applied.
    await podsWhen(
      'fetch',
      1,
      (p) => p.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'ContainerCreating',
      'pod waiting for its RunConfig',
    );
    expect(await notFound(() => apps.readNamespacedStatefulSet({ name: 'fetch', namespace: ns }))).toBe(true);

    await runConfig('fetch', 'streamable-http');
    await podsWhen('fetch', 1, isReady, 'ready pod');
    // The runner applies its objects before its Pod turns ready, so they exist now.
    const sts = await apps.readNamespacedStatefulSet({ name: 'fetch', namespace: ns });
    expect(sts.metadata?.labels).toEqual({ app: 'fetch', toolhive: 'true', 'toolhive-name': 'fetch' });
    expect(sts.metadata?.ownerReferences).toBeUndefined();
    expect(sts.metadata?.managedFields?.map((f) => f.manager)).toContain('toolhive-container-manager');
    expect(sts.spec?.selector.matchLabels).toEqual({ app: 'fetch' });
    expect(sts.spec?.serviceName).toBe('fetch');
    expect(sts.spec?.template.spec?.containers).toEqual([
      expect.objectContaining({ name: 'mcp', image: 'ghcr.io/example/fetch:1.0.0' }),
    ]);
    const owner = [expect.objectContaining({ kind: 'StatefulSet', name: 'fetch', uid: sts.metadata?.uid })];
    const port = [
      expect.objectContaining({ name: 'port-8080', port: 8080, targetPort: 8080, protocol: 'TCP' }),
    ];
    const headless = await core.readNamespacedService({ name: 'mcp-fetch-headless', namespace: ns });
    expect(headless.spec).toMatchObject({ clusterIP: 'None', selector: { app: 'fetch' }, ports: port });
    expect(headless.metadata?.ownerReferences).toEqual(owner);
    const service = await core.readNamespacedService({ name: 'mcp-fetch', namespace: ns });
    expect(service.spec).toMatchObject({
      type: 'ClusterIP',
      sessionAffinity: 'ClientIP',
      sessionAffinityConfig: { clientIP: { timeoutSeconds: 1800 } },
      ports: port,
    });
    expect(service.spec?.clusterIP).not.toBe('None');
    expect(service.metadata?.ownerReferences).toEqual(owner);

    // Deleted while its Pod runs: the runner does not notice, a reconcile does not bring it back...
    await apps.deleteNamespacedStatefulSet({ name: 'fetch', namespace: ns });
    await settledAfter(() =>
      apps.patchNamespacedDeployment(
        { name: 'fetch', namespace: ns, body: { metadata: { labels: { touched: 'yes' } } } },
        mergePatch,
      ),
    );
    expect(await notFound(() => apps.readNamespacedStatefulSet({ name: 'fetch', namespace: ns }))).toBe(true);
    // ...a new Pod (a rollout) does.
    await apps.patchNamespacedDeployment(
      {
        name: 'fetch',
        namespace: ns,
        body: { spec: { template: { metadata: { annotations: { 'example.com/checksum': 'b' } } } } },
      },
      mergePatch,
    );
    await eventually(() => apps.readNamespacedStatefulSet({ name: 'fetch', namespace: ns }), {
      what: 'StatefulSet recreated by the new pod',
    });
  });

  it('creates only the StatefulSet for stdio, and nothing when the runner is absent', async () => {
    const s = await startSim();
    const { apps, core } = apis();
    const ns = namespace();
    await runConfig('stdio', 'stdio');
    await create(deployment('stdio', { mcp: true }));
    await podsWhen('stdio', 1, isReady, 'ready stdio pod');
    const sts = await apps.readNamespacedStatefulSet({ name: 'stdio', namespace: ns });
    expect(sts.spec?.template.spec?.containers[0]?.image).toBe('ghcr.io/example/fetch:1.0.0');
    expect((await core.listNamespacedService({ namespace: ns })).items).toEqual([]);

    s.setRunner(ns, 'quiet', 'absent');
    await runConfig('quiet', 'streamable-http');
    await create(deployment('quiet', { mcp: true }));
    await podsWhen('quiet', 1, isReady, 'ready pod without runner');
    expect(await notFound(() => apps.readNamespacedStatefulSet({ name: 'quiet', namespace: ns }))).toBe(true);
    expect((await core.listNamespacedService({ namespace: ns })).items).toEqual([]);
  });

  it('crash-loops the Pod when the runner would reject its RunConfig', async () => {
    await startSim();
    await runConfig('bad', 'carrier-pigeon');
    await create(deployment('bad', { mcp: true }));
    const [pod] = await podsWhen(
      'bad',
      1,
      (p) => p.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CrashLoopBackOff',
      'crash loop',
    );
    expect(pod!.status?.containerStatuses?.[0]?.state?.waiting?.message).toContain(
      'transport "carrier-pigeon"',
    );
    const { apps } = apis();
    expect(
      await notFound(() => apps.readNamespacedStatefulSet({ name: 'bad', namespace: namespace() })),
    ).toBe(true);
  });

  it("removes a deleted Deployment's Pods", async () => {
    await startSim();
    await create(deployment('gone', { replicas: 2 }));
    await podsWhen('gone', 2, isReady, 'two ready pods');
    await apis().apps.deleteNamespacedDeployment({ name: 'gone', namespace: namespace() });
    await podsWhen('gone', 0, () => true, 'no pods left');
  });

  it('finishes the work in flight on stop() and leaves nothing pending', async () => {
    const s = await startSim();
    await create(deployment('busy', { replicas: 3 }));
    // Stop while the first reconcile is still creating Pods and writing their status.
    await eventually(async () => ((await podsOf('busy')).length > 0 ? true : undefined));
    await s.stop();
    expect(s.idle()).toBe(true);
    expect(s.stats()).toMatchObject({ queued: 0, inFlight: 0 });
    // The reconcile that created Pods ran to its end: every Pod has its status, the Deployment too.
    const pods = await podsOf('busy');
    expect(pods.length).toBe(3);
    expect(pods.every(isReady)).toBe(true);
    expect((await readDeployment('busy')).status?.readyReplicas).toBe(3);
    await s.stop();
  });

  it('refuses a cluster that is not the local control plane', async () => {
    const kc = controlPlane().kubeConfig;
    const remote = new KubeConfig();
    remote.loadFromOptions({
      clusters: kc.clusters.map((c) => ({ ...c, server: 'https://10.1.2.3:6443' })),
      users: kc.users,
      contexts: kc.contexts,
      currentContext: kc.currentContext,
    });
    await expect(startWorkloadSimulator({ kubeConfig: remote })).rejects.toThrow(/not a loopback address/);
    const core = kc.makeApiClient(CoreV1Api);
    await core.createNode({ body: { metadata: { name: 'a-real-node' } } });
    try {
      await expect(assertLocalControlPlane(kc)).rejects.toThrow(/has Nodes/);
    } finally {
      await core.deleteNode({ name: 'a-real-node' });
    }
    await expect(assertLocalControlPlane(kc)).resolves.toBeUndefined();
  });
});
