/**
 * The pure half of the workload simulator (`simulator.ts`): what a Deployment's Pods, their status,
 * the Deployment's status and ToolHive's proxy-runner objects look like. Nothing here does I/O; every
 * function is deterministic given its arguments (the clock is passed in).
 *
 * Objects are client-node models as its typed API reads them (a Deployment's pod template goes into
 * the Pod unchanged, so its typed serializer sees the same shape it produced), except the bodies of
 * patches and server-side applies, which are plain JSON (client-node sends patch bodies as they are).
 */
import type {
  V1Container,
  V1ContainerStatus,
  V1Deployment,
  V1LabelSelector,
  V1Pod,
  V1PodCondition,
  V1PodTemplateSpec,
} from '@kubernetes/client-node';
import { createHash } from 'node:crypto';

/** What the simulated kubelet makes of a Deployment's Pods (set per Deployment; default `ready`). */
export type PodBehaviour =
  /** Running, every container ready. */
  | 'ready'
  /** Running, containers waiting in `CrashLoopBackOff` with restarts and a terminated last state. */
  | 'crashloop'
  /** Pending, containers waiting in `ContainerCreating` (not an error). */
  | 'pending'
  /** Containers waiting with this reason: Running for `CrashLoopBackOff`, Pending for any other. */
  | { waitingReason: string; message?: string };

/** Whether the simulator plays ToolHive's proxy runner for an MCPServer Deployment (default `play`). */
export type RunnerMode = 'play' | 'absent';

/** The state one Pod is driven to: ready, or its containers waiting with a reason. */
export type PodState = { kind: 'ready' } | { kind: 'waiting'; reason: string; message?: string };

/** The label the ReplicaSet controller puts on every Pod; ours carries the template hash too. */
export const templateHashLabel = 'pod-template-hash';
/** The node every simulated Pod is "scheduled" on. No Node object exists (the guard relies on it). */
export const simulatedNodeName = 'simulated-node';
/** Labels that mark the proxy Deployment of an MCPServer (ToolHive's `labelsForMCPServer`). */
export const mcpServerLabel = { key: 'app.kubernetes.io/name', value: 'mcpserver' } as const;
/** ToolHive's proxy runner applies its objects with this field manager (server-side apply, force). */
export const runnerFieldManager = 'toolhive-container-manager';

export function stateOf(behaviour: PodBehaviour): PodState {
  if (behaviour === 'ready') return { kind: 'ready' };
  if (behaviour === 'crashloop') return { kind: 'waiting', reason: 'CrashLoopBackOff' };
  if (behaviour === 'pending') return { kind: 'waiting', reason: 'ContainerCreating' };
  return {
    kind: 'waiting',
    reason: behaviour.waitingReason,
    ...(behaviour.message ? { message: behaviour.message } : {}),
  };
}

/** A short, stable hash of a pod template: a change of any field (an annotation too) changes it. */
export function templateHash(template: V1PodTemplateSpec | undefined): string {
  return createHash('sha256')
    .update(JSON.stringify(template ?? {}))
    .digest('hex')
    .slice(0, 10);
}

export function podName(deployment: string, hash: string, index: number): string {
  return `${deployment}-${hash}-${index}`;
}

/** `spec.replicas`, which the apiserver defaults to 1 (so unset is 1 here too). */
export function desiredReplicas(deployment: V1Deployment): number {
  return deployment.spec?.replicas ?? 1;
}

/** A label selector as the `labelSelector` query parameter (matchLabels and matchExpressions). */
export function selectorString(selector: V1LabelSelector | undefined): string {
  const parts = Object.entries(selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of selector?.matchExpressions ?? []) {
    const values = (e.values ?? []).join(',');
    if (e.operator === 'In') parts.push(`${e.key} in (${values})`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${values})`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`);
  }
  return parts.join(',');
}

/** Whether a Pod names the Deployment `name` as its owner (whatever its uid: an older namesake too). */
export function ownedBy(pod: V1Pod, name: string): boolean {
  return (pod.metadata?.ownerReferences ?? []).some(
    (r) => r.kind === 'Deployment' && r.name === name && r.apiVersion.startsWith('apps/'),
  );
}

/** Pod `index` of the Deployment's current template, "scheduled" on the simulated node. */
export function podFor(deployment: V1Deployment, hash: string, index: number): V1Pod {
  const name = deployment.metadata?.name ?? '';
  const template = deployment.spec?.template;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: podName(name, hash, index),
      namespace: deployment.metadata?.namespace,
      labels: { ...template?.metadata?.labels, [templateHashLabel]: hash },
      ...(template?.metadata?.annotations ? { annotations: { ...template.metadata.annotations } } : {}),
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          name,
          uid: deployment.metadata?.uid ?? '',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: { ...(template?.spec ?? { containers: [] }), nodeName: simulatedNodeName },
  };
}

/**
 * The Pod's state as written by the simulator (or anyone writing the same fields): `ready`, the
 * first waiting container's reason, or undefined for a Pod nobody has started yet.
 */
