import {
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
  type V1Deployment,
} from '@kubernetes/client-node';
import { readdirSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  eventually,
  installCRDs,
  startWorkloadSimulator,
  type SimulatorLog,
  type WorkloadSimulator,
} from '../src/index.js';
import { useControlPlane, useNamespace } from '../src/vitest.js';

const controlPlane = useControlPlane();
const namespace = useNamespace(controlPlane, 'simvmcp');
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const toolhive = { group: 'toolhive.stacklok.dev', version: 'v1beta1' };
const crdDir = new URL('../../api/generated/crds/', import.meta.url);

let sim: WorkloadSimulator | undefined;
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});

const apis = () => {
  const kc = controlPlane().kubeConfig;
  return {
    apps: kc.makeApiClient(AppsV1Api),
    core: kc.makeApiClient(CoreV1Api),
    custom: kc.makeApiClient(CustomObjectsApi),
  };
};

let crdsInstalled: Promise<unknown> | undefined;
/** The CRDs the vmcp runtime reads, installed once for the file (the first test runs without them). */
async function toolhiveCRDs(): Promise<void> {
  crdsInstalled ??= installCRDs(
    controlPlane().kubeConfig,
    readdirSync(crdDir)
      .filter((f) => /_(virtualmcpservers|mcpservers|mcpremoteproxies|mcpserverentries)\.yaml$/.test(f))
      .map((f) => new URL(f, crdDir).pathname),
  );
  await crdsInstalled;
}

interface LogRecord {
  level: 'debug' | 'info' | 'warn';
  fields: object;
  message: string;
}

async function startSim(records: LogRecord[] = []): Promise<WorkloadSimulator> {
  const log: SimulatorLog = {
    debug: (fields, message) => records.push({ level: 'debug', fields, message }),
    info: (fields, message) => records.push({ level: 'info', fields, message }),
    warn: (fields, message) => records.push({ level: 'warn', fields, message }),
  };
  sim = await startWorkloadSimulator({
    kubeConfig: controlPlane().kubeConfig,
    namespaces: [namespace()],
    resyncMs: 500,
    log,
  });
  return sim;
}

/** The Deployment the vmcp controller makes for VirtualMCPServer `name` (its labels; one container). */
function vmcpDeployment(name: string): V1Deployment {
  const labels = {
    app: 'virtualmcpserver',
    'app.kubernetes.io/instance': name,
    'app.kubernetes.io/name': 'virtualmcpserver',
    toolhive: 'true',
    'toolhive-name': name,
  };
  return {
    metadata: { name, labels },
    spec: {
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: { containers: [{ name: 'vmcp', image: 'ghcr.io/stacklok/toolhive/vmcp:v0.44.0' }] },
      },
    },
  };
}

async function createDeployment(name: string): Promise<void> {
  await apis().apps.createNamespacedDeployment({ namespace: namespace(), body: vmcpDeployment(name) });
}

const kinds: Record<string, string> = {
  mcpservers: 'MCPServer',
  virtualmcpservers: 'VirtualMCPServer',
};

async function create(plural: string, name: string, spec: object): Promise<void> {
  await apis().custom.createNamespacedCustomObject({
    ...toolhive,
    plural,
    namespace: namespace(),
    body: {
      apiVersion: `${toolhive.group}/${toolhive.version}`,
      kind: kinds[plural],
      metadata: { name },
      spec,
    },
  });
}

/** Writes status fields as the object's controller would (merge patch of the status subresource). */
async function setStatus(plural: string, name: string, status: object): Promise<void> {
  await apis().custom.patchNamespacedCustomObjectStatus(
    { ...toolhive, plural, namespace: namespace(), name, body: { status } },
    mergePatch,
  );
}

async function mcpServer(
  name: string,
  group: string,
  status: { phase: string; url?: string },
): Promise<void> {
  await create('mcpservers', name, { image: `ghcr.io/example/${name}:1`, groupRef: { name: group } });
  await setStatus('mcpservers', name, status);
}

