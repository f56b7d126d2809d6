/**
 * The shared set-up of the workload simulator's vmcp runtime tests (`simulator-vmcp.int.test.ts`,
 * `simulator-costs.int.test.ts`): one control plane per file, one namespace per test, the simulator
 * (and a fault proxy, when a test starts one) stopped after each test, and the objects the vmcp
 * controller and the member controllers would write. Call `useVmcpSimulator` once, at the top of a
 * test file.
 */
import {
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  type V1Deployment,
} from '@kubernetes/client-node';
import { readdirSync } from 'node:fs';
import { afterEach } from 'vitest';
import {
  eventually,
  installCRDs,
  startFaultProxy,
  startWorkloadSimulator,
  type ControlPlane,
  type FaultProxy,
  type SimulatorLog,
  type WorkloadSimulator,
} from '../src/index.js';
import { useControlPlane, useNamespace } from '../src/vitest.js';

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
export const toolhive = { group: 'toolhive.stacklok.dev', version: 'v1beta1' };
const crdDir = new URL('../../api/generated/crds/', import.meta.url);

export interface LogRecord {
  level: 'debug' | 'info' | 'warn';
  fields: object;
  message: string;
}

export interface Condition {
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
export interface VmcpView {
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

export const backendsOf = (v: VmcpView) =>
  (v.status?.discoveredBackends ?? []).map((b) => `${b.name}=${b.status}@${b.url ?? ''}`);
export const condition = (v: VmcpView, type: string) => v.status?.conditions?.find((c) => c.type === type);

/** The Deployment the vmcp controller makes for VirtualMCPServer `name` (its labels; one container). */
export function vmcpDeployment(name: string): V1Deployment {
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

// A controller-owned condition and fields, as the vmcp controller writes them before the runtime runs.
export const controllerReady: Condition = {
  type: 'Ready',
  status: 'False',
  reason: 'DeploymentNotReady',
  message: 'Deployment is not yet ready',
  lastTransitionTime: '2026-01-01T00:00:00Z',
};
export const controllerStatus = {
  phase: 'Pending',
  message: 'Virtual MCP server is starting',
  url: 'http://vmcp-v.ns.svc.cluster.local:4483',
  conditions: [controllerReady],
};

const kinds: Record<string, string> = {
  mcpservers: 'MCPServer',
  virtualmcpservers: 'VirtualMCPServer',
};

export function useVmcpSimulator(prefix: string) {
  const controlPlane: () => ControlPlane = useControlPlane();
  const namespace = useNamespace(controlPlane, prefix);
  const state: { sim?: WorkloadSimulator; proxy?: FaultProxy; crds?: Promise<unknown> } = {};
  afterEach(async () => {
    await state.sim?.stop();
    state.sim = undefined;
    await state.proxy?.close();
    state.proxy = undefined;
  });

  const apis = () => {
    const kc = controlPlane().kubeConfig;
    return {
      apps: kc.makeApiClient(AppsV1Api),
      core: kc.makeApiClient(CoreV1Api),
      custom: kc.makeApiClient(CustomObjectsApi),
    };
  };
  const sim = () => {
    if (!state.sim) throw new Error('no simulator started');
    return state.sim;
  };

  /** The CRDs the vmcp runtime reads, installed once for the file. */
  async function toolhiveCRDs(): Promise<void> {
    state.crds ??= installCRDs(
      controlPlane().kubeConfig,
      readdirSync(crdDir)
        .filter((f) => /_(virtualmcpservers|mcpservers|mcpremoteproxies|mcpserverentries)\.yaml$/.test(f))
        .map((f) => new URL(f, crdDir).pathname),
    );
    await state.crds;
  }

  /** A fault proxy in front of the control plane, closed after the test. */
  async function startProxy(): Promise<FaultProxy> {
    state.proxy = await startFaultProxy(controlPlane().kubeConfig);
    return state.proxy;
  }

  async function startSim(
    records: LogRecord[] = [],
    kubeConfig: KubeConfig = controlPlane().kubeConfig,
  ): Promise<WorkloadSimulator> {
    const log: SimulatorLog = {
      debug: (fields, message) => records.push({ level: 'debug', fields, message }),
      info: (fields, message) => records.push({ level: 'info', fields, message }),
      warn: (fields, message) => records.push({ level: 'warn', fields, message }),
    };
    state.sim = await startWorkloadSimulator({
      kubeConfig,
      namespaces: [namespace()],
      resyncMs: 500,
      log,
    });
    return state.sim;
  }

  async function createDeployment(name: string): Promise<void> {
    await apis().apps.createNamespacedDeployment({ namespace: namespace(), body: vmcpDeployment(name) });
  }

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

  async function createVmcp(name: string, group: string): Promise<void> {
    await create('virtualmcpservers', name, {
      groupRef: { name: group },
      incomingAuth: { type: 'anonymous' },
    });
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

  /** Waits until the vmcp runtime evaluated everything that happened before this call, and is idle. */
  async function evaluatedAfter(action: () => unknown): Promise<void> {
    const s = sim();
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

  return {
    controlPlane,
    namespace,
    apis,
    sim,
    toolhiveCRDs,
    startProxy,
    startSim,
    createDeployment,
    create,
    setStatus,
    mcpServer,
    createVmcp,
    readVmcp,
    vmcpWhen,
    evaluatedAfter,
    readyPods,
  };
}