export function currentState(pod: V1Pod): PodState | undefined {
  const statuses = pod.status?.containerStatuses ?? [];
  const containers = pod.spec?.containers.length ?? 0;
  if (pod.status?.phase === 'Running' && statuses.length === containers && statuses.every((s) => s.ready)) {
    return { kind: 'ready' };
  }
  const waiting = statuses.find((s) => s.state?.waiting?.reason)?.state?.waiting;
  if (!waiting?.reason) return undefined;
  return {
    kind: 'waiting',
    reason: waiting.reason,
    ...(waiting.message ? { message: waiting.message } : {}),
  };
}

export function sameState(a: PodState | undefined, b: PodState): boolean {
  if (!a || a.kind !== b.kind) return false;
  if (a.kind === 'ready' || b.kind === 'ready') return true;
  return a.reason === b.reason && (a.message ?? '') === (b.message ?? '');
}

/** RFC 3339 without fractions, as the apiserver writes times. */
export function timestamp(now: Date): string {
  return now.toISOString().replace(/\.\d+Z$/, 'Z');
}

/** An address in 10.244.0.0/16 derived from the Pod's name, so rewrites keep it. */
function podIP(name: string): string {
  const digest = createHash('sha256').update(name).digest();
  return `10.244.${digest[0]! % 256}.${(digest[1]! % 254) + 1}`;
}

/**
 * The `status` a kubelet would report for `state`, as a merge-patch body (plain JSON). It keeps what
 * the apiserver set on create (`qosClass`) by not naming it, and the Pod's first `startTime`.
 */
export function podStatusPatch(pod: V1Pod, state: PodState, now: Date): { status: Record<string, unknown> } {
  const at = timestamp(now);
  const containers = pod.spec?.containers ?? [];
  const ready = state.kind === 'ready';
  const crashing = state.kind === 'waiting' && state.reason === 'CrashLoopBackOff';
  const started = pod.status?.startTime ? timestamp(new Date(pod.status.startTime)) : at;
  const ip = podIP(pod.metadata?.name ?? '');
  const notReady = `containers with unready status: [${containers.map((c) => c.name).join(' ')}]`;
  const condition = (
    type: string,
    ok: boolean,
  ): Omit<V1PodCondition, 'lastTransitionTime'> & { lastTransitionTime: string } => ({
    type,
    status: ok ? 'True' : 'False',
    lastTransitionTime: at,
    ...(ok ? {} : { reason: 'ContainersNotReady', message: notReady }),
  });
  return {
    status: {
      phase: ready || crashing ? 'Running' : 'Pending',
      hostIP: '10.0.0.1',
      podIP: ip,
      podIPs: [{ ip }],
      startTime: started,
      conditions: [
        condition('Initialized', true),
        condition('Ready', ready),
        condition('ContainersReady', ready),
        condition('PodScheduled', true),
      ],
      containerStatuses: containers.map((c) => containerStatus(pod, c, state, at, crashing)),
    },
  };
}

function containerStatus(
  pod: V1Pod,
  container: V1Container,
  state: PodState,
  at: string,
  crashing: boolean,
): Omit<V1ContainerStatus, 'state' | 'lastState'> & { state: object; lastState: object } {
  const id = `simulated://${pod.metadata?.name ?? ''}/${container.name}`;
  return {
    name: container.name,
    image: container.image ?? '',
    imageID: '',
    ready: state.kind === 'ready',
    started: state.kind === 'ready',
    restartCount: crashing ? 5 : 0,
    ...(state.kind === 'ready' ? { containerID: id } : {}),
    state:
      state.kind === 'ready'
        ? { running: { startedAt: at } }
        : { waiting: { reason: state.reason, ...(state.message ? { message: state.message } : {}) } },
    lastState: crashing
      ? { terminated: { exitCode: 1, reason: 'Error', startedAt: at, finishedAt: at, containerID: id } }
      : {},
  };
}

/** The Deployment status fields the simulator owns, zero for what the apiserver omits. */
export interface DeploymentStatusView {
  observedGeneration: number;
  replicas: number;
  updatedReplicas: number;
  readyReplicas: number;
  availableReplicas: number;
  unavailableReplicas: number;
  available: boolean;
}

export function currentDeploymentStatus(deployment: V1Deployment): DeploymentStatusView {
  const s = deployment.status;
  return {
    observedGeneration: s?.observedGeneration ?? 0,
    replicas: s?.replicas ?? 0,
    updatedReplicas: s?.updatedReplicas ?? 0,
    readyReplicas: s?.readyReplicas ?? 0,
    availableReplicas: s?.availableReplicas ?? 0,
    unavailableReplicas: s?.unavailableReplicas ?? 0,
    available: s?.conditions?.find((c) => c.type === 'Available')?.status === 'True',
  };
}

