/**
 * The VirtualMCPServer's phase, message and `Ready` condition from its pods and the runtime-written
 * `status.discoveredBackends` (operator-behaviour §10.3, ToolHive's determineStatusFromPods /
 * determineStatusFromBackends), and `backendCount`. Pure.
 *
 * Pods (those matching `vmcpLabels`) count as:
 * - failed: pod phase `Failed`, or not ready with a container in a definitive error (waiting
 *   `CrashLoopBackOff`, `CreateContainerError`, `InvalidImageName`, or terminated with a non-zero exit
 *   code). ToolHive counts only phase `Failed`, which a Deployment's pods (restartPolicy Always)
 *   almost never reach, so a crash-looping vMCP would stay `Pending` forever there. Image pull errors
 *   stay pending: the kubelet retries them and they often clear;
 * - ready: the `Ready` pod condition is `True` (passed its readiness probe), as ToolHive;
 * - pending: anything else.
 * DESIGN: pods being deleted (deletionTimestamp) are not counted (ToolHive counts them): their
 * endpoints are already out of the Service, and a rollout would otherwise report the old pod.
 *
 * The table, first match wins:
 * | pods                    | discoveredBackends      | phase    | Ready reason          | Ready |
 * | 0 ready, >=1 failed     | any                     | Failed   | DeploymentFailed      | False |
 * | 0 ready, >=1 pending    | any                     | Pending  | DeploymentNotReady    | False |
 * | none                    | any                     | Pending  | DeploymentNotReady    | False |
 * | >=1 ready               | empty                   | Ready    | DeploymentReady       | True  |
 * | >=1 ready               | all routable            | Ready    | DeploymentReady       | True  |
 * | >=1 ready               | none routable           | Degraded | BackendsUnavailable   | False |
 * | >=1 ready               | some unhealthy          | Degraded | BackendsDegraded      | False |
 * Routable = `ready` or `unauthenticated` (reachable; needs the user's own token); unhealthy =
 * `unavailable`, `degraded`, `unknown`, or any other value (ToolHive's rule). ToolHive's
 * `BackendsUnknown` row (backends listed but none counted) cannot happen here: every backend counts
 * as one or the other.
 */
import { podStatusView, type KubeObject, type PodView } from '@mcp-controllers/core';
import type { VirtualStatus } from './types.js';

export type VmcpPhase = 'Pending' | 'Ready' | 'Degraded' | 'Failed';
export type DiscoveredBackend = NonNullable<VirtualStatus['discoveredBackends']>[number];

/** The parts of a Pod the phase reads (the cache keeps little else of a Pod; see `vmcpPodView`). */
export type VmcpPodView = PodView;

export interface VmcpPhaseInputs {
  pods: readonly VmcpPodView[];
  /** `status.discoveredBackends` as the vmcp runtime wrote it (absent = none yet). */
  discoveredBackends?: readonly Pick<DiscoveredBackend, 'name' | 'status'>[] | undefined;
}

export interface VmcpPhaseResult {
  phase: VmcpPhase;
  /** `status.message`. */
  message: string;
  /** The `Ready` condition's reason. */
  readyReason:
    | 'DeploymentReady'
    | 'DeploymentNotReady'
    | 'DeploymentFailed'
    | 'BackendsUnavailable'
    | 'BackendsDegraded';
  /** The `Ready` condition's message (ToolHive's). */
  readyMessage: string;
  /** The `Ready` condition's status: True only for phase `Ready`. */
  ready: boolean;
}

const definitiveWaitingReasons = new Set(['CrashLoopBackOff', 'CreateContainerError', 'InvalidImageName']);

type PodCount = 'ready' | 'pending' | 'failed' | 'ignored';

export function vmcpPodState(pod: VmcpPodView): PodCount {
  if (pod.metadata.deletionTimestamp) return 'ignored';
  if (pod.status?.phase === 'Failed') return 'failed';
  if (pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) return 'ready';
  for (const c of pod.status?.containerStatuses ?? []) {
    const waiting = c.state?.waiting?.reason;
    if (waiting !== undefined && definitiveWaitingReasons.has(waiting)) return 'failed';
    const terminated = c.state?.terminated;
    if (terminated && (terminated.exitCode ?? 0) !== 0) return 'failed';
  }
  return 'pending';
}

const isRoutable = (status: string | undefined) => status === 'ready' || status === 'unauthenticated';

/** `status.backendCount`: discovered backends that are routable (ready or unauthenticated). */
export function backendCount(discoveredBackends: VmcpPhaseInputs['discoveredBackends']): number {
  return (discoveredBackends ?? []).filter((b) => isRoutable(b.status)).length;
}

export function vmcpPhase(inputs: VmcpPhaseInputs): VmcpPhaseResult {
  const counts = { ready: 0, pending: 0, failed: 0, ignored: 0 };
  for (const pod of inputs.pods) counts[vmcpPodState(pod)]++;
  if (counts.ready === 0) {
    if (counts.failed > 0) {
      return {
        phase: 'Failed',
        message: 'Virtual MCP server failed to start',
        readyReason: 'DeploymentFailed',
        readyMessage: 'Deployment failed',
        ready: false,
      };
    }
    return {
      phase: 'Pending',
      message: counts.pending > 0 ? 'Virtual MCP server is starting' : 'No pods found for Virtual MCP server',
      readyReason: 'DeploymentNotReady',
      readyMessage: 'Deployment is not yet ready',
      ready: false,
    };
  }
  const backends = inputs.discoveredBackends ?? [];
  const routable = backendCount(backends);
  const unhealthy = backends.length - routable;
  if (unhealthy === 0) {
    return {
      phase: 'Ready',
      message: 'Virtual MCP server is running',
      readyReason: 'DeploymentReady',
      readyMessage: 'Deployment is ready',
      ready: true,
    };
  }
  if (routable === 0) {
    return {
      phase: 'Degraded',
      message: `Virtual MCP server is running but all ${unhealthy} backends are unhealthy`,
      readyReason: 'BackendsUnavailable',
      readyMessage: 'All backends are unhealthy',
      ready: false,
    };
  }
  return {
    phase: 'Degraded',
    message: `Virtual MCP server is running with ${routable}/${backends.length} backends available`,
    readyReason: 'BackendsDegraded',
    readyMessage: 'Some backends are unhealthy',
    ready: false,
  };
}

/** vmcp pods: the pods whose status `vmcpPodView` keeps. */
const isVmcpPod = (labels: Readonly<Record<string, string>> | undefined) =>
  labels?.['app.kubernetes.io/name'] === 'virtualmcpserver';

/**
 * A cache transform for Pods (core's `podStatusView`): the few fields `vmcpPhase` and the watch
 * mapping read, so a cluster's Pods cost little memory. Pods that are not vmcp pods (label
 * `app.kubernetes.io/name` other than `virtualmcpserver`) keep no status at all. Conditions other than
 * `Ready` are dropped.
 */
export function vmcpPodView(pod: KubeObject): KubeObject {
  return podStatusView(pod, { keepsStatus: isVmcpPod, conditions: ['Ready'] });
}