interface Condition {
  type: string;
  status: string;
  reason: string;
  message: string;
  lastTransitionTime: string;
}
interface Backend {
  name: string;
  url?: string;
  status: string;
  lastHealthCheck?: string;
  message?: string;
}
interface VmcpView {
  metadata: { resourceVersion: string };
  status?: {
    phase?: string;
    message?: string;
    url?: string;
    discoveredBackends?: Backend[];
    backendCount?: number;
    conditions?: Condition[];
  };
}

async function createVmcp(name: string, group: string): Promise<void> {
  await create('virtualmcpservers', name, { groupRef: { name: group }, incomingAuth: { type: 'anonymous' } });
}

async function readVmcp(name: string): Promise<VmcpView> {
  return (await apis().custom.getNamespacedCustomObject({
    ...toolhive,
    plural: 'virtualmcpservers',
    namespace: namespace(),
    name,
  })) as VmcpView;
}

async function vmcpWhen(name: string, accept: (v: VmcpView) => boolean, what: string): Promise<VmcpView> {
  let last: VmcpView | undefined;
  try {
    return await eventually(
      async () => {
        last = await readVmcp(name);
        return accept(last) ? last : undefined;
      },
      { what, timeoutMs: 15_000 },
    );
  } catch (err) {
    throw new Error(`${(err as Error).message}; last status ${JSON.stringify(last?.status)}`);
  }
}

const backendsOf = (v: VmcpView) =>
  (v.status?.discoveredBackends ?? []).map((b) => `${b.name}=${b.status}@${b.url ?? ''}`);
const condition = (v: VmcpView, type: string) => v.status?.conditions?.find((c) => c.type === type);

/** Waits until the vmcp runtime evaluated everything that happened before this call, and is idle. */
async function evaluatedAfter(action: () => unknown): Promise<void> {
  const s = sim!;
  await eventually(() => (s.idle() ? true : undefined), { what: 'simulator idle' });
  const before = s.stats().vmcp.reconciles;
  await action();
  await eventually(() => (s.stats().vmcp.reconciles > before && s.idle() ? true : undefined), {
    what: 'vmcp runtime evaluated and idle',
  });
}

async function readyPods(name: string): Promise<void> {
  await eventually(
    async () => {
      const pods = await apis().core.listNamespacedPod({
        namespace: namespace(),
        labelSelector: `app.kubernetes.io/instance=${name}`,
      });
      return pods.items.some((p) =>
        p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
      )
        ? true
        : undefined;
    },
    { what: `a ready pod of ${name}` },
  );
}

// A controller-owned condition and fields, as the vmcp controller writes them before the runtime runs.
const controllerReady: Condition = {
  type: 'Ready',
  status: 'False',
  reason: 'DeploymentNotReady',
  message: 'Deployment is not yet ready',
  lastTransitionTime: '2026-01-01T00:00:00Z',
};
const controllerStatus = {
  phase: 'Pending',
  message: 'Virtual MCP server is starting',
  url: 'http://vmcp-v.ns.svc.cluster.local:4483',
  conditions: [controllerReady],
};