/** The status of a Deployment whose live Pods are `pods` (the current template's and older ones). */
export function desiredDeploymentStatus(
  deployment: V1Deployment,
  pods: { hash: string; ready: boolean }[],
  hash: string,
): DeploymentStatusView {
  const desired = desiredReplicas(deployment);
  const ready = pods.filter((p) => p.ready).length;
  return {
    observedGeneration: deployment.metadata?.generation ?? 0,
    replicas: pods.length,
    updatedReplicas: pods.filter((p) => p.hash === hash).length,
    readyReplicas: ready,
    availableReplicas: ready,
    unavailableReplicas: Math.max(0, desired - ready),
    available: ready >= desired,
  };
}

export function sameDeploymentStatus(a: DeploymentStatusView, b: DeploymentStatusView): boolean {
  return (Object.keys(a) as (keyof DeploymentStatusView)[]).every((k) => a[k] === b[k]);
}

/** A merge-patch body for the Deployment's `status` subresource. */
export function deploymentStatusPatch(view: DeploymentStatusView, now: Date): { status: object } {
  const at = timestamp(now);
  const { available, ...counts } = view;
  return {
    status: {
      ...counts,
      conditions: [
        {
          type: 'Available',
          status: available ? 'True' : 'False',
          reason: available ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable',
          message: available
            ? 'Deployment has minimum availability.'
            : 'Deployment does not have minimum availability.',
          lastUpdateTime: at,
          lastTransitionTime: at,
        },
      ],
    },
  };
}

export function isMcpServerDeployment(deployment: V1Deployment): boolean {
  return deployment.metadata?.labels?.[mcpServerLabel.key] === mcpServerLabel.value;
}

/** The MCP server's image: the last argument of the proxy container (`run [--k8s-pod-patch=..] <image>`). */
export function runnerImage(deployment: V1Deployment): string | undefined {
  const containers = deployment.spec?.template.spec?.containers ?? [];
  const proxy = containers.find((c) => c.name === 'toolhive') ?? containers[0];
  const last = proxy?.args?.at(-1);
  return last && !last.startsWith('-') && last !== 'run' ? last : undefined;
}

export type RunConfigView =
  | { ok: true; transport: 'stdio' | 'sse' | 'streamable-http'; targetPort: number }
  | { ok: false; problem: string };

/**
 * What the runner needs from `runconfig.json`: the transport and, for HTTP transports, a valid
 * `target_port`. Anything else is a problem the real runner would exit on (a crash loop).
 */
export function parseRunConfig(text: string | undefined): RunConfigView {
  if (text === undefined) return { ok: false, problem: 'the ConfigMap has no key runconfig.json' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, problem: 'runconfig.json is not JSON' };
  }
  const { transport, target_port: targetPort } = (value ?? {}) as {
    transport?: unknown;
    target_port?: unknown;
  };
  if (transport !== 'stdio' && transport !== 'sse' && transport !== 'streamable-http') {
    return {
      ok: false,
      problem: `runconfig.json transport ${JSON.stringify(transport)} is not stdio, sse or streamable-http`,
    };
  }
  const port = typeof targetPort === 'number' && Number.isInteger(targetPort) ? targetPort : 0;
  if (transport !== 'stdio' && (port < 1 || port > 65535)) {
    return { ok: false, problem: `runconfig.json target_port ${JSON.stringify(targetPort)} is not a port` };
  }
  return { ok: true, transport, targetPort: port };
}

/** The StatefulSet `<name>` the runner applies (no owner reference, like ToolHive's). */
export function runnerStatefulSet(namespace: string, name: string, image: string): object {
  const labels = { app: name, toolhive: 'true', 'toolhive-name': name };
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name, namespace, labels },
    spec: {
      selector: { matchLabels: { app: name } },
      serviceName: name,
      template: {
        metadata: { labels },
        spec: { restartPolicy: 'Always', containers: [{ name: 'mcp', image }] },
      },
    },
  };
}

/** Services `mcp-<name>-headless` and `mcp-<name>` the runner applies for HTTP transports. */
export function runnerServices(
  namespace: string,
  name: string,
  targetPort: number,
  statefulSetUid: string,
): { metadata: { name: string } }[] {
  const ownerReferences = [
    { apiVersion: 'apps/v1', kind: 'StatefulSet', name, uid: statefulSetUid, controller: true },
  ];
  const ports = [{ name: `port-${targetPort}`, port: targetPort, targetPort, protocol: 'TCP' }];
  const selector = { app: name };
  const service = (serviceName: string, spec: object) => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: serviceName, namespace, labels: { app: name, toolhive: 'true' }, ownerReferences },
    spec: { selector, ports, ...spec },
  });
  return [
    service(`mcp-${name}-headless`, { clusterIP: 'None' }),
    service(`mcp-${name}`, {
      type: 'ClusterIP',
      sessionAffinity: 'ClientIP',
      sessionAffinityConfig: { clientIP: { timeoutSeconds: 1800 } },
    }),
  ];
}

/** Whether a server URL points at this machine (a loopback address or `localhost`). */
export function isLoopbackServer(server: string): boolean {
  let host: string;
  try {
    host = new URL(server).hostname;
  } catch {
    return false;
  }
  const bare = host.replace(/^\[|\]$/g, '');
  return bare === 'localhost' || bare === '::1' || /^127\.\d+\.\d+\.\d+$/.test(bare);
}
