/**
 * The MCPServer's phase, message and ready count, from what the cluster shows: the proxy Deployment,
 * its Pods and the runner's StatefulSet (reference §10.3). Pure.
 *
 * - Deployment scaled to 0 -> `Stopped`.
 * - No Pods -> `Pending` "MCP server is being created" (ToolHive keeps an earlier `Failed` here; so do
 *   we, since a crash-looping pod that was just deleted says nothing new).
 * - Each Pod not terminating counts once: a container waiting with a definitive error
 *   (`CrashLoopBackOff`, `CreateContainerError`, `InvalidImageName`) or terminated with a non-zero exit
 *   code makes it failed; `Running` with every container ready makes it running; `Running` with a
 *   container not ready, `Pending` and `Unknown` make it pending; `Failed` makes it failed. Image pull
 *   errors count as pending, because the kubelet keeps retrying them and they often clear.
 * - Running > 0 but the runner's StatefulSet is missing -> `Pending`: the proxy is up but the MCP
 *   server behind it is not (ToolHive #6343); the controller bounces the proxy so the runner recreates it.
 * - Otherwise running > 0 -> `Ready`; failed > 0 -> `Failed` with the first failure reason; pending > 0
 *   -> `Pending` "MCP server is starting"; else `Pending` "No healthy pods found".
 */
import { podStatusView, type KubeObject, type PodView } from '@mcp-controllers/core';

export type ServerPhase = 'Pending' | 'Ready' | 'Failed' | 'Terminating' | 'Stopped';

/** The parts of a Pod the phase reads (the cache keeps little else of a Pod; see `podView`). */
export type { PodView };

export interface PhaseInputs {
  /** The proxy Deployment's `spec.replicas`, when the Deployment exists and sets it. */
  deploymentReplicas?: number;
  pods: readonly PodView[];
  statefulSetPresent: boolean;
  previousPhase?: string;
}

export interface PhaseResult {
  phase: ServerPhase;
  message: string;
  readyReplicas: number;
}

const definitiveWaitingReasons = new Set(['CrashLoopBackOff', 'CreateContainerError', 'InvalidImageName']);

type PodState = { state: 'running' | 'pending' | 'ignored' } | { state: 'failed'; reason: string };

export function podState(pod: PodView): PodState {
  if (pod.metadata.deletionTimestamp) return { state: 'ignored' };
  const containers = pod.status?.containerStatuses ?? [];
  for (const c of containers) {
    const waiting = c.state?.waiting?.reason;
    if (waiting !== undefined && definitiveWaitingReasons.has(waiting))
      return { state: 'failed', reason: waiting };
    const terminated = c.state?.terminated;
    if (terminated && (terminated.exitCode ?? 0) !== 0)
      return { state: 'failed', reason: 'ContainerTerminated' };
  }
  switch (pod.status?.phase) {
    case 'Running':
      return containers.length > 0 && containers.every((c) => c.ready === true)
        ? { state: 'running' }
        : { state: 'pending' };
    case 'Succeeded':
      return { state: 'running' };
    case 'Failed':
      return { state: 'failed', reason: 'PodFailed' };
    case 'Pending':
    case 'Unknown':
      return { state: 'pending' };
    default:
      return { state: 'ignored' };
  }
}

export const runnerMissingMessage = 'MCP server proxy is running; recreating missing workload StatefulSet';

export function serverPhase(inputs: PhaseInputs): PhaseResult {
  if (inputs.deploymentReplicas === 0) {
    return { phase: 'Stopped', message: 'MCP server is stopped (scaled to zero)', readyReplicas: 0 };
  }
  if (inputs.pods.length === 0) {
    if (inputs.previousPhase === 'Failed') {
      return { phase: 'Failed', message: 'MCP server pod failed', readyReplicas: 0 };
    }
    return { phase: 'Pending', message: 'MCP server is being created', readyReplicas: 0 };
  }
  let running = 0;
  let pending = 0;
  let failed = 0;
  let failure: string | undefined;
  for (const pod of inputs.pods) {
    const s = podState(pod);
    if (s.state === 'running') running++;
    else if (s.state === 'pending') pending++;
    else if (s.state === 'failed') {
      failed++;
      failure ??= s.reason;
    }
  }
  if (running > 0 && !inputs.statefulSetPresent) {
    return { phase: 'Pending', message: runnerMissingMessage, readyReplicas: running };
  }
  if (running > 0) return { phase: 'Ready', message: 'MCP server is running', readyReplicas: running };
  if (failed > 0) {
    return {
      phase: 'Failed',
      message: failure ? `MCP server pod failed: ${failure}` : 'MCP server pod failed',
      readyReplicas: 0,
    };
  }
  if (pending > 0) return { phase: 'Pending', message: 'MCP server is starting', readyReplicas: 0 };
  return { phase: 'Pending', message: 'No healthy pods found', readyReplicas: 0 };
}

/** MCPServer proxy pods: the pods whose status `podView` keeps. */
const isProxyPod = (labels: Readonly<Record<string, string>> | undefined) =>
  labels?.['app.kubernetes.io/name'] === 'mcpserver';

/**
 * The cache transform for Pods (core's `podStatusView`): the few fields `serverPhase` and the watch
 * mapping read, so a cluster's Pods cost little memory. Pods that are not MCPServer proxies keep no
 * status at all; no pod keeps its conditions.
 */
export function podView(pod: KubeObject): KubeObject {
  return podStatusView(pod, { keepsStatus: isProxyPod });
}