describe('workload simulator: vmcp runtime', () => {
  // First in the file: the toolhive CRDs are not installed yet.
  it('keeps simulating Deployments without the toolhive CRDs, quietly, and reports once they appear', async () => {
    const records: LogRecord[] = [];
    await startSim(records);
    await createDeployment('v');
    await readyPods('v');
    // The toolhive watches got their 404s (logged at debug), not as a warning.
    await eventually(
      () =>
        records.some(
          (r) => r.level === 'debug' && String((r.fields as { error?: unknown }).error).startsWith('404'),
        )
          ? true
          : undefined,
      { what: 'a 404 of a toolhive watch logged at debug' },
    );
    expect(records.filter((r) => r.level === 'warn')).toEqual([]);

    await toolhiveCRDs();
    await mcpServer('fetch', 'g', { phase: 'Ready', url: 'http://fetch.svc/mcp' });
    await createVmcp('v', 'g');
    const got = await vmcpWhen(
      'v',
      (v) => backendsOf(v).length === 1,
      'the runtime reports once the CRDs exist',
    );
    expect(backendsOf(got)).toEqual(['fetch=ready@http://fetch.svc/mcp']);
    expect(records.filter((r) => r.level === 'warn')).toEqual([]);
  });

  it('discovered mode: reports the group members, keeps the controller fields, follows health', async () => {
    await toolhiveCRDs();
    await startSim();
    await mcpServer('fetch', 'g', { phase: 'Ready', url: 'http://fetch.svc/mcp' });
    await mcpServer('slow', 'g', { phase: 'Pending', url: 'http://slow.svc/mcp' });
    await mcpServer('other', 'h', { phase: 'Ready', url: 'http://other.svc/mcp' });
    await mcpServer('starting', 'g', { phase: 'Pending' });
    await createVmcp('v', 'g');
    await setStatus('virtualmcpservers', 'v', controllerStatus);
    await createDeployment('v');

    const first = await vmcpWhen('v', (v) => v.status?.backendCount !== undefined, 'backends reported');
    const reported = first.status?.discoveredBackends ?? [];
    expect(reported.map(({ lastHealthCheck: _time, ...rest }) => rest)).toEqual([
      { name: 'fetch', url: 'http://fetch.svc/mcp', status: 'ready' },
      {
        name: 'slow',
        url: 'http://slow.svc/mcp',
        status: 'unavailable',
        message: 'MCPServer slow is Pending',
      },
    ]);
    for (const b of reported) expect(b.lastHealthCheck).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(first.status?.backendCount).toBe(1);
    expect(condition(first, 'BackendsDiscovered')).toMatchObject({
      status: 'True',
      reason: 'BackendDiscoverySucceeded',
      message: 'Discovered 2 backends',
    });
    // What the controller owns is untouched.
    expect(first.status).toMatchObject({
      phase: 'Pending',
      message: 'Virtual MCP server is starting',
      url: controllerStatus.url,
    });
    expect(condition(first, 'Ready')).toEqual(controllerReady);

    // The controller moves on (keeping the runtime's condition, as it must); the runtime keeps its change.
    const controllerDegraded = {
      ...controllerReady,
      reason: 'BackendsDegraded',
      message: 'Some backends are unhealthy',
    };
    await setStatus('virtualmcpservers', 'v', {
      phase: 'Degraded',
      conditions: [controllerDegraded, condition(first, 'BackendsDiscovered')],
    });
    sim!.setBackendHealth(namespace(), 'slow', 'ready');
    const healed = await vmcpWhen('v', (v) => v.status?.backendCount === 2, 'slow set ready');
    expect(backendsOf(healed)).toEqual([
      'fetch=ready@http://fetch.svc/mcp',
      'slow=ready@http://slow.svc/mcp',
    ]);
    const fetchBefore = first.status?.discoveredBackends?.find((b) => b.name === 'fetch');
    const fetchAfter = healed.status?.discoveredBackends?.find((b) => b.name === 'fetch');
    expect(fetchAfter?.lastHealthCheck).toBe(fetchBefore?.lastHealthCheck);
    expect(healed.status?.phase).toBe('Degraded');
    expect(condition(healed, 'Ready')).toEqual(controllerDegraded);
    expect(condition(healed, 'BackendsDiscovered')).toEqual(condition(first, 'BackendsDiscovered'));

    // A member's change reaches the vMCP: fetch fails, then starting gets a url and joins.
    await setStatus('mcpservers', 'fetch', { phase: 'Failed' });
    await setStatus('mcpservers', 'starting', { phase: 'Ready', url: 'http://starting.svc/mcp' });
    const moved = await vmcpWhen(
      'v',
      (v) => backendsOf(v).length === 3 && v.status?.backendCount === 2,
      'members',
    );
    expect(backendsOf(moved)).toEqual([
      'fetch=unavailable@http://fetch.svc/mcp',
      'slow=ready@http://slow.svc/mcp',
      'starting=ready@http://starting.svc/mcp',
    ]);
    expect(condition(moved, 'BackendsDiscovered')?.message).toBe('Discovered 3 backends');

    // Clearing the override goes back to the phase.
    sim!.setBackendHealth(namespace(), 'slow', undefined);
    await vmcpWhen('v', (v) => v.status?.backendCount === 1, 'slow back to its phase');
  });

  it('inline mode: reports exactly the backends of config.yaml', async () => {
    await toolhiveCRDs();
    await startSim();
    await mcpServer('a', 'g', { phase: 'Ready', url: 'http://a.svc/mcp' });
    await mcpServer('c', 'g', { phase: 'Ready', url: 'http://c.svc/mcp' });
    await createVmcp('v', 'g');
    await apis().core.createNamespacedConfigMap({
      namespace: namespace(),
      body: {
        metadata: { name: 'v-vmcp-config' },
        data: {
          'config.yaml': [
            'name: v',
            'groupRef: g',
            'backends:',
            '    - name: a',
            '      url: http://a.static/mcp',
            '      transport: streamable-http',
            '    - name: b',
            '      url: http://b.static/mcp',
            '      transport: sse',
            'outgoingAuth:',
            '    source: inline',
            '',
          ].join('\n'),
        },
      },
    });
    await createDeployment('v');
    const got = await vmcpWhen('v', (v) => v.status?.backendCount !== undefined, 'backends reported');
    expect(backendsOf(got)).toEqual(['a=ready@http://a.static/mcp', 'b=unavailable@http://b.static/mcp']);
    expect(got.status?.backendCount).toBe(1);
  });

  it('writes nothing in a steady state, over several resyncs', async () => {
    await toolhiveCRDs();
    const s = await startSim();
    await mcpServer('fetch', 'g', { phase: 'Ready', url: 'http://fetch.svc/mcp' });
    await mcpServer('slow', 'g', { phase: 'Pending', url: 'http://slow.svc/mcp' });
    await createVmcp('v', 'g');
    await createDeployment('v');
    await vmcpWhen('v', (v) => v.status?.backendCount === 1, 'backends reported');
    await eventually(() => (s.idle() ? true : undefined), { what: 'simulator idle' });
    const before = { ...s.stats().vmcp, resourceVersion: (await readVmcp('v')).metadata.resourceVersion };
    expect(before.writes).toBeGreaterThan(0);
    // Resyncs every 500 ms re-evaluate the vMCP; five evaluations span at least two resyncs.
    await eventually(() => (s.stats().vmcp.reconciles >= before.reconciles + 5 ? true : undefined), {
      what: 'five more evaluations',
    });
    expect(s.stats().vmcp.writes).toBe(before.writes);
    expect((await readVmcp('v')).metadata.resourceVersion).toBe(before.resourceVersion);
  });

  it('writes nothing while no pod is ready, or while the runtime is absent', async () => {
    await toolhiveCRDs();
    const s = await startSim();
    s.setBehaviour(namespace(), 'v', 'crashloop');
    await mcpServer('fetch', 'g', { phase: 'Ready', url: 'http://fetch.svc/mcp' });
    await createVmcp('v', 'g');
    await setStatus('virtualmcpservers', 'v', controllerStatus);
    await createDeployment('v');
    await eventually(
      async () => {
        const pods = await apis().core.listNamespacedPod({
          namespace: namespace(),
          labelSelector: 'app.kubernetes.io/instance=v',
        });
        return pods.items.some((p) =>
          p.status?.containerStatuses?.some((c) => c.state?.waiting?.reason === 'CrashLoopBackOff'),
        )
          ? true
          : undefined;
      },
      { what: 'a crash-looping pod' },
    );
    await evaluatedAfter(() => {
      s.setBackendHealth(namespace(), 'fetch', 'degraded');
    });
    const stopped = await readVmcp('v');
    expect(stopped.status?.discoveredBackends).toBeUndefined();
    expect(stopped.status?.backendCount).toBeUndefined();
    expect(condition(stopped, 'BackendsDiscovered')).toBeUndefined();

    // Pods ready, runtime absent: still nothing.
    s.setVmcpRuntime(namespace(), 'v', 'absent');
    s.setBehaviour(namespace(), 'v', 'ready');
    await readyPods('v');
    await evaluatedAfter(() => {
      s.setBackendHealth(namespace(), 'fetch', undefined);
    });
    expect((await readVmcp('v')).status?.discoveredBackends).toBeUndefined();

    // Played again: it reports (so the two checks above could have failed).
    s.setVmcpRuntime(namespace(), 'v', 'play');
    const got = await vmcpWhen('v', (v) => v.status?.backendCount === 1, 'backends reported');
    expect(backendsOf(got)).toEqual(['fetch=ready@http://fetch.svc/mcp']);
    expect(got.status?.phase).toBe('Pending');
  });
});
